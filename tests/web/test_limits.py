"""Limits of the served app on loopback: body size (413), per-client rate (429), a full model queue (503 with
Retry-After), /healthz while every worker waits on answers, feedback only for answers the server gave, errors
without paths."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from kerjasama.service import build_answerer
from tests.kerjasama.llm.servers import misbehaving_server
from tests.web.conftest import HEADLINE, serve, web_settings

QUESTION = "Apa yang dimaksud dengan KSDPL?"


@pytest.fixture(scope="module")
def base(slice_settings, answerer):
    from kerjasama.web.server import create_app

    settings = web_settings(slice_settings, rate_limit="", max_body_bytes=65_536, max_ui_body_bytes=200_000)
    with serve(create_app(settings, answerer)) as url:
        yield url


def _raw(base: str, head: bytes, body: bytes = b"") -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + body)
        return sock.recv(65536)


def test_a_large_body_is_refused_before_it_is_read(base):
    # Declares 50 MB and sends almost nothing: the answer comes at once, nothing waits for the body.
    head = (b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 52428800\r\n\r\n")
    started = time.monotonic()
    reply = _raw(base, head, b'{"question": "')
    assert reply.startswith(b"HTTP/1.1 413") and b"too large" in reply
    assert time.monotonic() - started < 5


def test_just_over_the_limit_and_chunked_bodies(base):
    big = {"question": "x" * 70_000}
    r = httpx.post(base + "/api/ask", json=big)
    assert r.status_code == 413 and "65536" in r.json()["error"] and "terlalu besar" in r.json()["error"]

    def chunks():
        yield b'{"question": "'
        for _ in range(80):
            yield b"y" * 1000
        yield b'"}'

    r = httpx.post(base + "/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["status"] == 413
    ok = httpx.post(base + "/api/ask", json={"question": QUESTION}, timeout=30)
    assert ok.status_code == 200


def test_uploads_to_the_chat_ui_are_bounded(base):
    files = {"files": ("big.txt", b"z" * 300_000, "text/plain")}
    r = httpx.post(base + "/gradio_api/upload", files=files)
    assert r.status_code == 413
    small = httpx.post(base + "/gradio_api/upload", files={"files": ("s.txt", b"z" * 1000, "text/plain")})
    assert small.status_code in (200, 404, 405), small.status_code  # Gradio's own answer; never a 5xx


def test_feedback_only_for_answers_the_server_gave(base):
    ans = httpx.post(base + "/api/ask", json={"question": HEADLINE}, timeout=30).json()
    forged = {**ans, "answer": "Tidak perlu persetujuan DPRD [1]."}
    r = httpx.post(base + "/api/feedback", json={"answer": forged, "rating": "up"})
    assert r.status_code == 400 and "only for answers this server gave" in r.json()["error"]
    moved = {**ans, "citations": [{**ans["citations"][0], "quote": "kutipan palsu"}]}
    assert httpx.post(base + "/api/feedback", json={"answer": moved, "rating": "up"}).status_code == 400
    junk = {"question": "q", "blob": "x" * 50_000}
    assert httpx.post(base + "/api/feedback", json={"answer": junk, "rating": "up"}).status_code == 400
    ok = httpx.post(base + "/api/feedback", json={"answer": {**ans, "latency_ms": 1}, "rating": "up"})
    assert ok.status_code == 201 and ok.json()["entry"]["answer"] == ans["answer"]
    long = httpx.post(base + "/api/feedback", json={"answer": ans, "rating": "up", "comment": "k" * 2001})
    assert long.status_code == 422


def test_rate_limit_per_client(slice_settings, answerer):
    from kerjasama.web.server import create_app

    with serve(create_app(web_settings(slice_settings, rate_limit="4/minute"), answerer)) as url:
        codes = [httpx.post(url + "/api/ask", json={"question": "  "}).status_code for _ in range(4)]
        assert codes == [400] * 4
        r = httpx.post(url + "/api/ask", json={"question": QUESTION})
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        assert "Too many requests" in r.json()["error"] and "Terlalu banyak" in r.json()["error"]
        assert httpx.get(url + "/healthz").status_code == 200  # reads are not limited
        assert httpx.get(url + "/api/documents").status_code == 200


def test_full_model_queue_is_503_and_healthz_never_waits(slice_settings, embeddings):
    from kerjasama.web.server import create_app

    with misbehaving_server("silent") as (llm_url, _):
        settings = web_settings(
            slice_settings, llm_backend="openai-compatible", llm_base_url=llm_url, llm_model="m",
            llm_concurrency=1, llm_queue=40, answer_deadline=6.0, rate_limit="",
        )
        answerer = build_answerer(settings, embeddings=embeddings)
        with serve(create_app(settings, answerer)) as url:
            # 45 questions wait for the only model slot: more than anyio's default pool of 40 threads.
            def timed_ask() -> tuple[httpx.Response, float]:
                began = time.monotonic()
                resp = httpx.post(url + "/api/ask", json={"question": HEADLINE}, timeout=60)
                return resp, time.monotonic() - began

            with ThreadPoolExecutor(max_workers=45) as pool:
                timed = [pool.submit(timed_ask) for _ in range(45)]
                while answerer.gate.waiting < 30:
                    time.sleep(0.05)
                started = time.monotonic()
                health = httpx.get(url + "/healthz", timeout=5)
                assert health.status_code == 200 and time.monotonic() - started < 1.0
                assert health.json()["index_check"]["ok"] is True
                results = [f.result() for f in timed]
            codes = sorted(r.status_code for r, _ in results)
            # Every one of them ended by its deadline, counted from its arrival (not from when a worker thread
            # picked it up): a fallback (200) or, past the queue, a 503.
            assert set(codes) <= {200, 503} and codes.count(200) >= 40, codes
            assert max(took for _, took in results) < 6.0 + 5, sorted(took for _, took in results)[-5:]
            assert all(r.json()["path"] == "fallback" for r, _ in results if r.status_code == 200)

            # A queue of 0 behind a busy slot (held here as a running generation would hold it, for as long as
            # the checks take): the next question is a 503 with Retry-After, streaming too.
            assert answerer.gate.acquire(time.monotonic() + 30)  # once the silent server's last worker let go
            answerer.gate.waiting_max = 0
            try:
                busy = httpx.post(url + "/api/ask", json={"question": HEADLINE}, timeout=30)
                assert busy.status_code == 503 and int(busy.headers["retry-after"]) >= 1
                assert "busy" in busy.json()["error"] and "sibuk" in busy.json()["error"]
                streamed = httpx.post(url + "/api/ask", json={"question": HEADLINE, "stream": True}, timeout=30)
                assert streamed.status_code == 503
                assert streamed.headers["content-type"].startswith("application/json")
            finally:
                answerer.gate.release(1.0)
            assert httpx.post(url + "/api/ask", json={"question": HEADLINE}, timeout=30).status_code == 200


def test_errors_never_show_paths(slice_settings, embeddings, tmp_path):
    from kerjasama.web.server import create_app

    secret = tmp_path / "rahasia" / "model.gguf"
    settings = web_settings(slice_settings, llm_backend="llamacpp", llm_model_path=str(secret), rate_limit="")
    with serve(create_app(settings, build_answerer(settings, embeddings=embeddings))) as url:
        r = httpx.post(url + "/api/ask", json={"question": HEADLINE}, timeout=60)
    assert r.status_code == 500 and "model.gguf" in r.json()["error"]
    assert str(tmp_path) not in r.text and "rahasia" not in r.text and "Traceback" not in r.text
