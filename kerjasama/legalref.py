"""Legal citations in questions: "UU No. 24 Tahun 2000" = "Undang-Undang Nomor 24 Tahun 2000" = "UU 24/2000";
"Pasal 5 ayat (1) huruf a"; "Article 2 of the Vienna Convention"."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from kerjasama.catalog import Catalog

_KIND = (
    r"(?P<kind>Undang[- ]?Undang|UU|Law|Government\s+Regulation|Perppu|"
    r"Peraturan\s+Pemerintah\s+Pengganti\s+Undang[- ]Undang|"
    r"Peraturan\s+Pemerintah|PP|Peraturan\s+Presiden|Perpres|Permendagri|Permenlu|Permen\w*|"
    r"Peraturan\s+Menteri(?:\s+Dalam\s+Negeri|\s+Luar\s+Negeri)?|Peraturan\s+Daerah|Perda)"
)
_NUM = r"(?:\s*(?:No\.?|Nomor|Nr\.?|Number)\s*)?\s*(?P<num>[0-9]+[0-9A-Z/.\-]*?)"
_YEAR = r"\s*(?:Tahun|Th\.?|/|of|of\s+the\s+year|year)\s*(?P<year>(?:19|20)\d\d)\b"
DOC_RE = re.compile(rf"\b{_KIND}{_NUM}{_YEAR}", re.I)
PASAL_RE = re.compile(
    r"\b(?P<head>Pasal|Article|Art\.)\s*(?P<num>\d+[A-Z]?)\b"
    r"(?:\s*(?:ayat|paragraph|para\.?)\s*\(?(?P<ayat>\d+)\)?|\((?P<ayat2>\d+)\))?"
    r"(?:\s*(?:huruf|sub-?paragraph|letter)?\s*\(?(?P<huruf>[a-z])\)(?=\W|$))?"
    r"(?:\s*(?:huruf|letter|point|item)\s+(?P<huruf2>[a-z])\b(?![-'’]))?",
    re.I,
)
_TREATY_RE = re.compile(r"\b(Konvensi\s+Wina|Vienna\s+Convention|VCLT)\b", re.I)
_OTHER_CODES = re.compile(r"\b(KUHP|KUHPerdata|KUH\s?Perdata|KUHAP|UUD\s?1945|Undang-Undang\s+Dasar)\b", re.I)
# A law named by its common title rather than its number: "UU Perkawinan", "Undang-Undang Cipta Kerja",
# "PP tentang Pajak", "the Marriage Law", "Law on Manpower". The title is checked against the catalog.
_TITLED_ID = re.compile(
    r"\b(?P<kind>undang[- ]?undang|uu|peraturan\s+pemerintah|pp|perpres|peraturan\s+presiden|perda|permen\w*)"
    r"\s+(?:tentang\s+|mengenai\s+)?(?P<topic>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,3})",
    re.I,
)
_TITLED_EN = re.compile(
    r"\b(?P<kind>law|act|regulation)\s+(?:on|concerning|regarding)\s+(?:the\s+)?(?P<topic>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,3})"
    r"|\b(?:the\s+)(?P<topic2>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})\s+(?P<kind2>Law|Act)\b",
    re.I,
)
# Words after "UU"/"PP" that are not a title ("UU ini", "PP mana", "UU yang baru", "UU No. 5").
_NOT_TITLE = frozenset(
    """no nomor nr number tahun th ini itu tersebut yang dan atau di ke dari untuk dengan terkait mengenai tentang
    baru lama terbaru sebelumnya pengganti lain lainnya mana apa apakah saja pun juga sudah telah masih harus
    wajib dapat bisa boleh perlu ri republik indonesia dasar nasional terkait sebagaimana tersebut menyebutkan
    mengatur menyatakan memuat berlaku dicabut diubah pasal ayat huruf angka bab the of on and or that this
    which in a an is are was for to by with says say under as""".split()
)

_ABBR = {
    "undang-undang": "UU", "undangundang": "UU", "undang undang": "UU", "uu": "UU", "law": "UU",
    "government regulation": "PP",
    "peraturan pemerintah": "PP", "pp": "PP", "perppu": "Perppu",
    "peraturan presiden": "Perpres", "perpres": "Perpres",
    "permendagri": "Permendagri", "peraturan menteri dalam negeri": "Permendagri",
    "permenlu": "Permenlu", "peraturan menteri luar negeri": "Permenlu",
    "peraturan daerah": "Perda", "perda": "Perda",
}


@dataclass
class LegalRefs:
    """What a question names: documents (in the corpus or not) and Pasal/Article pinpoints."""

    doc_ids: list[str] = field(default_factory=list)
    unknown_docs: list[str] = field(default_factory=list)  # named, but not in the corpus
    pasal: list[tuple[str, str, str]] = field(default_factory=list)  # ("Pasal 30", "4", "b")
    penjelasan: bool = False

    @property
    def empty(self) -> bool:
        return not (self.doc_ids or self.unknown_docs or self.pasal)


def _short(kind: str, num: str, year: str) -> str:
    key = re.sub(r"\s+", " ", kind.lower()).strip()
    abbr = _ABBR.get(key) or _ABBR.get(key.replace("-", "")) or kind.strip()
    if abbr.lower().startswith("peraturan menteri"):
        abbr = "Permen"
    return f"{abbr} {num.strip('.').upper()}/{year}"


def parse_refs(question: str, catalog: Catalog, defined: Mapping[str, set[str]] | None = None) -> LegalRefs:
    """Find document and Pasal references in a question and resolve documents against the catalog.

    ``defined`` (normalised defined term -> ids of the documents defining it, mined at ingest) resolves a law
    named after a concept it defines ("UU Otonomi Daerah") instead of calling it unknown.
    """
    penjelasan = re.search(r"\bpenjelasan(nya)?\b|\belucidation\b|\bexplanatory\b", question, re.I)
    refs = LegalRefs(penjelasan=bool(penjelasan))
    by_short = {d.short.lower(): d.id for d in catalog}
    for m in DOC_RE.finditer(question):
        short = _short(m.group("kind"), m.group("num"), m.group("year"))
        doc_id = by_short.get(short.lower())
        if doc_id:
            if doc_id not in refs.doc_ids:
                refs.doc_ids.append(doc_id)
        elif short not in refs.unknown_docs:
            refs.unknown_docs.append(short)
    if _TREATY_RE.search(question):
        treaty = next((d.id for d in catalog if d.structure == "treaty"), None)
        if treaty and treaty not in refs.doc_ids:
            refs.doc_ids.append(treaty)
    low = question.lower()
    for d in catalog:
        for alias in d.aliases:
            if alias.lower() in low and d.id not in refs.doc_ids:
                refs.doc_ids.append(d.id)
    for m in _OTHER_CODES.finditer(question):
        refs.unknown_docs.append(m.group(1).upper())
    for kind, topic in _titled(question):
        found = _by_title(topic, catalog) or sorted((defined or {}).get(topic, set()))
        if found:
            refs.doc_ids.extend(d for d in found if d not in refs.doc_ids)
        elif not refs.doc_ids and not DOC_RE.search(question):
            name = f"{_short_kind(kind)} {topic.title()}" if len(topic) > 4 else f"{_short_kind(kind)} {topic.upper()}"
            if name not in refs.unknown_docs:
                refs.unknown_docs.append(name)
    # "Article 30 of PP 28/2018" is its Pasal 30; "Konvensi Wina Pasal 26" is the Convention's Article 26.
    structures = {catalog.get(d).structure for d in refs.doc_ids if catalog.get(d) is not None}
    for m in PASAL_RE.finditer(question):
        head = "Article" if m.group("head").lower().startswith("art") else "Pasal"
        if structures == {"treaty"}:
            head = "Article"
        elif structures and "treaty" not in structures:
            head = "Pasal"
        huruf = m.group("huruf") or m.group("huruf2") or ""
        ayat = m.group("ayat") or m.group("ayat2") or ""
        refs.pasal.append((f"{head} {m.group('num').upper()}", ayat, huruf))
    return refs


def _short_kind(kind: str) -> str:
    key = re.sub(r"\s+", " ", kind.lower()).strip()
    return _ABBR.get(key) or _ABBR.get(key.replace("-", "")) or {"act": "Act", "regulation": "Regulation"}.get(
        key, kind.strip()
    )


def _titled(question: str) -> list[tuple[str, str]]:
    """(kind, title words) of laws named by title: "UU Perkawinan" -> ("UU", "perkawinan")."""
    out = []
    for m in _TITLED_ID.finditer(question):
        if m.group("kind").lower() in ("pp", "uu") and not m.group("kind").isupper() and m.group("kind") != "uu":
            continue  # "Pp"/"Uu" mid-sentence are not the abbreviations
        words = m.group("topic").split()
        title = _title_words(words)
        if title:
            out.append((m.group("kind"), title))
    for m in _TITLED_EN.finditer(question):
        kind = m.group("kind") or m.group("kind2")
        words = (m.group("topic") or m.group("topic2") or "").split()
        title = _title_words(words)
        if title:
            out.append((kind, title))
    return out


def _title_words(words: list[str]) -> str:
    """The title part of the words after "UU": up to the first function word; "" when it starts with one."""
    kept: list[str] = []
    for w in words:
        low = w.lower().strip(".,;:?!")
        if low in _NOT_TITLE or low.isdigit() or re.fullmatch(r"[0-9/.-]+", low):
            break
        kept.append(low)
    return " ".join(kept)


def _by_title(title: str, catalog: Catalog) -> list[str]:
    """Catalog documents whose title ("... tentang Pemerintahan Daerah") or alias starts with ``title``'s
    first word (compared on stems, so "pemerintahan" = "pemerintah"); English titles go through the
    reviewed lexicon first ("regional government" -> "pemerintah daerah")."""
    from kerjasama.lexicon import load_reviewed
    from kerjasama.text import stem

    lexicon = load_reviewed()  # cached

    words = title.split()
    for d in catalog:  # an alias written out ("UU Pemda") names exactly its document
        if any(a.lower().split()[-len(words):] == words for a in d.aliases):
            return [d.id]
    wanted = {stem(words[0])}
    for n in range(len(words), 0, -1):  # the longest English phrase the lexicon knows, singular or plural
        for phrase in (" ".join(words[:n]), " ".join(w.removesuffix("s") for w in words[:n])):
            if phrase in lexicon:
                wanted.add(stem(lexicon[phrase].split()[0]))
    out = []
    for d in catalog:
        names = [d.title.split(" tentang ", 1)[-1] if " tentang " in d.title else "", *d.aliases]
        for name in names:
            words = [w for w in re.findall(r"[a-z]+", name.lower()) if w not in {"uu", "pp", "undang"}]
            if words and stem(words[0]) in wanted:
                out.append(d.id)
                break
    return out
