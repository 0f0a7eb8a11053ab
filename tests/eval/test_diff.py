"""``python -m eval diff``: metric deltas and cases that got better, worse, or both."""

from __future__ import annotations

import json

from eval.__main__ import main
from eval.diff import compare_rows, diff_results, format_diff
from eval.runner import metrics


def _row(cid, answerable=True, refused=False, hit_rank=1, answer_ok=None, cite_ok=None, cited_hit=True):
    return {"id": cid, "answerable": answerable, "refused": refused, "hit_rank": hit_rank, "answer_ok": answer_ok,
            "cite_ok": cite_ok, "cited_hit": cited_hit, "missing_quotes": 0, "latency_ms": 10.0,
            "question": f"question {cid}", "answer": "", "citations": [], "tags": []}


def _result(rows):
    return {"set": "s.jsonl", "cases": len(rows), "k": 5, "metrics": metrics(rows, 5), "results": rows}


OLD = _result([
    _row("same"),
    _row("up", hit_rank=None, cited_hit=False),
    _row("down", hit_rank=1, answer_ok=True),
    _row("mixed", hit_rank=3, cite_ok=True),
    _row("refuse", answerable=False, refused=False, hit_rank=None, cited_hit=False),
    _row("gone"),
])
NEW = _result([
    _row("same"),
    _row("up", hit_rank=2),
    _row("down", hit_rank=1, answer_ok=True, refused=True, cited_hit=False),
    _row("mixed", hit_rank=1, cite_ok=False),
    _row("refuse", answerable=False, refused=True, hit_rank=None, cited_hit=False),
    _row("added"),
])


def test_compare_rows_phrases():
    up, down = compare_rows(_row("a", hit_rank=4), _row("a", hit_rank=None))
    assert up == [] and down == ["hit rank 4→—"]
    up, down = compare_rows(_row("b", refused=True, cited_hit=False), _row("b"))
    assert "no longer refused" in up and "cites expected passage found" in up and down == []


def test_diff_sorts_cases_and_metric_deltas():
    d = diff_results(OLD, NEW)
    assert [c["id"] for c in d["better"]] == ["up", "refuse"]
    assert [c["id"] for c in d["worse"]] == ["down"]
    assert [c["id"] for c in d["mixed"]] == ["mixed"]
    assert d["unchanged"] == 1 and d["only_old"] == ["gone"] and d["only_new"] == ["added"]
    assert d["metrics"]["refusal_accuracy"] == {"old": 0.0, "new": 1.0, "delta": 1.0}
    assert d["metrics"]["false_refusals"]["delta"] == 1
    text = format_diff(d)
    assert "refusal_accuracy" in text and "+1.0000" in text and "Worse (1):" in text and "falsely refused" in text


def test_diff_cli_table_and_json(tmp_path, capsys):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(OLD), encoding="utf-8")
    new.write_text(json.dumps(NEW), encoding="utf-8")
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "Better (2):" in out and "hit rank —→2" in out
    assert main(["diff", str(old), str(new), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["worse"][0]["regressed"] == ["falsely refused", "cites expected passage lost"]


def test_diff_cli_rejects_a_file_that_is_not_a_result(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    assert main(["diff", str(bad), str(bad)]) == 1
    assert "not a result file" in capsys.readouterr().err
