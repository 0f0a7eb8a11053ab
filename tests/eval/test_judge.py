"""LLM-judged metrics: not run without a backend; with a model, scored per answered case and reported apart."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from eval.judge import NOT_RUN, llm_judged, parse_rating, parse_yes_no
from kerjasama.settings import Settings

ROWS = [
    {"id": "a", "answerable": True, "refused": False, "question": "Q1 <script>", "answer": "A1 [1]."},
    {"id": "b", "answerable": True, "refused": False, "question": "Q2", "answer": "A2 [1]."},
    {"id": "c", "answerable": True, "refused": True, "question": "Q3", "answer": "Maaf"},
    {"id": "d", "answerable": False, "refused": True, "question": "Q4", "answer": "Maaf"},
]


def test_not_run_without_backend():
    result = llm_judged([dict(r) for r in ROWS], Settings(llm_backend="none"))
    assert result["status"] == "not run" and result["summary"] == NOT_RUN and result["metrics"] == {}


def test_scores_answered_cases_with_the_model():
    rows = [dict(r) for r in ROWS]
    chat = FakeListChatModel(responses=["YES", "4", "No, claim 2 is unsupported.", "I cannot say"])
    result = llm_judged(rows, Settings(llm_backend="none"), chat_model=chat)
    m = result["metrics"]
    assert result["status"] == "run"
    assert m["faithfulness"] == 0.5 and m["relevance"] == 0.8 and m["judged"] == 1 and m["unjudged"] == 1
    assert rows[0]["llm_faithful"] is True and rows[1]["llm_relevance"] is None and "llm_faithful" not in rows[2]


def test_parsers():
    assert parse_yes_no(" Yes.") is True and parse_yes_no("TIDAK") is False and parse_yes_no("maybe") is None
    assert parse_rating("Rating: 5/5") == 5 and parse_rating("none") is None
