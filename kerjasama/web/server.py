"""Assembles the web app: FastAPI with the JSON API, health, the document reader and the web-component script,
the compact Gradio chat at ``/embed`` and the full one at ``/``, behind the access / embedding middleware.

Only ``app.py`` serves it (uvicorn); tests serve it the same way on a loopback port.
"""

from __future__ import annotations

import logging
import threading
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from kerjasama import __version__
from kerjasama.answer import Answerer
from kerjasama.settings import Settings
from kerjasama.web import render
from kerjasama.web.api import api_router, install_error_handlers
from kerjasama.web.documents import Library
from kerjasama.web.feedback import FeedbackLog
from kerjasama.web.security import AccessMiddleware, HeadersMiddleware, RootPathMiddleware

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "assets"
DESCRIPTION = (
    "Jawaban atas pertanyaan hukum kerja sama luar negeri pemerintah daerah dengan kutipan verbatim dan sitasi "
    "pinpoint, atau penolakan. / Answers on Indonesian law of regional governments' international cooperation "
    "with verbatim quotes and pinpoint citations, or a refusal. Errors are JSON: `{\"error\": message, "
    "\"status\": code}`."
)


def _theme():
    import gradio as gr

    return gr.themes.Soft(
        primary_hue="emerald",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    )


def _web_component_script() -> Path:
    """Gradio's ``gradio.js`` (the ``<gradio-app>`` web component), shipped inside the gradio package."""
    return Path(str(resources.files("gradio").joinpath("templates/frontend/gradio.js")))


class SerialAnswerer:
    """An answerer whose ``ask`` runs one question at a time (the API's thread pool and the chat's queue share it;
    the embedding model is not documented as safe to call from several threads at once, and a question takes
    milliseconds)."""

    def __init__(self, answerer: Answerer) -> None:
        self._answerer = answerer
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        return getattr(self._answerer, name)

    def ask(self, *args, **kwargs):
        """``Answerer.ask`` under the lock."""
        with self._lock:
            return self._answerer.ask(*args, **kwargs)


def create_app(settings: Settings, answerer: Answerer) -> FastAPI:
    """The whole web app over ``answerer`` (its index must be ready: the UI lists the indexed documents)."""
    import gradio as gr

    from kerjasama.web.ui import build_ui

    answerer = SerialAnswerer(answerer)  # type: ignore[assignment]
    root = settings.root_path
    library = Library(answerer.retriever)
    feedback = FeedbackLog(settings)
    app = FastAPI(
        title="kerjasama API", version=__version__, description=DESCRIPTION, docs_url="/docs", redoc_url=None,
    )
    install_error_handlers(app)
    app.include_router(api_router(answerer, library, feedback, root))

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict:
        """Liveness and index summary (open without auth)."""
        chunks = answerer.retriever.chunks
        return {
            "status": "ok",
            "index": settings.index_dir().name,
            "documents": len(library.doc_ids()),
            "chunks": len(chunks),
            "last_ingested": library.last_ingested,
            "version": __version__,
        }

    @app.get("/dokumen/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(doc_id: str) -> HTMLResponse:
        """A whole document as an HTML page; ``#pasal-30`` jumps to a Pasal."""
        info = library.info(doc_id)
        if info is None:
            msg = render.notice_html(f"Dokumen tidak ditemukan: {doc_id}. / Document not found: {doc_id}.")
            return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>404</title>{msg}", status_code=404)
        return HTMLResponse(render.document_page(info, library.sections(doc_id), root))

    @app.get("/embed", include_in_schema=False)
    def embed_slash() -> RedirectResponse:
        """``/embed`` -> ``/embed/`` (the compact chat)."""
        return RedirectResponse(f"{root}/embed/", status_code=307)

    @app.get("/gradio.js", include_in_schema=False)
    def web_component() -> FileResponse:
        """The ``<gradio-app>`` web component, served locally (no CDN needed on an intranet)."""
        return FileResponse(_web_component_script(), media_type="text/javascript")

    css = (ASSETS / "kerjasama.css").read_text(encoding="utf-8")
    head = f"<script>{(ASSETS / 'kerjasama.js').read_text(encoding='utf-8')}</script>"
    for path, compact in (("/embed", True), ("/", False)):
        blocks = build_ui(answerer, library, feedback, root=root, compact=compact)
        blocks.queue(default_concurrency_limit=4)
        public = f"{root}{path.rstrip('/')}" if root else None
        gr.mount_gradio_app(
            app, blocks, path=path, root_path=public, theme=_theme(), css=css, head=head, show_error=False,
            footer_links=[] if compact else ["api", "settings"], run_history=False, ssr_mode=False,
            server_name=settings.host, server_port=settings.port,
        )

    # Outermost last: headers on every response (401s included), the proxy prefix, CORS (preflights need no
    # credentials), then access control.
    app.add_middleware(AccessMiddleware, settings=settings)
    app.add_middleware(
        CORSMiddleware, allow_origins=settings.allowed_origins, allow_credentials=True,
        allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"],
    )
    app.add_middleware(RootPathMiddleware, root_path=root)
    app.add_middleware(HeadersMiddleware, settings=settings)
    return app
