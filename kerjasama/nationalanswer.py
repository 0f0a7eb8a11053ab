"""What the national collection holds for a question the focus corpus cannot answer.

The answer stays a refusal (the focus corpus, with its curated catalog, has no answer), and below it the
passages of the national collection (:mod:`kerjasama.national`) that answer the question are quoted verbatim with
their pinpoints, marked as outside the focus corpus, OCR text, and with their status from the mined citator.

When: the question names a UU or PP the focus corpus does not hold (by number or by title: "UU 1/1974",
"UU Perkawinan") and the collection has it, the search runs in that document; or the question names nothing and
the focus corpus's evidence was too weak. The national passages must meet the same evidence rule as the focus
corpus's (the question's terms covered, the dense similarity above the index's refusal threshold); otherwise
nothing is added. Never for a refusal about a focus document (a Pasal it lacks) or an injection.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kerjasama import ranking
from kerjasama.models import Citation, Hit
from kerjasama.national import NationalFilters, NationalIndex
from kerjasama.query import Query
from kerjasama.relations import Relations

if TYPE_CHECKING:
    from kerjasama.answer import Answerer

log = logging.getLogger(__name__)

NATIONAL_PASSAGES = 5  # national passages searched for quotes (the answer quotes at most settings.max_quotes)
# Refusals after which the national collection is not searched: the question was about the focus corpus itself.
NOT_AFTER = ("prompt injection", "named provision does not exist", "named Pasal not in corpus")

_TEXT = {
    "id": {
        "head": "Di luar korpus fokus, koleksi nasional (teks OCR dari data set UU dan PP; periksa naskah resmi) "
                "memuat:",
        "status": "status menurut citator, sejauh data set: {status}",
    },
    "en": {
        "head": "Outside the focus corpus, the national collection (OCR text of the UU and PP data set; check the "
                "official text) holds:",
        "status": "status per the citator, as far as the data set goes: {status}",
    },
}


@dataclass
class Supplement:
    """The national passages quoted below a refusal, and the text that shows them."""

    citations: list[Citation]
    text: str


def open_national(answerer: Answerer) -> NationalIndex | None:
    """The national collection for this answerer's settings, when it was built (``make national``)."""
    s = answerer.settings
    held = {nid for meta in answerer.catalog if (nid := Relations.national_id(meta))}
    return NationalIndex.open(s.national_file(), answerer.retriever.embeddings, s.national_dense_top,
                              s.national_cache, exclude=held)


def supplement(answerer: Answerer, national: NationalIndex, q: Query, reason: str) -> Supplement | None:
    """The national passages that answer ``q`` (refused by the focus corpus for ``reason``), or None.

    The question's terms must be covered by the best lexical passages before any is embedded (most unrelated
    questions stop there, at the cost of one SQLite query); then the same on the dense re-ranking, and its
    similarity above the refusal threshold."""
    if reason in NOT_AFTER or any(reason.startswith(x) for x in NOT_AFTER):
        return None
    refs = q.refs
    filters = NationalFilters()
    if refs.unknown_docs:
        ids = [d for name in refs.unknown_docs for d in national.resolve(name)]
        if not ids:
            return None
        filters.doc_ids = list(dict.fromkeys(ids))
    elif refs.doc_ids:
        return None  # about a document of the focus corpus
    hits = national.lexical(q.weights, max(NATIONAL_PASSAGES, national.dense_top), filters)
    if not hits or not _covered(answerer, q, hits):
        return None  # (before any passage is embedded: most questions stop here)
    hits = national.rerank(hits, q.dense_texts[0] if q.dense_texts else q.text, NATIONAL_PASSAGES, refs.penjelasan)
    docs = {d: national.document(d) or {} for d in {h.chunk.doc_id for h in hits}}  # metadata, status
    hits = _in_force_first(docs, q, hits, set(filters.doc_ids))
    if not _covered(answerer, q, hits) or not _similar(answerer, q, hits):
        return None
    citations = _citations(answerer, national, docs, q, hits)
    if not citations:
        return None
    return Supplement(citations, _compose(citations, q.lang))


def _in_force_first(docs: dict[str, dict], q: Query, hits: list[Hit], named: set[str]) -> list[Hit]:
    """The law in force leads, as in the focus corpus: among the passages close enough to the best one to be
    quoted, those of documents the citator marks as revoked are left out when any other remains, unless the question
    asks about the law as it was or names them (then, and when only they answer, they are quoted with their
    status shown)."""
    top = max(hits[0].score, 1e-9)
    close = [h for h in hits if h.score >= ranking.QUOTE_MIN_RATIO * top]
    if q.history:
        return close
    revoked = {h.chunk.doc_id for h in close
               if h.chunk.doc_id not in named and docs[h.chunk.doc_id].get("status") == "dicabut"}
    current = [h for h in close if h.chunk.doc_id not in revoked]
    return current or close


def _covered(answerer: Answerer, q: Query, hits: list[Hit]) -> bool:
    """The focus corpus's evidence rule, first half: the question's own terms covered by the top passages."""
    terms = sorted(q.own or set(q.weights))
    return bool(terms) and ranking.coverage(terms, hits, q.alternates) >= answerer.settings.refusal_min_coverage


def _similar(answerer: Answerer, q: Query, hits: list[Hit]) -> bool:
    """... second half: the best dense similarity above the index's refusal threshold (when embedded)."""
    sims = [h.dense_score for h in hits if h.dense_score is not None]
    return not sims or max(sims) >= answerer.refusal_threshold(q.lang)


def _citations(answerer: Answerer, national: NationalIndex, docs: dict[str, dict], q: Query,
               hits: list[Hit]) -> list[Citation]:
    """Quotes of the best unit of each passage, verbatim with clean ends: the first passage's, then others only
    as the focus corpus's answers take them (nearly as strong, covering nearly as much of the question:
    :func:`ranking.extra_quote`), at most ``max_quotes``."""
    from kerjasama.answer import clean_span

    idf = national.idf(sorted(q.weights))
    out: list[Citation] = []
    first: ranking.Span | None = None
    top = max(hits[0].score, 1e-9) if hits else 1.0
    for hit in hits:
        if len(out) >= answerer.settings.max_quotes:
            break
        spans = answerer.spans(hit, q, idf)
        if not spans:
            continue
        span = spans[0]
        if first is not None and not ranking.extra_quote(first, hit.score / top, span):
            continue
        s, e = clean_span(hit.chunk.text, span.start, span.end, set(q.weights))
        quote = hit.chunk.text[s:e]
        if e - s < 3:
            continue
        doc = docs[hit.chunk.doc_id]
        out.append(Citation(
            n=len(out) + 1, cite=hit.chunk.pinpoint(span.label) if span.label else hit.chunk.cite,
            title=" tentang ".join(x for x in (doc.get("short", hit.chunk.doc_id), doc.get("tentang", "").title())
                                   if x),
            status=doc.get("status", ""), quote=quote, doc_id=hit.chunk.doc_id, chunk_id=hit.chunk.id,
            note="national",
        ))
        first = first or span
    return out


def _compose(citations: list[Citation], lang: str) -> str:
    text = _TEXT[lang if lang in _TEXT else "id"]
    lines = [text["head"], ""]
    lines += [f"- {c.cite}: “{' '.join(c.quote.split())}” [N{c.n}]" for c in citations]
    lines.append("")
    for c in citations:
        status = text["status"].format(status=c.status) if c.status else ""
        lines.append(f"[N{c.n}] {c.title}" + (f" ({status})" if status else ""))
    return "\n".join(lines)

