"""Every generated answer is bounded: a deadline that covers waiting, connecting, the prompt and streaming;
``max_tokens`` enforced on our side; a bounded queue for the model. Against servers that misbehave on loopback
(real HTTP, real LangChain ChatOpenAI) and the real CLI; the real llama.cpp server is in test_models.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from kerjasama.errors import BusyError
from kerjasama.llm.generate import ModelGate
from kerjasama.service import build_answerer
from kerjasama.settings import Settings
from tests.conftest import ROOT
from tests.kerjasama.llm.servers import misbehaving_server

QUESTION = "Berapa lama DPRD memberi persetujuan atas rencana kerja sama?"


def _settings(slice_settings, url: str, **extra) -> Settings:
    return Settings(corpus_dir=slice_settings.corpus_dir, data_dir=slice_settings.data_dir,
                    llm_backend="openai-compatible", llm_base_url=url, llm_model="m", **extra)


def test_cli_ask_against_a_server_that_never_answers_falls_back_within_the_deadline(slice_settings):
    deadline = 4.0
    with misbehaving_server("silent") as (url, server):
        env = {**os.environ, "KERJASAMA_CORPUS_DIR": str(slice_settings.corpus_dir),
               "KERJASAMA_DATA_DIR": str(slice_settings.data_dir), "KERJASAMA_LLM_BACKEND": "openai-compatible",
               "KERJASAMA_LLM_BASE_URL": url, "KERJASAMA_LLM_MODEL": "m", "KERJASAMA_LLM_TIMEOUT": "600",
               "KERJASAMA_ANSWER_DEADLINE": str(deadline)}
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "kerjasama", "ask", "--json", QUESTION], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        wall = time.monotonic() - started
        assert server.requests == 1  # the model was asked, and said nothing
    assert proc.returncode == 0, proc.stderr
    ans = json.loads(proc.stdout)
    assert ans["path"] == "fallback" and ans["citations"] and not ans["refused"]
    assert ans["answer"].startswith("Catatan: model bahasa tidak menjawab dalam 4 detik")
    assert ans["latency_ms"] <= (deadline + 5) * 1000, ans["latency_ms"]
    assert wall < deadline + 5 + 30, wall  # + the CLI's start (imports, index) on a busy machine


def test_stream_gives_the_tokens_so_far_then_the_fallback_at_the_deadline(slice_settings, embeddings):
    with misbehaving_server("endless", interval=0.2) as (url, server):
        answerer = build_answerer(_settings(slice_settings, url, answer_deadline=2.0, llm_max_tokens=4096),
                                  embeddings=embeddings)
        started = time.monotonic()
        events = list(answerer.stream(QUESTION))
        took = time.monotonic() - started
        time.sleep(0.6)  # the worker notices at the next piece and closes the stream
        sent = server.sent
        time.sleep(0.6)
        assert server.sent - sent <= 1, "the server was not told to stop"
    assert took < 2.0 + 1.5, took
    assert any(e["type"] == "token" for e in events)
    final = events[-1]["answer"]
    assert final.path == "fallback" and final.reason.startswith("deadline") and final.citations
    assert final.answer.startswith("Catatan: model bahasa tidak menjawab")


def test_max_tokens_is_enforced_when_the_server_ignores_it(slice_settings, embeddings):
    with misbehaving_server("endless", interval=0.002) as (url, server):
        answerer = build_answerer(_settings(slice_settings, url, answer_deadline=60, llm_max_tokens=40),
                                  embeddings=embeddings)
        started = time.monotonic()
        events = list(answerer.stream(QUESTION))
        assert time.monotonic() - started < 20
    tokens = [e for e in events if e["type"] == "token"]
    assert len(tokens) == 40
    assert events[-1]["answer"].path == "fallback"  # 40 words without a citation key fail the guard


def test_english_notice_and_unreachable_server(slice_settings, embeddings):
    from tests.kerjasama.llm.servers import free_port

    settings = _settings(slice_settings, f"http://127.0.0.1:{free_port()}/v1", answer_deadline=10)
    ans = build_answerer(settings, embeddings=embeddings).ask(
        "Does a sister city agreement need approval from the regional parliament?", lang="en"
    )
    assert ans.path == "fallback" and ans.reason.startswith("LLM error")
    assert ans.answer.startswith("Note: the language model is not available now")


def test_gate_bounds_running_and_waiting_questions():
    gate = ModelGate(slots=1, waiting=1)
    far = time.monotonic() + 30
    assert gate.acquire(far)
    results: list = []
    waiter = threading.Thread(target=lambda: results.append(gate.acquire(time.monotonic() + 5)))
    waiter.start()
    while gate.waiting == 0:
        time.sleep(0.01)
    assert gate.full()
    with pytest.raises(BusyError) as info:
        gate.acquire(far)
    assert info.value.retry_after >= 1 and "try again" in str(info.value) and "coba lagi" in str(info.value)
    gate.release(2.0)
    waiter.join(5)
    assert results == [True] and gate.running == 1 and not gate.full()
    started = time.monotonic()
    assert gate.acquire(time.monotonic() + 0.3) is False  # the deadline passes while waiting
    assert 0.25 < time.monotonic() - started < 2


def test_a_question_waiting_for_the_model_past_its_deadline_falls_back(slice_settings, embeddings):
    with misbehaving_server("silent") as (url, server):
        settings = _settings(slice_settings, url, answer_deadline=2.0, llm_concurrency=1, llm_queue=4)
        answerer = build_answerer(settings, embeddings=embeddings)
        first = threading.Thread(target=answerer.ask, args=(QUESTION,))
        first.start()
        while answerer.gate.running == 0:
            time.sleep(0.01)
        started = time.monotonic()
        ans = answerer.ask(QUESTION)  # waits for the only slot, which the silent server holds
        assert time.monotonic() - started < 2.0 + 1.5
        first.join(10)
    assert ans.path == "fallback" and ans.reason.startswith("deadline")
    assert server.requests == 1  # the second question never reached the server
