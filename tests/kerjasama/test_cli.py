"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def _run(slice_settings, *args):
    env = {
        **os.environ,
        "KERJASAMA_CORPUS_DIR": str(slice_settings.corpus_dir),
        "KERJASAMA_DATA_DIR": str(slice_settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "kerjasama", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_ask_json(slice_settings):
    proc = _run(slice_settings, "ask", "Apa isi Pasal 10 UU No. 24 Tahun 2000?", "--json", "--k", "4")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["path"] == "extractive" and data["refused"] is False
    assert len(data["passages"]) == 4
    texts = {p["chunk_id"]: p["text"] for p in data["passages"]}
    assert all(c["quote"] in texts[c["chunk_id"]] for c in data["citations"])


def test_empty_question_exits_2_with_message(slice_settings):
    proc = _run(slice_settings, "ask", "  ")
    assert proc.returncode == 2 and "kosong" in proc.stderr and "empty" in proc.stderr


def test_missing_index_says_how_to_build_it(tmp_path):
    env = {**os.environ, "KERJASAMA_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "kerjasama", "ask", "Apa itu KSDPL?"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1 and "python -m ingest" in proc.stderr and "Traceback" not in proc.stderr
