"""``python app.py`` as a person starts it: serves on loopback, explains a missing index, warns when exposed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

from tests.conftest import ROOT
from tests.web.conftest import free_port


def _env(**extra: str) -> dict:
    return {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", **extra}


def test_app_serves_the_chat_and_the_api_on_loopback(slice_settings):
    port = free_port()
    env = _env(KERJASAMA_CORPUS_DIR=str(slice_settings.corpus_dir), KERJASAMA_DATA_DIR=str(slice_settings.data_dir))
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "app.py did not start within 90 s"
            time.sleep(0.5)
        assert "kerjasama" in httpx.get(base + "/", timeout=10).text
        r = httpx.post(base + "/api/ask", json={"question": "Apa yang dimaksud dengan KSDPL?"}, timeout=30)
        assert r.status_code == 200 and r.json()["citations"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert f"http://127.0.0.1:{port}/" in out
    assert "WITHOUT authentication" not in out  # loopback: no warning


def test_missing_index_is_explained(tmp_path):
    proc = subprocess.run([sys.executable, "app.py", "--port", str(free_port())], cwd=ROOT,
                          env=_env(KERJASAMA_DATA_DIR=str(tmp_path)), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "python -m ingest" in proc.stderr and "belum siap" in proc.stderr and "not ready" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_exposed_without_auth_warns_loudly(tmp_path):
    # The warning comes before anything is loaded or bound (here the empty index stops it right after).
    proc = subprocess.run([sys.executable, "app.py", "--host", "0.0.0.0", "--port", str(free_port())], cwd=ROOT,
                          env=_env(KERJASAMA_DATA_DIR=str(tmp_path)), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "WITHOUT authentication" in proc.stderr and "TANPA autentikasi" in proc.stderr
    with_token = subprocess.run([sys.executable, "app.py", "--host", "0.0.0.0", "--port", str(free_port())],
                                cwd=ROOT, env=_env(KERJASAMA_DATA_DIR=str(tmp_path), KERJASAMA_AUTH_TOKEN="t"),
                                capture_output=True, text=True, timeout=120)
    assert with_token.returncode == 1 and "WITHOUT authentication" not in with_token.stderr


def test_bad_settings_are_reported(tmp_path):
    proc = subprocess.run([sys.executable, "app.py", "--port", "99999"], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "port" in proc.stderr and "Traceback" not in proc.stderr
