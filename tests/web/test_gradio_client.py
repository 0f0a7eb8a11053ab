"""gradio_client against the running app: the /answer endpoint and the streaming /chat event, full and embed."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import HEADLINE, serve, web_settings


@pytest.fixture(scope="module")
def base(slice_settings, answerer):
    from kerjasama.web.server import create_app

    with serve(create_app(web_settings(slice_settings), answerer)) as url:
        yield url


def _client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False)


def test_answer_endpoint_returns_the_ask_json_object(base, answerer):
    data = json.loads(_client(base + "/").predict(HEADLINE, "auto", "all", api_name="/answer"))
    expected = answerer.ask(HEADLINE).to_dict()
    assert list(data) == list(expected)
    assert [c["cite"] for c in data["citations"]] == [c["cite"] for c in expected["citations"]]
    assert data["citations"][0]["cite"] == "PP 28/2018 Pasal 30 ayat (1)"


def test_answer_endpoint_filters(base):
    client = _client(base + "/")
    q = "Apa saja objek kerja sama daerah?"
    only = json.loads(client.predict(q, "id", "doc:pp-50-2007", api_name="/answer"))
    assert {p["doc_id"] for p in only["passages"]} == {"pp-50-2007"}
    in_force = json.loads(client.predict(q, "en", "in_force", api_name="/answer"))
    assert "pp-50-2007" not in {p["doc_id"] for p in in_force["passages"]} and in_force["lang"] == "en"


def test_chat_streams_the_answer_and_the_sources(base):
    job = _client(base + "/").submit(HEADLINE, "auto", "all", api_name="/chat")
    final = job.result(timeout=60)
    updates = job.outputs()
    assert len(updates) >= 3  # pending message, lines of the answer, then the answer with its sources
    chat, sources = final[0], final[1]
    user, bot = chat[-2], chat[-1]
    assert user["role"] == "user" and bot["role"] == "assistant"
    text = json.dumps(bot["content"], ensure_ascii=False)
    assert "PP 28/2018 Pasal 30 ayat (1)" in text and "kjs-ref" in text
    assert 'id="kjs-src-1-1"' in sources and '<mark class="kjs-quote">' in sources
    partial = json.dumps(updates[0][0], ensure_ascii=False) if updates[0][0] else ""
    assert "Pasal 30 ayat (1)" not in partial  # the first update comes before the answer


def test_chat_rejects_an_empty_question_with_a_notice(base):
    final = _client(base + "/").predict("   ", "auto", "all", api_name="/chat")
    notice = final[4]
    assert "kosong" in notice and "empty" in notice


def test_embed_app_answers_too(base):
    data = json.loads(_client(base + "/embed/").predict(HEADLINE, "auto", "all", api_name="/answer"))
    assert data["citations"][0]["cite"] == "PP 28/2018 Pasal 30 ayat (1)"
