"""Generative answers through any LangChain chat model, behind the citation guard, within a deadline.

The same retrieval and refusal decision as the extractive path; then the model answers from keyed passages.
An answer that passes the guard is returned with ``path="llm"``; one that fails falls back to the extractive
answer with ``path="fallback"``. Streaming yields the model's text as it comes, then the final answer.

Bounds: every answer has one deadline (``answer_deadline``, from the question's arrival) that covers waiting for
the model, connecting, the prompt and the streamed text; past it the answer is the extractive one, with
``path="fallback"`` and a notice as its first line. At most ``llm_max_tokens`` pieces of text are read from the
model, whatever the server does. The model runs in a worker thread; the question's thread only waits on a
queue, so it returns at the deadline even when the server accepts a connection and never answers (the worker
stops at the next piece of text, and an HTTP read gives up by the deadline: closing the stream tells a llama.cpp
server to stop generating). :class:`ModelGate` admits ``llm_concurrency`` generations at once (one for the
in-process llamacpp backend, whose model must not be entered by two threads) and ``llm_queue`` waiting
questions; more raise :class:`BusyError` (the API answers 503 with Retry-After).
"""

from __future__ import annotations

import logging
import math
import queue
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

from kerjasama.answer import REFUSAL, Answerer
from kerjasama.errors import BusyError
from kerjasama.llm.backends import get_chat_model, model_name
from kerjasama.llm.condense import check_condensed, condense_messages
from kerjasama.llm.guard import GuardResult, check_answer
from kerjasama.llm.prompting import build_messages
from kerjasama.models import Answer, Citation, Hit
from kerjasama.query import Query
from kerjasama.retrieve import Filters, HybridRetriever
from kerjasama.settings import Settings

log = logging.getLogger(__name__)


def _llm_errors() -> tuple[type[BaseException], ...]:
    """Errors a model call may raise that mean "no usable answer" (the answer falls back, never crashes)."""
    errors: list[type[BaseException]] = [OSError, TimeoutError, ValueError, RuntimeError]
    try:
        import httpx

        errors.append(httpx.HTTPError)
    except ImportError:
        pass
    try:
        import openai

        errors.append(openai.OpenAIError)
    except ImportError:
        pass
    return tuple(errors)


NOTICE = {
    "id": "Catatan: model bahasa tidak menjawab dalam {s:g} detik; berikut jawaban berupa kutipan langsung.",
    "en": "Note: the language model did not answer within {s:g} s; here are quoted passages instead.",
}
UNAVAILABLE = {
    "id": "Catatan: model bahasa tidak tersedia saat ini; berikut jawaban berupa kutipan langsung.",
    "en": "Note: the language model is not available now; here are quoted passages instead.",
}
CHARS_PER_TOKEN = 16  # a generous bound on one streamed piece, for servers that send several tokens at once
GRACE = 1.0  # seconds an HTTP read may outlive the deadline before the worker gives up too


class DeadlineExceeded(Exception):
    """The answer's deadline passed before the model finished."""


class ModelGate:
    """At most ``slots`` generations at once and ``waiting`` questions queued for a slot.

    ``acquire(deadline)`` returns True with a slot, False when the deadline passes first, and raises
    :class:`BusyError` at once when the queue is full. ``retry_after`` estimates when a slot frees up.
    """

    def __init__(self, slots: int, waiting: int) -> None:
        self.slots = max(1, slots)
        self.waiting_max = max(0, waiting)
        self._sem = threading.Semaphore(self.slots)
        self._lock = threading.Lock()
        self.waiting = 0
        self.running = 0
        self._avg = 5.0  # seconds a generation takes, moving average

    def retry_after(self) -> int:
        """Seconds after which a new question has a fair chance of a slot."""
        return max(1, min(300, math.ceil(self._avg * (self.waiting + 1) / self.slots)))

    def acquire(self, deadline: float) -> bool:
        """Take a slot before ``deadline`` (``time.monotonic()``); see the class docstring."""
        with self._lock:
            if self._sem.acquire(blocking=False):
                self.running += 1
                return True
            if self.waiting >= self.waiting_max:
                raise BusyError(self.retry_after())
            self.waiting += 1
        try:
            got = self._sem.acquire(timeout=max(0.0, deadline - time.monotonic()))
        finally:
            with self._lock:
                self.waiting -= 1
                if got:
                    self.running += 1
        return got

    def release(self, seconds: float) -> None:
        """Give the slot back after a generation of ``seconds``."""
        with self._lock:
            self.running -= 1
            self._avg = 0.8 * self._avg + 0.2 * seconds
        self._sem.release()

    def full(self) -> bool:
        """Whether a new question would be refused now (every slot busy and the queue full)."""
        with self._lock:
            return self.running >= self.slots and self.waiting >= self.waiting_max


class GenerativeAnswerer(Answerer):
    """Answers with an LLM; every accepted sentence cites a passage it was given."""

    def __init__(self, retriever: HybridRetriever, settings: Settings | None = None, chat_model: Any = None,
                 gate: ModelGate | None = None) -> None:
        super().__init__(retriever, settings)
        self._chat = chat_model
        self._chat_lock = threading.Lock()
        self.backend = self.settings.llm_backend
        self.model = model_name(self.settings)
        slots = 1 if self.backend == "llamacpp" else self.settings.llm_concurrency
        self.gate = gate or ModelGate(slots, self.settings.llm_queue)

    @property
    def chat(self) -> Any:
        """The chat model (created on first use, once)."""
        if self._chat is None:
            with self._chat_lock:
                if self._chat is None:
                    self._chat = get_chat_model(self.settings)
        return self._chat

    def warm_up(self) -> None:
        """Load the chat model now (an in-process model takes seconds to load), not on the first question."""
        _ = self.chat

    def admit(self) -> None:
        """Raise :class:`BusyError` if a question for the model would be refused now (before a stream starts)."""
        if self.gate.full():
            raise BusyError(self.gate.retry_after())

    def ask(self, question: str, k: int | None = None, lang: str = "auto", filters: Filters | None = None,
            context: str = "", started: float | None = None) -> Answer:
        """Answer one question (the final event of :meth:`stream`)."""
        final: Answer | None = None
        for event in self.stream(question, k=k, lang=lang, filters=filters, context=context, started=started):
            if event["type"] == "final":
                final = event["answer"]
        assert final is not None
        return final

    def stream(
        self, question: str, k: int | None = None, lang: str = "auto", filters: Filters | None = None,
        context: str = "", started: float | None = None,
    ) -> Iterator[dict]:
        """Events: ``{"type": "token", "text": ...}`` while the model writes, then ``{"type": "final", "answer"}``.

        The final answer may differ from the streamed text: a guarded rewrite, or the extractive fallback.
        ``context``: the earlier question of a conversation that this follow-up is read with.
        """
        began = time.perf_counter()
        # ``started``: when the question arrived (time.monotonic()), if it waited before this call (the web app's
        # queue for a worker thread); the deadline counts from then.
        deadline = (started if started is not None else time.monotonic()) + self.settings.answer_deadline
        q = self.check_question(question)
        query = self.retriever.analyze(q, None if lang in ("auto", "", None) else lang, context=context)
        lang = query.lang
        hits = self.retriever.retrieve(q, k or self.settings.top_k, filters, q=query)
        refusal = self.refusal(query, hits)
        if refusal:
            ans = self.refused(query, hits, refusal)
        else:
            passages = hits[: self.settings.llm_passages]
            text = ""
            error = ""
            notice = ""
            try:
                for content in self._generate(build_messages(q, passages, lang, REFUSAL[lang]), deadline):
                    text += content
                    yield {"type": "token", "text": content}
            except DeadlineExceeded:
                log.warning("LLM (%s) did not answer within %.0f s; extractive fallback", self.backend,
                            self.settings.answer_deadline)
                error = f"deadline: no answer within {self.settings.answer_deadline:g} s"
                notice = NOTICE[lang].format(s=self.settings.answer_deadline)
            except _llm_errors() as exc:
                log.warning("LLM call failed (%s): %s", self.backend, exc)
                error = f"LLM error: {type(exc).__name__}"
                notice = UNAVAILABLE[lang]
            guard = check_answer(text, passages, tuple(REFUSAL.values())) if not error else None
            ans = self._from_guard(query, hits, passages, guard, error)
            if notice:
                ans.answer = f"{notice}\n\n{ans.answer}"
        ans.latency_ms = (time.perf_counter() - began) * 1000
        self.record(ans)
        yield {"type": "final", "answer": ans}

    def condense(self, question: str, history: list[str]) -> str | None:
        """``question`` (a follow-up) rewritten by the model as a standalone question, or None when the model is
        busy, fails, takes longer than ``condense_deadline`` or writes something :func:`check_condensed` refuses
        (the caller then keeps the rules' reading)."""
        if not self.settings.llm_condense or not history:
            return None
        deadline = time.monotonic() + self.settings.condense_deadline
        text = ""
        try:
            for content in self._generate(condense_messages(question, history), deadline):
                text += content
                if "\n" in text.strip():
                    break  # one line is all that is asked for
        except (DeadlineExceeded, BusyError) as exc:
            log.info("follow-up not condensed by the LLM (%s); rules used", type(exc).__name__)
            return None
        except _llm_errors() as exc:
            log.warning("LLM condensation failed (%s): %s; rules used", self.backend, exc)
            return None
        self.retriever.load()
        checked = check_condensed(text, question, history, self.retriever.analyzer.refs)
        if not checked.ok:
            log.info("LLM rewrite of a follow-up refused (%s); rules used", checked.problem)
            return None
        return checked.text

    def _generate(self, messages: list, deadline: float) -> Iterator[str]:
        """The model's text piece by piece, from a worker thread; DeadlineExceeded when ``deadline`` passes.

        Takes a slot of the gate (BusyError when the queue is full); the worker gives it back when it stops.
        """
        if not self.gate.acquire(deadline):
            raise DeadlineExceeded
        pieces: queue.Queue = queue.Queue()
        cancel = threading.Event()
        limit = self.settings.llm_max_tokens

        def work() -> None:
            began = time.monotonic()
            try:
                count, chars = 0, 0
                chat = self.chat  # an in-process model loads here, within the deadline
                stream = chat.stream(messages, **self._call_options(chat, deadline))
                try:
                    for piece in stream:
                        if cancel.is_set():
                            break
                        content = piece.content if isinstance(piece.content, str) else ""
                        if not content:
                            continue
                        count += 1
                        chars += len(content)
                        pieces.put(("text", content))
                        if count >= limit or chars >= limit * CHARS_PER_TOKEN:
                            log.info("LLM output cut at llm_max_tokens (%d)", limit)
                            break
                finally:
                    close = getattr(stream, "close", None)
                    if close is not None:
                        close()  # closes the HTTP stream: the server stops generating
                pieces.put(("end", None))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, which decides
                pieces.put(("error", exc))
            finally:
                self.gate.release(time.monotonic() - began)

        threading.Thread(target=work, name="kerjasama-llm", daemon=True).start()
        try:
            while True:
                try:
                    kind, value = pieces.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise DeadlineExceeded from None
                if kind == "text":
                    yield value
                elif kind == "end":
                    return
                else:
                    raise value
        finally:
            cancel.set()

    def _call_options(self, chat: Any, deadline: float) -> dict:
        """Per-call options: an OpenAI-compatible HTTP call gives up by the deadline (plus a grace second)."""
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:
            return {}
        if isinstance(chat, ChatOpenAI):
            return {"timeout": max(0.1, min(self.settings.llm_timeout, deadline - time.monotonic() + GRACE))}
        return {}

    def _from_guard(
        self, query: Query, hits: list[Hit], passages: list[Hit], guard: GuardResult | None, error: str
    ) -> Answer:
        q, lang = query.text, query.lang
        if guard is not None and guard.ok and guard.refusal:
            return Answer(q, REFUSAL[lang], True, "llm", lang, [], hits, reason="the model found no answer")
        if guard is None or not guard.ok:
            fallback = self.answer(query, hits)
            fallback.path = "fallback"
            fallback.reason = error if guard is None else "guard: " + "; ".join(guard.problems[:3])
            return fallback
        citations: list[Citation] = []
        number: dict[int, int] = {}
        for sentence in guard.sentences:
            for key in sentence.keys:
                if key in number:
                    continue
                hit = passages[key - 1]
                claims = " ".join(s.text for s in guard.sentences if key in s.keys)
                span = self.best_span(hit, claims) or (0, len(hit.chunk.text), "", 0.0)
                number[key] = len(citations) + 1
                citations.append(self.citation(number[key], hit.chunk, span[0], span[1], span[2]))
        body = " ".join(_renumber(s.text, number) for s in guard.sentences)
        return Answer(q, self._compose(citations, lang, [body]), False, "llm", lang, citations, hits)


def _renumber(sentence: str, number: dict[int, int]) -> str:
    return re.sub(r"\[(\d{1,2})\]", lambda m: f"[{number.get(int(m.group(1)), int(m.group(1)))}]", sentence)
