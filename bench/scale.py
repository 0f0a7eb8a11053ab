"""Scale benchmark: the national collection at 10 %, 50 % and 100 % of the data set.

Run from the repository root after ``make national`` (the unpacked data set in data/national) and ``python -m
ingest`` (the focus index)::

    python bench/scale.py                          # 10 %, 50 %, 100 %
    python bench/scale.py --fractions 0.1 --questions 10

For each share of the files (an evenly spread sample): the lexical ingest into a fresh index file (seconds per
phase, documents and passages per second, size on disk); then, in a fresh process with the focus index and that
national index loaded (as the app runs), the resident memory and the latency of the national search (lexical, and
hybrid with passages embedded on demand: cold, then warm from the cache) and of whole answers (``Answerer.ask``).
Dense ingest of the whole collection is not run: its time is extrapolated from the embedder's measured passage rate
on a sample of the collection's own passages. Prints ONE JSON object (fields in bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench.query import peak_rss_mb, percentile  # noqa: E402
from ingest import national as ingest_national  # noqa: E402
from kerjasama.national import connect  # noqa: E402
from kerjasama.settings import Settings  # noqa: E402

log = logging.getLogger("bench.scale")

DENSE_SAMPLE = 48  # passages embedded to measure the embedder's rate on the collection's own text
SEED = 20261203


def rss_mb() -> float:
    """Current resident set size of this process in MB (VmRSS)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def title_sample(db: Path, n: int) -> list[tuple[str, str]]:
    """(id, the first words of its title, lower case) of ``n`` regulations of the collection drawn with
    :data:`SEED` among those with a title (the subjects the benchmark questions are made from)."""
    con = connect(db, readonly=True)
    rows = [r for r in con.execute("SELECT id, tentang FROM docs WHERE length(tentang) > 10 ORDER BY id")]
    con.close()
    picked = random.Random(SEED).sample(rows, min(n, len(rows)))
    return [(r["id"], " ".join(r["tentang"].lower().split()[:8])) for r in picked]


def questions_for(db: Path, n: int) -> list[str]:
    """Questions on documents of the collection: half name the law by number, half only its subject."""
    from kerjasama.relations import short

    return [f"Apa yang diatur dalam {short(reg_id)} tentang {about}?" if i % 2 else
            f"Bagaimana ketentuan mengenai {about}?" for i, (reg_id, about) in enumerate(title_sample(db, n))]


def probe(db: Path, questions: list[str]) -> dict:
    """In this process: load the focus index and the national one as the app does, and time searches and answers.

    The first half of ``questions`` times the national search alone (lexical; hybrid cold, then warm), the second
    half whole answers (cold: query and passages embedded then; warm: asked again), so neither warms the other."""
    from kerjasama.service import build_answerer

    base_rss = rss_mb()
    answerer = build_answerer(Settings(national_path=db))
    answerer.retriever.load()
    national = answerer.national
    assert national is not None, "the national index did not open"
    half = len(questions) // 2
    searched = [answerer.retriever.analyze(q) for q in questions[:half]]
    asked = questions[half:]
    timings: dict[str, list[float]] = {k: [] for k in ("lexical", "hybrid_cold", "hybrid_warm", "answer_cold",
                                                         "answer_warm")}
    for key in ("lexical", "hybrid_cold", "hybrid_warm"):
        for q in searched:
            t = time.perf_counter()
            if key == "lexical":
                national.lexical(q.weights, 5)
            else:
                national.search(q.weights, q.dense_texts[0], 5)
            timings[key].append((time.perf_counter() - t) * 1000)
    quoting = 0
    for key in ("answer_cold", "answer_warm"):
        for text in asked:
            t = time.perf_counter()
            ans = answerer.ask(text)
            timings[key].append((time.perf_counter() - t) * 1000)
            quoting += key == "answer_warm" and bool(ans.national)
    out = {name: {"p50_ms": round(percentile(v, 50), 1), "p95_ms": round(percentile(v, 95), 1)}
           for name, v in timings.items()}
    return out | {"searched": len(searched), "asked": len(asked), "answers_quoting_national": quoting,
                  "rss_mb": rss_mb(), "peak_rss_mb": peak_rss_mb(), "rss_before_load_mb": base_rss}


def dense_rate(db: Path) -> dict:
    """Passages per second of the configured embedder on a sample of the collection's own passages."""
    from kerjasama.embeddings import get_embedder
    from kerjasama.models import Chunk

    settings = Settings()
    emb = get_embedder(settings.embedder, settings)
    con = connect(db, readonly=True)
    total = con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    rng = random.Random(SEED)
    rowids = rng.sample(range(1, total + 1), min(DENSE_SAMPLE, total))
    rows = con.execute(f"SELECT meta, text FROM chunks WHERE rowid IN ({','.join('?' * len(rowids))})",
                       rowids).fetchall()
    con.close()
    texts = [Chunk.from_meta(r["text"], json.loads(r["meta"])).embed_text() for r in rows]
    emb.embed_documents(texts[:2])  # load the model
    t = time.perf_counter()
    for i in range(0, len(texts), settings.embed_batch_size):
        emb.embed_documents(texts[i : i + settings.embed_batch_size])
    seconds = time.perf_counter() - t
    return {"embedder": settings.embedder, "sample": len(texts), "passages_per_s": round(len(texts) / seconds, 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=None, help="the unpacked data set (default DATA_DIR/national)")
    ap.add_argument("--fractions", default="0.1,0.5,1", help="shares of the data set, comma separated")
    ap.add_argument("--questions", type=int, default=60,
                    help="questions per share: half to time the search, half whole answers (half name their law)")
    ap.add_argument("--probe", type=Path, help=argparse.SUPPRESS)  # internal: run the probe on this index
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    logging.getLogger("ingest.national").setLevel(logging.WARNING)
    if args.probe:
        sys.stdout.write(json.dumps(probe(args.probe, questions_for(args.probe, args.questions))) + "\n")
        return 0
    root = args.root or Settings().data_dir / "national"
    if not (root / "uu").is_dir():
        log.error("No data set in %s: run `make national` first. / Data set belum ada: jalankan `make national`.",
                  root.name)
        return 1
    results = []
    rate: dict | None = None
    with tempfile.TemporaryDirectory(prefix="kjs-scale-") as tmp:
        for fraction in (float(f) for f in args.fractions.split(",")):
            db = Path(tmp) / f"national-{fraction:g}.sqlite"
            log.info("share %.0f %%: lexical ingest", fraction * 100)
            t = time.perf_counter()
            report = ingest_national.build(root, db, fraction)
            seconds = time.perf_counter() - t
            size = sum(p.stat().st_size for p in Path(tmp).glob(f"{db.name}*"))
            rate = rate or dense_rate(db)
            log.info("share %.0f %%: search and answers in a fresh process", fraction * 100)
            proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--probe", str(db),
                                   "--questions", str(args.questions)], capture_output=True, text=True,
                                  cwd=ROOT, env=os.environ.copy())
            if proc.returncode != 0:
                log.error("the probe failed:\n%s", proc.stderr[-2000:])
                return 1
            results.append({
                "fraction": fraction, "documents": report.indexed + report.unchanged, "passages": report.chunks,
                "skipped": len(report.skipped), "ingest_lexical_s": round(seconds, 1),
                "ingest_phases_s": report.to_dict()["seconds"],
                "documents_per_s": round(report.files / seconds, 1), "passages_per_s": round(report.chunks / seconds),
                "index_mb": round(size / 2**20, 1),
                "dense_ingest_extrapolated_h": round(report.chunks / rate["passages_per_s"] / 3600, 2),
                "app": json.loads(proc.stdout.strip().splitlines()[-1]),
            })
            db.unlink()
    out = {"machine": {"cpus": os.cpu_count()}, "dense_rate": rate, "shares": results}
    sys.stdout.write(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
