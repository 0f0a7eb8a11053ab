"""Exact nearest-neighbour search over a snapshot's own vectors, in memory.

A reader already holds every vector of its snapshot (``vectors.bin``, checked against Chroma when the snapshot is
opened). Below a size (``Settings.dense_memory_max``) the dense search runs over them as one normalised float32
matrix: a matrix-vector product and a partial sort, exact (Chroma's HNSW graph is approximate) and several times
faster than a Chroma query, whose fixed cost per call dominates at this size (measured in ``bench/README.md``).
Above that size, or when the vectors live in a Chroma server, the store asks Chroma.

Both give the same answer to the same question: cosine similarity of the query with each stored vector (Chroma's
``cosine`` space returns ``1 - similarity``), nearest first; ``tests/kerjasama/test_exactdense.py`` compares them on
a real index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


class ExactVectors:
    """Normalised vectors of a set of ids, each with the document it belongs to (for ``doc_id`` filters)."""

    def __init__(self, ids: Sequence[str], doc_ids: Sequence[str], vectors: np.ndarray) -> None:
        if len(ids) != len(doc_ids) or len(ids) != len(vectors):
            raise ValueError("ids, doc_ids and vectors differ in length")
        matrix = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self.matrix = matrix / np.where(norms == 0, 1.0, norms)
        self.ids = list(ids)
        names = sorted(set(doc_ids))
        self._doc_code = {name: code for code, name in enumerate(names)}
        self._docs = np.array([self._doc_code[d] for d in doc_ids], dtype=np.int32)

    def search(self, vector: Sequence[float], n: int, doc_ids: Iterable[str] | None = None) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the ``n`` nearest vectors, nearest first (ties by position), only among the
        documents ``doc_ids`` when given."""
        q = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(q))
        # einsum's own loop, not BLAS: OpenBLAS's threads spin after each call, taking the core that the web
        # app's other requests need (measured under load: 10 % fewer answers per second with ``@``).
        sims = np.einsum("ij,j->i", self.matrix, q / norm if norm else q)
        if doc_ids is not None:
            codes = [self._doc_code[d] for d in doc_ids if d in self._doc_code]
            rows = np.flatnonzero(np.isin(self._docs, codes))
            sims_in = sims[rows]
        else:
            rows, sims_in = None, sims
        n = min(n, len(sims_in))
        if n <= 0:
            return []
        top = np.argpartition(-sims_in, n - 1)[:n] if n < len(sims_in) else np.arange(len(sims_in))
        top = top[np.lexsort((top, -sims_in[top]))]
        places = top if rows is None else rows[top]
        return [(self.ids[i], float(sims[i])) for i in places]


def doc_ids_filter(where: dict | None) -> tuple[bool, list[str] | None]:
    """Whether ``where`` (a Chroma filter) can be answered in memory, and the documents it keeps (None: all).

    Only the filter the retriever uses, ``{"doc_id": {"$in": [...]}}``, is understood; any other goes to Chroma.
    """
    if not where:
        return True, None
    if list(where) == ["doc_id"] and isinstance(where["doc_id"], dict) and list(where["doc_id"]) == ["$in"]:
        return True, [str(d) for d in where["doc_id"]["$in"]]
    return False, None
