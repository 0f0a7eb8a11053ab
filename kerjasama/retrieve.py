"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused by reciprocal rank; named Pasal first."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from kerjasama.catalog import Catalog, DocumentMeta, load_catalog
from kerjasama.embeddings import embedder_id, get_embedder
from kerjasama.legalref import LegalRefs, parse_refs
from kerjasama.models import Chunk, Hit
from kerjasama.rerank import get_reranker
from kerjasama.settings import Settings
from kerjasama.store import IndexStore
from kerjasama.text import detect_lang, expand_query, indonesian_pseudo_query, normalize, tokenize

log = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "lexical")

_STATUS_Q = re.compile(
    r"masih\s+(berlaku|sah|dapat|bisa|boleh)|(sudah|telah)\s+dicabut\s*\?|apakah\s.{0,60}dicabut"
    r"|status\s+(hukum|berlaku)|setelah\s.{0,40}dicabut"
    r"|still\s+(in\s+force|valid|applicable|apply|rely|use|be\s+used)|(is|was|has\s+been)\s.{0,60}repealed\s*\?"
    r"|legal\s+status|\btoday\b.{0,20}\?",
    re.I,
)
_DEF_PATTERNS = [
    re.compile(r"apa\s+(?:yang\s+)?(?:di)?maksud(?:kan)?\s+dengan\s+(?P<t>.+)", re.I),
    re.compile(r"apa\s+(?:itu|arti|pengertian|definisi)\s+(?P<t>.+)", re.I),
    re.compile(r"(?:pengertian|definisi|arti)\s+(?P<t>.+)", re.I),
    re.compile(r"(?:define|definition of|meaning of|what is meant by)\s+(?:an?\s+|the\s+)?(?P<t>.+)", re.I),
    re.compile(r"^what\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?P<t>.+)", re.I),
]
_QUOTED = re.compile(r"['‘\"“](?P<t>[^'’\"”]{2,60})['’\"”]")
_DEF_TAIL = re.compile(
    r"\s+(?:menurut|dalam|berdasarkan|pada|di dalam|under|according to|in|of the|in the)\b.*$|[?.!]+$", re.I
)


def definition_term(query: str) -> str:
    """The term a definition question asks about ("Apa yang dimaksud dengan KSDPL?" -> "KSDPL"), or ""."""
    q = query.strip()
    m = _QUOTED.search(q)
    if m and re.search(r"defin|maksud|arti|mean", q, re.I):
        return m.group("t").strip()
    for pat in _DEF_PATTERNS:
        m = pat.search(q)
        if m:
            term = _DEF_TAIL.sub("", m.group("t").strip()).strip(" ?.'\"")
            if 0 < len(term.split()) <= 6:
                return term
    return ""


@dataclass
class Filters:
    """Restrict retrieval: to some documents, or to documents in force."""

    doc_ids: list[str] = field(default_factory=list)
    in_force_only: bool = False

    def allows(self, chunk: Chunk, catalog: Catalog) -> bool:
        if self.doc_ids and chunk.doc_id not in self.doc_ids:
            return False
        if self.in_force_only:
            meta = catalog.get(chunk.doc_id)
            return meta is None or meta.status != "dicabut"
        return True


class HybridRetriever:
    """``retrieve(query, k) -> list[Hit]`` over one index; loads the index on first use.

    ``reranker`` (default: the one ``settings.reranker`` names, usually none) rescores the fused top candidates.
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
        self.store = IndexStore(settings.index_dir(), self.embeddings, embedder_id(self.embeddings))
        self._lock = threading.Lock()
        self._bm25: Any = None
        self._chunks: list[Chunk] = []
        self._by_id: dict[str, Chunk] = {}

    def load(self) -> None:
        """Load the lexical index and chunk snapshot (raises IndexNotReadyError if there is none)."""
        with self._lock:
            if self._bm25 is None:
                bm25, chunks = self.store.load_lexical()
                self.store.check_embedder()
                for entry in (self.store.manifest() or {}).get("inferred", []):
                    if self.catalog.get(entry["id"]) is None:
                        self.catalog.add(DocumentMeta(**{**entry, "aliases": tuple(entry.get("aliases", ()))}))
                self._chunks = chunks
                self._by_id = {c.id: c for c in chunks}
                self._bm25 = bm25

    @property
    def chunks(self) -> list[Chunk]:
        """Every indexed chunk, in document order."""
        self.load()
        return self._chunks

    def refs(self, query: str) -> LegalRefs:
        """Legal references named in ``query`` (documents resolved against the catalog and the index)."""
        self.load()
        return parse_refs(query, self.catalog)

    def retrieve(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query``; a Pasal the query names comes first."""
        self.load()
        filters = filters or Filters()
        refs = self.refs(query)
        n = self.settings.candidates
        rankings: list[tuple[float, list[tuple[str, float]], str]] = []
        if self.mode in ("hybrid", "dense"):
            where = {"doc_id": {"$in": filters.doc_ids}} if filters.doc_ids else None
            dense = self.store.dense(self.embeddings.embed_query(query), n, where)
            rankings.append((self.settings.dense_weight, dense, "dense"))
            if self.settings.glossary and detect_lang(query) == "en":
                # English question: also search with its Indonesian rewording, so statutes compete fairly
                # with the English passages (the thesis abstract, the Vienna Convention).
                pseudo = indonesian_pseudo_query(query)
                alt = self.store.dense(self.embeddings.embed_query(pseudo), n, where)
                rankings.append((self.settings.dense_weight, alt, "dense"))
        if self.mode in ("hybrid", "lexical"):
            lexical = self._lexical(expand_query(query) if self.settings.glossary else query, n)
            rankings.append((self.settings.lexical_weight, lexical, "lexical"))
        hits = self._fuse(rankings, filters)
        if self.settings.legal_boosts:
            self._weigh_sources(hits, refs)
            for chunk in self._boosted(query, refs, filters):
                hit = hits.setdefault(chunk.id, Hit(chunk=chunk, score=0.0))
                hit.score += 0.5
        if self.settings.legal_refs:
            for hit in hits.values():
                if refs.doc_ids and hit.chunk.doc_id in refs.doc_ids:
                    hit.score *= 1.5
                if refs.penjelasan and hit.chunk.part.startswith("penjelasan"):
                    hit.score *= 1.3
            for rank, chunk in enumerate(self._pinned(refs, filters)):
                hit = hits.setdefault(chunk.id, Hit(chunk=chunk, score=0.0))
                hit.pinned = True
                hit.score = 100.0 - rank + hit.score  # in the order _pinned gives, above everything else
        ranked = sorted(hits.values(), key=lambda h: h.score, reverse=True)
        if self.reranker is not None:
            ranked = self.reranker.rerank(query, ranked, self.settings.rerank_top_n)
        return ranked[:k]

    def _fuse(self, rankings: list[tuple[float, list[tuple[str, float]], str]], filters: Filters) -> dict[str, Hit]:
        """Reciprocal rank fusion; each hit keeps its best rank and score per retriever."""
        hits: dict[str, Hit] = {}
        rrf_k = self.settings.rrf_k
        for weight, ranking, attr in rankings:
            for rank, (cid, score) in enumerate(ranking, start=1):
                chunk = self._by_id.get(cid)
                if chunk is None or not filters.allows(chunk, self.catalog):
                    continue
                hit = hits.setdefault(cid, Hit(chunk=chunk, score=0.0))
                hit.score += weight / (rrf_k + rank)
                if getattr(hit, f"{attr}_rank") is None or rank < getattr(hit, f"{attr}_rank"):
                    setattr(hit, f"{attr}_rank", rank)
                if getattr(hit, f"{attr}_score") is None or score > getattr(hit, f"{attr}_score"):
                    setattr(hit, f"{attr}_score", score)
        return hits

    def _weigh_sources(self, hits: dict[str, Hit], refs: LegalRefs) -> None:
        """Repealed documents and secondary sources rank lower unless the question names them."""
        for hit in hits.values():
            meta = self.catalog.get(hit.chunk.doc_id)
            if meta is None or meta.id in refs.doc_ids:
                continue
            if meta.repealed:
                hit.score *= self.settings.repealed_penalty
            elif meta.status == "sekunder":
                hit.score *= self.settings.secondary_penalty

    def idf(self, term: str) -> float:
        """Inverse document frequency of a lexical token over the indexed chunks (0 for unknown tokens)."""
        import math

        self.load()
        i = self._bm25.vocab_dict.get(term)
        if i is None:
            return 0.0
        indptr = self._bm25.scores["indptr"]
        nxt = indptr[i + 1] if i + 1 < len(indptr) else len(self._bm25.scores["data"])
        df = max(1, int(nxt - indptr[i]))
        return math.log(1 + len(self._chunks) / df)

    def _lexical(self, query: str, n: int) -> list[tuple[str, float]]:
        tokens = tokenize(query)
        if not tokens:
            return []
        import numpy as np

        vocab = self._bm25.vocab_dict
        ids = [vocab[t] for t in tokens if t in vocab]
        if not ids:
            return []
        scores = self._bm25.get_scores(tokens)
        top = np.argsort(-scores)[:n]
        return [(self._chunks[i].id, float(scores[i])) for i in top if scores[i] > 0]

    def _boosted(self, query: str, refs: LegalRefs, filters: Filters) -> list[Chunk]:
        """Chunks a legal reader would open first: the definition of the term asked about, and the
        repeal clause of a named repealed document when the question asks whether it is still in force."""
        out: list[Chunk] = []
        term = definition_term(query)
        if term:
            patterns = [f"{term} adalah", f"{term} yang selanjutnya", f"“{term}” means", f'"{term}" means']
            for c in self._chunks:
                if (not refs.doc_ids or c.doc_id in refs.doc_ids) and filters.allows(c, self.catalog):
                    text = normalize(c.text)
                    if any(normalize(p) in text for p in patterns):
                        out.append(c)
        if _STATUS_Q.search(query):
            for doc_id in refs.doc_ids:
                meta, repl = self.catalog.get(doc_id), self.catalog.replacement(doc_id)
                if meta is None or repl is None:
                    continue
                needle = normalize(f"Nomor {meta.number} Tahun {meta.year}")
                out.extend(
                    c for c in self._chunks
                    if c.doc_id == repl.id and "dicabut" in c.text and needle in normalize(c.text)
                )
        return out[:5]

    def _pinned(self, refs: LegalRefs, filters: Filters) -> list[Chunk]:
        """Chunks of the Pasal/Article the question names in a document it names (or the only candidate)."""
        if not refs.pasal:
            return []
        out: list[Chunk] = []
        for label, ayat, huruf in refs.pasal:
            number = label.split(" ", 1)[1]
            wanted = {f"Pasal {number}", f"Article {number}"}
            part = "penjelasan" if refs.penjelasan else "body"
            cands = [
                c for c in self._chunks
                if c.pasal in wanted and c.part == part and filters.allows(c, self.catalog)
                and (not refs.doc_ids or c.doc_id in refs.doc_ids)
            ]
            if not refs.doc_ids and len({c.doc_id for c in cands}) != 1:
                continue  # "Pasal 5" alone is ambiguous across documents
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
