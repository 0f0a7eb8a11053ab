"""Builds the answering pipeline from settings (no work at import time)."""

from __future__ import annotations

from kerjasama.answer import Answerer
from kerjasama.retrieve import HybridRetriever
from kerjasama.settings import Settings


def build_answerer(settings: Settings | None = None, mode: str = "hybrid", embeddings=None) -> Answerer:
    """An answerer over the index of ``settings`` (loaded lazily on the first question).

    Extractive by default; with ``KERJASAMA_LLM_BACKEND`` set, a generative answerer behind the citation guard.
    """
    settings = settings or Settings()
    retriever = HybridRetriever(settings, embeddings=embeddings, mode=mode)
    if settings.llm_backend != "none":
        from kerjasama.llm.generate import GenerativeAnswerer

        return GenerativeAnswerer(retriever, settings)
    return Answerer(retriever, settings)
