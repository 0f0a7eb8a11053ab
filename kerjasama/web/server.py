"""Assembles the web app: FastAPI with the JSON API, health, the document reader and the web-component script,
the compact Gradio chat at ``/embed`` and the full one at ``/``, behind the access / embedding middleware.

Only ``app.py`` serves it (uvicorn); tests serve it the same way on a loopback port.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request, Security
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.security import HTTPBasic, HTTPBearer

from kerjasama import __version__, conversation
from kerjasama.answer import Answerer
from kerjasama.conversation import Conversation, ConversationStore
from kerjasama.embeddings import cpu_cores
from kerjasama.models import Answer
from kerjasama.relations import Relations
from kerjasama.settings import Settings
from kerjasama.web import render
from kerjasama.web.api import api_router, install_error_handlers
from kerjasama.web.documents import Library
from kerjasama.web.feedback import AnswerLedger, FeedbackLog
from kerjasama.web.security import (
    AccessMiddleware,
    BodyLimitMiddleware,
    HeadersMiddleware,
    RateLimitMiddleware,
    RootPathMiddleware,
    TokenQueryMiddleware,
    install_log_redaction,
)

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


class FairTurns:
    """At most ``n`` holders at once; the others get their turn strictly in arrival order (a slot is handed to
    the longest waiter, never taken by a newcomer: ``threading.Semaphore`` lets newcomers overtake waiters)."""

    def __init__(self, n: int) -> None:
        self._free = n
        self._waiters: collections.deque[threading.Event] = collections.deque()
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return
            turn = threading.Event()
            self._waiters.append(turn)
        turn.wait()

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft().set()  # the slot passes to the longest waiter
            else:
                self._free += 1


class LedgerAnswerer:
    """The answerer as the web app uses it: every answer it gives is remembered for feedback.

    Questions run in parallel: retrieval and extractive answers are read-only once the index is loaded, and an
    in-process model is guarded by the generative answerer's own gate. Extractive answers are computed
    ``workers`` at a time, the others waiting in arrival order: on two cores, four answers at once finish sooner
    than forty threads sharing them (same throughput, a much shorter tail). Generated answers are not bounded
    here (they mostly wait for the model, within their deadline).
    """

    def __init__(self, answerer: Answerer, ledger: AnswerLedger, workers: int = 0) -> None:
        self._answerer = answerer
        self.ledger = ledger
        self.workers = workers or 2 * cpu_cores()
        self._turns = FairTurns(self.workers) if answerer.backend == "none" else None

    def __getattr__(self, name: str):
        return getattr(self._answerer, name)

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        if self._turns is None:
            yield
            return
        with self._turns:
            yield

    def ask(self, *args, **kwargs):
        """``Answerer.ask``, remembered."""
        with self._turn():
            ans = self._answerer.ask(*args, **kwargs)
        self.ledger.remember(ans.to_dict())
        return ans

    def stream(self, *args, **kwargs) -> Iterator[dict]:
        """``Answerer.stream``, its final answer remembered."""
        if self._turns is not None:  # extractive: compute the answer in one turn, then stream its lines
            with self._turn():
                events = list(self._answerer.stream(*args, **kwargs))
        else:
            events = self._answerer.stream(*args, **kwargs)
        for event in events:
            if event["type"] == "final":
                self.ledger.remember(event["answer"].to_dict())
            yield event

    def converse(self, conv: Conversation, question: str, **options) -> Answer:
        """The next turn of a conversation (``kerjasama.conversation.ask``), remembered."""
        with self._turn():
            ans = conversation.ask(conv, self._answerer, question, **options)
        self.ledger.remember(ans.to_dict())
        return ans

    def converse_stream(self, conv: Conversation, question: str, **options) -> Iterator[dict]:
        """The next turn of a conversation as events (``kerjasama.conversation.stream``), its answer remembered."""
        if self._turns is not None:
            with self._turn():
                events = list(conversation.stream(conv, self._answerer, question, **options))
        else:
            events = conversation.stream(conv, self._answerer, question, **options)
        for event in events:
            if event["type"] == "final":
                self.ledger.remember(event["answer"].to_dict())
            yield event

    def admit(self) -> None:
        """Raise BusyError when a question for the model would be refused now (no-op without a model)."""
        admit = getattr(self._answerer, "admit", None)
        if admit is not None:
            admit()


def health(settings: Settings, answerer: Answerer, library: Library) -> dict:
    """What ``/healthz`` reports, computed once at start (the index a running app serves never changes)."""
    chunks = len(answerer.retriever.chunks)  # loads (and checks) the index if that has not happened yet
    store = answerer.retriever.store
    check = store.check.to_dict() if store.check is not None else None
    return {
        "status": "ok" if check is None or check["ok"] else "damaged",
        "index": settings.index_dir().name,
        "snapshot": store.snapshot_id,
        "index_check": check,
        "documents": len(library.doc_ids()),
        "chunks": chunks,
        "units": (check or {}).get("count", chunks) - chunks if check else 0,
        "last_ingested": library.last_ingested,
        "backend": settings.llm_backend,
        "version": __version__,
    }


def create_app(settings: Settings, answerer: Answerer) -> FastAPI:
    """The whole web app over ``answerer`` (its index must be ready: the UI lists the indexed documents)."""
    import gradio as gr

    from kerjasama.web.ui import build_ui

    ledger = AnswerLedger()
    answerer = LedgerAnswerer(answerer, ledger, settings.answer_workers)  # type: ignore[assignment]
    conversations = ConversationStore()  # shared by the API and the chat
    root = settings.root_path
    relations = Relations.load(settings.citator_file())
    if relations is not None:
        for line in relations.disagreements(answerer.retriever.catalog):
            log.warning("catalog and citator disagree: %s", line)
    library = Library(answerer.retriever, relations)
    feedback = FeedbackLog(settings, ledger)
    install_log_redaction()
    threads = _worker_threads(settings, answerer)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        # Sync routes run in anyio's thread pool (40 by default): questions waiting for the model within their
        # deadline must never leave the other routes without a thread.
        import anyio.to_thread

        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, threads)
        yield

    app = FastAPI(
        title="kerjasama API", version=__version__, description=DESCRIPTION, docs_url="/docs", redoc_url=None,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(api_router(answerer, library, feedback, root, secured=_secured(settings),
                                  conversations=conversations))
    status = health(settings, answerer, library)
    started = time.time()

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict:
        """Liveness, the index served and its integrity check at start (open without auth; never waits on
        answers: it runs on the event loop and reads only what was computed at start)."""
        return {**status, "uptime_s": round(time.time() - started, 1)}

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
        blocks = build_ui(answerer, library, feedback, root=root, compact=compact, conversations=conversations)
        blocks.queue(default_concurrency_limit=4)
        public = f"{root}{path.rstrip('/')}" if root else None
        gr.mount_gradio_app(
            app, blocks, path=path, root_path=public, theme=_theme(), css=css, head=head, show_error=False,
            footer_links=[] if compact else ["api", "settings"], run_history=False, ssr_mode=False,
            server_name=settings.host, server_port=settings.port, max_file_size=settings.max_ui_body_bytes,
        )

    # Outermost last: the token leaves the query string before anything logs it; headers on every response
    # (401s included); the proxy prefix; CORS (preflights need no credentials); access control; then the rate
    # limit (only for allowed clients) and the body limit.
    app.add_middleware(BodyLimitMiddleware, api_limit=settings.max_body_bytes, ui_limit=settings.max_ui_body_bytes)
    app.add_middleware(RateLimitMiddleware, rate_limit=settings.rate_limit)
    app.add_middleware(AccessMiddleware, settings=settings)
    wildcard = settings.allowed_origins == ["*"]
    app.add_middleware(
        CORSMiddleware, allow_origins=settings.allowed_origins, allow_credentials=not wildcard,
        allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"],
        expose_headers=["retry-after"],
    )
    app.add_middleware(RootPathMiddleware, root_path=root)
    app.add_middleware(HeadersMiddleware, settings=settings)
    app.add_middleware(TokenQueryMiddleware)
    return app


def _worker_threads(settings: Settings, answerer: LedgerAnswerer) -> int:
    """Threads the app needs: every question the model's gate admits (running and queued), the extractive
    workers and the waiting in line for them, and room for everything else."""
    gate = getattr(answerer, "gate", None)
    model = gate.slots + gate.waiting_max if gate is not None else 0
    return model + 4 * answerer.workers + 32


def _secured(settings: Settings) -> list:
    """FastAPI security schemes of the configured credentials (shown in /docs; the middleware enforces them)."""
    schemes = []
    if settings.auth_token is not None:
        schemes.append(Security(_DocumentedBearer(auto_error=False, description="KERJASAMA_AUTH_TOKEN")))
    if settings.basic_auth is not None:
        schemes.append(Security(_DocumentedBasic(auto_error=False, description="KERJASAMA_BASIC_AUTH")))
    return schemes


class _DocumentedBearer(HTTPBearer):
    """The bearer scheme in the OpenAPI document; AccessMiddleware checks the credential."""

    async def __call__(self, request: Request) -> None:
        return None


class _DocumentedBasic(HTTPBasic):
    """The basic scheme in the OpenAPI document (FastAPI's own parser refuses UTF-8 passwords)."""

    async def __call__(self, request: Request) -> None:
        return None
