"""Query benchmark: warm latency of ``Answerer.ask`` and of retrieval alone over an evaluation set.

Run from the repository root, after ``python -m ingest``::

    python bench/query.py
    python bench/query.py --data DIR --set eval/sets/core.jsonl

Prints ONE JSON object to stdout (fields described in bench/README.md); logs go to stderr. Exits 1 with a
message when the index is not built.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this file's folder is sys.path[0]; keep the repository root first instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from eval.runner import load_set  # noqa: E402
from kerjasama.answer import Answerer  # noqa: E402
from kerjasama.errors import IndexNotReadyError, KerjasamaError  # noqa: E402
from kerjasama.service import build_answerer  # noqa: E402
from kerjasama.settings import Settings  # noqa: E402

log = logging.getLogger("bench.query")
T = TypeVar("T")

K = 5
WARMUP = 3


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0-100) of ``values``; 0.0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))]


def timed_ms(fn: Callable[..., T], *args: object) -> tuple[float, T]:
    """Milliseconds ``fn(*args)`` takes, and its result."""
    started = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - started) * 1000, result


def run(answerer: Answerer, questions: list[str]) -> dict:
    """Warm up, then time ``ask`` and ``retrieve`` for every question."""
    first_ms, _ = timed_ms(answerer.ask, questions[0], K)  # loads the index and the model
    for q in questions[1:WARMUP]:
        answerer.ask(q, K)

    ask_ms: list[float] = []
    refused = 0
    for q in questions:
        ms, ans = timed_ms(answerer.ask, q, K)
        ask_ms.append(ms)
        refused += ans.refused

    retrieve_ms = [timed_ms(answerer.retriever.retrieve, q, K)[0] for q in questions]
    return {
        "n": len(questions),
        "k": K,
        "first_question_ms": round(first_ms, 1),
        "p50_ms": round(percentile(ask_ms, 50), 1),
        "p95_ms": round(percentile(ask_ms, 95), 1),
        "mean_ms": round(sum(ask_ms) / len(ask_ms), 1),
        "max_ms": round(max(ask_ms), 1),
        "retrieve_p50_ms": round(percentile(retrieve_ms, 50), 1),
        "retrieve_p95_ms": round(percentile(retrieve_ms, 95), 1),
        "refused": refused,
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, open the index, print the JSON result."""
    parser = argparse.ArgumentParser(prog="python bench/query.py", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path,
                        help="data folder holding the index (default: KERJASAMA_DATA_DIR or ./data)")
    parser.add_argument("--set", type=Path, default=ROOT / "eval" / "sets" / "core.jsonl", dest="set_path",
                        help="evaluation set (JSONL) whose questions are asked (default: eval/sets/core.jsonl)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")

    try:
        questions = [case.question for case in load_set(args.set_path)]
    except (OSError, ValueError) as exc:
        print(f"Cannot read the question set: {exc}", file=sys.stderr)
        return 1
    if not questions:
        print(f"No questions in {args.set_path}", file=sys.stderr)
        return 1

    settings = Settings(data_dir=args.data) if args.data else Settings()
    answerer = build_answerer(settings)
    try:
        answerer.retriever.load()
        result = run(answerer, questions)
    except IndexNotReadyError as exc:
        print(f"{exc}\nBuild the index first: python -m ingest" + (f" --data {args.data}" if args.data else ""),
              file=sys.stderr)
        return 1
    except KerjasamaError as exc:
        print(f"bench/query.py failed: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
