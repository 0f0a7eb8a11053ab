"""Candidates for a question: dense (Chroma) and lexical (BM25) over chunks and their units, plus the
structural candidates a legal reader opens first (a named Pasal, the definition of the term asked about, the
clause that revoked a named document). Units are aggregated to their chunk ("small to big"); the scores are
computed in :mod:`kerjasama.ranking`.

Nothing here scans every chunk per question: Pasal, definitions and revocations come from lookups built at
ingest (:mod:`kerjasama.structure`, :mod:`kerjasama.lexicon`).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from kerjasama import ranking
from kerjasama.catalog import Catalog, DocumentMeta, load_catalog
from kerjasama.embeddings import embed_queries, embedder_id, get_embedder
from kerjasama.legalref import LegalRefs
from kerjasama.lexicon import Lexicon
from kerjasama.models import Chunk, Hit
from kerjasama.query import Analyzer, Query, definition_term
from kerjasama.rerank import get_reranker
from kerjasama.settings import Settings
from kerjasama.store import IndexStore
from kerjasama.structure import Structure
from kerjasama.unitdocs import split_doc_id, unit_doc_id

log = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "lexical")
DOCS_PER_CANDIDATE = 3  # documents fetched per wanted chunk (units of one chunk share its place)

__all__ = ["MODES", "Filters", "HybridRetriever", "KerjasamaRetriever", "definition_term"]


@dataclass
class Filters:
    """Restrict retrieval: to some documents, or to documents in force."""

    doc_ids: list[str] = field(default_factory=list)
    in_force_only: bool = False

    def documents(self, catalog: Catalog, indexed: Iterable[str]) -> set[str] | None:
        """The documents retrieval may return (None: all): applied inside each search, before its top k."""
        if not self.doc_ids and not self.in_force_only:
            return None
        return {d for d in (self.doc_ids or indexed) if self.admits(d, catalog)}

    def admits(self, doc_id: str, catalog: Catalog) -> bool:
        """Whether retrieval may return passages of this document."""
        if self.doc_ids and doc_id not in self.doc_ids:
            return False
        return not self.in_force_only or (meta := catalog.get(doc_id)) is None or meta.status != "dicabut"


class HybridRetriever:
    """``retrieve(query, k) -> list[Hit]`` over one index; loads the index on first use.

    ``reranker`` (default: the one ``settings.reranker`` names, usually none) rescores the fused top candidates.
    The query path is read-only after :meth:`load`, so several threads may retrieve at once.
    """

    def __init__(self, settings: Settings, embeddings: Any = None, catalog: Catalog | None = None,
                 mode: str = "hybrid", reranker: Any = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.settings = settings
        self.mode = mode
        self.embeddings = embeddings or get_embedder(settings.embedder, settings)
        self.reranker = reranker if reranker is not None else get_reranker(settings)
        self.catalog = catalog or load_catalog(settings.corpus_dir)
        self.store = IndexStore(settings.index_dir(), self.embeddings, embedder_id(self.embeddings),
                                dense_memory_max=settings.dense_memory_max, chroma_url=settings.chroma_url)
        self.features = ranking.Features.from_settings(
            settings.glossary, settings.legal_refs, settings.legal_boosts, settings.ranking_off
        )
        self._lock = threading.Lock()
        self._loaded = False
        self._bm25: Any = None
        self._chunks: list[Chunk] = []
        self._by_id: dict[str, Chunk] = {}
        self._doc_ids: list[str] = []
        self._row: dict[str, int] = {}
        self._row_docs: np.ndarray = np.array([], dtype=str)
        self._indexed_docs: list[str] = []
        self.lexicon = Lexicon()
        self.structure = Structure()
        self.calibration: dict = {}
        self.analyzer: Analyzer | None = None

    def load(self) -> None:
        """Load the lexical index, chunk snapshot and artifacts (raises IndexNotReadyError if there is none)."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            bm25, chunks = self.store.load_lexical()
            self.store.check_embedder()
            for entry in (self.store.manifest() or {}).get("inferred", []):
                if self.catalog.get(entry["id"]) is None:
                    self.catalog.add(DocumentMeta(**{**entry, "aliases": tuple(entry.get("aliases", ()))}))
            self._chunks = chunks
            self._by_id = {c.id: c for c in chunks}
            self._doc_ids = self.store.doc_ids()
            self._row = {d: i for i, d in enumerate(self._doc_ids)}
            self._indexed_docs = sorted({c.doc_id for c in chunks})
            # The document of every indexed row (chunk or unit), so that filters act on the scores before the top k.
            self._row_docs = np.array([c.doc_id if (c := self._by_id.get(split_doc_id(d)[0])) else ""
                                       for d in self._doc_ids])
            mined = self.store.artifact("lexicon") if self.features.mined_lexicon else None
            self.lexicon = Lexicon.from_json(mined, None if self.features.reviewed_lexicon else {})
            self.structure = Structure.from_json(self.store.artifact("structure"))
            self.calibration = self.store.artifact("calibration") or {}
            self.analyzer = Analyzer(
                self.catalog, self.lexicon, self.structure.vocabulary,
                expansions=self.features.mined_lexicon or self.features.reviewed_lexicon,
                corrections=self.features.corrections,
            )
            self._bm25 = bm25
            self._loaded = True

    @property
    def chunks(self) -> list[Chunk]:
        """Every indexed chunk, in document order."""
        self.load()
        return self._chunks

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The chunk with this id, or None."""
        self.load()
        return self._by_id.get(chunk_id)

    def analyze(self, query: str, lang: str | None = None, context: str = "") -> Query:
        """The analysed question (references, classes, expansions), read with ``context`` for a follow-up."""
        self.load()
        assert self.analyzer is not None
        return self.analyzer.analyze(query, lang, context=context)

    def refs(self, query: str) -> LegalRefs:
        """Legal references named in ``query`` (documents resolved against the catalog and the index)."""
        self.load()
        assert self.analyzer is not None
        return self.analyzer.refs(query)

    # -- retrieval ---------------------------------------------------------------------------------------------
    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None, q: Query | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query``; a Pasal the query names comes first."""
        self.load()
        filters = filters or Filters()
        q = q or self.analyze(query)
        cands: dict[str, ranking.Candidate] = {}
        vectors: list[np.ndarray] = []
        n = self.settings.candidates
        allowed = filters.documents(self.catalog, self._indexed_docs)
        if allowed is not None and not allowed:
            return []
        if self.mode in ("hybrid", "dense"):
            vectors = [np.asarray(v, dtype=np.float32) for v in embed_queries(self.embeddings, q.dense_texts)]
            q.best_dense = self._dense(vectors, n, filters, cands, q.refs.doc_ids if self.features.named_docs else [],
                                       allowed)
        scores = None
        if self.mode in ("hybrid", "lexical"):
            scores = self.lexical_scores(q.weights)
            if scores is not None and allowed is not None:
                scores = np.where(np.isin(self._row_docs, sorted(allowed)), scores, 0.0).astype(np.float32)
            self._lexical(scores, n, filters, cands)
        self._structural(q, filters, cands)
        ranked = self._rank(q, cands)
        if self.reranker is not None:
            hits = self.reranker.rerank(query, [self._hit(c) for c in ranked], self.settings.rerank_top_n)
        else:
            hits = [self._hit(c) for c in ranked[: max(k, 1)]]
        hits = hits[:k]
        if vectors:
            self._unit_sims(hits, vectors)
        if scores is not None:
            for h in hits:
                for i in range(len(h.chunk.units)):
                    row = self._row.get(unit_doc_id(h.chunk.id, i))
                    if row is not None:
                        h.unit_lex[i] = float(scores[row])
        return hits

    def _candidate(self, cands: dict[str, ranking.Candidate], chunk_id: str, filters: Filters):
        chunk = self._by_id.get(chunk_id)
        if chunk is None or not filters.admits(chunk.doc_id, self.catalog):
            return None
        return cands.setdefault(chunk_id, ranking.Candidate(chunk=chunk))

    def _dense(self, vectors: list[np.ndarray], n: int, filters: Filters, cands: dict, named: list[str],
               allowed: set[str] | None = None) -> float:
        """Nearest documents for each query vector (only in ``allowed`` documents, when given); a chunk's
        similarity is its best document's (itself or a unit), and its rank is by that similarity. Documents the
        question names are also searched on their own, so their passages get a dense rank even when other
        documents are nearer. Returns the best similarity."""
        wheres: list[dict | None] = [{"doc_id": {"$in": sorted(allowed)}} if allowed is not None else None]
        if named and allowed is None:
            wheres.append({"doc_id": {"$in": list(named)}})
        best: dict[str, float] = {}
        units: dict[str, dict[int, float]] = {}
        for vec, where in ((v, w) for v in vectors for w in wheres):
            for doc_id, sim in self.store.dense(vec.tolist(), n * DOCS_PER_CANDIDATE, where):
                chunk_id, index = split_doc_id(doc_id)
                if index is not None and not self.features.units:
                    continue
                if sim > best.get(chunk_id, -2.0):
                    best[chunk_id] = sim
                if index is not None and sim > units.setdefault(chunk_id, {}).get(index, -2.0):
                    units[chunk_id][index] = sim
        order = sorted(best, key=lambda cid: (-best[cid], cid))
        rank = 0
        for cid in order:
            cand = self._candidate(cands, cid, filters)
            if cand is None:
                continue
            rank += 1
            cand.dense_rank, cand.dense_sim = rank, best[cid]
            cand.unit_sims.update(units.get(cid, {}))
            if rank >= n * len(wheres):
                break
        return max(best.values(), default=0.0)

    def _lexical(self, scores: np.ndarray | None, n: int, filters: Filters, cands: dict) -> None:
        """BM25 over chunks and units with the question's weighted terms; a chunk scores its best document."""
        if scores is None:
            return
        top = np.argsort(-scores, kind="stable")[: n * DOCS_PER_CANDIDATE]
        best: dict[str, float] = {}
        for i in top:
            if scores[i] <= 0:
                break
            chunk_id, index = split_doc_id(self._doc_ids[i])
            if index is not None and not self.features.units:
                continue
            best.setdefault(chunk_id, float(scores[i]))
        rank = 0
        for cid in sorted(best, key=lambda c: (-best[c], c)):
            cand = self._candidate(cands, cid, filters)
            if cand is None:
                continue
            rank += 1
            cand.lexical_rank, cand.lexical_score = rank, best[cid]
            if rank >= n:
                break

    def lexical_scores(self, weights: dict[str, float]) -> np.ndarray | None:
        """BM25 scores of every indexed document for a weighted bag of stems (None when no stem is known)."""
        vocab = self._bm25.vocab_dict
        known = [(vocab[t], w) for t, w in sorted(weights.items()) if t in vocab]
        if not known:
            return None
        data, indices, indptr = (self._bm25.scores[x] for x in ("data", "indices", "indptr"))
        scores = np.zeros(int(self._bm25.scores["num_docs"]), dtype=np.float32)
        for tid, w in known:
            s, e = indptr[tid], indptr[tid + 1]
            np.add.at(scores, indices[s:e], w * data[s:e])
        return scores

    def _structural(self, q: Query, filters: Filters, cands: dict) -> None:
        """A named Pasal (pinned, in the order named), the unit defining the term asked about, the provision
        that revoked a named document."""
        refs = q.refs
        if self.features.pinning:
            for order, chunk in enumerate(self.pinned(refs, filters)):
                cand = self._candidate(cands, chunk.id, filters)
                if cand is not None and cand.pinned_order is None:
                    cand.pinned_order = order
        if self.features.definitions and q.term:
            for d in self.lexicon.definitions_of(q.term):
                if refs.doc_ids and d.doc_id not in refs.doc_ids:
                    continue
                cand = self._candidate(cands, d.chunk_id, filters)
                if cand is not None:
                    cand.defines = d.label or "*"
        if self.features.revocations and q.status:
            for doc_id in refs.doc_ids:
                revoking = self.structure.revokes.get(doc_id, [])
                for cid in revoking:
                    cand = self._candidate(cands, cid, filters)
                    if cand is not None:
                        cand.revokes_named = True
                # What the revoking law says about acts and rules made under the revoked one; for a document
                # nothing revoked, its own closing provisions ("... mulai berlaku pada tanggal diundangkan").
                by_docs = {c.doc_id for cid in revoking if (c := self._by_id.get(cid)) is not None} or {doc_id}
                for by in sorted(by_docs):
                    for cid in self.structure.transitional.get(by, []):
                        cand = self._candidate(cands, cid, filters)
                        if cand is not None:
                            cand.transitional = True

    def pinned(self, refs: LegalRefs, filters: Filters | None = None) -> list[Chunk]:
        """Chunks of the Pasal/Article the question names in a document it names (or the only candidate)."""
        filters = filters or Filters()
        out: list[Chunk] = []
        part = "penjelasan" if refs.penjelasan else "body"
        for label, ayat, huruf in refs.pasal:
            docs = [d for d in refs.doc_ids if self.structure.chunks_of(d, part, label)]
            if not refs.doc_ids:
                docs = self.structure.docs_with(label, part)
                if len(docs) != 1:
                    continue  # "Pasal 5" alone is ambiguous across documents
            cands = [
                c for d in docs for cid in self.structure.chunks_of(d, part, label)
                if (c := self._by_id.get(cid)) is not None and filters.admits(c.doc_id, self.catalog)
            ]
            if ayat:
                # The piece of a split Pasal that holds the named ayat (and huruf) comes first.
                exact = {f"ayat ({ayat}) huruf {huruf}", f"({ayat})({huruf})"} if huruf else set()
                loose = (f"ayat ({ayat})", f"({ayat})")
                cands.sort(
                    key=lambda c: (
                        not any(u.label in exact for u in c.units),
                        not any(u.label.startswith(loose) for u in c.units),
                    )
                )
            out.extend(c for c in cands if c not in out)
        return out

    def _rank(self, q: Query, cands: dict[str, ranking.Candidate]) -> list[ranking.Candidate]:
        """Score every candidate (kerjasama.ranking) and sort, best first; ties in document order."""
        s = self.settings
        hubs = self.calibration.get("hubs") or {}
        for cand in cands.values():
            chunk = cand.chunk
            meta = self.catalog.get(chunk.doc_id)
            named = chunk.doc_id in q.refs.doc_ids
            if q.classes and self.features.answer_types:
                text, is_list = best_unit(cand.chunk, cand.unit_sims)
                cand.has_answer_type = any(cls.has_evidence(text, is_list) for cls in q.classes)
            cand.score = ranking.passage_score(
                cand, rrf_k=s.rrf_k, dense_weight=s.dense_weight, lexical_weight=s.lexical_weight, named=named,
                penjelasan=q.refs.penjelasan and self.features.named_docs,
                source_factor=ranking.source_factor(meta, named, q.history, s.repealed_penalty,
                                                    s.secondary_penalty, "yes_no" in q.class_names),
                hub=ranking.hub_factor(float(hubs.get(chunk.id, 0.0))), features=self.features,
            )
        return sorted(cands.values(), key=lambda c: (-c.score, c.chunk.doc_id, c.chunk.order))

    @staticmethod
    def _hit(c: ranking.Candidate) -> Hit:
        return Hit(
            chunk=c.chunk, score=c.score, dense_rank=c.dense_rank, lexical_rank=c.lexical_rank,
            dense_score=c.dense_sim, lexical_score=c.lexical_score, pinned=c.pinned_order is not None,
            unit_sims=dict(c.unit_sims), defines=c.defines, revokes=c.revokes_named or c.transitional,
        )

    def _unit_sims(self, hits: list[Hit], vectors: list[np.ndarray]) -> None:
        """Dense similarity of every unit document of the returned passages (for choosing the quote)."""
        wanted = [unit_doc_id(h.chunk.id, i) for h in hits for i in range(len(h.chunk.units)) if i not in h.unit_sims]
        got = self.store.vectors(wanted)
        if not got:
            return
        qmat = np.stack(vectors).astype(np.float32)
        ids = list(got)
        # One product for all units (einsum, not BLAS: see kerjasama.exactdense); a unit's similarity is its best
        # over the question's dense texts.
        sims = np.einsum("ij,kj->ik", np.stack([np.asarray(got[i], dtype=np.float32) for i in ids]), qmat).max(axis=1)
        by_chunk = {h.chunk.id: h for h in hits}
        for doc_id, sim in zip(ids, sims.tolist(), strict=True):
            chunk_id, index = split_doc_id(doc_id)
            hit = by_chunk.get(chunk_id)
            if hit is not None and index is not None:
                hit.unit_sims[index] = float(sim)

    def knows(self, term: str) -> bool:
        """Whether a lexical token occurs in the index."""
        self.load()
        return term in self._bm25.vocab_dict

    def idf(self, term: str) -> float:
        """Inverse document frequency of a lexical token over the indexed documents (0 for unknown tokens)."""
        self.load()
        i = self._bm25.vocab_dict.get(term)
        if i is None:
            return 0.0
        indptr = self._bm25.scores["indptr"]
        df = max(1, int(indptr[i + 1] - indptr[i]))
        return math.log(1 + len(self._doc_ids) / df)


def best_unit(chunk: Chunk, unit_sims: dict[int, float]) -> tuple[str, bool]:
    """(text, is a list) of the unit of ``chunk`` most similar to the question (the whole chunk when no unit
    has a similarity); a list is a unit with sub-units, or a chunk of huruf / angka items."""
    if unit_sims:
        i = max(sorted(unit_sims), key=lambda j: unit_sims[j])
        u = chunk.units[i]
        children = any(v.start >= u.start and v.end <= u.end and v is not u for v in chunk.units)
        return chunk.text[u.start:u.end], children
    return chunk.text, any(u.label.startswith(("huruf", "angka")) for u in chunk.units)


class KerjasamaRetriever(BaseRetriever):
    """LangChain retriever over :class:`HybridRetriever` (for chains and agents)."""

    hybrid: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(
                page_content=h.chunk.text,
                metadata={"cite": h.chunk.cite, "doc_id": h.chunk.doc_id, "chunk_id": h.chunk.id, "score": h.score},
            )
            for h in self.hybrid.retrieve(query, self.k)
        ]
