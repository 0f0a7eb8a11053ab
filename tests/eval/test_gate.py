"""The CI gate: eval/sets/core.jsonl on the full corpus must meet eval/thresholds.yaml.

The full index lives outside the checkout (``tests.conftest.full_index_data_dir``), never in ``./data``. The first
run on a fresh clone builds it (about 2.5 minutes); later runs reuse it (ingest is incremental and takes about a
second when nothing changed; a concurrent run waits for the writer's lock).
"""

from __future__ import annotations

import pytest

from eval.gate import THRESHOLDS, Gate, check, gate_message, load_thresholds, run_gate
from kerjasama.settings import Settings
from tests.conftest import full_index_data_dir


def test_thresholds_file_is_the_one_place_and_is_valid():
    gate = load_thresholds()
    assert THRESHOLDS.name == "thresholds.yaml" and gate.set.is_file() and gate.set.name == "core.jsonl"
    for metric in ("hit@k", "refusal_accuracy", "missing_quotes"):
        assert metric in gate.bounds
    assert gate.bounds["missing_quotes"] == {"max": 0.0}


@pytest.mark.parametrize(
    "text",
    ["set: x.jsonl\n", "thresholds: {hit@k: {min: 0.9}}\n", "set: x\nthresholds: {hit@k: 0.9}\n",
     "set: x\nthresholds: {hit@k: {least: 0.9}}\n", "set: x\nthresholds: {hit@k: {min: high}}\n", ": : :\n"],
)
def test_bad_thresholds_file_is_reported(tmp_path, text):
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="t.yaml"):
        load_thresholds(path)


def test_check_and_message_name_the_metric_and_worst_cases():
    bounds = {"hit@k": {"min": 0.9}, "refusal_accuracy": {"min": 0.75}, "missing_quotes": {"max": 0}, "mrr": {"min": 0}}
    assert check({"hit@k": 0.95, "refusal_accuracy": 0.8, "missing_quotes": 0, "mrr": 0.5}, bounds) == []
    failures = check({"hit@k": 0.85, "refusal_accuracy": 0.8, "missing_quotes": 2}, bounds)
    assert failures == ["hit@k = 0.850 < min 0.900", "missing_quotes = 2 > max 0", "mrr: not in the result"]
    rows = [
        {"id": "c1", "answerable": True, "refused": False, "hit_rank": None, "missing_quotes": 0, "cited_hit": False,
         "question": "Apa isi Pasal 10?", "citations": ["UU 24/2000 Pasal 9"], "tags": ["id"], "latency_ms": 1},
        {"id": "c2", "answerable": True, "refused": False, "hit_rank": 1, "missing_quotes": 2, "cited_hit": True,
         "question": "Berapa hari?", "citations": ["PP 28/2018 Pasal 30"], "tags": ["en"], "latency_ms": 1},
    ]
    msg = gate_message({"set": "core.jsonl", "cases": 2, "k": 5, "results": rows}, failures)
    lines = msg.splitlines()
    assert lines[1] == "- hit@k = 0.850 < min 0.900" and lines[2].strip().startswith("c1 [id] rank —")
    assert "- missing_quotes = 2 > max 0" in msg and "c2 [en] rank 1" in msg and "thresholds.yaml" in msg


@pytest.mark.slow
def test_core_set_meets_the_thresholds(embeddings):
    """The gate itself: ensure the full-corpus index (incremental ingest) and run the core set."""
    gate: Gate = load_thresholds()
    result, failures = run_gate(Settings(data_dir=full_index_data_dir()), embeddings=embeddings, gate=gate)
    assert result["cases"] >= 80
    assert not failures, gate_message(result, failures, source=gate.source)
