"""``python -m ingest``: update the index from ``corpus/``; ``--check`` verifies it, ``--rebuild`` rebuilds it.

Exit status: 0 done (or, with ``--check``, the index is intact); 1 failure, damaged or missing index; 75 another
ingest holds the index (with ``--no-wait``, or after ``KERJASAMA_INGEST_WAIT`` seconds); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from kerjasama.errors import IndexBusyError, IndexNotReadyError, KerjasamaError
from kerjasama.settings import Settings

EX_TEMPFAIL = 75


def _check(settings: Settings, as_json: bool) -> int:
    """Full integrity check of the current snapshot; prints the result."""
    from kerjasama.embeddings import embedder_id, get_embedder
    from kerjasama.store import IndexStore

    embeddings = get_embedder(settings.embedder, settings)
    store = IndexStore(settings.index_dir(), embeddings, embedder_id(embeddings))
    try:
        check = store.verify(full=True)
    except IndexNotReadyError as exc:
        print(json.dumps({"ok": False, "problems": [exc.detail]}) if as_json else str(exc), file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(check.to_dict(), ensure_ascii=False, indent=1))
    elif check.ok:
        print(
            f"Indeks utuh / index intact: {settings.index_dir().name}/{check.snapshot}, {check.count} chunk, "
            f"setiap vektor diperiksa / every vector checked ({check.seconds:.1f} s)"
        )
    else:
        print(
            f"Indeks RUSAK / index DAMAGED: {settings.index_dir().name}/{check.snapshot}\n"
            + "\n".join(f"- {p}" for p in check.problems)
            + "\nPerbaiki dengan / repair with: python -m ingest --rebuild",
            file=sys.stderr,
        )
    return 0 if check.ok else 1


def main(argv: list[str] | None = None) -> int:
    """Run an ingest (or a check) and print its summary."""
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Index the corpus (incremental).")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: KERJASAMA_CORPUS_DIR or ./corpus)")
    parser.add_argument("--data", type=Path, help="data folder for indexes (default: ./data)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--verbose", "-v", action="store_true", help="print each phase of the ingest")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="verify the current index in full (every id, vector and file); exit 1 if damaged")
    mode.add_argument("--rebuild", action="store_true",
                      help="embed everything again into a new snapshot beside the current one, then swap it in")
    parser.add_argument("--json", action="store_true", help="with --check: print the result as JSON")
    parser.add_argument("--no-wait", action="store_true",
                        help="exit at once (status 75) if another ingest is writing this index")
    args = parser.parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.verbose:
        for noisy in ("chromadb", "httpx", "bm25s"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    overrides = {}
    if args.corpus:
        overrides["corpus_dir"] = args.corpus
    if args.data:
        overrides["data_dir"] = args.data
    try:
        settings = Settings(**overrides)
    except ValueError as exc:
        print(f"Pengaturan tidak sah / invalid settings:\n{exc}", file=sys.stderr)
        return 2
    if args.check:
        try:
            return _check(settings, args.json)
        except KerjasamaError as exc:
            print(f"Pemeriksaan gagal / check failed: {exc}", file=sys.stderr)
            return 1
    from ingest.index import ingest

    def waiting(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        report = ingest(
            settings, show_progress=not args.quiet, rebuild=args.rebuild, wait=0 if args.no_wait else None,
            on_wait=waiting,
        )
    except IndexBusyError as exc:
        print(str(exc), file=sys.stderr)
        return EX_TEMPFAIL
    except KerjasamaError as exc:
        print(f"Ingest gagal / failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "Dihentikan. Jalankan lagi untuk melanjutkan. / Interrupted: run again to complete the index.",
            file=sys.stderr,
        )
        return 130
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
