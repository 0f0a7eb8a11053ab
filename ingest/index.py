"""Ingest: corpus files -> chunks -> vectors -> a new snapshot of the index, swapped in atomically.

One writer at a time (:class:`ingest.snapshot.IndexLock`; a second ingest waits, saying so). Vectors are keyed
by the exact text embedded, so an unchanged corpus embeds nothing and publishes nothing; a changed document's
chunks are embedded again; a catalog edit (title, short name) reaches the stored chunks and citations. Vectors
come from the current snapshot, the previous one (each only if its checksums hold), an index written by an
earlier version, and the journal of an interrupted ingest; only the rest is embedded, each batch appended to the
journal before it is used. Then a fresh snapshot is built beside the current one and swapped in
(:mod:`ingest.snapshot`): a crash at any instant leaves either the old index or the new one, whole.

Phases, in order (``on_phase`` gets each name; ``python -m ingest --verbose`` prints them): ``lock``, ``load``,
``vectors``, ``embed``, ``chroma``, ``lexical``, ``derive``, ``verify``, ``publish``, ``swap``, ``prune``,
``done``.

**Derive hook** (artifacts computed from the finished index, e.g. mined abbreviations or refusal calibration):
a callable ``derive(chunks, store) -> {name: JSON value} | None`` runs after the vectors and the lexical index of
the new snapshot are written and before the swap; ``store`` is the :class:`ingest.snapshot.SnapshotWriter`, an
:class:`kerjasama.store.IndexStore` that reads the snapshot being built (``dense``, ``load_lexical``,
``manifest``, ``chunk_rows``). Each returned value is stored as ``artifacts/<name>.json`` inside the snapshot,
covered by its checksums; readers get it with ``IndexStore.artifact(name)``. Register derivers in
:data:`DERIVERS` (every ingest) or pass ``ingest(..., derive=[...])``. A deriver's ``version`` attribute (any
string) is recorded in the manifest: changing it rebuilds the snapshot even when the corpus is unchanged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ingest.chunk import Chunker
from ingest.load import iter_corpus_files, load_document
from ingest.snapshot import IndexLock, SnapshotWriter, journal_path
from kerjasama.calibration import calibrate
from kerjasama.catalog import Catalog, infer_meta, load_catalog
from kerjasama.embeddings import embedder_id, get_embedder
from kerjasama.errors import BadDocumentError, EmbedderMismatchError, IndexNotReadyError
from kerjasama.lexicon import mine
from kerjasama.models import Chunk
from kerjasama.query import Analyzer
from kerjasama.settings import CHUNKER_VERSION, Settings
from kerjasama.store import (
    SNAPSHOTS,
    ChromaEmbeddingAdapter,
    IndexStore,
    chunk_row,
    content_fingerprint,
    is_legacy,
    is_unit_row,
    read_current,
)
from kerjasama.structure import build_structure
from kerjasama.unitdocs import UnitDoc, index_text, unit_docs
from kerjasama.vectorfile import append_records, content_key, read_vectors

Deriver = Callable[[list[Chunk], IndexStore], "dict[str, Any] | None"]
DERIVERS: list[Deriver] = []  # run by every ingest, before the swap (see the module docstring)

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What one ingest run did."""

    index_dir: Path
    documents: int = 0
    chunks: int = 0
    new: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    uncataloged: list[str] = field(default_factory=list)
    units: int = 0  # unit documents (ayat / huruf / angka of long chunks, retrievable on their own)
    lexical_rebuilt: bool = False  # a new snapshot was published
    resumed: int = 0  # vectors taken from the journal of an interrupted ingest
    snapshot: str = ""  # the snapshot current after this run
    waited: float = 0.0  # seconds spent waiting for another ingest
    server_vectors: int = 0  # vectors written to the Chroma server (KERJASAMA_CHROMA_URL)

    def summary(self) -> str:
        """A short human summary (Indonesian / English)."""
        lines = [
            f"Dokumen/documents: {self.documents} | chunk: {self.chunks} + unit: {self.units} "
            f"(baru/new {self.new}, tetap/unchanged {self.unchanged}, dihapus/removed {self.removed}) "
            f"| {self.seconds:.1f} s | indeks/index: {self.index_dir}",
        ]
        if self.lexical_rebuilt:
            resumed = f"; {self.resumed} vektor dari ingest terputus / from an interrupted run" if self.resumed else ""
            lines.append(f"Snapshot baru / new snapshot: {self.snapshot}{resumed}")
        else:
            lines.append(f"Indeks sudah mutakhir / index up to date: {self.snapshot}")
        for name, reason in self.skipped:
            lines.append(f"DILEWATI/SKIPPED {name}: {reason}")
        for name in self.uncataloged:
            lines.append(f"PERINGATAN/WARNING {name}: tidak ada di catalog.yaml / no catalog entry; metadata inferred")
        return "\n".join(lines)


def collect_chunks(settings: Settings, catalog: Catalog, report: IngestReport) -> tuple[list[Chunk], set[str]]:
    """Load and chunk every corpus file; returns the chunks and the ids of documents that failed to load."""
    chunker = Chunker(settings.chunk_max_chars, settings.chunk_min_chars)
    chunks: list[Chunk] = []
    failed_docs: set[str] = set()
    seen_ids: dict[str, str] = {}
    for path in iter_corpus_files(settings.corpus_dir):
        meta = catalog.by_file(path.name)
        try:
            loaded = load_document(path)
        except BadDocumentError as exc:
            report.skipped.append((path.name, exc.reason))
            log.warning("skipped %s: %s", path.name, exc.reason)
            failed_docs.add(meta.id if meta else path.stem.lower())
            continue
        if meta is None:
            meta = infer_meta(path, loaded.text)
            catalog.add(meta)
            report.uncataloged.append(path.name)
            log.warning("%s has no catalog entry; using inferred metadata (%s)", path.name, meta.short)
        if meta.id in seen_ids:
            report.skipped.append((path.name, f"duplicate document id {meta.id!r} (also {seen_ids[meta.id]})"))
            continue
        seen_ids[meta.id] = path.name
        doc_chunks = chunker.chunk(loaded.text, meta)
        if not doc_chunks:
            report.skipped.append((path.name, "no text to index after parsing"))
            continue
        chunks.extend(doc_chunks)
        report.documents += 1
    return chunks, failed_docs


def ingest(
    settings: Settings,
    show_progress: bool = True,
    embeddings=None,
    *,
    rebuild: bool = False,
    wait: float | None = None,
    derive: list[Deriver] | None = None,
    on_phase: Callable[[str], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> IngestReport:
    """Bring the index for ``settings`` up to date with the corpus folder (see the module docstring).

    ``rebuild``: embed everything again into a fresh snapshot (reusing no stored vector), then swap it in.
    ``wait``: seconds to wait for another ingest of the same index (default ``settings.ingest_wait``).
    """
    started = time.perf_counter()
    report = IngestReport(index_dir=settings.index_dir())
    embeddings = embeddings or get_embedder(settings.embedder, settings)
    name = embedder_id(embeddings)

    def phase(step: str) -> None:
        log.info("phase %s", step)
        if on_phase is not None:
            on_phase(step)

    phase("lock")
    waiting = time.perf_counter()
    lock = IndexLock(report.index_dir, settings.ingest_wait if wait is None else wait, on_wait or log.warning)
    with lock:
        report.waited = time.perf_counter() - waiting
        phase("load")
        catalog = load_catalog(settings.corpus_dir)
        derivers = [*DERIVERS, corpus_deriver(catalog, embeddings, settings), *(derive or [])]
        chunks, failed_docs = collect_chunks(settings, catalog, report)
        current = IndexStore(report.index_dir, embeddings, name)
        current_ok = _passes(current)
        manifest, rows, _ = current.salvage()
        manifest = manifest or {}
        if not rebuild and manifest.get("embedder") not in (None, name):
            raise EmbedderMismatchError(report.index_dir, manifest["embedder"], name)

        wanted = {c.id: c for c in chunks}
        # A document that failed to load keeps its previous chunks: a bad file loses nothing.
        for row in rows:
            if row["meta"].get("doc_id") in failed_docs and row["id"] not in wanted and not is_unit_row(row):
                wanted[row["id"]] = Chunk.from_meta(row["text"], row["meta"])
        units = [u for c in wanted.values() for u in unit_docs(c, settings.unit_min_chars)]
        docs: dict[str, Chunk | UnitDoc] = {**wanted, **{u.id: u for u in units}}
        before = {r["id"] for r in rows}
        report.chunks = len(wanted)
        report.units = len(units)
        report.removed = len(before - set(docs))
        report.unchanged = len(before & set(docs))
        # Documents without a catalog entry: their inferred metadata travels with the index, so retrieval
        # can resolve "PP 7/2099" in a question and show titles.
        doc_ids = {c.doc_id for c in wanted.values()}
        inferred = [asdict(m) for m in catalog if not m.cataloged and m.id in doc_ids]
        extra = json.loads(json.dumps({
            "chunker": CHUNKER_VERSION, "documents": report.documents, "inferred": inferred,
            "derivers": [[getattr(fn, "__qualname__", repr(fn)), str(getattr(fn, "version", ""))] for fn in derivers],
        }))
        keys = {did: content_key(name, index_text(d)) for did, d in docs.items()}
        fingerprint = content_fingerprint([chunk_row(d, keys[did].hex()) for did, d in docs.items()])
        if (not rebuild and current_ok and manifest.get("content") == fingerprint
                and all(manifest.get(k) == v for k, v in extra.items())):
            report.snapshot = current.snapshot_id
            _publish_to_server(settings, report, embeddings, name, phase)
            report.seconds = time.perf_counter() - started
            phase("done")
            return report

        phase("vectors")
        journal = journal_path(report.index_dir)
        if rebuild:
            journal.unlink(missing_ok=True)
        cache = {} if rebuild else _stored_vectors(current, report.index_dir, name)
        resumable, _ = read_vectors(journal, strict=False) if journal.exists() else ({}, 0)
        todo: dict[bytes, Chunk | UnitDoc] = {}
        for cid, chunk in docs.items():
            key = keys[cid]
            if key in cache:
                continue
            if key in resumable:
                cache[key] = resumable[key]
                report.resumed += 1
            else:
                todo.setdefault(key, chunk)
        report.new = len(todo)
        phase("embed")
        _embed(embeddings, todo, cache, journal, settings.embed_batch_size, show_progress)

        phase("chroma")
        writer = SnapshotWriter(report.index_dir, embeddings, name)
        ordered = sorted(wanted.values(), key=lambda c: (c.doc_id, c.order, c.id))
        everything: list[Chunk | UnitDoc] = [*ordered, *sorted(units, key=lambda u: u.id)]
        step = max(1, settings.embed_batch_size) * 32
        for i in range(0, len(everything), step):
            part = everything[i : i + step]
            writer.add(part, np.vstack([cache[keys[c.id]] for c in part]))
        phase("lexical")
        writer.write_lexical(ordered, extra=extra, units=units)
        phase("derive")
        for fn in derivers:
            for art, value in (fn(ordered, writer) or {}).items():
                writer.write_artifact(art, value)
        phase("verify")
        writer.finish()
        phase("publish")
        report.snapshot = writer.publish(on_phase=phase)
        journal.unlink(missing_ok=True)
        report.lexical_rebuilt = True
        _publish_to_server(settings, report, embeddings, name, phase)
    report.seconds = time.perf_counter() - started
    phase("done")
    return report


def _publish_to_server(settings: Settings, report: IngestReport, embeddings, name: str, phase) -> None:
    """With ``KERJASAMA_CHROMA_URL``: the current snapshot's vectors into the server (kerjasama.chromaserver),
    the previous snapshot's collection kept for readers that still pin it, older ones dropped."""
    if not settings.chroma_url:
        return
    from kerjasama import chromaserver

    phase("server")
    store = IndexStore(report.index_dir, embeddings, name)
    manifest, rows, vectors = store.salvage()
    current = read_current(report.index_dir) or {}
    keep = {chromaserver.collection_name(report.index_dir.name, current["previous"])} if current.get("previous") \
        else set()
    target = chromaserver.collection_name(report.index_dir.name, store.snapshot_id)
    report.server_vectors = chromaserver.publish(
        chromaserver.client(settings.chroma_url), target, rows, vectors, (manifest or {}).get("embedder", name),
        ChromaEmbeddingAdapter(embeddings, name).function, keep)


# Bump when what corpus_deriver computes changes, so an unchanged corpus gets its artifacts rebuilt.
DERIVED_VERSION = "6"


def corpus_deriver(catalog: Catalog, embeddings, settings: Settings) -> Deriver:
    """The deriver of what retrieval needs precomputed from the whole corpus: the mined lexicon and the structure
    lookups (``kerjasama.lexicon``, ``kerjasama.structure``) and the index's calibration (refusal thresholds,
    hubs: ``kerjasama.calibration``), measured on the snapshot being built."""

    def derive(chunks: list[Chunk], store: IndexStore) -> dict[str, Any]:
        english = {d.id for d in catalog if d.language == "en"}
        lexicon = mine(chunks, english)
        structure = build_structure(chunks, catalog)
        analyzer = Analyzer(catalog, lexicon, structure.vocabulary, expansions=settings.glossary)
        return {
            "lexicon": lexicon.to_json(),
            "structure": structure.to_json(),
            "calibration": calibrate(store, embeddings, chunks, analyzer.analyze),
        }

    derive.version = DERIVED_VERSION  # type: ignore[attr-defined]
    derive.__qualname__ = "corpus_deriver"
    return derive


def _passes(store: IndexStore) -> bool:
    """Whether the store's snapshot exists and passes its quick check."""
    try:
        return store.manifest() is not None
    except IndexNotReadyError:  # damaged (a subclass)
        return False


def _stored_vectors(current: IndexStore, index_dir: Path, name: str) -> dict[bytes, np.ndarray]:
    """Vectors to reuse: of the current and the previous snapshot (files intact) and of an earlier version's index."""
    cache: dict[bytes, np.ndarray] = {}
    if is_legacy(index_dir):
        cache.update(_legacy_vectors(index_dir, current, name))
    record = None
    with contextlib.suppress(IndexNotReadyError):
        record = read_current(index_dir)
    stores = [current]
    if record and record.get("previous"):
        previous = index_dir / SNAPSHOTS / record["previous"]
        stores.append(IndexStore(index_dir, current.embeddings, name, snapshot=previous))
    for store in stores:
        manifest, _, vectors = store.salvage()
        if manifest and manifest.get("embedder") == name:  # its own files passed their checksums
            for key, vec in vectors.items():
                cache.setdefault(key, vec)
    return cache


def _legacy_vectors(index_dir: Path, store: IndexStore, name: str) -> dict[bytes, np.ndarray]:
    """Vectors of an index written by an earlier version (chroma/ + lexical/), read from a copy; {} if unreadable."""
    out: dict[bytes, np.ndarray] = {}
    with tempfile.TemporaryDirectory(prefix="kerjasama-legacy-") as tmp:
        try:
            shutil.copytree(index_dir / "chroma", Path(tmp) / "chroma")
            from kerjasama.store import chroma_client

            client = chroma_client(Path(tmp) / "chroma")
            try:
                collection = client.get_collection("chunks")
                if (collection.metadata or {}).get("embedder") != name:
                    return {}
                got = collection.get(include=["embeddings", "documents", "metadatas"])
            finally:
                client.close()
        except Exception as exc:  # noqa: BLE001 - an unreadable old index is simply not reused
            log.warning("the earlier index in %s cannot be read (%s); embedding everything", index_dir.name, exc)
            return {}
    for text, meta, vec in zip(got["documents"], got["metadatas"], got["embeddings"], strict=True):
        vec = np.asarray(vec, dtype="<f4")
        if np.all(np.isfinite(vec)) and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-3:
            embedded = text if (meta or {}).get("kind") == "unit" else Chunk.from_meta(text, meta).embed_text()
            out[content_key(name, embedded)] = vec
    log.info("reusing %d vectors of the index written by an earlier version", len(out))
    return out


def _embed(embeddings, todo: dict[bytes, Chunk | UnitDoc], cache: dict[bytes, np.ndarray], journal: Path,
           batch: int, show_progress: bool) -> None:
    """Embed ``todo`` batch by batch; each batch is appended (fsynced) to the journal, then added to ``cache``."""
    if not todo:
        return
    from tqdm import tqdm

    items = list(todo.items())
    bar = tqdm(
        total=len(items), unit="chunk", desc="Embedding", disable=not show_progress, file=sys.stderr,
        dynamic_ncols=True, mininterval=0.5,
    )
    try:
        for i in range(0, len(items), batch):
            part = items[i : i + batch]
            vectors = np.asarray(embeddings.embed_documents([index_text(c) for _, c in part]), dtype="<f4")
            append_records(journal, [k for k, _ in part], vectors)
            for (key, _), vec in zip(part, vectors, strict=True):
                cache[key] = vec
            bar.update(len(part))
    finally:
        bar.close()
