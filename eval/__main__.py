"""``python -m eval run SET.jsonl [--k 5] [--out RESULT.json]``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from kerjasama.errors import KerjasamaError


def main(argv: list[str] | None = None) -> int:
    """Run an evaluation set; exit 0 when the run completed, whatever the scores."""
    parser = argparse.ArgumentParser(prog="python -m eval")
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="answer every case of a set and score it")
    run.add_argument("set", type=Path)
    run.add_argument("--k", type=int, default=5)
    run.add_argument("--out", type=Path, default=None, help="write the result JSON here")
    run.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid")
    run.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from eval.runner import run_set
    from kerjasama.service import build_answerer

    try:
        result = run_set(build_answerer(mode=args.mode), args.set, k=args.k, show_progress=not args.quiet)
    except (KerjasamaError, ValueError, OSError) as exc:
        print(f"Eval gagal / failed: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    print(json.dumps({"set": result["set"], "cases": result["cases"], "k": result["k"], **result["metrics"]},
                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
