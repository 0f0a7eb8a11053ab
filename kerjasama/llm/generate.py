"""Generative answers through any LangChain chat model, behind the citation guard.

The same retrieval and refusal decision as the extractive path; then the model answers from keyed passages.
An answer that passes the guard is returned with ``path="llm"``; one that fails falls back to the extractive
answer with ``path="fallback"``. Streaming yields the model's text as it comes, then the final answer.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

from kerjasama.answer import REFUSAL, Answerer
from kerjasama.llm.backends import get_chat_model, model_name
from kerjasama.llm.guard import GuardResult, check_answer
from kerjasama.llm.prompting import build_messages
from kerjasama.models import Answer, Citation, Hit
from kerjasama.retrieve import Filters, HybridRetriever
from kerjasama.settings import Settings
from kerjasama.text import detect_lang

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


class GenerativeAnswerer(Answerer):
    """Answers with an LLM; every accepted sentence cites a passage it was given."""

    def __init__(self, retriever: HybridRetriever, settings: Settings | None = None, chat_model: Any = None) -> None:
        super().__init__(retriever, settings)
        self._chat = chat_model
        self.backend = self.settings.llm_backend
        self.model = model_name(self.settings)

    @property
    def chat(self) -> Any:
        """The chat model (created on first use)."""
        if self._chat is None:
            self._chat = get_chat_model(self.settings)
        return self._chat

    def ask(self, question: str, k: int | None = None, lang: str = "auto", filters: Filters | None = None) -> Answer:
        """Answer one question (the final event of :meth:`stream`)."""
        final: Answer | None = None
        for event in self.stream(question, k=k, lang=lang, filters=filters):
            if event["type"] == "final":
                final = event["answer"]
        assert final is not None
        return final

    def stream(
        self, question: str, k: int | None = None, lang: str = "auto", filters: Filters | None = None
    ) -> Iterator[dict]:
        """Events: ``{"type": "token", "text": ...}`` while the model writes, then ``{"type": "final", "answer"}``.

        The final answer may differ from the streamed text: a guarded rewrite, or the extractive fallback.
        """
        started = time.perf_counter()
        q = self.check_question(question)
        lang = detect_lang(q) if lang in ("auto", "", None) else lang
        hits = self.retriever.retrieve(q, k or self.settings.top_k, filters)
        refs = self.retriever.refs(q)
        reason = self.refusal_reason(q, hits, refs)
        if reason:
            ans = Answer(q, REFUSAL[lang], True, "extractive", lang, [], hits, reason=reason)
        else:
            passages = hits[: self.settings.llm_passages]
            text = ""
            error = ""
            try:
                for piece in self.chat.stream(build_messages(q, passages, lang, REFUSAL[lang])):
                    content = piece.content if isinstance(piece.content, str) else ""
                    if content:
                        text += content
                        yield {"type": "token", "text": content}
            except _llm_errors() as exc:
                log.warning("LLM call failed (%s): %s", self.backend, exc)
                error = f"LLM error: {type(exc).__name__}"
            guard = check_answer(text, passages, tuple(REFUSAL.values())) if not error else None
            ans = self._from_guard(q, lang, hits, passages, guard, error)
        ans.latency_ms = (time.perf_counter() - started) * 1000
        self.record(ans)
        yield {"type": "final", "answer": ans}

    def _from_guard(
        self, q: str, lang: str, hits: list[Hit], passages: list[Hit], guard: GuardResult | None, error: str
    ) -> Answer:
        if guard is not None and guard.ok and guard.refusal:
            return Answer(q, REFUSAL[lang], True, "llm", lang, [], hits, reason="the model found no answer")
        if guard is None or not guard.ok:
            fallback = self.extractive(q, lang, hits)
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
