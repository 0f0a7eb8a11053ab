"""The JSON API against the real server on loopback: same answer object as the CLI, JSON errors, documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from kerjasama.web.feedback import feedback_path
from tests.conftest import ROOT
from tests.web.conftest import HEADLINE, serve, web_settings


@pytest.fixture(scope="module")
def base(slice_settings, answerer):
    from kerjasama.web.server import create_app

    settings = web_settings(slice_settings, allowed_origins=["http://127.0.0.1:9"])
    with serve(create_app(settings, answerer)) as url:
        yield url


@pytest.fixture(scope="module")
def http(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        yield client


def _no_traceback(resp: httpx.Response) -> None:
    assert "Traceback" not in resp.text and 'File "' not in resp.text


def test_healthz(http, slice_settings):
    r = http.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["index"] == slice_settings.index_dir().name
    assert body["documents"] == 5 and body["chunks"] > 100 and body["last_ingested"]
    check = body["index_check"]
    assert check["ok"] is True and check["level"] == "quick" and check["count"] == body["chunks"] + body["units"]
    assert check["snapshot"] == body["snapshot"] and not check["problems"]


def test_ask_returns_the_cli_json_object(http, slice_settings):
    question = "Apa isi Pasal 10 UU No. 24 Tahun 2000?"
    r = http.post("/api/ask", json={"question": question, "k": 4})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    api = r.json()
    env = {**os.environ, "KERJASAMA_CORPUS_DIR": str(slice_settings.corpus_dir),
           "KERJASAMA_DATA_DIR": str(slice_settings.data_dir)}
    proc = subprocess.run([sys.executable, "-m", "kerjasama", "ask", question, "--json", "--k", "4"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)
    assert api.pop("conversation_id")  # the API continues conversations; the one-shot CLI does not
    assert list(api) == list(cli)
    api.pop("latency_ms"), cli.pop("latency_ms")
    assert api == cli


def test_headline_question_is_answered_with_pasal_30(http):
    body = http.post("/api/ask", json={"question": HEADLINE}).json()
    assert body["refused"] is False
    first = body["citations"][0]
    assert first["cite"] == "PP 28/2018 Pasal 30 ayat (1)"
    assert "harus memperoleh persetujuan Dewan Perwakilan Rakyat Daerah" in first["quote"]
    texts = {p["chunk_id"]: p["text"] for p in body["passages"]}
    assert all(c["quote"] in texts[c["chunk_id"]] for c in body["citations"])


def test_concurrent_questions_get_the_same_answers_as_one_at_a_time(base, http):
    from concurrent.futures import ThreadPoolExecutor

    questions = [HEADLINE, "Apa yang dimaksud dengan KSDPL?", "Apa isi Pasal 10 UU No. 24 Tahun 2000?",
                 "Does a sister city agreement need approval from the regional parliament?"] * 3

    def cites(q: str) -> list[str]:
        with httpx.Client(base_url=base, timeout=60) as client:
            return [c["cite"] for c in client.post("/api/ask", json={"question": q}).json()["citations"]]

    alone = {q: cites(q) for q in set(questions)}
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(cites, questions))
    assert together == [alone[q] for q in questions]


def test_lang_and_filters(http):
    en = http.post("/api/ask", json={"question": HEADLINE, "lang": "en"}).json()
    assert en["lang"] == "en" and en["answer"].startswith("From the corpus")
    q = "Apa saja objek kerja sama daerah?"
    only = http.post("/api/ask", json={"question": q, "filters": {"doc_ids": ["pp-50-2007"]}}).json()
    assert only["passages"] and {p["doc_id"] for p in only["passages"]} == {"pp-50-2007"}
    in_force = http.post("/api/ask", json={"question": q, "filters": {"in_force_only": True}}).json()
    assert in_force["passages"] and "pp-50-2007" not in {p["doc_id"] for p in in_force["passages"]}


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"question": "   "}, 400, ["kosong", "empty"]),
        ({"question": "x" * 2001}, 400, ["terlalu panjang", "too long"]),
        ({}, 422, ["wajib", "required"]),
        ({"question": 12}, 422, ["question"]),
        ({"question": "a?", "k": 0}, 422, ["k"]),
        ({"question": "a?", "lang": "fr"}, 422, ["lang"]),
        ({"question": "a?", "extra": 1}, 422, ["extra"]),
        ({"question": "a?", "filters": {"doc_ids": ["permendagri-25-2020"]}}, 400, ["tidak dikenal", "Unknown"]),
    ],
)
def test_bad_requests_get_json_errors(http, payload, status, words):
    r = http.post("/api/ask", json=payload)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == status and all(w in body["error"] for w in words), body
    _no_traceback(r)


def test_invalid_json_body(http):
    r = http.post("/api/ask", content=b'{"question": "Apa', headers={"content-type": "application/json"})
    assert r.status_code == 400 and "bukan JSON" in r.json()["error"] and "not valid JSON" in r.json()["error"]
    _no_traceback(r)


def test_unknown_api_route_and_method(http):
    r = http.get("/api/nothing")
    assert r.status_code == 404 and r.json()["error"] == "Tidak ditemukan. / Not found."
    r = http.get("/api/ask")
    assert r.status_code == 405 and "Method not allowed" in r.json()["error"]


def test_documents(http):
    body = http.get("/api/documents").json()
    docs = {d["id"]: d for d in body["documents"]}
    assert body["last_ingested"] and len(docs) == 5
    assert docs["pp-50-2007"]["status"] == "dicabut" and docs["pp-50-2007"]["replaced_by_short"] == "PP 28/2018"
    assert all(d["chunks"] > 0 for d in docs.values())
    one = http.get("/api/documents/pp-28-2018").json()
    assert one["title"].startswith("Peraturan Pemerintah Nomor 28 Tahun 2018")
    keys = [s["key"] for s in one["sections"]]
    assert "pasal-30" in keys and "penjelasan-pasal-3" in keys and len(keys) == len(set(keys))
    assert http.get("/api/documents/permendagri-25-2020").status_code == 404


def test_one_pasal(http):
    r = http.get("/api/documents/pp-28-2018/pasal/30")
    assert r.status_code == 200
    body = r.json()
    assert body["cite"] == "PP 28/2018 Pasal 30" and body["url"] == "/dokumen/pp-28-2018#pasal-30"
    assert "harus memperoleh persetujuan Dewan Perwakilan Rakyat Daerah" in body["text"]
    expl = http.get("/api/documents/pp-28-2018/pasal/Pasal 3", params={"part": "penjelasan"}).json()
    assert expl["cite"] == "PP 28/2018 Penjelasan Pasal 3"
    missing = http.get("/api/documents/pp-28-2018/pasal/999")
    assert missing.status_code == 404 and "999" in missing.json()["error"]
    assert http.get("/api/documents/pp-28-2018/pasal/30", params={"part": "x"}).status_code == 422


def test_reader_page_escapes_and_anchors(http):
    r = http.get("/dokumen/pp-28-2018")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'id="pasal-30"' in r.text and "<script" not in r.text
    assert http.get("/dokumen/tidak-ada").status_code == 404


def test_feedback_endpoint_appends_a_line(http, slice_settings):
    ans = http.post("/api/ask", json={"question": HEADLINE}).json()
    path = feedback_path(slice_settings)
    before = path.read_text(encoding="utf-8").count("\n") if path.exists() else 0
    r = http.post("/api/feedback", json={"answer": ans, "rating": "down", "comment": "uji API / API test"})
    assert r.status_code == 201 and r.json()["saved"] is True
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == before + 1
    entry = json.loads(lines[-1])
    assert entry["rating"] == "down" and entry["comment"] == "uji API / API test"
    assert entry["citations"][0] == "PP 28/2018 Pasal 30 ayat (1)"
    bad = http.post("/api/feedback", json={"answer": ans, "rating": "meh"})
    assert bad.status_code == 422


def test_openapi_docs(http):
    assert http.get("/docs").status_code == 200
    spec = http.get("/openapi.json").json()
    assert {"/api/ask", "/api/documents", "/api/documents/{doc_id}", "/api/documents/{doc_id}/pasal/{pasal}",
            "/api/feedback", "/healthz"} <= set(spec["paths"])
    assert "AnswerOut" in json.dumps(spec)


def test_embedding_policy_headers_and_cors(http):
    for path in ("/", "/embed/", "/api/documents"):
        r = http.get(path)
        assert r.headers["content-security-policy"] == "frame-ancestors 'self' http://127.0.0.1:9", path
        assert r.headers["x-content-type-options"] == "nosniff"
    pre = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    ok = http.options("/api/ask", headers={"origin": "http://127.0.0.1:9", **pre})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://127.0.0.1:9"
    other = http.options("/api/ask", headers={"origin": "http://evil.example", **pre})
    assert "access-control-allow-origin" not in other.headers


def test_ui_pages_are_served(http):
    for path in ("/", "/embed/"):
        r = http.get(path)
        assert r.status_code == 200 and "gradio" in r.text.lower() and "kerjasama" in r.text
    assert http.get("/gradio.js").headers["content-type"].startswith("text/javascript")
    assert http.get("/embed", follow_redirects=False).status_code in (200, 307)


def _events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_ask_stream_sends_server_sent_events_with_citations_at_the_end(http):
    with http.stream("POST", "/api/ask", json={"question": HEADLINE, "stream": True}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    events = _events(body)
    kinds = [k for k, _ in events]
    assert kinds[-1] == "final" and kinds.count("final") == 1 and kinds[0] == "token"
    final = events[-1][1]
    streamed = "".join(d["text"] for k, d in events if k == "token")
    assert streamed == final["answer"] and final["citations"] and final["path"] == "extractive"


def test_ask_stream_rejects_a_bad_question_before_streaming(http):
    r = http.post("/api/ask", json={"question": "  ", "stream": True})
    assert r.status_code in (400, 422) and r.headers["content-type"].startswith("application/json")
    _no_traceback(r)


def test_follow_up_by_conversation_id_and_by_history(http):
    first = http.post("/api/ask", json={"question": HEADLINE}).json()
    assert first["conversation_id"] and "understood_as" not in first
    follow = http.post("/api/ask", json={"question": "Berapa lama batasnya?",
                                           "conversation_id": first["conversation_id"]}).json()
    assert follow["conversation_id"] == first["conversation_id"]
    assert follow["understood_as"].startswith("Berapa lama batasnya? (lanjutan dari:")
    assert follow["citations"][0]["cite"] == "PP 28/2018 Pasal 30 ayat (4)"
    # A client that keeps its own history gets the same reading.
    again = http.post("/api/ask", json={"question": "Berapa lama batasnya?",
                                          "history": [{"question": HEADLINE}]}).json()
    assert again["citations"][0]["cite"] == "PP 28/2018 Pasal 30 ayat (4)" and again["understood_as"]
    # A malformed id is a 422, an unknown one a new conversation.
    assert http.post("/api/ask", json={"question": HEADLINE, "conversation_id": "../x"}).status_code == 422
    fresh = http.post("/api/ask", json={"question": "Berapa lama batasnya?", "conversation_id": "ab" * 16}).json()
    assert fresh["conversation_id"] != "ab" * 16


def test_conversation_exports_as_docx_and_markdown(http):
    import io

    from docx import Document

    first = http.post("/api/ask", json={"question": HEADLINE}).json()
    cid = first["conversation_id"]
    second = http.post("/api/ask", json={"question": "Berapa lama batasnya?", "conversation_id": cid}).json()
    md = http.get(f"/api/conversations/{cid}/export", params={"format": "md"})
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "attachment" in md.headers["content-disposition"]
    docx = http.get(f"/api/conversations/{cid}/export", params={"format": "docx"})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    doc = Document(io.BytesIO(docx.content))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    for ans in (first, second):
        for c in ans["citations"]:
            assert c["cite"] in md.text and c["cite"] in cells
    one = http.get(f"/api/conversations/{cid}/export", params={"format": "md", "turn": 2}).text
    assert "Berapa lama batasnya?" in one and HEADLINE not in one.split("## 1.")[1].split("*")[0]
    assert http.get("/api/conversations/" + "cd" * 16 + "/export").status_code == 404
    assert http.get(f"/api/conversations/{cid}/export", params={"turn": 9}).status_code == 404
