"""Command line: ``python -m kerjasama ask "..." [--json] [--k 5]`` and an interactive prompt."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from kerjasama.errors import IndexNotReadyError, KerjasamaError, QuestionError
from kerjasama.settings import Settings


def _print_answer(ans, as_json: bool) -> None:
    if as_json:
        print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(ans.answer)
        print(f"\n({ans.latency_ms:.0f} ms)")


def _interactive(answerer, k: int) -> int:
    print(
        "kerjasama — tanyakan hukum kerja sama luar negeri pemerintah daerah / ask about the law. "
        "Ctrl-D: keluar/quit."
    )
    while True:
        try:
            question = input("\n? ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question.strip():
            continue
        try:
            _print_answer(answerer.ask(question, k=k), as_json=False)
        except QuestionError as exc:
            print(exc)


def main(argv: list[str] | None = None) -> int:
    """Entry point; exit 2 for a bad question, 1 for other errors."""
    parser = argparse.ArgumentParser(prog="python -m kerjasama", description="Cited answers from the corpus.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the full answer object as JSON")
    ask.add_argument("--k", type=int, default=None, help="passages to retrieve (default 5)")
    ask.add_argument("--lang", choices=["auto", "id", "en"], default="auto")
    chat = sub.add_parser("chat", help="interactive prompt")
    chat.add_argument("--k", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from kerjasama.service import build_answerer

    settings = Settings()
    try:
        answerer = build_answerer(settings)  # a bad embedder or reranker setting raises here
        if args.cmd == "chat":
            return _interactive(answerer, args.k or settings.top_k)
        _print_answer(answerer.ask(args.question, k=args.k, lang=args.lang), args.json)
    except QuestionError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except IndexNotReadyError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KerjasamaError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
