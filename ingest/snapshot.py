"""Writing the index: one writer at a time, a new snapshot built beside the current one, fsynced, swapped in.

- :class:`IndexLock`: the writer's lock (``filelock`` on ``<index>/ingest.lock``). A second ingest waits for the
  first, saying so, up to ``Settings.ingest_wait`` seconds, then exits with :class:`IndexBusyError`.
- :class:`SnapshotWriter`: builds ``<index>/work/`` (Chroma, lexical index, artifacts, ``vectors.bin``), writes
  the manifest last with the size and sha256 of every file, fsyncs the folder, runs the full integrity check
  on it, renames it to ``snapshots/<id>`` and replaces ``CURRENT`` atomically (write, fsync, rename, fsync the
  folder). Until that rename readers keep serving the previous snapshot; after it, the new one. A crash at any
  instant leaves one of the two, whole. Older snapshots than the previous one are then removed.
- The journal (``<index>/journal.bin``): vectors appended and fsynced batch by batch while embedding, so an
  ingest killed mid-way loses at most one batch; the next ingest reuses the rest.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from kerjasama.errors import IndexBusyError, IndexDamagedError
from kerjasama.models import Chunk
from kerjasama.store import (
    ARTIFACT_NAME,
    ARTIFACTS,
    CHROMA,
    CHUNKS,
    COLLECTION,
    CURRENT,
    FORMAT,
    HNSW,
    LEXICAL,
    MANIFEST,
    SNAPSHOTS,
    VECTORS,
    IndexStore,
    chroma_client,
    chunk_row,
    content_fingerprint,
    doc_meta,
    ids_fingerprint,
    list_files,
    read_current,
    release_private_copy,
    sha256_file,
)
from kerjasama.unitdocs import UnitDoc, index_text
from kerjasama.vectorfile import content_key, vectors_fingerprint, write_vectors

log = logging.getLogger(__name__)

LOCK = "ingest.lock"
OWNER = "ingest.owner"
WORK = "work"
JOURNAL = "journal.bin"
LEGACY = ("chroma", "lexical", "lexical.tmp", "lexical.old")


# -- durability ------------------------------------------------------------------------------------------
def fsync_dir(path: Path) -> None:
    """fsync a directory (its entries: created, renamed, removed files)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every file and folder under ``root``, then ``root`` itself."""
    for folder, _, files in os.walk(root, topdown=False):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(folder))


def write_durably(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically: temp file, fsync, rename, fsync the folder."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


# -- one writer ----------------------------------------------------------------------------------------------
class IndexLock:
    """The writer's lock of one index folder; ``on_wait(message)`` is called once if another ingest holds it."""

    def __init__(self, index_dir: Path, wait: float, on_wait: Callable[[str], None] | None = None) -> None:
        from filelock import FileLock

        self.dir = Path(index_dir)
        self.wait = max(0.0, wait)
        self.on_wait = on_wait
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.dir / LOCK))

    def owner(self) -> str:
        """Who holds the lock, as recorded by it ("pid N on HOST since TIME"), or "unknown"."""
        try:
            data = json.loads((self.dir / OWNER).read_text(encoding="utf-8"))
            return f"pid {data['pid']} on {data['host']} since {data['since']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "unknown"

    def __enter__(self) -> IndexLock:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            owner = self.owner()
            if self.on_wait is not None:
                self.on_wait(
                    f"Ingest lain sedang menulis indeks ini ({owner}); menunggu sampai {self.wait:.0f} s… / "
                    f"Another ingest is writing this index ({owner}); waiting up to {self.wait:.0f} s…"
                )
            try:
                self._lock.acquire(timeout=self.wait)
            except Timeout:
                raise IndexBusyError(self.dir, owner, self.wait) from None
        record = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        (self.dir / OWNER).write_text(json.dumps(record), encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            (self.dir / OWNER).unlink()
        self._lock.release()


# -- the journal of embedded vectors -------------------------------------------------------------------------
def journal_path(index_dir: Path) -> Path:
    """Where an ingest appends the vectors it embeds."""
    return Path(index_dir) / JOURNAL


# -- building a snapshot ---------------------------------------------------------------------------------
class SnapshotWriter(IndexStore):
    """Builds one new snapshot in ``<index>/work/`` and publishes it; also reads it (for derive hooks).

    Use once: ``add`` every chunk with its vector, ``write_lexical``, optional ``write_artifact``, ``finish``
    (manifest, fsync, full check), ``publish``. Only the holder of :class:`IndexLock` may create one.
    """

    def __init__(self, index_dir: Path, embeddings: Any, embedder_name: str) -> None:
        work = Path(index_dir) / WORK
        release_private_copy(work)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        super().__init__(index_dir, embeddings, embedder_name, snapshot=work)
        self.work = work
        self._client = chroma_client(work / CHROMA)
        self._collection = self._client.create_collection(
            COLLECTION, embedding_function=self._adapter().function,
            configuration={"hnsw": dict(HNSW)}, metadata={"embedder": embedder_name},
        )
        self._dim = 0
        self._extra: dict = {}
        self._opened = True  # reader methods read the work folder as it is, unchecked
        self._manifest = {"embedder": embedder_name, "count": 0}
        self.snapshot_name = ""

    def add(self, chunks: list[Chunk | UnitDoc], vectors: list[list[float]] | np.ndarray) -> None:
        """Store chunks (and unit documents) with their vectors (one Chroma transaction per call)."""
        if not len(chunks):
            return
        matrix = np.asarray(vectors, dtype="<f4")
        self._dim = self._dim or matrix.shape[1]
        if matrix.shape != (len(chunks), self._dim):
            raise ValueError(f"{len(chunks)} chunks need {len(chunks)} vectors of dimension {self._dim}")
        self._collection.upsert(
            ids=[c.id for c in chunks], embeddings=matrix, documents=[c.text for c in chunks],
            metadatas=[doc_meta(c) for c in chunks],
        )
        for chunk, vec in zip(chunks, matrix, strict=True):
            key = content_key(self.embedder_name, index_text(chunk))
            self._vectors[key] = vec
            self._rows.append(chunk_row(chunk, key.hex()))

    def write_lexical(self, chunks: list[Chunk], extra: dict | None = None, artifacts: dict | None = None,
                      units: list[UnitDoc] | None = None) -> None:
        """Build the BM25 index and ``chunks.jsonl`` over ``chunks`` and their ``units`` (all of them were
        added; rows: the chunks in document order, then the units); store ``extra`` in the manifest and each of
        ``artifacts`` (name -> JSON value) as ``artifacts/<name>.json``."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import

        from kerjasama.text import tokenize

        rows = {r["id"]: r for r in self._rows}
        unit_list = sorted(units or [], key=lambda u: u.id)
        if set(rows) != {c.id for c in chunks} | {u.id for u in unit_list}:
            raise ValueError("write_lexical needs exactly the chunks and units added")
        lexical = self.work / LEXICAL
        shutil.rmtree(lexical, ignore_errors=True)
        lexical.mkdir(parents=True)
        ordered: list[Chunk | UnitDoc] = [*sorted(chunks, key=lambda c: (c.doc_id, c.order)), *unit_list]
        retriever = bm25s.BM25()
        retriever.index([tokenize(index_text(c)) for c in ordered], show_progress=False)
        retriever.save(str(lexical / "bm25"))
        self._rows = [rows[c.id] for c in ordered]
        with open(lexical / CHUNKS, "w", encoding="utf-8") as fh:
            for row in self._rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._extra = dict(extra or {})
        self._manifest = self._provisional()
        for name, value in (artifacts or {}).items():
            self.write_artifact(name, value)

    def write_artifact(self, name: str, value: Any) -> None:
        """Store a named JSON artifact in the snapshot (read back with :meth:`IndexStore.artifact`)."""
        if not ARTIFACT_NAME.match(name):
            raise ValueError(f"artifact names are lower-case letters, digits, '-' and '_' (got {name!r})")
        data = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
        (self.work / ARTIFACTS).mkdir(exist_ok=True)
        (self.work / ARTIFACTS / f"{name}.json").write_bytes(data)
        self._artifacts[name] = data

    def _provisional(self) -> dict:
        ids = [r["id"] for r in self._rows]
        return {
            **self._extra,
            "format": FORMAT,
            "ids": ids_fingerprint(ids),
            "count": len(ids),
            "content": content_fingerprint(self._rows),
            "embedder": self.embedder_name,
            "dim": self._dim,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "artifacts": sorted(self._artifacts),
        }

    def finish(self) -> dict:
        """Close Chroma, write ``vectors.bin`` and the manifest, fsync everything, check the result in full.

        Raises IndexDamagedError if the built snapshot does not pass its own full check (nothing is published).
        """
        rows = self._rows
        by_id = {r["id"]: r for r in rows}
        self._client.close()  # Chroma flushes and lets go of its files before they are hashed
        self._collection = None
        write_vectors(
            self.work / VECTORS, ((bytes.fromhex(r["vkey"]), self._vectors[bytes.fromhex(r["vkey"])]) for r in rows),
            self._dim,
        )
        manifest = self._provisional()
        manifest["vectors"] = vectors_fingerprint(
            (cid, self._vectors[bytes.fromhex(row["vkey"])]) for cid, row in by_id.items()
        )
        manifest["files"] = {
            rel: [(self.work / rel).stat().st_size, sha256_file(self.work / rel)]
            for rel in list_files(self.work) if rel != MANIFEST
        }
        (self.work / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        fsync_tree(self.work)
        self._manifest = manifest
        check = IndexStore(self.dir, self.embeddings, self.embedder_name, snapshot=self.work).verify(full=True)
        release_private_copy(self.work)
        if not check.ok:
            raise IndexDamagedError(self.dir, ["the snapshot just built fails its check: " + "; ".join(check.problems)])
        return manifest

    def publish(self, on_phase: Callable[[str], None] | None = None) -> str:
        """Make the finished snapshot current (atomic), then remove snapshots older than the previous one."""
        snapshots = self.dir / SNAPSHOTS
        snapshots.mkdir(exist_ok=True)
        previous = read_current(self.dir) if (self.dir / CURRENT).exists() else None
        seq = int(str((previous or {}).get("seq", 0))) + 1
        name = f"{seq:06d}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.time_ns() % 1_000_000:06d}"
        os.rename(self.work, snapshots / name)
        fsync_dir(snapshots)
        fsync_dir(self.dir)
        if on_phase:
            on_phase("swap")
        manifest_sha = sha256_file(snapshots / name / MANIFEST)
        record = {"snapshot": name, "seq": seq, "manifest_sha256": manifest_sha,
                  "previous": (previous or {}).get("snapshot", "")}
        write_durably(self.dir / CURRENT, json.dumps(record, indent=1).encode("utf-8"))
        self.snapshot_name = name
        if on_phase:
            on_phase("prune")
        prune(self.dir, keep={name, record["previous"]})
        return name


def prune(index_dir: Path, keep: set[str]) -> None:
    """Remove snapshots not in ``keep``, an unfinished work folder and an earlier version's layout."""
    snapshots = Path(index_dir) / SNAPSHOTS
    if snapshots.is_dir():
        for entry in snapshots.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
    for name in LEGACY:
        path = Path(index_dir) / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
