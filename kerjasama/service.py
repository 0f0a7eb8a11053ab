"""Builds the answering pipeline from settings (no work at import time)."""

from __future__ import annotations

from kerjasama.answer import Answerer
from kerjasama.retrieve import HybridRetriever
from kerjasama.settings import Settings


def build_answerer(settings: Settings | None = None, mode: str = "hybrid", embeddings=None) -> Answerer:
    """An :class:`Answerer` over the index of ``settings`` (loaded lazily on the first question)."""
    settings = settings or Settings()
    retriever = HybridRetriever(settings, embeddings=embeddings, mode=mode)
    return Answerer(retriever, settings)
