"""Legal citations in questions: "UU No. 24 Tahun 2000" = "Undang-Undang Nomor 24 Tahun 2000" = "UU 24/2000";
"Pasal 5 ayat (1) huruf a"; "Article 2 of the Vienna Convention"."""

from __future__ import annotations

import re
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
    r"(?:\s*huruf\s+(?P<huruf2>[a-z])\b)?",
    re.I,
)
_TREATY_RE = re.compile(r"\b(Konvensi\s+Wina|Vienna\s+Convention|VCLT)\b", re.I)
_OTHER_CODES = re.compile(r"\b(KUHP|KUHPerdata|KUH\s?Perdata|KUHAP|UUD\s?1945|Undang-Undang\s+Dasar)\b", re.I)

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


def parse_refs(question: str, catalog: Catalog) -> LegalRefs:
    """Find document and Pasal references in a question and resolve documents against the catalog."""
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
    for m in PASAL_RE.finditer(question):
        head = "Article" if m.group("head").lower().startswith("art") else "Pasal"
        huruf = m.group("huruf") or m.group("huruf2") or ""
        ayat = m.group("ayat") or m.group("ayat2") or ""
        refs.pasal.append((f"{head} {m.group('num').upper()}", ayat, huruf))
    return refs
