"""Scoring the citator against the hand-checked relations (eval/citator.py)."""

from __future__ import annotations

import json

from eval import citator


def test_recall_counts_arguable_relations_apart_and_precision_is_the_graders():
    relations = {"regulations": [
        {"id": "pp-2018-28", "relations": [{"type": "mencabut", "target": "pp-2007-50"}]},
        {"id": "uu-2015-9", "relations": [{"type": "mencabut", "target": "uu-2014-23"}]},  # wrong type
    ]}
    gold = [
        {"file": "pp/2018/28.md", "relations": [{"type": "mencabut", "target": "pp-2007-50"}]},
        {"file": "uu/2015/9.md", "relations": [{"type": "mengubah", "target": "uu-2014-23"},
                                               {"type": "mencabut", "target": "uu-1999-1", "arguable": True}]},
        {"file": "uu/1950/1.md", "relations": []},
    ]
    graded = [{"correct": True}, {"correct": True}, {"correct": False}, {"correct": True}]
    s = citator.score(relations, gold, graded)
    assert (s["recall"], s["recall_n"], s["recall_not_arguable"], s["recall_not_arguable_n"]) == (0.333, 3, 0.5, 2)
    assert s["precision"] == 0.75 and s["precision_n"] == 4
    lo, hi = s["precision_ci95"]
    assert lo < 0.75 < hi


def test_the_committed_rounds_are_complete_and_the_cli_scores_a_file(tmp_path, capsys):
    for n in (5, citator.LATEST):
        gold, graded = (citator._rows(p) for p in citator.round_files(n))
        assert len(gold) == 80 and len(graded) == 100 and all("correct" in g for g in graded)
    path = tmp_path / "relations.json"
    path.write_text(json.dumps({"regulations": []}), encoding="utf-8")
    assert citator.main([str(path), "--round", "5"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["recall"] == 0.0 and out["precision"] == 0.94
    assert citator.main([str(path)]) == 0  # the latest round
    assert json.loads(capsys.readouterr().out)["precision_n"] == 100
    assert citator.main([str(tmp_path / "none.json")]) == 2
    assert citator.main([str(path), "--round", "99"]) == 2
