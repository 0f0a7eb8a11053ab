"""Optional reranking of the fused candidates by a sentence-transformers cross-encoder.

``KERJASAMA_RERANKER=sentence-transformers-cross-encoder:PATH_OR_PACKAGE`` turns it on (off by default). After
fusion and the legal rules, the top ``KERJASAMA_RERANK_TOP_N`` candidates that the question did not pin are
scored by the cross-encoder on ``(question, chunk.embed_text())`` and reordered by that score; pinned hits (a
Pasal the question names) stay first, candidates below the top N keep their fused order after the reranked ones.
The model loads on first use (torch is imported only then), offline, from a local folder.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kerjasama.embeddings import LazyModel, import_sentence_transformers, resolve_model_path
from kerjasama.errors import KerjasamaError

if TYPE_CHECKING:
    from kerjasama.models import Hit
    from kerjasama.settings import Settings

log = logging.getLogger(__name__)

CROSS_ENCODER_PREFIX = "sentence-transformers-cross-encoder:"
OFF = ("", "none", "off")


def parse_reranker(name: str) -> str | None:
    """The model spec of a ``KERJASAMA_RERANKER`` value, or ``None`` when reranking is off."""
    value = (name or "").strip()
    if value.lower() in OFF:
        return None
    if value.startswith(CROSS_ENCODER_PREFIX):
        spec = value[len(CROSS_ENCODER_PREFIX):].strip()
        if spec:
            return spec
    raise KerjasamaError(
        f"Unknown reranker {name!r}. Set KERJASAMA_RERANKER to '' (off, the default) or "
        f"'sentence-transformers-cross-encoder:PATH' (a local cross-encoder folder) or "
        f"'sentence-transformers-cross-encoder:PACKAGE' (an installed package that bundles one)."
    )


class CrossEncoderReranker:
    """Scores (question, passage) pairs with a sentence-transformers ``CrossEncoder``; higher is more relevant.

    Give ``spec`` (a local folder or a package bundling a model; loaded lazily) or a loaded ``model``.
    """

    def __init__(self, spec: str | None = None, model: Any = None, batch_size: int = 32) -> None:
        if spec is None and model is None:
            raise ValueError("CrossEncoderReranker needs a model spec or a loaded model")
        self.spec = spec
        self.path = resolve_model_path(spec, "KERJASAMA_RERANKER") if spec is not None else None
        self.batch_size = batch_size
        self._model = LazyModel(self._load, loaded=model)

    @property
    def model(self) -> Any:
        """The loaded ``CrossEncoder`` (loaded once, offline, thread-safe)."""
        return self._model.get()

    def _load(self) -> Any:
        st = import_sentence_transformers()
        log.info("loading cross-encoder from %s", self.path)
        return st.CrossEncoder(str(self.path), local_files_only=True)

    def score(self, query: str, texts: list[str]) -> list[float]:
        """One relevance score per text for ``query`` (the model's single output per pair)."""
        if not texts:
            return []
        scores = self.model.predict(
            [(query, t) for t in texts], batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        if scores.ndim != 1:
            if scores.ndim == 2 and scores.shape[1] == 1:
                scores = scores[:, 0]
            else:
                raise KerjasamaError(
                    f"KERJASAMA_RERANKER: the model {self.spec or ''!r} gives {scores.shape[-1]} scores per pair; "
                    f"a reranker must be a cross-encoder with one relevance score per (question, passage) pair."
                )
        return [float(s) for s in scores]

    def rerank(self, query: str, hits: list[Hit], top_n: int) -> list[Hit]:
        """``hits`` (best first) with the top ``top_n`` unpinned ones reordered by the cross-encoder's score.

        Pinned hits stay first, in their order. Reranked hits get ``rerank_score``; their fused ``score`` values
        are reassigned in the new order, so scores still fall down the list. Hits below the top N follow as they were.
        """
        pinned = [h for h in hits if h.pinned]
        free = [h for h in hits if not h.pinned]
        head, tail = free[:top_n], free[top_n:]
        scores = self.score(query, [h.chunk.embed_text() for h in head])
        slots = sorted((h.score for h in head), reverse=True)
        for hit, score in zip(head, scores, strict=True):
            hit.rerank_score = score
        head.sort(key=lambda h: h.rerank_score, reverse=True)  # stable: ties keep the fused order
        for hit, slot in zip(head, slots, strict=True):
            hit.score = slot
        return [*pinned, *head, *tail]


def get_reranker(settings: Settings) -> CrossEncoderReranker | None:
    """The reranker ``settings`` ask for, or ``None`` (off). No model loads here; a bad value raises at once."""
    spec = parse_reranker(settings.reranker)
    if spec is None:
        return None
    return CrossEncoderReranker(spec, batch_size=max(settings.embed_batch_size, 8))
