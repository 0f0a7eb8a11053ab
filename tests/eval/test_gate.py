"""The CI gate: the development sets and the frozen test set on the full corpus must meet eval/thresholds.yaml.

The full index lives outside the checkout (``tests.conftest.full_index_data_dir``), never in ``./data``. The first
run on a fresh clone builds it (several minutes); later runs reuse it (ingest is incremental and takes about a
second when nothing changed; a concurrent run waits for the writer's lock).
"""

from __future__ import annotations

import pytest

from eval.gate import THRESHOLDS, Gate, check, check_sets, gate_message, load_thresholds, run_gate
from kerjasama.settings import Settings
from tests.conftest import full_index_data_dir


def test_thresholds_file_is_the_one_place_and_is_valid():
    gate = load_thresholds()
    assert THRESHOLDS.name == "thresholds.yaml"
    names = {s.path.name: s for s in gate.sets}
    assert {"core.jsonl", "extra.jsonl", "test.jsonl"} <= set(names)
    assert names["test.jsonl"].blind and not names["core.jsonl"].blind
    for s in gate.sets:
        assert s.path.is_file() and s.bounds["missing_quotes"] == {"max": 0.0}
        assert "hit@k" in s.bounds and "refusal_accuracy" in s.bounds


@pytest.mark.parametrize(
    "text",
    ["k: 5\n", "sets: {a: {file: x.jsonl}}\n", "sets: {a: {thresholds: {hit@k: {min: 0.9}}}}\n",
     "sets: {a: {file: x, thresholds: {hit@k: 0.9}}}\n", "sets: {a: {file: x, thresholds: {hit@k: {least: 0.9}}}}\n",
     "sets: {a: {file: x, thresholds: {hit@k: {min: high}}}}\n", ": : :\n"],
)
def test_bad_thresholds_file_is_reported(tmp_path, text):
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="t.yaml"):
        load_thresholds(path)


def _row(id_, set_, tags, hit_rank, cited=True, refused=False, answerable=True):
    return {"id": id_, "set": set_, "answerable": answerable, "refused": refused, "hit_rank": hit_rank,
            "missing_quotes": 0, "cited_hit": cited, "answer_ok": None, "cite_ok": None, "question": f"Q {id_}?",
            "citations": ["UU 24/2000 Pasal 9"], "tags": tags, "latency_ms": 1}


def test_check_and_message_name_the_metric_and_worst_cases():
    bounds = {"hit@k": {"min": 0.9}, "refusal_accuracy": {"min": 0.75}, "missing_quotes": {"max": 0}, "mrr": {"min": 0}}
    assert check({"hit@k": 0.95, "refusal_accuracy": 0.8, "missing_quotes": 0, "mrr": 0.5}, bounds) == []
    failures = check({"hit@k": 0.85, "refusal_accuracy": 0.8, "missing_quotes": 2}, bounds)
    assert failures == ["hit@k = 0.850 < min 0.900", "missing_quotes = 2 > max 0", "mrr: not in the result"]


def test_per_set_bounds_and_a_blind_set_shows_tags_not_cases(tmp_path):
    from eval.gate import GateSet

    rows = [_row("c1", "core", ["id"], None, cited=False), _row("c2", "core", ["en"], 1),
            _row("t1", "test", ["id", "number"], None, cited=False), _row("t2", "test", ["en"], 1)]
    result = {"set": "core, test", "cases": 4, "k": 5, "results": rows}
    gate = Gate([GateSet("core", tmp_path / "core.jsonl", {"hit@k": {"min": 0.9}}),
                 GateSet("test", tmp_path / "test.jsonl", {"hit@k": {"min": 0.9}}, blind=True)], 5)
    failures = check_sets(result, gate)
    assert failures == ["core: hit@k = 0.500 < min 0.900", "test: hit@k = 0.500 < min 0.900"]
    msg = gate_message(result, failures, blind={"test"})
    assert "c1 [id] rank —" in msg  # a development case is named
    assert "t1" not in msg and "Q t1?" not in msg  # a test case never is ...
    assert "number: 0.000 (n=1)" in msg  # ... only its weakest tags


@pytest.mark.slow
def test_sets_meet_the_thresholds(embeddings):
    """The gate itself: ensure the full-corpus index (incremental ingest) and run every set of the gate."""
    gate: Gate = load_thresholds()
    result, failures = run_gate(Settings(data_dir=full_index_data_dir()), embeddings=embeddings, gate=gate)
    assert result["cases"] >= 300
    blind = {s.path.stem for s in gate.sets if s.blind}
    assert not failures, gate_message(result, failures, source=gate.source, blind=blind)
