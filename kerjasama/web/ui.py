"""The Gradio chat: streaming cited answers, a sources panel, feedback, and the Dokumen tab (catalog and reader).

``build_ui(answerer, library, feedback, ...)`` returns a ``gr.Blocks``; ``compact=True`` gives the small chat
served at ``/embed`` for iframes. The app is launched only by ``app.py`` (through ``kerjasama.web.server``).
Every chat message and panel is HTML produced by :mod:`kerjasama.web.render` (escaped); the chat history lives
on the server (``gr.State``), so the page never sends markup back to be shown.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from kerjasama import conversation
from kerjasama.answer import Answerer
from kerjasama.conversation import Conversation, ConversationStore
from kerjasama.errors import KerjasamaError, QuestionError
from kerjasama.export import MemoMeta, to_docx, to_markdown
from kerjasama.retrieve import Filters
from kerjasama.web import render
from kerjasama.web.documents import Library
from kerjasama.web.feedback import FeedbackError, FeedbackLog
from kerjasama.web.render import esc as esc_attr

log = logging.getLogger(__name__)

EXAMPLES = [
    "Apakah kerja sama kota kembar dengan pemerintah daerah di luar negeri perlu persetujuan DPRD?",
    "Berapa lama DPRD memberi persetujuan atas rencana kerja sama dengan pemerintah daerah di luar negeri?",
    "Does a sister city agreement need approval from the regional parliament?",
    "What is a treaty according to the Vienna Convention?",
]
LANGS = [("Otomatis / Auto", "auto"), ("Bahasa Indonesia", "id"), ("English", "en")]
ALL, IN_FORCE = "all", "in_force"
STREAM_DELAY = 0.04  # seconds between streamed lines of an answer
MEMOS = Path(tempfile.gettempdir()) / "kerjasama-memos"  # the chat's memo files (served by Gradio for download)
COPY_JS = "(text) => { window.kerjasamaCopy && window.kerjasamaCopy(text); return []; }"


class ChatController:
    """The UI's event handlers over one answerer (plain methods, testable without a browser)."""

    def __init__(self, answerer: Answerer, library: Library, feedback: FeedbackLog, root: str = "",
                 conversations: ConversationStore | None = None) -> None:
        self.answerer = answerer
        self.library = library
        self.feedback = feedback
        self.root = root
        self.conversations = conversations or ConversationStore()

    def _events(self, conv: Conversation, question: str, lang: str, scope: str) -> Iterator[dict]:
        """The answer's events as the next turn of ``conv`` (remembered by the web app's answerer, if it does)."""
        options = {"lang": lang or "auto", "filters": self.filters(scope)}
        converse = getattr(self.answerer, "converse_stream", None)
        if converse is not None:
            return converse(conv, question, **options)
        return conversation.stream(conv, self.answerer, question, **options)

    def memos(self, conv: Conversation, lang: str) -> tuple[str, str]:
        """The conversation written as a DOCX memo and a Markdown note (paths of files for the download
        buttons, replaced after every answer)."""
        store = self.answerer.retriever.store
        meta = MemoMeta.now(index=f"{store.dir.name}/{store.snapshot_id}")
        answers = [t.answer for t in conv.turns]
        lang = "en" if lang == "en" or (lang in ("auto", "", None) and conv.turns and conv.turns[-1].lang == "en") \
            else "id"
        folder = MEMOS / conv.id
        folder.mkdir(parents=True, exist_ok=True)
        docx_path = folder / "kerjasama-memo.docx"
        md_path = folder / "kerjasama-memo.md"
        docx_path.write_bytes(to_docx(answers, meta, lang))
        md_path.write_text(to_markdown(answers, meta, lang), encoding="utf-8")
        return str(docx_path), str(md_path)

    # -- choices ----------------------------------------------------------------------------------------
    def scope_choices(self) -> list[tuple[str, str]]:
        """Filter choices: all documents, in force only, or one document."""
        docs = [(f"{d.short} — {d.title}", f"doc:{d.id}") for d in self.library.documents()]
        return [("Semua dokumen / All documents", ALL), ("Hanya yang berlaku / In force only", IN_FORCE), *docs]

    def doc_choices(self) -> list[tuple[str, str]]:
        """Documents for the reader."""
        return [(f"{d.short} — {d.title}", d.id) for d in self.library.documents()]

    def section_choices(self, doc_id: str) -> list[tuple[str, str]]:
        """Sections (Pasal, Penjelasan, ...) of a document for the reader."""
        return [(s.label, s.key) for s in self.library.sections(doc_id)]

    @staticmethod
    def filters(scope: str | None) -> Filters | None:
        """The retrieval filter of a scope choice."""
        if scope == IN_FORCE:
            return Filters(in_force_only=True)
        if scope and scope.startswith("doc:"):
            return Filters(doc_ids=[scope[4:]])
        return None

    # -- chat -------------------------------------------------------------------------------------------
    def respond(self, message: str, history: list, lang: str, scope: str, conv_id: str = "") -> Iterator[tuple]:
        """Stream one answer as the next turn of the conversation. Yields (chat, history, sources, last answer,
        copy text, question box, notice, open, conversation id, DOCX memo, Markdown memo)."""
        history = list(history or [])
        skip = (gr.skip(), gr.skip(), gr.skip())
        try:
            question = self.answerer.check_question(message)
        except QuestionError as exc:
            yield (gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(),
                   render.notice_html(exc.public), gr.skip(), *skip)
            return
        conv = self.conversations.get(conv_id or None)
        turn = sum(1 for m in history if m.get("role") == "assistant") + 1
        history += [
            {"role": "user", "content": render.question_html(question)},
            {"role": "assistant", "content": render.pending_html()},
        ]
        yield history, history, gr.skip(), gr.skip(), gr.skip(), "", "", gr.skip(), *skip
        # The answerer streams events: text as it is written (an LLM's tokens, or the lines of a quoted answer),
        # then the final answer, which replaces the streamed text (a guarded answer may be rewritten or fall
        # back to quotes).
        text, shown, ans = "", 0.0, None
        try:
            for event in self._events(conv, question, lang, scope):
                if event["type"] == "final":
                    ans = event["answer"]
                    continue
                text += event["text"]
                if not text.strip() or (time.monotonic() - shown < STREAM_DELAY and "\n" not in event["text"]):
                    continue
                history[-1] = {
                    "role": "assistant",
                    "content": render.answer_html(text.rstrip("\n"), [], turn, False, False),
                }
                yield history, history, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), *skip
                shown = time.monotonic()
                if "\n" in event["text"]:
                    time.sleep(STREAM_DELAY)
        except KerjasamaError as exc:
            log.warning("question failed: %s", exc)
            history[-1] = {"role": "assistant", "content": render.notice_html(exc.public)}
            yield history, history, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), *skip
            return
        if ans is None:
            return
        data = ans.to_dict()
        history[-1] = {
            "role": "assistant",
            "content": render.answer_html(data["answer"], data["citations"], turn, data["refused"]),
        }
        opens = [(f"[{c['n']}] {c['cite']}", str(c["n"])) for c in data["citations"]]
        docx_path, md_path = self.memos(conv, lang)
        yield (
            history,
            history,
            render.sources_html(data, self.library, turn, self.root),
            data,
            data["answer"],
            gr.skip(),
            "",
            gr.Dropdown(choices=opens, value=opens[0][1] if opens else None, interactive=bool(opens)),
            conv.id,
            gr.DownloadButton(value=docx_path, interactive=True),
            gr.DownloadButton(value=md_path, interactive=True),
        )

    def answer(self, question: str, lang: str = "auto", scope: str = "all") -> str:
        """Answer one question; returns the ``ask --json`` object as JSON text (gradio_client: ``/answer``).

        Text, not a dict: gradio_client would take the object's ``"path"`` key for a file to download.
        """
        data = self.answerer.ask(question, lang=lang or "auto", filters=self.filters(scope)).to_dict()
        return json.dumps(data, ensure_ascii=False)

    def rate(self, rating: str, comment: str, last: dict | None) -> tuple[str, object]:
        """Save a thumbs up / down on the latest answer; returns (notice, comment box)."""
        try:
            self.feedback.record(last or {}, rating, comment)
        except FeedbackError as exc:
            return render.notice_html(str(exc)), gr.skip()
        thanks = "Terima kasih, umpan balik tersimpan. / Thank you, feedback saved."
        return render.notice_html(thanks, "ok"), ""

    @staticmethod
    def clear() -> tuple:
        """Empty chat, sources and state: the next question starts a new conversation."""
        return ([], [], render.sources_html({}, None, 0), None, "", "", gr.Dropdown(choices=[], value=None), "",
                gr.DownloadButton(value=None, interactive=False), gr.DownloadButton(value=None, interactive=False))

    # -- reader -----------------------------------------------------------------------------------------
    def read(self, doc_id: str | None, key: str | None = None, quote: str = "", chunk_id: str = "") -> str:
        """The reader's HTML for a document at a section (the first one by default)."""
        info = self.library.info(doc_id or "")
        if info is None:
            return render.notice_html("Pilih dokumen. / Choose a document.", "info")
        sections = self.library.sections(info.id)
        focus = key or (sections[0].key if sections else "")
        return render.reader_html(info, sections, focus, quote, chunk_id, root=self.root)

    def pick_document(self, doc_id: str) -> tuple:
        """Reader: a document was chosen."""
        choices = self.section_choices(doc_id)
        first = choices[0][1] if choices else None
        return gr.Dropdown(choices=choices, value=first), self.read(doc_id, first)

    def open_source(self, n: str | None, last: dict | None) -> tuple:
        """Open citation ``n`` of the latest answer in the Dokumen tab, its quote highlighted."""
        cites = {str(c["n"]): c for c in (last or {}).get("citations", [])}
        c = cites.get(str(n))
        section = self.library.section_of_chunk(c["chunk_id"]) if c else None
        if c is None or section is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        html = self.read(section.doc_id, section.key, c["quote"], c["chunk_id"])
        return (
            gr.Tabs(selected="docs"),
            gr.Dropdown(value=section.doc_id),
            gr.Dropdown(choices=self.section_choices(section.doc_id), value=section.key),
            html,
        )


def build_ui(
    answerer: Answerer, library: Library, feedback: FeedbackLog, root: str = "", compact: bool = False,
    conversations: ConversationStore | None = None,
) -> gr.Blocks:
    """The chat UI (``compact``: the small chat for iframes) over ``answerer``; conversations are kept in
    ``conversations`` (shared with the API)."""
    ctl = ChatController(answerer, library, feedback, root, conversations)
    title = "kerjasama — asisten hukum kerja sama luar negeri pemerintah daerah"
    with gr.Blocks(title=title, analytics_enabled=False, fill_width=not compact) as demo:
        history = gr.State([])
        last = gr.State(None)
        conv_id = gr.State("")
        if not compact:
            gr.HTML(
                '<div class="kjs-header"><h1>kerjasama</h1><p>Hukum kerja sama luar negeri pemerintah daerah: '
                "jawaban dengan kutipan verbatim dan sitasi pinpoint — atau penolakan jujur. / Indonesian law on "
                "regional governments' international cooperation: verbatim quotes with pinpoint citations, or an "
                "honest refusal.</p></div>"
            )
        if compact:
            c = _ask_panel(ctl, feedback.enabled, compact, root)
        else:
            with gr.Tabs(selected="ask") as tabs:
                with gr.Tab("Tanya / Ask", id="ask"):
                    c = _ask_panel(ctl, feedback.enabled, compact, root)
                with gr.Tab("Dokumen / Documents", id="docs"):
                    reader_parts = _docs_panel(ctl, library, root)
            doc_pick, section_pick, reader = reader_parts
            c["open_btn"].click(ctl.open_source, [c["open_choice"], last], [tabs, doc_pick, section_pick, reader],
                                api_visibility="private")
            doc_pick.input(ctl.pick_document, [doc_pick], [section_pick, reader], api_visibility="private")
            section_pick.input(ctl.read, [doc_pick, section_pick], [reader], api_visibility="private")

        chat, question, notice, sources = c["chat"], c["question"], c["notice"], c["sources"]
        copy_text, open_choice, comment = c["copy_text"], c["open_choice"], c["comment"]
        outputs = [chat, history, sources, last, copy_text, question, notice, open_choice, conv_id,
                   c["memo_docx"], c["memo_md"]]
        ask_inputs = [question, history, c["lang"], c["scope"], conv_id]
        c["send"].click(ctl.respond, ask_inputs, outputs, api_name="chat", show_progress="hidden")
        question.submit(ctl.respond, ask_inputs, outputs, api_visibility="private", show_progress="hidden")
        for btn, text in zip(c["examples"], EXAMPLES, strict=False):
            btn.click(lambda t=text: t, None, question, api_visibility="private", queue=False).then(
                ctl.respond, ask_inputs, outputs, api_visibility="private", show_progress="hidden"
            )
        c["copy"].click(None, [copy_text], None, js=COPY_JS, api_visibility="private")
        cleared = [chat, history, sources, last, copy_text, notice, open_choice, conv_id, c["memo_docx"],
                   c["memo_md"]]
        c["clear"].click(ctl.clear, None, cleared, api_visibility="private", queue=False)
        chat.clear(ctl.clear, None, cleared, api_visibility="private", queue=False)
        rating = [comment, last]
        c["up"].click(lambda text, ans: ctl.rate("up", text, ans), rating, [notice, comment], api_visibility="private")
        c["down"].click(lambda text, ans: ctl.rate("down", text, ans), rating, [notice, comment],
                        api_visibility="private")
        gr.api(ctl.answer, api_name="answer")
    return demo


def _ask_panel(ctl: ChatController, with_feedback: bool, compact: bool, root: str) -> dict:
    """The chat column and the sources column; returns the components by name."""
    c: dict = {}
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            c["chat"] = _chat_panel(compact)
            with gr.Row():
                c["question"] = gr.Textbox(
                    show_label=False, lines=1, max_lines=6, scale=4, min_width=200, elem_id="kjs-question",
                    placeholder="Tulis pertanyaan… / Type a question…", autofocus=not compact,
                )
                c["send"] = gr.Button("Tanya / Ask", variant="primary", scale=1, min_width=90, elem_id="kjs-send")
            c["notice"] = gr.HTML("", elem_id="kjs-notice")
            with gr.Row(elem_classes=["kjs-examples"]):
                c["examples"] = [
                    gr.Button(q, size="sm", variant="secondary", min_width=160, elem_classes=["kjs-example"])
                    for q in (EXAMPLES[:2] if compact else EXAMPLES)
                ]
            with gr.Accordion("Opsi / Options", open=not compact), gr.Row():
                c["lang"] = gr.Radio(LANGS, value="auto", label="Bahasa jawaban / Answer language", elem_id="kjs-lang")
                c["scope"] = gr.Dropdown(ctl.scope_choices(), value=ALL, label="Dokumen / Documents",
                                         elem_id="kjs-scope")
            with gr.Row(elem_classes=["kjs-actions"]):
                c["copy"] = gr.Button("Salin jawaban / Copy answer", size="sm", min_width=140, elem_id="kjs-copy")
                c["clear"] = gr.Button("Percakapan baru / New chat", size="sm", min_width=140, elem_id="kjs-clear")
                c["memo_docx"] = gr.DownloadButton("Unduh memo (DOCX) / Download memo", size="sm", min_width=160,
                                                   interactive=False, elem_id="kjs-memo-docx")
                c["memo_md"] = gr.DownloadButton("Markdown", size="sm", min_width=100, interactive=False,
                                                 elem_id="kjs-memo-md")
            c["copy_text"] = gr.Textbox(visible=False, elem_id="kjs-copy-text")
            with gr.Row(visible=with_feedback, elem_classes=["kjs-feedback"]):
                c["up"] = gr.Button("👍 Membantu / Helpful", size="sm", min_width=120, elem_id="kjs-up")
                c["down"] = gr.Button("👎 Kurang tepat / Not helpful", size="sm", min_width=120, elem_id="kjs-down")
                c["comment"] = gr.Textbox(show_label=False, scale=3, min_width=200, elem_id="kjs-comment",
                                          placeholder="Komentar (opsional) / Comment (optional)")
        with gr.Column(scale=2, min_width=300):
            c["sources"] = gr.HTML(render.sources_html({}, None, 0), elem_id="kjs-sources")
            with gr.Row(visible=not compact):
                c["open_choice"] = gr.Dropdown([], label="Buka sumber di tab Dokumen / Open a source",
                                               interactive=False, scale=3, elem_id="kjs-open-choice")
                c["open_btn"] = gr.Button("Buka / Open", size="sm", scale=1, elem_id="kjs-open")
            if compact:
                gr.HTML(f'<a class="kjs-full" href="{esc_attr(root)}/" target="_blank" rel="noopener">'
                        "Buka aplikasi lengkap / Open the full app ↗</a>")
    return c


def _docs_panel(ctl: ChatController, library: Library, root: str) -> tuple:
    """The Dokumen tab: catalog, document and section pickers, reader; returns (doc, section, reader)."""
    gr.HTML(render.catalog_html(library.documents(), root), elem_id="kjs-catalog")
    with gr.Row():
        doc_pick = gr.Dropdown(ctl.doc_choices(), value=None, label="Dokumen / Document", elem_id="kjs-doc")
        section_pick = gr.Dropdown([], label="Pasal / Section", elem_id="kjs-section")
    reader = gr.HTML(render.notice_html("Pilih dokumen. / Choose a document.", "info"), elem_id="kjs-reader")
    return doc_pick, section_pick, reader


def _chat_panel(compact: bool) -> gr.Chatbot:
    """The chat component: messages are server-rendered escaped HTML, no Markdown maths, no built-in buttons."""
    return gr.Chatbot(
        label="Percakapan / Conversation",
        show_label=False,
        height=380 if compact else 520,
        elem_id="kjs-chat",
        buttons=[],
        feedback_options=None,
        latex_delimiters=[],
        group_consecutive_messages=False,
        placeholder="Tanyakan hukum kerja sama luar negeri pemerintah daerah. / Ask about the law on regional "
        "governments' international cooperation.",
    )
