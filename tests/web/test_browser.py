"""The app in a real browser: Debian's chromium, headless, driven by Playwright (screenshots on failure).

A person's path: open the page, ask the headline question, see the cited answer, open its source; rate it and
copy it; a ``<script>`` question shows as text; ``examples/intranet.html`` (served from another origin) gets an
answer inside its embedded chat, and so does the ``<gradio-app>`` snippet from the README.
"""

from __future__ import annotations

import json

import pytest

from kerjasama.web.feedback import feedback_path
from tests.conftest import ROOT
from tests.web.conftest import HEADLINE, free_port, serve, web_settings

WEB_COMPONENT_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="{base}/gradio.js"></script></head>
<body><h1>Intranet</h1><gradio-app src="{base}/embed/"></gradio-app></body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A second origin (another loopback port) serving the intranet example pages."""
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    folder = tmp_path_factory.mktemp("intranet")
    port = free_port()
    app = Starlette(routes=[Mount("/", StaticFiles(directory=folder))])
    with serve(app, port=port) as url:
        yield url, folder


@pytest.fixture(scope="module")
def base(slice_settings, answerer, site):
    from kerjasama.web.server import create_app

    settings = web_settings(slice_settings, allowed_origins=[site[0]])
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # examples/intranet.html as a site would publish it: only the assistant's address changed to this server's.
    html = (ROOT / "examples" / "intranet.html").read_text(encoding="utf-8")
    assert html.count("http://127.0.0.1:7860/embed/") == 1
    (site[1] / "intranet.html").write_text(html.replace("http://127.0.0.1:7860", url), encoding="utf-8")
    with serve(create_app(settings, answerer), port=port) as served:
        yield served


def ask(scope, question: str) -> None:
    """Type a question into the chat of ``scope`` (a page or a frame) and wait for its sources."""
    done = "#kjs-chat .kjs-answer.kjs-final"
    count = scope.locator(done).count()
    scope.locator("#kjs-question textarea").fill(question)
    scope.locator("#kjs-send").click()
    scope.locator(done).nth(count).wait_for()


def last_answer(scope):
    return scope.locator("#kjs-chat .kjs-answer").last


def test_headline_question_gets_a_cited_answer_and_its_source_opens(page, base):
    page.goto(base + "/")
    ask(page, HEADLINE)
    answer = last_answer(page)
    answer.locator("a.kjs-ref").first.wait_for()
    text = answer.inner_text()
    assert text.startswith("Berdasarkan korpus")
    assert "PP 28/2018 Pasal 30 ayat (1)" in text and "harus memperoleh persetujuan" in text and "[1]" in text
    first_source = page.locator("#kjs-sources details.kjs-source").first
    first_source.locator("mark.kjs-quote").wait_for()
    assert "harus memperoleh persetujuan Dewan Perwakilan Rakyat Daerah" in first_source.locator("mark").inner_text()
    assert "berlaku" in first_source.locator(".kjs-badge").inner_text()
    assert "Peraturan Pemerintah Nomor 28 Tahun 2018" in first_source.inner_text()

    # The [1] marker in the answer opens source 1 in the panel.
    page.evaluate("document.querySelectorAll('#kjs-sources details').forEach(d => d.open = false)")
    answer.locator("a.kjs-ref").first.click()
    page.wait_for_function("document.getElementById('kjs-src-1-1').open === true")
    assert len(page.context.pages) == 1  # the marker does not navigate away

    # "Open" shows the cited Pasal inside its document in the Dokumen tab, the quote highlighted.
    page.locator("#kjs-open").click()
    reader = page.locator("#kjs-reader")
    reader.locator(".kjs-focus mark.kjs-quote").wait_for()
    assert reader.locator(".kjs-focus h4").inner_text() == "Pasal 30"
    assert "harus memperoleh persetujuan" in reader.locator(".kjs-focus mark").inner_text()
    assert reader.locator("section.kjs-section").count() > 1  # the Pasal is shown among its neighbours

    # The source's link opens the whole document at that Pasal.
    with page.context.expect_page() as popup:
        page.locator("#kjs-reader .kjs-reader-head a").click()
    doc = popup.value
    doc.wait_for_load_state()
    assert doc.url.endswith("/dokumen/pp-28-2018#pasal-30")
    assert doc.locator("#pasal-30").is_visible() and "Kerja Sama Daerah" in doc.title() + doc.inner_text("h1")
    assert not page.js_errors


def test_follow_up_is_understood_and_the_memo_downloads(page, base):
    """A question, a follow-up read with it ("Berapa lama batasnya?"), then the conversation as a DOCX memo."""
    from docx import Document

    page.goto(base + "/")
    ask(page, HEADLINE)
    ask(page, "Berapa lama batasnya?")
    text = last_answer(page).inner_text()
    assert text.startswith("Dipahami sebagai: Berapa lama batasnya? (lanjutan dari: Apakah kerja sama kota kembar")
    assert "PP 28/2018 Pasal 30 ayat (4)" in text and "45 (empat puluh lima) hari kerja" in text
    with page.expect_download() as info:
        page.locator("#kjs-memo-docx").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    doc = Document(str(download.path()))
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert HEADLINE in paragraphs and "Berapa lama batasnya?" in paragraphs
    assert "PP 28/2018 Pasal 30 ayat (1)" in cells and "PP 28/2018 Pasal 30 ayat (4)" in cells
    # A new chat forgets the conversation: the same follow-up alone is not read with the headline question.
    page.locator("#kjs-clear").click()
    page.wait_for_function("document.querySelectorAll('#kjs-chat .kjs-answer').length === 0")
    ask(page, "Berapa lama batasnya?")
    assert not last_answer(page).inner_text().startswith("Dipahami sebagai")
    assert not page.js_errors


def test_catalog_lists_documents_with_status(page, base):
    page.goto(base + "/")
    page.get_by_role("tab", name="Dokumen / Documents").click()
    rows = page.locator("#kjs-catalog tbody tr")
    rows.first.wait_for()
    assert rows.count() == 5
    repealed = page.locator('#kjs-catalog tr[data-doc="pp-50-2007"]')
    assert "dicabut" in repealed.inner_text() and "PP 28/2018" in repealed.inner_text()


def test_script_in_a_question_shows_as_text(page, base):
    page.goto(base + "/")
    question = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\"> Apa itu KSDPL?"
    ask(page, question)
    shown = page.locator("#kjs-chat .kjs-question").last.inner_text()
    assert "<script>window.__pwned = 1</script>" in shown and "<img src=x" in shown
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("#kjs-chat img[src='x']").count() == 0


def test_feedback_copy_language_and_filter(page, base, slice_settings):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(base + "/")
    page.get_by_label("English").check()
    ask(page, HEADLINE)
    answer_text = last_answer(page).inner_text()
    assert answer_text.startswith("From the corpus") and "Sources:" in answer_text

    page.locator("#kjs-copy").click()
    page.wait_for_function("document.getElementById('kjs-copy').hasAttribute('data-copied')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("From the corpus") and "[1] PP 28/2018 Pasal 30 ayat (1)" in copied

    path = feedback_path(slice_settings)
    before = path.read_text(encoding="utf-8").count("\n") if path.exists() else 0
    page.locator("#kjs-comment textarea, #kjs-comment input").first.fill("uji peramban / browser test")
    page.locator("#kjs-down").click()
    page.locator("#kjs-notice .kjs-notice-ok").wait_for()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == before + 1
    entry = json.loads(lines[-1])
    assert entry["rating"] == "down" and entry["comment"] == "uji peramban / browser test"
    assert entry["lang"] == "en" and entry["question"] == HEADLINE
    assert entry["citations"][0] == "PP 28/2018 Pasal 30 ayat (1)"

    # One document only: the answer quotes only that document.
    page.locator("#kjs-scope input").click()
    page.get_by_role("option").filter(has_text="PP 50/2007").click()
    ask(page, "What are the objects of regional cooperation?")
    cites = last_answer(page).locator("li").all_inner_texts()
    assert cites and all(c.startswith("PP 50/2007") for c in cites)


def test_intranet_page_gets_an_answer_inside_the_embedded_chat(page, base, site):
    page.goto(f"{site[0]}/intranet.html")
    frame = page.frame_locator("#kerjasama-chat")
    ask(frame, HEADLINE)
    text = last_answer(frame).inner_text()
    assert "PP 28/2018 Pasal 30 ayat (1)" in text and "harus memperoleh persetujuan" in text
    assert "Biro Kerja Sama" in page.inner_text("header")


def test_web_component_snippet_gets_an_answer(page, base, site):
    url, folder = site
    (folder / "webcomponent.html").write_text(WEB_COMPONENT_PAGE.format(base=base), encoding="utf-8")
    page.goto(f"{url}/webcomponent.html")
    ask(page, "Apa yang dimaksud dengan KSDPL?")
    assert "KSDPL" in last_answer(page).inner_text()


def _frame_url(page, allowed_prefix: str) -> str:
    """The embedded chat frame's URL once it has loaded the chat or chromium's error page (at most 10 s)."""
    frame = page.locator("#kerjasama-chat").element_handle().content_frame()
    for _ in range(100):
        if frame.url.startswith(("chrome-error://", allowed_prefix)):
            break
        page.wait_for_timeout(100)
    return frame.url


def test_only_allowed_origins_can_frame_the_chat(page, base, site):
    page.goto(f"{site[0]}/intranet.html")
    assert _frame_url(page, base) == f"{base}/embed/"
    # The same page through "localhost" is another origin, not in allowed_origins: chromium refuses the frame.
    other = site[0].replace("127.0.0.1", "localhost")
    page.goto(f"{other}/intranet.html")
    assert _frame_url(page, base).startswith("chrome-error://")
