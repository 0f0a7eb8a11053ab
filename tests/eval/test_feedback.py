"""``python -m eval from-feedback``: draft cases from the web chat's feedback log."""

from __future__ import annotations

import json

from eval.__main__ import main
from eval.feedback import drafts_from_log, known_questions
from eval.runner import load_set

LOG = [
    {"time": "2026-11-24T10:00:00Z", "question": "Berapa lama DPRD memberi persetujuan?", "answer": "…",
     "rating": "up", "comment": "", "lang": "id", "refused": False,
     "citations": ["PP 28/2018 Pasal 30 ayat (4)", "PP 28/2018 Pasal 30 ayat (4)"], "chunk_ids": ["c1"],
     "index": "index-abc"},
    {"time": "2026-11-24T10:01:00Z", "question": "Does the DPRD approve sister city agreements?", "answer": "…",
     "rating": "down", "comment": "cited the wrong Pasal", "lang": "en", "refused": False,
     "citations": ["UU 23/2014 Pasal 1"], "chunk_ids": ["c2"], "index": "index-abc"},
    {"time": "2026-11-24T10:02:00Z", "question": "Apa isi Permenlu 3/2019?", "answer": "Maaf…", "rating": "down",
     "comment": "", "lang": "id", "refused": True, "citations": [], "chunk_ids": [], "index": "index-abc"},
    {"time": "2026-11-24T10:03:00Z", "question": "Siapa pemenang Piala Dunia 2022?", "answer": "Maaf…",
     "rating": "up", "refused": True, "citations": []},
]
MALFORMED = [
    "{not json",
    json.dumps(["a list"]),
    json.dumps({"rating": "up", "question": "   "}),
    json.dumps({"question": "Apa itu KSDPL?", "rating": "meh"}),
    json.dumps({"question": "Apa itu KSDPL?", "rating": "up", "citations": "PP 28/2018"}),
    json.dumps({"question": "Apa itu KSDPL?", "rating": "up", "refused": "no"}),
]


def _write_log(path, extra_lines=()):
    lines = [json.dumps(r, ensure_ascii=False) for r in LOG]
    lines.insert(2, MALFORMED[0])
    lines += list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _sets(tmp_path):
    sets = tmp_path / "sets"
    sets.mkdir()
    (sets / "core.jsonl").write_text(json.dumps({"id": "q1", "question": "Siapa pemenang  PIALA Dunia 2022?",
                                                 "answerable": False}) + "\n", encoding="utf-8")
    return sets


def test_drafts_guess_answerable_cites_and_review(tmp_path):
    log = _write_log(tmp_path / "feedback.jsonl", MALFORMED[1:])
    res = drafts_from_log(log, known_questions(_sets(tmp_path)))
    by_q = {d["question"]: d for d in res.drafts}
    assert len(res.drafts) == 3 and res.duplicates == ["Siapa pemenang Piala Dunia 2022?"]
    up = by_q["Berapa lama DPRD memberi persetujuan?"]
    assert up["draft"] is True and up["answerable"] is True
    assert up["expect"] == {"cites": ["PP 28/2018 Pasal 30 ayat (4)"]}
    assert up["tags"][:2] == ["id", "feedback"] and up["id"].startswith("fb-")
    down = by_q["Does the DPRD approve sister city agreements?"]
    assert down["expect"] == {} and down["tags"][0] == "en" and "cited the wrong Pasal" in down["review"]
    refused = by_q["Apa isi Permenlu 3/2019?"]
    assert refused["answerable"] is False and "false refusal" in refused["review"]
    assert [n for n, _ in res.malformed] == [3, 6, 7, 8, 9, 10]
    reasons = dict(res.malformed)
    assert reasons[3].startswith("not JSON") and reasons[6] == "not a JSON object" and reasons[7] == "no question"
    assert "rating" in reasons[8] and "citations" in reasons[9] and "refused" in reasons[10]


def test_cli_writes_loadable_drafts_and_skips_them_next_time(tmp_path, capsys):
    log = _write_log(tmp_path / "feedback.jsonl", MALFORMED[1:])
    sets = _sets(tmp_path)
    out = sets / "drafts" / "feedback-test.jsonl"
    args = ["from-feedback", "--log", str(log), "--out", str(out), "--sets-dir", str(sets)]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "3 draft case(s)" in err and "6 malformed line(s)" in err and f"{log}:3: not JSON" in err
    cases = load_set(out)  # the drafts are valid cases for the runner
    assert len(cases) == 3 and all(c.question for c in cases)
    assert main(args) == 0  # a second run finds every question already drafted
    assert "0 draft case(s)" in capsys.readouterr().err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3


def test_cli_missing_log(tmp_path, capsys):
    assert main(["from-feedback", "--log", str(tmp_path / "none.jsonl")]) == 1
    assert "no feedback log" in capsys.readouterr().err


def test_binary_garbage_does_not_crash(tmp_path):
    log = tmp_path / "feedback.jsonl"
    log.write_bytes(b"\xff\xfe\x00garbage\n" + json.dumps(LOG[0]).encode() + b"\n")
    res = drafts_from_log(log, set())
    assert len(res.drafts) == 1 and len(res.malformed) == 1
