"""The JSON API under ``/api``: ask, documents, one Pasal, feedback. Errors are JSON with a bilingual message.

``POST /api/ask`` returns exactly ``Answer.to_dict()``, the object ``python -m kerjasama ask --json`` prints, with
the ``conversation_id`` to continue the conversation (follow-ups are read with what it established) and, for a
follow-up, ``understood_as``. ``GET /api/conversations/{id}/export?format=md|docx`` takes the answers away as a
memo. ``GET /api/national/search`` and ``/api/national/{id}`` search and describe the national collection
(``make national``), with filters (kind, years, in force, documents) applied inside the search.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from kerjasama import conversation
from kerjasama.answer import Answerer
from kerjasama.conversation import ConversationStore
from kerjasama.errors import BusyError, IndexNotReadyError, KerjasamaError, QuestionError, scrub_paths
from kerjasama.export import MemoMeta, to_docx, to_markdown
from kerjasama.retrieve import Filters
from kerjasama.web.documents import Library
from kerjasama.web.feedback import MAX_COMMENT_CHARS, FeedbackError, FeedbackLog

log = logging.getLogger(__name__)

MARKDOWN = "text/markdown"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXAMPLE_QUESTION = "Apakah kerja sama kota kembar dengan pemerintah daerah di luar negeri perlu persetujuan DPRD?"


class ApiError(Exception):
    """An error with an HTTP status and a bilingual message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str, detail: object = None, headers: dict | None = None) -> JSONResponse:
    """The one error shape: ``{"error": message, "status": status[, "detail": ...]}``; never a path of this machine."""
    body: dict = {"error": scrub_paths(message), "status": status}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers)


# -- request and response models (the response models document the shape; answers are returned as is) --------
class FiltersIn(BaseModel):
    """Restrict retrieval to some documents, or to documents in force."""

    model_config = ConfigDict(extra="forbid")
    doc_ids: list[str] = Field(default_factory=list, max_length=100,
                               description="Only these documents (ids from /api/documents).")
    in_force_only: bool = Field(False, description="Leave out repealed documents.")


class HistoryIn(BaseModel):
    """An earlier question of the conversation (for clients that keep their own history)."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., max_length=2000, description="The earlier question, as asked.")
    citations: list[str] = Field(default_factory=list, max_length=20,
                                 description="Optional: the pinpoint citations its answer gave (informational).")


class AskIn(BaseModel):
    """A question, optionally the next turn of a conversation."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., max_length=100_000, description="The question, Indonesian or English.",
                          examples=[EXAMPLE_QUESTION])
    conversation_id: str | None = Field(
        None, max_length=64, pattern=r"^[0-9a-f]{8,64}$",
        description="Continue this conversation (the `conversation_id` of an earlier answer); a follow-up such as "
        "'Berapa lama batasnya?' is read with what it established. Unknown or expired: a new conversation.",
    )
    history: list[HistoryIn] = Field(
        default_factory=list, max_length=20,
        description="Earlier questions of the conversation, oldest first (instead of `conversation_id`).",
    )
    k: int | None = Field(None, ge=1, le=50, description="Passages to retrieve (default: setting top_k).")
    lang: Literal["auto", "id", "en"] = Field("auto", description="Language of the answer's framing.")
    filters: FiltersIn | None = None
    stream: bool = Field(
        False,
        description="Server-sent events: `token` events with the text as it is written, then one `final` event "
        "with the answer object (citations at the end).",
    )


class CitationOut(BaseModel):
    n: int
    cite: str
    title: str
    status: str
    quote: str
    doc_id: str
    chunk_id: str
    replaced_by: str
    note: str


class PassageOut(BaseModel):
    rank: int
    score: float
    cite: str
    text: str
    chunk_id: str
    doc_id: str


class AnswerOut(BaseModel):
    """Same object as ``python -m kerjasama ask --json``."""

    question: str
    answer: str
    refused: bool
    path: str
    lang: str
    citations: list[CitationOut]
    passages: list[PassageOut]
    latency_ms: float
    understood_as: str | None = Field(None, description="How a follow-up was understood (only for follow-ups).")
    conversation_id: str = Field(..., description="Pass it back to continue the conversation; export it with "
                                 "GET /api/conversations/{id}/export.")
    national: list[CitationOut] | None = Field(
        None, description="Only on a refusal, when the national collection (`make national`) answers: its "
        "passages, quoted verbatim, outside the focus corpus (status: the citator's).")


class FeedbackIn(BaseModel):
    """A rating of an answer returned by ``/api/ask`` (only answers this server gave are accepted)."""

    model_config = ConfigDict(extra="forbid")
    answer: dict = Field(..., description="The answer object exactly as returned by /api/ask.")
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=MAX_COMMENT_CHARS, description="Optional comment.")


class ErrorOut(BaseModel):
    error: str
    status: int


ERRORS = {400: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"model": ErrorOut},
          429: {"model": ErrorOut}}


def _filters(library: Library, filters: FiltersIn | None) -> Filters | None:
    if filters is None:
        return None
    known = set(library.doc_ids())
    unknown = [d for d in filters.doc_ids if d not in known]
    if unknown:
        raise ApiError(
            400, f"Dokumen tidak dikenal: {', '.join(unknown)}. / Unknown document: {', '.join(unknown)}. "
            "Lihat / see GET /api/documents."
        )
    return Filters(doc_ids=list(filters.doc_ids), in_force_only=filters.in_force_only)


def _sse(events: Iterator[dict]) -> Iterator[str]:
    """Server-sent events of an answer stream: ``token`` events, then ``final`` (or ``error``)."""
    try:
        for event in events:
            if event["type"] == "final":
                yield f"event: final\ndata: {json.dumps(event['answer'].to_dict(), ensure_ascii=False)}\n\n"
            else:
                yield f"event: token\ndata: {json.dumps({'text': event['text']}, ensure_ascii=False)}\n\n"
    except KerjasamaError as exc:
        log.warning("streamed question failed: %s", exc)
        yield f"event: error\ndata: {json.dumps({'error': exc.public}, ensure_ascii=False)}\n\n"


def api_router(answerer: Answerer, library: Library, feedback: FeedbackLog, root: str = "",
               secured: list | None = None, conversations: ConversationStore | None = None) -> APIRouter:
    """The ``/api`` routes over one answerer (``secured``: security dependencies shown in the OpenAPI document)."""
    router = APIRouter(prefix="/api", tags=["api"], dependencies=secured or [])
    conversations = conversations or ConversationStore()

    @router.post("/ask", responses={200: {"model": AnswerOut}, **ERRORS, 503: {"model": ErrorOut}})
    def ask(body: AskIn, request: Request) -> Response:
        """Answer a question with verbatim quotes and pinpoint citations, or the refusal.

        503 with Retry-After when the language model's queue is full.
        """
        filters = _filters(library, body.filters)
        timing = {"started": request.scope["kerjasama.arrived"]} if "kerjasama.arrived" in request.scope and \
            getattr(answerer, "backend", "none") != "none" else {}
        answerer.check_question(body.question)  # a bad question is a 4xx before anything else
        conv = conversations.get(body.conversation_id)
        if body.history and not conv.turns:
            conversation.replay(conv, answerer, [h.question for h in body.history], k=body.k, lang=body.lang,
                                filters=filters)
        converse = getattr(answerer, "converse", None)
        if body.stream:
            admit = getattr(answerer, "admit", None)
            if admit is not None:
                admit()  # a full model queue is a 503 before the stream starts
            events = (answerer.converse_stream(conv, body.question, k=body.k, lang=body.lang, filters=filters,
                                               **timing) if converse else
                      conversation.stream(conv, answerer, body.question, k=body.k, lang=body.lang, filters=filters,
                                          **timing))
            return StreamingResponse(
                _sse(events), media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        if converse:
            ans = converse(conv, body.question, k=body.k, lang=body.lang, filters=filters, **timing)
        else:
            ans = conversation.ask(conv, answerer, body.question, k=body.k, lang=body.lang, filters=filters, **timing)
        return JSONResponse(ans.to_dict())

    @router.get("/conversations/{conversation_id}/export",
                responses={200: {"content": {MARKDOWN: {}, DOCX: {}}}, 404: {"model": ErrorOut}})
    def export(
        conversation_id: str,
        format: Literal["md", "docx"] = Query("md", description="Markdown note or DOCX memo."),  # noqa: A002
        turn: int | None = Query(None, ge=1, le=100, description="Only this answer (1 = the first)."),
        lang: Literal["id", "en"] = Query("id", description="Language of the memo's headings."),
    ) -> Response:
        """The conversation (or one of its answers) as a memo: questions, answers, numbered citations with
        pinpoint, title, status and quote, the date and the index snapshot it was produced from."""
        conv = conversations.find(conversation_id)
        if conv is None or not conv.turns:
            raise ApiError(404, "Percakapan tidak ditemukan (atau sudah kedaluwarsa). / "
                                "Conversation not found (or expired).")
        if turn is not None and turn > len(conv.turns):
            raise ApiError(404, f"Percakapan ini punya {len(conv.turns)} jawaban. / "
                                f"This conversation has {len(conv.turns)} answers.")
        answers = [t.answer for t in conv.turns] if turn is None else [conv.turns[turn - 1].answer]
        store = answerer.retriever.store
        meta = MemoMeta.now(index=f"{store.dir.name}/{store.snapshot_id}")
        name = f"kerjasama-{conversation_id[:8]}{'-' + str(turn) if turn else ''}"
        if format == "docx":
            return Response(to_docx(answers, meta, lang), media_type=DOCX,
                            headers={"Content-Disposition": f'attachment; filename="{name}.docx"'})
        return Response(to_markdown(answers, meta, lang), media_type=f"{MARKDOWN}; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.md"'})

    @router.get("/documents")
    def documents() -> dict:
        """The catalog of indexed documents (title, citation, status, chunk count, last ingested)."""
        docs = library.documents()
        return {"last_ingested": library.last_ingested, "documents": [d.to_dict() for d in docs]}

    @router.get("/documents/{doc_id}", responses={404: {"model": ErrorOut}})
    def document(doc_id: str) -> dict:
        """One document: catalog row and its sections (Pasal, Penjelasan, prose passages) with their text."""
        info = library.info(doc_id)
        if info is None:
            raise ApiError(404, f"Dokumen tidak ditemukan: {doc_id}. / Document not found: {doc_id}.")
        sections = library.sections(doc_id)
        return {**info.to_dict(), "url": f"{root}/dokumen/{doc_id}", "sections": [s.to_dict() for s in sections]}

    @router.get("/documents/{doc_id}/pasal/{pasal}", responses={404: {"model": ErrorOut}})
    def pasal(
        doc_id: str,
        pasal: str,
        part: Literal["body", "penjelasan", "pembukaan"] = Query("body", description="Body, Penjelasan or preamble."),
    ) -> dict:
        """One Pasal (or Article, Menimbang, ...) in full: ``/api/documents/pp-28-2018/pasal/30``."""
        info = library.info(doc_id)
        if info is None:
            raise ApiError(404, f"Dokumen tidak ditemukan: {doc_id}. / Document not found: {doc_id}.")
        section = library.find_pasal(doc_id, pasal, part)
        if section is None:
            raise ApiError(
                404, f"{pasal} tidak ditemukan dalam {info.short}. / {pasal} was not found in {info.short}."
            )
        return {
            "doc_id": doc_id,
            "title": info.title,
            "short": info.short,
            "status": info.status,
            "url": f"{root}/dokumen/{doc_id}#{section.key}",
            **section.to_dict(),
        }

    def _national():
        found = getattr(answerer, "national", None)
        if found is None:
            raise ApiError(404, "Koleksi nasional belum dibangun: jalankan `make national`. / The national collection "
                                "is not built: run `make national`.")
        return found

    @router.get("/national/search", responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}})
    def national_search(
        q: Annotated[str, Query(min_length=1, max_length=2000, description="The question or search words.")],
        k: Annotated[int, Query(ge=1, le=50, description="Passages returned.")] = 5,
        kind: Annotated[list[Literal["uu", "pp"]], Query(description="Only these kinds of regulation.")] = [],  # noqa: B006
        year_from: Annotated[int | None, Query(ge=1945, le=2100)] = None,
        year_to: Annotated[int | None, Query(ge=1945, le=2100)] = None,
        in_force_only: Annotated[bool, Query(description="Leave out regulations the citator marks revoked.")] = False,
        doc_id: Annotated[list[str], Query(description="Only these regulations (ids such as uu-1974-1).")] = [],  # noqa: B006
    ) -> dict:
        """Passages of the national collection: BM25 on disk, re-ranked by dense similarity; filters inside."""
        from kerjasama.national import NationalFilters

        national = _national()
        query = answerer.retriever.analyze(answerer.check_question(q))
        filters = NationalFilters(doc_ids=doc_id, kinds=list(kind), year_from=year_from, year_to=year_to,
                                  in_force_only=in_force_only)
        hits = national.search(query.weights, query.dense_texts[0] if query.dense_texts else q, k, filters)
        docs = {d: national.document(d) or {} for d in {h.chunk.doc_id for h in hits}}
        return {"query": q, "passages": [
            {"rank": i, "score": round(h.score, 6), "cite": h.chunk.cite, "doc_id": h.chunk.doc_id,
             "chunk_id": h.chunk.id, "tentang": docs[h.chunk.doc_id].get("tentang", ""),
             "status": docs[h.chunk.doc_id].get("status", ""), "text": h.chunk.text}
            for i, h in enumerate(hits, start=1)]}

    @router.get("/national/{doc_id}", responses={404: {"model": ErrorOut}})
    def national_document(doc_id: str) -> dict:
        """One regulation of the national collection: jenis, nomor, tahun, tentang, dates, status (citator)."""
        doc = _national().document(doc_id)
        if doc is None:
            raise ApiError(404, f"Peraturan tidak ditemukan: {doc_id}. / Regulation not found: {doc_id}.")
        return {k: doc[k] for k in ("id", "short", "jenis", "nomor", "tahun", "tentang", "ditetapkan", "diundangkan",
                                     "status", "chunks")}

    @router.post("/feedback", status_code=201, responses={**ERRORS, 403: {"model": ErrorOut}})
    def post_feedback(body: FeedbackIn) -> dict:
        """Save a thumbs up / down (and optional comment) on an answer to the feedback log."""
        if not feedback.enabled:
            raise ApiError(403, "Umpan balik dinonaktifkan. / Feedback is switched off.")
        return {"saved": True, "entry": feedback.record(body.answer, body.rating, body.comment)}

    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(rest: str, request: Request) -> None:
        """Anything else under /api: a JSON 404 (or 405 for a known path), never the UI's HTML."""
        path = request.url.path[request.url.path.index("/api/") :]
        allowed = {m for r in router.routes if isinstance(r, APIRoute) and r.name != "unknown"
                   and r.path_regex.match(path) for m in r.methods}
        if allowed:
            raise ApiError(405, "Metode tidak diizinkan. / Method not allowed.")
        raise ApiError(404, "Tidak ditemukan. / Not found.")

    return router


def _validation_message(exc: RequestValidationError) -> tuple[int, str, list]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "Badan permintaan bukan JSON yang sah. / The request body is not valid JSON.", []
    detail = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": e.get("msg", "")}
              for e in errors]
    if any(e.get("type") == "missing" and tuple(e.get("loc", ())) in (("body",), ("body", "question")) for e in errors):
        return 422, "Pertanyaan wajib diisi: {\"question\": \"...\"}. / A question is required.", detail
    fields = ", ".join(d["field"] or "body" for d in detail)
    return 422, f"Permintaan tidak sah ({fields}). / Invalid request ({fields}).", detail


def install_error_handlers(app: FastAPI) -> None:
    """JSON errors with a bilingual message and a 4xx status; a 500 never carries a traceback."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, message, detail = _validation_message(exc)
        return error_response(status, message, detail or None)

    @app.exception_handler(QuestionError)
    async def _question(request: Request, exc: QuestionError) -> JSONResponse:
        return error_response(400, str(exc))

    @app.exception_handler(FeedbackError)
    async def _feedback(request: Request, exc: FeedbackError) -> JSONResponse:
        return error_response(400, str(exc))

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message)

    @app.exception_handler(IndexNotReadyError)
    async def _index(request: Request, exc: IndexNotReadyError) -> JSONResponse:
        return error_response(503, exc.public)

    @app.exception_handler(BusyError)
    async def _busy(request: Request, exc: BusyError) -> JSONResponse:
        return error_response(503, exc.public, headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(KerjasamaError)
    async def _kerjasama(request: Request, exc: KerjasamaError) -> JSONResponse:
        log.warning("request failed on %s: %s", request.url.path, exc)
        return error_response(500, exc.public)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            404: "Tidak ditemukan. / Not found.",
            405: "Metode tidak diizinkan. / Method not allowed.",
        }
        return error_response(exc.status_code, messages.get(exc.status_code, str(exc.detail)),
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        message = "Terjadi kesalahan internal; lihat log server. / Internal error; see the server log."
        return error_response(500, message)
