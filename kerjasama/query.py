"""What a question asks, read once per question: language, legal references, answer classes, the defined term
it asks about, and the query's expansions (mined abbreviations, the reviewed lexicon, spelling corrections from
the index's own vocabulary) for the lexical and the dense side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kerjasama.catalog import Catalog
from kerjasama.legalref import LegalRefs, parse_refs
from kerjasama.lexicon import Lexicon, phrase_pattern
from kerjasama.text import STOP_EN, STOPWORDS, detect_lang, normalize, stem, tokenize

ANSWER_TYPES_FILE = Path(__file__).with_name("data") / "answer_types.yaml"

# Weights of lexical query terms (the BM25 query is a weighted bag of stems). The question's own words weigh 1;
# words added by expansion weigh less, so an expansion can help a question but not take it over.
OWN_WEIGHT = 1.0
EXPANSION_WEIGHT = 0.5  # statutory wording of a lexicon term or a mined abbreviation
CORRECTION_WEIGHT = 0.8  # a misspelt word's nearest word in the index's vocabulary
CONTEXT_WEIGHT = 0.5  # words of the earlier question a follow-up is read with
MIN_CORRECTABLE = 5  # words shorter than this are never "corrected"

_DEF_PATTERNS = [
    re.compile(r"apa\s+(?:yang\s+)?(?:di)?maksud(?:kan)?\s+dengan\s+(?P<t>.+)", re.I),
    re.compile(r"apa\s+(?:itu|arti|pengertian|definisi)\s+(?P<t>.+)", re.I),
    re.compile(r"(?:pengertian|definisi|arti)\s+(?:dari\s+)?(?P<t>.+)", re.I),
    re.compile(r"(?:define|definition of|meaning of|what is meant by)\s+(?:an?\s+|the\s+)?(?P<t>.+)", re.I),
    # (also after a leading clause: "According to the Vienna Convention, what is a 'treaty'?")
    re.compile(r"(?:^|[,;:]\s*)what\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?P<t>.+)", re.I),
    re.compile(r"^what\s+does\s+(?:an?\s+|the\s+)?(?P<t>.+?)\s+mean\b", re.I),
]
_QUOTED = re.compile(r"['‘\"“](?P<t>[^'’\"”]{2,60})['’\"”]")
_DEF_TAIL = re.compile(
    r"\s+(?:menurut|dalam|berdasarkan|pada|di dalam|sesuai|under|according to|in|of the|in the|for the)\b.*$|[?.!]+$",
    re.I,
)


def definition_term(question: str) -> str:
    """The term a definition question asks about ("Apa yang dimaksud dengan KSDPL?" -> "KSDPL"), or ""."""
    q = question.strip()
    m = _QUOTED.search(q)
    if m and re.search(r"defin|maksud|arti|mean|\bwhat\s+(?:is|are)\b", q, re.I):
        return m.group("t").strip()
    for pat in _DEF_PATTERNS:
        m = pat.search(q)
        if m:
            term = _DEF_TAIL.sub("", m.group("t").strip()).strip(" ?.'\"")
            if 0 < len(term.split()) <= 6:
                return term
    return ""


@dataclass(frozen=True)
class AnswerClass:
    """One class of question (see ``kerjasama/data/answer_types.yaml``)."""

    name: str
    question: tuple[re.Pattern[str], ...]
    evidence: tuple[re.Pattern[str], ...]
    required: bool = False
    structure: str = ""

    def has_evidence(self, text: str, has_subunits: bool = False) -> bool:
        """Whether ``text`` (a unit of a statute) holds the kind of answer this class asks for."""
        if self.structure == "list" and has_subunits:
            return True
        return any(p.search(text) for p in self.evidence)


@dataclass(frozen=True)
class AnswerTypes:
    """The classes of questions, plus the history and status patterns."""

    classes: tuple[AnswerClass, ...]
    history: tuple[re.Pattern[str], ...]
    status: tuple[re.Pattern[str], ...]

    def of(self, question: str) -> tuple[AnswerClass, ...]:
        """The classes ``question`` belongs to."""
        return tuple(c for c in self.classes if any(p.search(question) for p in c.question))


def _compile(patterns: Any, flags: int = re.I) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, flags) for p in patterns or ())


@lru_cache(maxsize=2)
def load_answer_types(path: Path = ANSWER_TYPES_FILE) -> AnswerTypes:
    """Read the answer classes data file (cached)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    classes = tuple(
        AnswerClass(
            name,
            _compile(spec.get("question")),
            _compile(spec.get("evidence"), re.I | re.M),
            bool(spec.get("required", False)),
            str(spec.get("structure", "")),
        )
        for name, spec in (raw.get("classes") or {}).items()
    )
    return AnswerTypes(classes, _compile(raw.get("history")), _compile(raw.get("status")))


@dataclass
class Query:
    """One question, analysed."""

    text: str
    lang: str
    refs: LegalRefs
    classes: tuple[AnswerClass, ...] = ()
    history: bool = False  # asks about the law as it was (a repealed rule may answer)
    status: bool = False  # asks whether a document is still in force
    term: str = ""  # the term a definition question asks about
    weights: dict[str, float] = field(default_factory=dict)  # lexical stem -> weight
    own: set[str] = field(default_factory=set)  # stems of the question's own words
    context_terms: set[str] = field(default_factory=set)  # stems of the earlier question a follow-up is read with
    alternates: dict[str, set[str]] = field(default_factory=dict)  # own stem -> stems that may stand for it
    dense_texts: list[str] = field(default_factory=list)  # texts embedded for the dense side
    best_dense: float | None = None  # the best dense similarity of any passage (set by retrieval)
    evidence: dict[str, float] = field(default_factory=dict)  # what the refusal decision measured
    own_coverage: bool = False  # the evidence must cover the question's own words (not its context's)

    @property
    def class_names(self) -> set[str]:
        return {c.name for c in self.classes}

    def required_classes(self) -> tuple[AnswerClass, ...]:
        return tuple(c for c in self.classes if c.required)


_WORDS = re.compile(r"[\w/-]+")


@lru_cache(maxsize=20_000)
def english_stem(word: str) -> str:
    """Snowball English stem of a lower-case word ("ratifies" -> "ratifi")."""
    return _english_stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _english_stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


class Analyzer:
    """Builds :class:`Query` objects with one index's lexicon, vocabulary and catalog."""

    def __init__(self, catalog: Catalog, lexicon: Lexicon, vocabulary: dict[str, int] | None = None,
                 expansions: bool = True, corrections: bool = True) -> None:
        self.catalog = catalog
        self.lexicon = lexicon
        self.types = load_answer_types()
        self.expansions = expansions
        self.corrections = corrections
        self.vocabulary = vocabulary or {}  # surface word (lower case) -> count in the corpus
        terms = lexicon.terms if expansions else {}
        self._terms = terms
        self._term_tuples = {tuple(_WORDS.findall(k)): k for k in sorted(terms)}
        self._stem_tuples: dict[tuple[str, ...], str] = {}
        for k in sorted(terms):
            self._stem_tuples.setdefault(tuple(english_stem(w) for w in _WORDS.findall(k)), k)
        self._longest = max((len(t) for t in self._term_tuples), default=0)
        self._long = lexicon.long_forms if expansions else {}
        self._long_re = phrase_pattern(self._long)
        self._defined: dict[str, set[str]] = {}
        for d in lexicon.definitions:
            self._defined.setdefault(d.key, set()).add(d.doc_id)
        self._by_length: dict[int, list[str]] = {}
        for word in self.vocabulary:
            self._by_length.setdefault(len(word), []).append(word)

    def refs(self, text: str) -> LegalRefs:
        """Legal references of ``text`` resolved against the catalog and the defined terms."""
        return parse_refs(text, self.catalog, self._defined)

    def analyze(self, text: str, lang: str | None = None, context: str = "") -> Query:
        """The analysed question; ``context`` is an earlier question of the conversation that a follow-up is read
        with (its documents and Pasal carry over when the follow-up names none; its words count less)."""
        lang = lang if lang in ("id", "en") else detect_lang(text)
        q = Query(text=text, lang=lang, refs=self.refs(text))
        q.classes = self.types.of(text)
        q.history = any(p.search(text) for p in self.types.history)
        q.status = any(p.search(text) for p in self.types.status)
        q.term = definition_term(text)
        if context:
            carried = self.refs(context)
            if not q.refs.doc_ids and not q.refs.unknown_docs:
                q.refs.doc_ids = list(carried.doc_ids)  # the documents carry over; a named Pasal does not
            q.classes = q.classes or self.types.of(context)
            q.history = q.history or any(p.search(context) for p in self.types.history)
        low = normalize(text)

        for t in tokenize(text):
            q.weights[t] = OWN_WEIGHT
            q.own.add(t)
        for t in tokenize(context):
            q.weights.setdefault(t, CONTEXT_WEIGHT)
            q.context_terms.add(t)
        rewritten = self._expand(normalize(f"{text} {context}") if context else low, lang, q)
        if self._long_re is not None:
            for m in self._long_re.finditer(low):
                abbr = self._long[m.group(1)]
                q.weights.setdefault(abbr, EXPANSION_WEIGHT)
        if self.corrections and self.vocabulary:
            for word in re.findall(r"[a-z]+", low):
                fixed = self.correct(word)
                if fixed and fixed != word:
                    for t in tokenize(fixed):
                        q.weights.setdefault(t, CORRECTION_WEIGHT)
                        q.alternates.setdefault(stem(word), set()).add(t)
                    rewritten = re.sub(rf"\b{re.escape(word)}\b", fixed, rewritten)
        first = f"{text} {context}" if context else text
        q.dense_texts = [first] + ([rewritten] if rewritten.strip() and rewritten != normalize(first) else [])
        return q

    def _expand(self, low: str, lang: str, q: Query) -> str:
        """Add the wording of every lexicon term in ``low`` to ``q`` (weights, alternates) and return the dense
        re-wording: for English the Indonesian wording replaces the term, for Indonesian it is added beside it.

        Terms are matched word by word, longest first; English questions also match on English stems
        ("ratifies" finds "ratify", "agreements" finds "agreement").
        """
        words = _WORDS.findall(low)
        stems = [english_stem(w) for w in words] if lang == "en" else words
        out: list[str] = []
        i = 0
        while i < len(words):
            found = None
            for n in range(min(self._longest, len(words) - i), 0, -1):
                key = self._term_tuples.get(tuple(words[i:i + n]))
                if key is None and lang == "en":
                    key = self._stem_tuples.get(tuple(stems[i:i + n]))
                if key is not None:
                    found = (n, key)
                    break
            if found is None:
                if lang != "en" or words[i] not in STOP_EN:
                    out.append(words[i])
                i += 1
                continue
            n, key = found
            wording = self._terms[key]
            for w in tokenize(wording):
                q.weights.setdefault(w, EXPANSION_WEIGHT)
            for own in tokenize(" ".join(words[i:i + n])):
                q.alternates.setdefault(own, set()).update(tokenize(wording))
            out.append(wording if lang == "en" else f"{' '.join(words[i:i + n])} ({wording})")
            i += n
        return " ".join(out)

    def correct(self, word: str) -> str:
        """The corpus word nearest to a word the corpus does not have (edit distance 1, or 2 for long words);
        "" when the word is known, short, a stopword, or has no near neighbour."""
        if len(word) < MIN_CORRECTABLE or word in self.vocabulary or word in STOPWORDS or word.isdigit():
            return ""
        if word in self._terms:
            return ""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        limit = 1 if len(word) < 8 else 2
        pool = [w for n in range(len(word) - limit, len(word) + limit + 1) for w in self._by_length.get(n, ())]
        found = process.extract(word, pool, scorer=Levenshtein.distance, score_cutoff=limit, limit=None)
        if not found:
            return ""
        # Nearest first, then the more frequent word; ties in alphabetical order (deterministic).
        return min(found, key=lambda f: (f[1], -self.vocabulary[f[0]], f[0]))[0]
