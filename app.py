"""Start the web app: ``python app.py [--host 127.0.0.1] [--port 7860] [--root-path /asisten]``.

Serves the chat at ``/``, the compact chat for iframes at ``/embed``, the JSON API at ``/api`` (OpenAPI at
``/docs``) and ``/healthz``. Settings come from ``KERJASAMA_*`` environment variables (see README); the options
here override them. Build the index first (``python -m ingest``; ``make run`` does both).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

log = logging.getLogger("kerjasama.app")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (unset ones fall back to the settings)."""
    parser = argparse.ArgumentParser(prog="python app.py", description="kerjasama web app (chat, API, embedding).")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1; setting KERJASAMA_HOST)")
    parser.add_argument("--port", type=int, help="port (default 7860; setting KERJASAMA_PORT)")
    parser.add_argument("--root-path", help="public path prefix behind a reverse proxy, e.g. /asisten")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build the app over the index of the current settings and serve it until Ctrl-C."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

    from pydantic import ValidationError

    from kerjasama.errors import IndexNotReadyError
    from kerjasama.settings import Settings

    overrides = {"host": args.host, "port": args.port, "root_path": args.root_path}
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        log.error("Pengaturan tidak sah / invalid settings:\n%s", exc)
        return 2

    import uvicorn

    from kerjasama.service import build_answerer
    from kerjasama.web.security import exposure_warning
    from kerjasama.web.server import create_app

    warning = exposure_warning(settings)
    if warning:
        log.warning(warning)
    answerer = build_answerer(settings)
    try:
        answerer.retriever.retrieve("kerja sama daerah", 1)  # load the index and the embedder now, not on a question
    except IndexNotReadyError as exc:
        log.error("%s", exc)
        return 1
    app = create_app(settings, answerer)
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    log.info("kerjasama siap / ready: http://%s:%d%s/", shown, settings.port, settings.root_path)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
