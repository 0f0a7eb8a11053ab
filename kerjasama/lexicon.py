"""The vocabulary that carries questions to the statutes' wording: mined from the corpus at ingest, plus the
reviewed bilingual legal lexicon (``kerjasama/data/lexicon.yaml``).

Mined at ingest from the documents themselves, so it grows with the corpus and needs no list typed by hand:

* **abbreviations and short names** the statutes define: "Dewan Perwakilan Rakyat Daerah yang selanjutnya
  disingkat DPRD adalah ...", "... (selanjutnya disebut KSDPL)", and acronyms introduced in brackets
  ("Standar Pelayanan Minimal (SPM)", matched letter by letter to the words before the bracket);
* **defined terms** and where they are defined: "Dalam Peraturan Pemerintah ini yang dimaksud dengan: 1. Kerja
  Sama Daerah adalah ...", treaty definitions ("“treaty” means ..."), so a definition question opens the unit
  that defines its term;
* **English glosses** the statutes give in brackets ("Surat Kuasa (Full Powers)", "ratifikasi
  (ratification)"), recognised because the bracketed words belong to the English documents' vocabulary.

A question is expanded both ways: "KSDPL" brings the defined wording to the lexical and the dense query, and the
defined wording brings the abbreviation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from kerjasama.models import Chunk, label_depth
from kerjasama.text import normalize

LEXICON_FILE = Path(__file__).with_name("data") / "lexicon.yaml"

_CONNECTORS = {"dan", "di", "dengan", "atas", "dari", "untuk", "ke", "yang", "serta", "atau", "of", "and", "the",
               "on", "for", "in", "dalam", "pada", "oleh", "bagi"}
_SEL_TAIL = re.compile(
    r"selanjutnya\s+(?:di\s?singkat|di\s?sebut)(?:\s+dengan)?\s+(?P<abbr>[A-Za-z][\w.-]*(?:\s+[A-Z][\w-]*)?)"
)
_TERM_BEFORE = re.compile(r"(?P<term>[^.;:()]{3,160}?)\s*,?\s*\(?\s*(?:yang\s+)?$")
_SEL_SPLIT = re.compile(r"selanjutnya\s+di\s?(?:singkat|sebut)(?:\s+dengan)?\s+")
_BRACKET_ABBR = re.compile(r"\((?:selanjutnya\s+(?:disingkat|disebut)\s+)?(?P<abbr>[A-Z][A-Za-z]{1,9})\)")
_DEFINES = re.compile(r"^(?P<term>[^.;:]{2,160}?)\s*,?\s+(?:adalah|ialah|yaitu)\s", re.S)
_TREATY_DEF = re.compile(r"[“\"](?P<term>[^”\"]{2,80})[”\"]\s+means\b")
_GLOSS = re.compile(r"\((?P<gloss>[A-Za-z][A-Za-z -]{2,60})\)")
_MARKER = re.compile(r"^\s*(?:\(?[0-9lI]{1,3}[.)]|\(?[a-z][.)]|\([a-z]{1,2}\))\s*")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Named:
    """A "X, yang selanjutnya disingkat/disebut Y" statement: the wording and its short name."""

    term: str
    abbr: str


def find_named(text: str) -> list[Named]:
    """Every "X, yang selanjutnya disingkat Y" / "X (selanjutnya disebut Y)" in ``text``."""
    out = []
    pos = text.find("selanjutnya")
    while pos >= 0:
        tail = _SEL_TAIL.match(text, pos)
        if tail:
            before = _TERM_BEFORE.search(text[max(0, pos - 200):pos])
            if before:
                # "A yang selanjutnya disebut B, yang selanjutnya disingkat C": C abbreviates B.
                term = _SEL_SPLIT.split(before.group("term"))[-1]
                out.append(Named(term, tail.group("abbr").rstrip(".,")))
        pos = text.find("selanjutnya", pos + 1)
    return out


@dataclass(frozen=True)
class Definition:
    """A defined term and the unit that defines it."""

    term: str  # as written, e.g. "Kerja Sama Daerah"
    key: str  # normalised matching form
    chunk_id: str
    label: str  # unit label inside the chunk ("angka 1", "(1)(a)"); "" for the whole chunk
    doc_id: str


@dataclass
class Lexicon:
    """Abbreviations, defined terms and glosses of one index (mined) plus the reviewed lexicon (from the file).

    ``terms`` maps a lower-case word or phrase to the statutes' wording it stands for.
    """

    abbreviations: dict[str, str] = field(default_factory=dict)  # "ksdpl" -> "kerja sama daerah dengan ..."
    definitions: list[Definition] = field(default_factory=list)
    glosses: dict[str, str] = field(default_factory=dict)  # "full powers" -> "surat kuasa"
    reviewed: dict[str, str] = field(default_factory=dict)  # from lexicon.yaml

    def to_json(self) -> dict:
        """The mined part, as stored in the index (the reviewed part is read from the file at load)."""
        return {
            "abbreviations": self.abbreviations,
            "definitions": [d.__dict__ for d in self.definitions],
            "glosses": self.glosses,
        }

    @classmethod
    def from_json(cls, data: dict | None, reviewed: dict[str, str] | None = None) -> Lexicon:
        """A lexicon from its stored form (``None``: nothing mined) and the reviewed file."""
        data = data or {}
        return cls(
            abbreviations=dict(data.get("abbreviations") or {}),
            definitions=[Definition(**d) for d in data.get("definitions") or []],
            glosses=dict(data.get("glosses") or {}),
            reviewed=dict(reviewed if reviewed is not None else load_reviewed()),
        )

    # -- lookups ---------------------------------------------------------------------------------------------
    @property
    def terms(self) -> dict[str, str]:
        """Every term -> wording: reviewed entries, glosses and abbreviations; a term with several wordings
        (reviewed "approval" -> "persetujuan", glossed "penyetujuan (approval)") gets them all."""
        out: dict[str, str] = {}
        for source in (self.reviewed, self.glosses, self.abbreviations):
            for key, wording in source.items():
                if key in out and wording not in out[key]:
                    out[key] = f"{out[key]} {wording}"
                else:
                    out.setdefault(key, wording)
        return out

    @property
    def long_forms(self) -> dict[str, str]:
        """Normalised defined wording -> its abbreviation ("kerja sama daerah dengan ..." -> "ksdpl")."""
        return {normalize(v): k for k, v in self.abbreviations.items() if len(v.split()) >= 2}

    def definitions_of(self, term: str) -> list[Definition]:
        """Definitions whose term is ``term`` (normalised; an abbreviation is resolved first)."""
        key = normalize(term).strip(" ?.!\"'“”")
        keys = {key}
        if key in self.abbreviations:
            keys.add(normalize(self.abbreviations[key]))
        return [d for d in self.definitions if d.key in keys]


@lru_cache(maxsize=4)
def _read_reviewed(path: str) -> tuple[tuple[str, str], ...]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    pairs: list[tuple[str, str]] = []
    for section in ("en_id", "id_id"):
        for key, value in (raw.get(section) or {}).items():
            pairs.append((str(key).lower(), str(value)))
    return tuple(pairs)


def load_reviewed(path: Path = LEXICON_FILE) -> dict[str, str]:
    """The reviewed bilingual legal lexicon: term -> statutory wording."""
    return dict(_read_reviewed(str(path)))


# -- mining -------------------------------------------------------------------------------------------------
def _clean_term(text: str) -> str:
    """A term as written, without a leading list marker, OCR debris and stray punctuation.

    Lost list markers leave debris inside run-together definitions ("... pelayanan 4 5 a Sama Daerah Dengan ..."):
    the term starts after the last such token.
    """
    text = re.sub(r"\([^)]*\)", " ", _MARKER.sub("", " ".join(text.split())))
    words = text.split()
    debris = [i for i, w in enumerate(words) if len(w) == 1 or not any(ch.isalpha() for ch in w)]
    if debris:
        words = words[debris[-1] + 1:]
    return " ".join(words).strip(" ,;:-\"“”")


def _initials_match(abbr: str, words: list[str]) -> bool:
    """Whether ``abbr`` can be read off the initials (and inner letters) of ``words`` in order, as in the
    Schwartz-Hearst algorithm: every letter of the abbreviation matches a letter of the words, the first letter
    of the abbreviation starts the first word."""
    letters = abbr.lower()
    text = " ".join(words).lower()
    if not text or not letters or text[0] != letters[0]:
        return False
    i = len(text) - 1
    for ch in reversed(letters):
        while i >= 0 and text[i] != ch:
            i -= 1
        if i < 0:
            return False
        i -= 1
    return True


def _bracket_term(before: str, abbr: str) -> str:
    """The words before "(ABBR)" that the abbreviation stands for, or "" when none fit."""
    words = re.findall(r"[\w/-]+", before)[-(len(abbr) + 4):]
    content = [w for w in words if w.lower() not in _CONNECTORS]
    if len(content) < 2:
        return ""
    for n in range(2, len(words) + 1):  # the shortest suffix whose initials give the abbreviation
        cand = words[-n:]
        if cand[0].lower() in _CONNECTORS:
            continue
        initials = "".join(w[0] for w in cand if w.lower() not in _CONNECTORS).lower()
        if initials == abbr.lower() or (len(initials) == len(abbr) and _initials_match(abbr, cand)):
            return " ".join(cand)
    return ""


def _is_abbreviation(word: str, lower_vocab: set[str]) -> bool:
    """A short name worth expanding: "KSDPL", "DPRD", "Perda" -- not a common word like "Daerah"."""
    if " " in word or len(word) < 2:
        return False
    caps = sum(ch.isupper() for ch in word)
    return caps >= 2 or word.lower() not in lower_vocab


def _units(chunk: Chunk) -> Iterable[tuple[str, str]]:
    """(label, text) of the units of a chunk, most specific first, or of the whole chunk when it has none."""
    tops = [u for u in chunk.units if label_depth(u.label) == 1]
    if not tops:
        head = chunk.text.find("\n") + 1 if chunk.part != "prose" else 0
        yield "", chunk.text[head:]
        return
    for u in sorted(chunk.units, key=lambda u: -label_depth(u.label)):
        yield u.label, chunk.text[u.start:u.end]


def mine(chunks: list[Chunk], english_docs: set[str] | None = None) -> Lexicon:
    """Mine abbreviations, defined terms and English glosses from ``chunks`` (see the module docstring)."""
    english_docs = english_docs or set()
    lower_vocab: set[str] = set()
    en_vocab: Counter[str] = Counter()
    id_vocab: Counter[str] = Counter()
    for c in chunks:
        words = re.findall(r"[A-Za-z]+", c.text)
        lower_vocab.update(w for w in words if w.islower())
        (en_vocab if c.doc_id in english_docs else id_vocab).update(w.lower() for w in words)

    expansions: dict[str, Counter[str]] = {}
    definitions: dict[tuple[str, str], Definition] = {}
    glosses: dict[str, str] = {}

    def add_abbr(abbr: str, term: str, explicit: bool) -> None:
        """An abbreviation and its wording; an implicit one ("(SPM)") only when its letters fit the words."""
        term = _clean_term(term)
        if not (abbr and term and len(term.split()) >= 2 and _is_abbreviation(abbr, lower_vocab)):
            return
        fits = _initials_match(abbr, [w for w in term.split() if w.lower() not in _CONNECTORS])
        if fits or explicit:
            # An explicit definition ("yang selanjutnya disingkat") is kept even when OCR damaged its wording.
            expansions.setdefault(abbr.lower(), Counter())[normalize(term)] += 3 if fits else 1

    def add_def(term: str, chunk: Chunk, label: str) -> None:
        named = find_named(term + " ")
        if named:  # "Dewan ..., yang selanjutnya disingkat DPRD" defines both names
            term = named[0].term
        term = _clean_term(term)
        if not term or len(term.split()) > 12 or not term[0].isalpha():
            return
        key = normalize(term)
        definitions.setdefault((key, chunk.id), Definition(term, key, chunk.id, label, chunk.doc_id))

    # Pasal that define terms ("Dalam ... ini yang dimaksud dengan:"); a long one is split, so mark the Pasal.
    glossary_pasal = {(c.doc_id, c.pasal) for c in chunks if c.part == "body" and "dimaksud dengan" in c.text[:400]}
    for c in chunks:
        text = c.text
        for named in find_named(text):
            add_abbr(named.abbr, named.term, explicit=True)
        for m in _BRACKET_ABBR.finditer(text):
            before = text[max(0, m.start() - 200):m.start()]
            add_abbr(m.group("abbr"), _bracket_term(before, m.group("abbr")), explicit=False)
        if c.part == "body":
            defines = (c.doc_id, c.pasal) in glossary_pasal
            for label, body in _units(c):
                body = _MARKER.sub("", body.strip())
                if m := _TREATY_DEF.match(body):
                    add_def(m.group("term"), c, label)
                    continue
                m = _DEFINES.match(body)
                if m and (defines or find_named(m.group("term") + " ")):
                    add_def(m.group("term"), c, label)
                if defines:
                    # Run-together definitions (OCR lost the markers): every "X, yang selanjutnya disingkat Y".
                    for named in find_named(body):
                        add_def(named.term, c, label)
                        add_def(named.abbr, c, label)
        if c.doc_id not in english_docs:
            for m in _GLOSS.finditer(text):
                gloss = m.group("gloss").strip()
                gwords = gloss.lower().split()
                if not all(en_vocab[w] and (en_vocab[w] > id_vocab[w]) for w in gwords):
                    continue
                before = re.findall(r"[\w-]+", text[max(0, m.start() - 80):m.start()])[-len(gwords):]
                if before and all(w.lower() not in _CONNECTORS for w in before[:1]):
                    glosses.setdefault(gloss.lower(), normalize(" ".join(before)))

    abbreviations = {k: v.most_common(1)[0][0] for k, v in sorted(expansions.items())}
    ordered = sorted(definitions.values(), key=lambda d: (d.key, d.doc_id, d.chunk_id))
    return Lexicon(abbreviations, ordered, dict(sorted(glosses.items())), load_reviewed())


def phrase_pattern(keys: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any of ``keys`` as whole words, longest first (None when there are none)."""
    keys = sorted({k for k in keys if k}, key=len, reverse=True)
    if not keys:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w-])")
