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
    """One conversation at the terminal: follow-ups are read with what earlier answers established.

    Commands: ``/baru`` (``/new``) starts a new conversation; ``/memo FILE.docx`` (or ``.md``) saves it.
    """
    from kerjasama import conversation
    from kerjasama.export import MemoMeta, to_docx, to_markdown

    print(
        "kerjasama — tanyakan hukum kerja sama luar negeri pemerintah daerah / ask about the law. "
        "/baru (/new): percakapan baru / new conversation; /memo FILE.docx|FILE.md: simpan / save. "
        "Ctrl-D: keluar/quit."
    )
    conv = conversation.Conversation()
    while True:
        try:
            question = input("\n? ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        text = question.strip()
        if not text:
            continue
        if text in ("/baru", "/new"):
            conv = conversation.Conversation()
            print("Percakapan baru. / New conversation.")
            continue
        if text.startswith("/memo"):
            target = text[5:].strip() or "kerjasama-memo.docx"
            store = answerer.retriever.store
            meta = MemoMeta.now(index=f"{store.dir.name}/{store.snapshot_id}")
            answers = [t.answer for t in conv.turns]
            try:
                if target.endswith(".md"):
                    with open(target, "w", encoding="utf-8") as fh:
                        fh.write(to_markdown(answers, meta))
                else:
                    with open(target, "wb") as fh:
                        fh.write(to_docx(answers, meta))
            except OSError as exc:
                print(f"Tidak dapat menyimpan / cannot save {target}: {exc.strerror}")
                continue
            print(f"Tersimpan / saved: {target} ({len(answers)} jawaban / answers)")
            continue
        try:
            _print_answer(conversation.ask(conv, answerer, text, k=k), as_json=False)
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
