"""The feedback log: exactly the agreed line format, append-only, switchable."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from kerjasama.web.feedback import FeedbackError, FeedbackLog, feedback_path

KEYS = ["time", "question", "answer", "rating", "comment", "lang", "refused", "citations", "chunk_ids", "index"]


@pytest.fixture
def settings(tmp_path, slice_settings):
    return slice_settings.model_copy(update={"data_dir": tmp_path})


def test_entries_have_exactly_the_agreed_fields_and_append(settings, answerer):
    log = FeedbackLog(settings)
    ans = answerer.ask("Apa yang dimaksud dengan KSDPL?").to_dict()
    log.record(ans, "up", "  jelas  ")
    log.record({**ans, "refused": True, "citations": []}, "down")
    path = feedback_path(settings)
    assert path == settings.data_dir / "feedback.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert list(first) == KEYS
    assert first["question"] == ans["question"] and first["answer"] == ans["answer"]
    assert first["rating"] == "up" and first["comment"] == "jelas" and first["lang"] == "id"
    assert first["refused"] is False
    assert first["citations"] == [c["cite"] for c in ans["citations"]]
    assert first["chunk_ids"] == [c["chunk_id"] for c in ans["citations"]] and first["chunk_ids"]
    assert first["index"] == settings.index_dir().name and first["index"].startswith("index-")
    assert first["time"].endswith("Z") and datetime.fromisoformat(first["time"]).utcoffset().total_seconds() == 0
    assert second["rating"] == "down" and second["refused"] is True and second["citations"] == []


def test_bad_feedback_is_refused_with_a_bilingual_message(settings):
    log = FeedbackLog(settings)
    with pytest.raises(FeedbackError, match="up.*down"):
        log.record({"question": "q"}, "meh")
    with pytest.raises(FeedbackError, match="Belum ada jawaban.*no answer"):
        log.record({}, "up")
    with pytest.raises(FeedbackError, match="terlalu panjang.*too long"):
        log.record({"question": "q"}, "up", "x" * 2001)
    assert not feedback_path(settings).exists()


def test_switched_off(settings):
    log = FeedbackLog(settings.model_copy(update={"feedback_log": False}))
    with pytest.raises(FeedbackError, match="dinonaktifkan.*switched off"):
        log.record({"question": "q"}, "up")
    assert not feedback_path(settings).exists()
