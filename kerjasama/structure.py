"""The structure of the indexed documents, precomputed at ingest so no question scans every chunk.

* where each Pasal / Article is (document, part, Pasal -> chunk ids in order);
* which ayat, huruf and angka each Pasal has (so "Pasal 30 ayat (7)" can be answered with "Pasal 30 has ayat
  (1)-(5)");
* which provisions revoke which documents ("... Nomor 50 Tahun 2007 ... dicabut dan dinyatakan tidak berlaku"),
  mined from the text and resolved against the catalog;
* the surface vocabulary of the corpus (for spelling correction of questions).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from kerjasama.catalog import Catalog
from kerjasama.models import Chunk

_REVOKES = re.compile(r"dicabut\s+dan\s+dinyatakan\s+tidak\s+berlaku|dinyatakan\s+tidak\s+berlaku|\bdicabut\b", re.I)
_NUMBER_YEAR = re.compile(r"Nomor\s+(?P<num>[0-9A-Z/.-]+?)\s+Tahun\s+(?P<year>(?:19|20)\d\d)", re.I)
_SENTENCE_END = re.compile(r"(?<![\s(][a-z0-9])(?<!^[a-z0-9])\.\s+(?=[A-Z])")  # not after a list marker "c."
_HEADING = re.compile(r"^\s*(Pasal|Article)\s+\w+\s*\n")
# The BAB that says what happens to earlier law and to acts done under it: "KETENTUAN PERALIHAN", "KETENTUAN
# PENUTUP" (and "FINAL PROVISIONS" / "TRANSITIONAL PROVISIONS" in treaties).
_TRANSITIONAL = re.compile(r"KETENTUAN\s+(PERALIHAN|PENUTUP)|TRANSITIONAL\s+PROVISIONS|FINAL\s+PROVISIONS", re.I)
_LIST_MARK = re.compile(r"^(?:[a-z]|\d{1,2})[.)]\s*|^(?:dan|serta)\s+")
_LABEL_PARTS = re.compile(r"ayat \((\d+)\)|huruf ([a-z])|angka (\d+)|\((\d+)\)|\(([a-z]{1,2})\)")
VOCAB_MIN_COUNT = 2  # a word must occur this often to serve as a spelling correction (OCR debris occurs once)


def pasal_key(doc_id: str, part: str, pasal: str) -> str:
    return f"{doc_id}|{part}|{pasal}"


@dataclass
class Structure:
    """Lookups over the index's chunks, stored with the index."""

    pasal: dict[str, list[str]] = field(default_factory=dict)  # "pp-28-2018|body|Pasal 30" -> chunk ids
    labels: dict[str, list[str]] = field(default_factory=dict)  # "pp-28-2018|Pasal 30" -> unit labels in order
    revokes: dict[str, list[str]] = field(default_factory=dict)  # revoked doc id -> chunk ids revoking it
    transitional: dict[str, list[str]] = field(default_factory=dict)  # doc id -> its transitional/closing Pasal
    vocabulary: dict[str, int] = field(default_factory=dict)  # surface word -> count

    def to_json(self) -> dict:
        return {"pasal": self.pasal, "labels": self.labels, "revokes": self.revokes,
                "transitional": self.transitional, "vocabulary": self.vocabulary}

    @classmethod
    def from_json(cls, data: dict | None) -> Structure:
        data = data or {}
        return cls(
            pasal={k: list(v) for k, v in (data.get("pasal") or {}).items()},
            labels={k: list(v) for k, v in (data.get("labels") or {}).items()},
            revokes={k: list(v) for k, v in (data.get("revokes") or {}).items()},
            transitional={k: list(v) for k, v in (data.get("transitional") or {}).items()},
            vocabulary=dict(data.get("vocabulary") or {}),
        )

    def chunks_of(self, doc_id: str, part: str, pasal: str) -> list[str]:
        """Chunk ids of one Pasal (or Article) of a document, in order."""
        return self.pasal.get(pasal_key(doc_id, part, pasal), [])

    def docs_with(self, pasal: str, part: str = "body") -> list[str]:
        """Documents that have a Pasal (or Article) of this label."""
        suffix = f"|{part}|{pasal}"
        return sorted({k.split("|", 1)[0] for k in self.pasal if k.endswith(suffix)})

    def pasal_range(self, doc_id: str) -> tuple[str, str]:
        """First and last Pasal (or Article) label of a document's body, e.g. ("Pasal 1", "Pasal 52")."""
        labels = [k.split("|", 2)[2] for k in self.pasal if k.startswith(f"{doc_id}|body|")]
        nums = sorted((_num(x), x) for x in labels if _num(x) is not None)
        return (nums[0][1], nums[-1][1]) if nums else ("", "")

    def units_of(self, doc_id: str, pasal: str) -> dict[str, list[str]]:
        """What a Pasal holds: {"ayat": ["1", ..], "huruf": [..], "huruf@3": huruf of ayat (3), "angka": [..]}."""
        out: dict[str, list[str]] = {}
        for label in self.labels.get(f"{doc_id}|{pasal}", []):
            ayat = ""
            for m in _LABEL_PARTS.finditer(label):
                a, h, n, pa, ph = m.groups()
                if a or pa:
                    ayat = a or pa
                    out.setdefault("ayat", [])
                    if ayat not in out["ayat"]:
                        out["ayat"].append(ayat)
                elif h or ph:
                    key = f"huruf@{ayat}" if ayat else "huruf"
                    out.setdefault(key, [])
                    if (h or ph) not in out[key]:
                        out[key].append(h or ph)
                elif n:
                    out.setdefault("angka", [])
                    if n not in out["angka"]:
                        out["angka"].append(n)
        return out


def _num(label: str) -> int | None:
    m = re.search(r"(\d+)", label)
    return int(m.group(1)) if m else None


def revoked_by(text: str) -> list[tuple[str, int]]:
    """(number, year) of every regulation ``text`` revokes in full.

    The revoking sentence names the regulations, then says "dicabut dan dinyatakan tidak berlaku"; a list of
    them ("Pada saat ... mulai berlaku: a. UU Nomor 5 Tahun 1962 ...; b. ...; dicabut ...") counts item by item.
    An item that revokes only some Pasal of a regulation ("Pasal 157 ... Undang-Undang Nomor 28 Tahun 2009") does
    not revoke the regulation.
    """
    out: list[tuple[str, int]] = []
    for verb in _REVOKES.finditer(text):
        ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, verb.start())]
        start = max([0, *ends, text.rfind(":", 0, verb.start()) + 1])
        sentence = _HEADING.sub("", text[start:verb.start()])
        for item in re.split(r";", sentence):
            item = _LIST_MARK.sub("", item.strip())
            if not item or re.match(r"(Pasal|Ketentuan)\b", item):
                continue
            for m in _NUMBER_YEAR.finditer(item):
                key = (m.group("num").upper().strip("."), int(m.group("year")))
                if key not in out:
                    out.append(key)
    return out


def build_structure(chunks: list[Chunk], catalog: Catalog) -> Structure:
    """Precompute the lookups of :class:`Structure` from every chunk of the index."""
    s = Structure()
    for c in sorted(chunks, key=lambda c: (c.doc_id, c.order)):
        if c.part == "body" and _TRANSITIONAL.search(c.context):
            s.transitional.setdefault(c.doc_id, []).append(c.id)
        if c.pasal:
            s.pasal.setdefault(pasal_key(c.doc_id, c.part, c.pasal), []).append(c.id)
            if c.part == "body":
                key = f"{c.doc_id}|{c.pasal}"
                labels = s.labels.setdefault(key, [])
                labels.extend(u.label for u in c.units if u.label not in labels)
    by_number = {(d.number.upper(), d.year): d.id for d in catalog if d.number and d.year}
    for c in chunks:
        for target in revoked_by(c.text):
            doc = by_number.get(target)
            if doc and doc != c.doc_id:
                ids = s.revokes.setdefault(doc, [])
                if c.id not in ids:
                    ids.append(c.id)
    words: Counter[str] = Counter()
    for c in chunks:
        words.update(re.findall(r"[a-z]+", c.text.lower()))
    s.vocabulary = {w: n for w, n in sorted(words.items()) if n >= VOCAB_MIN_COUNT and len(w) >= 3}
    return s
