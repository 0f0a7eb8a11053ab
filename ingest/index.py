"""Incremental ingest: corpus files -> chunks -> vectors (Chroma) + lexical index.

Chunk ids are content hashes, so an unchanged corpus embeds nothing; a changed document's old chunks are
removed and its new ones added; a removed document's chunks disappear. Vectors are stored batch by batch,
and the lexical snapshot is written last, so an interrupted run leaves an index the next run completes.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.chunk import Chunker
from ingest.load import iter_corpus_files, load_document
from kerjasama.calibration import calibrate
from kerjasama.catalog import Catalog, infer_meta, load_catalog
from kerjasama.embeddings import embedder_id, get_embedder
from kerjasama.errors import BadDocumentError
from kerjasama.lexicon import mine
from kerjasama.models import Chunk
from kerjasama.query import Analyzer
from kerjasama.settings import CHUNKER_VERSION, Settings
from kerjasama.store import IndexStore, ids_fingerprint
from kerjasama.structure import build_structure
from kerjasama.unitdocs import UnitDoc, unit_docs

# Bump when what derive() computes changes, so an unchanged corpus gets its artifacts rebuilt.
DERIVED_VERSION = "5"

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
    lexical_rebuilt: bool = False
    units: int = 0

    def summary(self) -> str:
        """A short human summary (Indonesian / English)."""
        lines = [
            f"Dokumen/documents: {self.documents} | chunk: {self.chunks} + unit: {self.units} "
            f"(baru/new {self.new}, tetap/unchanged {self.unchanged}, dihapus/removed {self.removed}) "
            f"| {self.seconds:.1f} s | indeks/index: {self.index_dir}",
        ]
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


def ingest(settings: Settings, show_progress: bool = True, embeddings=None) -> IngestReport:
    """Bring the index for ``settings`` up to date with the corpus folder."""
    started = time.perf_counter()
    report = IngestReport(index_dir=settings.index_dir())
    catalog = load_catalog(settings.corpus_dir)
    chunks, failed_docs = collect_chunks(settings, catalog, report)
    embeddings = embeddings or get_embedder(settings.embedder, settings)
    store = IndexStore(settings.index_dir(), embeddings, embedder_id(embeddings))
    store.check_embedder()

    wanted: dict[str, Chunk] = {c.id: c for c in chunks}
    stored = store.vector_ids()
    # A document that failed to load keeps its previous chunks: a bad file loses nothing.
    if failed_docs and stored:
        got = store.collection.get(ids=sorted(stored - set(wanted)), include=["documents", "metadatas"])
        for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            if meta.get("kind") != "unit" and meta.get("doc_id") in failed_docs:
                wanted[cid] = Chunk.from_meta(text, meta)
    units = [u for c in wanted.values() for u in unit_docs(c, settings.unit_min_chars)]
    docs: dict[str, Chunk | UnitDoc] = {**wanted, **{u.id: u for u in units}}
    stale = sorted(stored - set(docs))
    new = [d for did, d in docs.items() if did not in stored]
    report.removed = len(stale)
    report.new = len(new)
    report.unchanged = len(docs) - len(new)
    report.chunks = len(wanted)
    report.units = len(units)
    if stale:
        store.delete(stale)
    _embed_and_store(store, embeddings, new, settings.embed_batch_size, show_progress)

    manifest = store.manifest()
    if (
        manifest is None
        or manifest.get("ids") != ids_fingerprint(set(docs))
        or manifest.get("derived") != DERIVED_VERSION
    ):
        # Documents without a catalog entry: their inferred metadata travels with the index, so retrieval
        # can resolve "PP 7/2099" in a question and show titles.
        inferred = [asdict(m) for m in catalog if not m.cataloged and m.id in {c.doc_id for c in wanted.values()}]
        chunk_list = list(wanted.values())
        store.write_lexical(
            chunk_list,
            extra={"chunker": CHUNKER_VERSION, "documents": report.documents, "inferred": inferred,
                   "derived": DERIVED_VERSION},
            units=units,
            artifacts=derive(chunk_list, catalog, store, embeddings, settings),
        )
        report.lexical_rebuilt = True
    report.seconds = time.perf_counter() - started
    return report


def derive(chunks: list[Chunk], catalog: Catalog, store: IndexStore | None = None, embeddings=None,
           settings: Settings | None = None) -> dict[str, object]:
    """What retrieval needs precomputed from the whole corpus: the mined lexicon, the structure lookups and (with
    the vectors stored) the index's calibration (refusal threshold, hubs)."""
    english = {d.id for d in catalog if d.language == "en"}
    lexicon = mine(chunks, english)
    structure = build_structure(chunks, catalog)
    out: dict[str, object] = {"lexicon": lexicon.to_json(), "structure": structure.to_json()}
    if store is not None and embeddings is not None:
        analyzer = Analyzer(catalog, lexicon, structure.vocabulary,
                            expansions=settings.glossary if settings else True)
        out["calibration"] = calibrate(store, embeddings, chunks, analyzer.analyze)
    return out


def index_text(doc: Chunk | UnitDoc) -> str:
    """The text embedded and indexed for a chunk (headings, citation, passage) or a unit document."""
    return doc.text if isinstance(doc, UnitDoc) else doc.embed_text()


def _embed_and_store(store: IndexStore, embeddings, chunks: list[Chunk | UnitDoc], batch: int,
                     show_progress: bool) -> None:
    if not chunks:
        return
    from tqdm import tqdm

    bar = tqdm(
        total=len(chunks), unit="chunk", desc="Embedding", disable=not show_progress, file=sys.stderr,
        dynamic_ncols=True, mininterval=0.5,
    )
    try:
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            vectors = embeddings.embed_documents([index_text(c) for c in part])
            store.add(part, vectors)
            bar.update(len(part))
    finally:
        bar.close()
