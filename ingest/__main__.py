"""``python -m ingest``: bring the index up to date with ``corpus/``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kerjasama.errors import KerjasamaError
from kerjasama.settings import Settings


def main(argv: list[str] | None = None) -> int:
    """Run an incremental ingest and print its summary; exit 1 on a fatal error."""
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Index the corpus (incremental).")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: KERJASAMA_CORPUS_DIR or ./corpus)")
    parser.add_argument("--data", type=Path, help="data folder for indexes (default: ./data)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    overrides = {}
    if args.corpus:
        overrides["corpus_dir"] = args.corpus
    if args.data:
        overrides["data_dir"] = args.data
    settings = Settings(**overrides)
    from ingest.index import ingest

    try:
        report = ingest(settings, show_progress=not args.quiet)
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
