"""HTML rendering: everything escaped, markers tied to sources, quotes highlighted inside their Pasal."""

from __future__ import annotations

import re

import pytest

from kerjasama.web import render
from kerjasama.web.documents import Library
from tests.web.conftest import HEADLINE

SCRIPT = "<script>alert('x')</script>"


def test_question_and_answer_text_are_escaped():
    q = render.question_html(f"{SCRIPT}\nbaris dua & \"kutip\"")
    assert "<script>" not in q and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in q
    assert "<br>" in q and "&amp;" in q and "&quot;kutip&quot;" in q
    a = render.answer_html(f"Jawaban {SCRIPT} [1]\n- kutipan <b>tebal</b> [1]", [{"n": 1, "cite": "X <i>"}], turn=1)
    assert "<script>" not in a and "<b>" not in a and "<i>" not in a
    assert "&lt;b&gt;tebal&lt;/b&gt;" in a and 'title="X &lt;i&gt;"' in a
    assert "\n" not in a  # one HTML block: the chat component does not re-read it as Markdown


def test_markers_link_to_their_source_and_unknown_markers_stay_text():
    html = render.answer_html("Intro\n\n- kutipan [1]\n- lain [2] dan [7]\n\nSumber:\n[1] A\n[2] B",
                              [{"n": 1, "cite": "A"}, {"n": 2, "cite": "B"}], turn=3)
    assert html.count('href="#kjs-src-3-1"') == 2 and html.count('href="#kjs-src-3-2"') == 2
    assert "[7]" in html and "kjs-src-3-7" not in html
    assert html.count("<li>") == 2 and '<p class="kjs-srcline">' in html


def test_refusal_is_marked():
    assert "kjs-refused" in render.answer_html("Maaf", [], turn=1, refused=True)


def test_highlight_marks_exactly_the_quote_with_context_cut():
    text = "a\n" * 500 + "KUTIPAN <penting>" + "\nb" * 500
    start = text.index("KUTIPAN")
    html = render.highlighted(text, (start, start + len("KUTIPAN <penting>")), context=50)
    assert '<mark class="kjs-quote">KUTIPAN &lt;penting&gt;</mark>' in html
    assert html.startswith('<div class="kjs-text">… ') and html.endswith(" …</div>")
    assert len(html) < 600


def test_status_badge_names_the_replacement():
    badge = render.status_badge("dicabut", "dicabut", "PP 28/2018")
    assert "kjs-badge-dicabut" in badge and "diganti PP 28/2018" in badge
    assert "replaced by PP 28/2018" in render.status_badge("dicabut", "repealed", "PP 28/2018", lang="en")
    assert render.status_badge("", "") == ""


@pytest.fixture(scope="module")
def library(answerer):
    return Library(answerer.retriever)


def test_sources_panel_shows_cite_title_badge_and_quote_inside_its_pasal(answerer, library):
    data = answerer.ask(HEADLINE).to_dict()
    assert not data["refused"]
    html = render.sources_html(data, library, turn=1, root="/asisten")
    for c in data["citations"]:
        assert f'id="kjs-src-1-{c["n"]}"' in html
        assert render.esc(c["cite"]) in html and render.esc(c["title"]) in html
    marks = re.findall(r'<mark class="kjs-quote">(.*?)</mark>', html, re.S)
    assert len(marks) == len(data["citations"])
    for mark, c in zip(marks, data["citations"], strict=True):
        assert mark.replace("<br>", "\n") == render.esc(c["quote"])
    assert "kjs-badge-berlaku" in html and 'href="/asisten/dokumen/pp-28-2018#pasal-30"' in html


def test_repealed_source_carries_its_replacement(answerer, library):
    data = answerer.ask("Menurut PP 50/2007, apa saja objek kerja sama daerah?").to_dict()
    assert any(c["doc_id"] == "pp-50-2007" for c in data["citations"])
    html = render.sources_html(data, library, turn=1)
    assert "kjs-badge-dicabut" in html and "diganti PP 28/2018" in html


def test_empty_and_refused_sources():
    assert "Belum ada sumber" in render.sources_html({}, None, 0)
    assert "tidak ditemukan" in render.sources_html({"refused": True, "citations": []}, None, 1)


def test_national_sources_are_marked_outside_the_focus_corpus_and_escaped():
    cite = {"n": 1, "cite": "UU 1/1974 Pasal 39 ayat (2)", "title": f"UU 1/1974 tentang {SCRIPT}",
            "status": "berlaku", "quote": f"perceraian {SCRIPT}", "doc_id": "uu-1974-1", "chunk_id": "x"}
    html = render.sources_html({"refused": True, "citations": [], "national": [cite], "lang": "en"}, None, 3)
    assert "outside the focus corpus" in html and 'id="kjs-src-3-N1"' in html and "[N1]" in html
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert "status (citator, as far as the data set goes): berlaku" in html


def test_document_page_and_reader_escape_document_text(library):
    from kerjasama.web.documents import DocumentInfo, Section

    info = DocumentInfo("doc", f"Judul {SCRIPT}", "D 1/2020", "berlaku", "berlaku", "in force", "", "", "", "id",
                        "", 1, 1, "2026-01-01")
    section = Section("doc", "pasal-1", "Pasal 1", "D 1/2020 Pasal 1", "body", "Pasal 1", ("doc", "Pasal 1"),
                      text=f"Pasal 1\nIsi {SCRIPT}")
    for html in (render.document_page(info, [section]), render.reader_html(info, [section], "pasal-1")):
        assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'id="pasal-1"' in render.document_page(info, [section])
