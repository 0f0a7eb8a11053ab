"""The index's vectors in a Chroma server (``KERJASAMA_CHROMA_URL``): one ingest job, many stateless app processes.

The snapshot on disk (``kerjasama.store``) stays the record: rows, BM25 index, ``vectors.bin`` and the manifest.
With a server URL, ingest also publishes each snapshot's vectors into the server, in a collection named after the
index and the snapshot (``kjs-<index key>-<snapshot id>``), and keeps only the current and the previous snapshot's
collections there. Readers take the collection of the snapshot they pinned and check it exactly as they check their
private copy of the local Chroma folder (ids, count, embedder, a sample of vectors bit for bit against
``vectors.bin``): a collection that is missing or incomplete (an ingest killed while publishing) is reported as
needing ``python -m ingest``, which publishes again; it is never served half-written.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import numpy as np

from kerjasama.store import HNSW

PREFIX = "kjs-"
ADD_BATCH = 500  # vectors per add() call when publishing


def client(url: str) -> Any:
    """A ``chromadb.HttpClient`` for ``url`` (``http://host:port``; telemetry off)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError(f"KERJASAMA_CHROMA_URL must be http(s)://host:port, not {url!r}")
    return chromadb.HttpClient(
        host=parsed.hostname, port=parsed.port or (443 if parsed.scheme == "https" else 8000),
        ssl=parsed.scheme == "https", settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
    )


def collection_name(index_dir_name: str, snapshot_id: str) -> str:
    """The server collection of one snapshot of one index (``index-45ba95d99763`` + snapshot id)."""
    return f"{PREFIX}{index_dir_name.removeprefix('index-')}-{snapshot_id}"


def publish(server: Any, name: str, rows: list[dict], vectors: dict[bytes, np.ndarray], embedder: str,
            embedding_function: Any, keep: set[str]) -> int:
    """Make the collection ``name`` hold exactly ``rows`` (``chunks.jsonl`` rows: their metadata is what the local
    snapshot's Chroma holds) with their vectors; drop this index's other collections except ``keep``. Returns how
    many vectors were written (0 when it was already complete)."""
    ids = [r["id"] for r in rows]
    written = 0
    try:
        existing = server.get_collection(name, embedding_function=embedding_function)
        complete = existing.count() == len(ids) and set(existing.get(include=[])["ids"]) == set(ids)
    except Exception:  # noqa: BLE001 - Chroma raises several types for "no such collection"
        existing, complete = None, False
    if not complete:
        if existing is not None:
            server.delete_collection(name)  # incomplete (a publish was killed): write it again
        coll = server.create_collection(name, embedding_function=embedding_function,
                                        configuration={"hnsw": dict(HNSW)}, metadata={"embedder": embedder})
        for i in range(0, len(rows), ADD_BATCH):
            part = rows[i : i + ADD_BATCH]
            coll.add(ids=[r["id"] for r in part], documents=[r["text"] for r in part],
                     metadatas=[r["meta"] for r in part],
                     embeddings=np.vstack([vectors[bytes.fromhex(r["vkey"])] for r in part]))
            written += len(part)
    prefix = name[: name.index("-", len(PREFIX)) + 1]  # this index's collections: kjs-<index key>-
    for other in server.list_collections():
        other_name = other if isinstance(other, str) else other.name
        if other_name.startswith(prefix) and other_name != name and other_name not in keep:
            server.delete_collection(other_name)
    return written
