"""The scale benchmark end to end on a small data set in the data set's layout (real ingest, real probe process over
the slice index and the real embedder): one JSON object with every field bench/README.md describes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT
from tests.ingest.test_national import DATASET, write_dataset


def test_reports_ingest_size_memory_and_latency_per_share(slice_settings, tmp_path):
    root = write_dataset(tmp_path / "national", DATASET)
    env = os.environ | {"KERJASAMA_DATA_DIR": str(slice_settings.data_dir),
                        "KERJASAMA_CORPUS_DIR": str(slice_settings.corpus_dir)}
    proc = subprocess.run([sys.executable, "bench/scale.py", "--root", str(root), "--fractions", "0.5,1",
                           "--questions", "4"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out["dense_rate"]["passages_per_s"] > 0
    half, whole = out["shares"]
    assert (half["fraction"], whole["fraction"]) == (0.5, 1.0)
    assert half["documents"] < whole["documents"] == 4 and whole["skipped"] == 1  # the unreadable file
    assert whole["passages"] > half["passages"] > 0 and whole["index_mb"] > 0
    assert set(whole["ingest_phases_s"]) == {"parse", "chunk", "terms", "write", "commit"}
    app = whole["app"]
    for key in ("lexical", "hybrid_cold", "hybrid_warm", "answer_cold", "answer_warm"):
        assert 0 <= app[key]["p50_ms"] <= app[key]["p95_ms"]
    # Questions come from titles longer than 10 characters: three of the four documents here.
    assert (app["searched"], app["asked"]) == (1, 2) and 0 < app["rss_before_load_mb"] < app["rss_mb"]


def test_lexical_comparison_reports_both_indexes(tmp_path):
    from ingest import national

    root = write_dataset(tmp_path / "national", DATASET)
    national.build(root, root / "index.sqlite")
    proc = subprocess.run([sys.executable, "bench/lexical.py", "--index", str(root / "index.sqlite"), "--queries",
                           "3"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out["queries"] == 3 and out["passages"] > 5
    for name in ("fts5", "bm25s_mmap"):
        assert out[name]["open_s"] >= 0 and 0 <= out[name]["query_p50_ms"] <= out[name]["query_p95_ms"]
    assert out["bm25s_mmap"]["build_s"] >= 0
