"""The in-memory exact dense search returns the true nearest neighbours of the vectors Chroma holds, on a real index
(the slice, the real embedder); Chroma's approximate search never beats it."""

from __future__ import annotations

import numpy as np
import pytest

from kerjasama.embeddings import embedder_id
from kerjasama.exactdense import ExactVectors, doc_ids_filter
from kerjasama.store import IndexStore

QUESTIONS = [
    "Berapa lama DPRD harus memberikan persetujuan atas rencana kerja sama daerah dengan pihak luar negeri?",
    "Apa yang dimaksud dengan perjanjian internasional?",
    "Who represents the government in making international agreements?",
    "syarat kerja sama sister city",
]


@pytest.fixture(scope="module")
def stores(slice_settings, embeddings):
    """The same snapshot read twice: searched in memory, and searched by Chroma."""
    index = slice_settings.index_dir()
    name = embedder_id(embeddings)
    return IndexStore(index, embeddings, name, dense_memory_max=1_000_000), IndexStore(index, embeddings, name)


@pytest.fixture(scope="module")
def chroma_vectors(stores):
    """Every vector as Chroma stores it, normalised: (ids, matrix, doc ids) for a brute-force search."""
    _, chroma = stores
    got = chroma.collection.get(include=["embeddings", "metadatas"])
    matrix = np.asarray(got["embeddings"], dtype=np.float64)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return got["ids"], matrix, [m["doc_id"] for m in got["metadatas"]]


def brute_force(chroma_vectors, vector, n: int, doc_ids: set[str] | None = None) -> list[tuple[str, float]]:
    """The true ``n`` nearest of Chroma's stored vectors (cosine, float64, no index)."""
    ids, matrix, docs = chroma_vectors
    q = np.asarray(vector, dtype=np.float64)
    sims = matrix @ (q / np.linalg.norm(q))
    keep = [i for i in range(len(ids)) if doc_ids is None or docs[i] in doc_ids]
    keep.sort(key=lambda i: -sims[i])
    return [(ids[i], float(sims[i])) for i in keep[:n]]


@pytest.mark.parametrize("question", QUESTIONS)
def test_memory_search_equals_chroma(stores, chroma_vectors, embeddings, question):
    memory, chroma = stores
    vec = embeddings.embed_query(question)
    got, want = memory.dense(vec, 60), chroma.dense(vec, 60)
    assert memory._exact is not None and chroma._exact is None  # each took its own path
    assert_true_neighbours(got, brute_force(chroma_vectors, vec, 60))
    assert_exact_dominates(got, want)


def assert_true_neighbours(got: list[tuple[str, float]], truth: list[tuple[str, float]]) -> None:
    """The exact search returns the true nearest neighbours of Chroma's own vectors: the same similarities rank by
    rank, and the same passages but where two similarities tie within float32 rounding."""
    assert len(got) == len(truth)
    assert all(abs(g[1] - t[1]) < 1e-5 for g, t in zip(got, truth, strict=True))
    truth_sims = dict(truth)
    for cid, sim in got:
        assert cid in truth_sims or abs(sim - truth[-1][1]) < 1e-5  # only a tie at the cut may differ


def assert_exact_dominates(got: list[tuple[str, float]], want: list[tuple[str, float]]) -> None:
    """Against Chroma's approximate HNSW only what holds for any correct approximate search (its graph differs
    between builds; a cold build has missed half of a top 10): the same similarity for every passage both return,
    and at every rank at least Chroma's similarity (HNSW may miss a true neighbour, never invent a nearer one)."""
    sims = dict(want)
    assert all(abs(sim - sims[cid]) < 1e-5 for cid, sim in got if cid in sims)
    assert all(g[1] >= w[1] - 1e-5 for g, w in zip(got, want, strict=False))
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)


def test_document_filter_keeps_only_those_documents(stores, chroma_vectors, embeddings):
    memory, chroma = stores
    docs = sorted({r["meta"]["doc_id"] for r in memory.chunk_rows()})
    where = {"doc_id": {"$in": docs[:1]}}
    vec = embeddings.embed_query(QUESTIONS[0])
    got, want = memory.dense(vec, 30, where), chroma.dense(vec, 30, where)
    rows = {r["id"]: r["meta"]["doc_id"] for r in memory.chunk_rows()}
    assert got and all(rows[cid] == docs[0] for cid, _ in got)
    assert_true_neighbours(got, brute_force(chroma_vectors, vec, 30, {docs[0]}))
    assert_exact_dominates(got, want)


def test_stored_vectors_equal_chromas(stores):
    memory, chroma = stores
    ids = [r["id"] for r in memory.chunk_rows()[:50]] + ["no-such-id"]
    got, want = memory.vectors(ids), chroma.vectors(ids)
    assert set(got) == set(want) == set(ids[:50])
    assert all(np.allclose(got[c], want[c], atol=1e-6) for c in got)


def test_size_limit_and_unknown_filters_go_to_chroma(slice_settings, embeddings):
    small = IndexStore(slice_settings.index_dir(), embeddings, embedder_id(embeddings), dense_memory_max=10)
    small.dense(embeddings.embed_query(QUESTIONS[1]), 5)
    assert small._exact is None  # more than 10 vectors: Chroma
    assert doc_ids_filter({"doc_id": "x"}) == (False, None)
    assert doc_ids_filter({"doc_id": {"$in": ["a"]}}) == (True, ["a"])
    assert doc_ids_filter(None) == (True, None)


def test_exact_vectors_order_ties_and_filters():
    vecs = np.array([[1, 0], [0, 1], [1, 0], [0.6, 0.8]], dtype=np.float32)
    ev = ExactVectors(["a", "b", "c", "d"], ["x", "x", "y", "y"], vecs * 3)  # stored unnormalised
    assert [c for c, _ in ev.search([2, 0], 3)] == ["a", "c", "d"]  # ties in stored order
    assert ev.search([1, 0], 10, ["y"]) == [("c", pytest.approx(1.0)), ("d", pytest.approx(0.6))]
    assert ev.search([1, 0], 5, ["nobody"]) == []
    with pytest.raises(ValueError):
        ExactVectors(["a"], ["x", "y"], vecs[:1])
