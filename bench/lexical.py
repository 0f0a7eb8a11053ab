"""Lexical index for the national collection: SQLite FTS5 (what the product uses) against bm25s memory-mapped.

Run from the repository root after ``make national``::

    python bench/lexical.py                     # data/national/index.sqlite
    python bench/lexical.py --index FILE --queries 60

Both indexes hold the same passages and the same stemmed terms (the ``terms`` column of the national index). For
each: build time, size on disk, the time to open it and the memory that costs, query p50 / p95 (top 10, the same
questions: titles of the collection's regulations, as ``bench/scale.py`` makes them), and what one changed
document costs (FTS5: that document's rows; bm25s: a rebuild, it has no incremental update). Prints ONE JSON
object.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench.query import percentile  # noqa: E402
from bench.scale import rss_mb, title_sample  # noqa: E402
from kerjasama.national import connect  # noqa: E402
from kerjasama.settings import Settings  # noqa: E402
from kerjasama.text import tokenize  # noqa: E402

log = logging.getLogger("bench.lexical")
K = 10


def fts5(db: Path, queries: list[list[str]]) -> dict:
    """Open the product's index (read-only) and time its BM25 (the common-term rule of kerjasama.national off)."""
    before = rss_mb()
    t = time.perf_counter()
    con = connect(db, readonly=True)
    con.execute("SELECT COUNT(*) FROM docs").fetchone()
    opened = time.perf_counter() - t
    times = []
    for terms in queries:
        match = " OR ".join(f'"{x}"' for x in terms)
        t = time.perf_counter()
        con.execute("SELECT rowid, bm25(fts) AS s FROM fts WHERE fts MATCH ? ORDER BY s LIMIT ?", (match, K)).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    size = sum(p.stat().st_size for p in db.parent.glob(f"{db.name}*"))
    con.close()
    return {"open_s": round(opened, 3), "rss_added_mb": round(rss_mb() - before, 1),
            "index_mb": round(size / 2**20, 1), "query_p50_ms": round(percentile(times, 50), 1),
            "query_p95_ms": round(percentile(times, 95), 1)}


def bm25s_mmap(db: Path, queries: list[list[str]], folder: Path) -> dict:
    """Build a bm25s index over the same terms, save it, load it memory-mapped, and time its queries."""
    import bm25s

    con = connect(db, readonly=True)
    corpus = [r[0].split() for r in con.execute("SELECT terms FROM chunks ORDER BY rowid")]
    con.close()
    k = min(K, len(corpus))
    t = time.perf_counter()
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(w, len(vocab)) for w in doc] for doc in corpus]
    model = bm25s.BM25()
    model.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
    model.save(str(folder))
    built = time.perf_counter() - t
    del model, ids, corpus
    before = rss_mb()
    t = time.perf_counter()
    model = bm25s.BM25.load(str(folder), mmap=True)
    opened = time.perf_counter() - t
    times = []
    for terms in queries:
        known = [vocab[x] for x in terms if x in vocab]
        t = time.perf_counter()
        if known:
            model.retrieve(bm25s.tokenization.Tokenized(ids=[known], vocab=vocab), k=k, show_progress=False,
                           n_threads=1)
        times.append((time.perf_counter() - t) * 1000)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return {"build_s": round(built, 1), "open_s": round(opened, 3), "rss_added_mb": round(rss_mb() - before, 1),
            "index_mb": round(size / 2**20, 1), "query_p50_ms": round(percentile(times, 50), 1),
            "query_p95_ms": round(percentile(times, 95), 1), "one_document_changed": "rebuild (no incremental update)"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=None, help="the national index (default: settings.national_file())")
    ap.add_argument("--queries", type=int, default=60)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    db = args.index or Settings().national_file()
    if not db.is_file():
        log.error("No national index: run `make national` first. / Indeks nasional belum ada: jalankan "
                  "`make national`.")
        return 1
    queries = [sorted(set(tokenize(about))) for _, about in title_sample(db, args.queries)]
    con = connect(db, readonly=True)
    passages = con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    con.close()
    out = {"passages": passages, "queries": len(queries), "k": K, "fts5": fts5(db, queries)}
    with tempfile.TemporaryDirectory(prefix="kjs-bm25s-") as tmp:
        out["bm25s_mmap"] = bm25s_mmap(db, queries, Path(tmp) / "bm25s")
    sys.stdout.write(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
