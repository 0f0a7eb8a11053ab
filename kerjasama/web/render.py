"""HTML of answers, sources, the catalog and the document reader. Every piece of text is escaped here.

Nothing from a question, an answer or a document reaches the page unescaped: ``<script>`` in any of them shows
as text. Markup is produced only by this module, as single-line fragments (a chat message that is one HTML
block is not re-read as Markdown by the chat component).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from kerjasama.web.documents import DocumentInfo, Library, Section

_MARKER = re.compile(r"\[(\d+)\]")
CONTEXT_CHARS = 700  # Pasal text shown on each side of a quote in the sources panel


def esc(text: object) -> str:
    """HTML-escape any value (quotes included)."""
    return html.escape(str(text), quote=True)


def _lines(text: str) -> str:
    """Escaped text with line breaks kept."""
    return "<br>".join(esc(line) for line in text.split("\n"))


def source_id(turn: int, n: int) -> str:
    """Element id of citation ``n`` of answer number ``turn`` in the sources panel."""
    return f"kjs-src-{turn}-{n}"


def _inline(line: str, cites: dict[int, str], turn: int) -> str:
    """One escaped line with its [n] markers turned into links to the sources panel."""
    out, pos = [], 0
    for m in _MARKER.finditer(line):
        n = int(m.group(1))
        if n not in cites:
            continue
        out.append(esc(line[pos : m.start()]))
        target = source_id(turn, n)
        out.append(
            f'<a class="kjs-ref" href="#{target}" data-target="{target}" title="{esc(cites[n])}">[{n}]</a>'
        )
        pos = m.end()
    out.append(esc(line[pos:]))
    return "".join(out)


def answer_html(text: str, citations: list[dict], turn: int, refused: bool = False, final: bool = True) -> str:
    """An answer's text as HTML: paragraphs, "- " lines as a list, [n] markers linked to their sources.

    ``final=False`` marks a part still streaming (class ``kjs-partial``; a finished answer has ``kjs-final``).
    """
    cites = {int(c["n"]): str(c["cite"]) for c in citations}
    parts: list[str] = []
    in_list = False
    for line in text.split("\n"):
        if line.startswith("- "):
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"<li>{_inline(line[2:], cites, turn)}</li>")
            continue
        if in_list:
            parts.append("</ul>")
            in_list = False
        if not line.strip():
            continue
        cls = ' class="kjs-srcline"' if re.match(r"\[\d+\] ", line) else ""
        parts.append(f"<p{cls}>{_inline(line, cites, turn)}</p>")
    if in_list:
        parts.append("</ul>")
    cls = "kjs-answer " + ("kjs-final" if final else "kjs-partial") + (" kjs-refused" if refused else "")
    return f'<div class="{cls}">{"".join(parts)}</div>'


def question_html(question: str) -> str:
    """A user's question, escaped, as one HTML block."""
    return f'<div class="kjs-question">{_lines(question)}</div>'


def notice_html(message: str, kind: str = "error") -> str:
    """A short escaped notice (errors, thanks)."""
    if not message:
        return ""
    return f'<div class="kjs-notice kjs-notice-{esc(kind)}" role="status">{_lines(message)}</div>'


def pending_html() -> str:
    """Shown in the chat while the answer is being prepared."""
    return '<div class="kjs-answer kjs-pending">⏳ Mencari di korpus… / Searching the corpus…</div>'


def status_badge(status: str, label: str, replaced_by_short: str = "", lang: str = "id") -> str:
    """A coloured status badge; a repealed document names its replacement."""
    if not status:
        return ""
    text = label or status
    if status == "dicabut" and replaced_by_short:
        text += f" → {'replaced by' if lang == 'en' else 'diganti'} {replaced_by_short}"
    return f'<span class="kjs-badge kjs-badge-{esc(status)}">{esc(text)}</span>'


def _badge_for(library: Library, doc_id: str, lang: str) -> str:
    info = library.info(doc_id)
    if info is None:
        return ""
    label = info.status_label_en if lang == "en" else info.status_label_id
    return status_badge(info.status, label, info.replaced_by_short, lang)


def highlighted(text: str, span: tuple[int, int] | None, context: int | None = None) -> str:
    """Escaped text with ``text[span]`` in ``<mark>``; with ``context``, only that many characters around it."""
    if span is None:
        body = text if context is None or len(text) <= 2 * context else text[: 2 * context] + " …"
        return f'<div class="kjs-text">{_lines(body)}</div>'
    s, e = span
    a, b = 0, len(text)
    if context is not None:
        if s - context > 0:
            cut = text.rfind("\n", 0, s - context)
            a = cut + 1 if cut >= 0 else s - context
        if e + context < len(text):
            cut = text.find("\n", e + context)
            b = cut if cut >= 0 else e + context
    head = ("… " if a > 0 else "") + text[a:s]
    tail = text[e:b] + (" …" if b < len(text) else "")
    return (
        f'<div class="kjs-text">{_lines(head)}<mark class="kjs-quote">{_lines(text[s:e])}</mark>{_lines(tail)}</div>'
    )


def reader_href(root: str, doc_id: str, key: str = "") -> str:
    """Link to the full-document reader page, at a section."""
    return f"{root}/dokumen/{esc(doc_id)}" + (f"#{esc(key)}" if key else "")


def sources_html(answer: dict, library: Library | None, turn: int, root: str = "") -> str:
    """The sources panel: per citation its pinpoint, document title, status badge and the quote inside its Pasal."""
    lang = answer.get("lang", "id")
    citations = answer.get("citations") or []
    if answer.get("national"):
        return national_sources_html(answer["national"], lang, turn)
    if not citations or library is None:
        msg = (
            "Tidak ada sumber: jawaban tidak ditemukan dalam korpus. / No sources: the corpus does not answer this."
            if answer.get("refused")
            else "Belum ada sumber. / No sources yet."
        )
        return f'<div class="kjs-sources kjs-empty">{esc(msg)}</div>'
    head = "Sources" if lang == "en" else "Sumber"
    items = [f'<div class="kjs-sources"><div class="kjs-sources-head">{head}</div>']
    open_label = "Open in the document ↗" if lang == "en" else "Buka dalam dokumen ↗"
    for c in citations:
        n = int(c["n"])
        section = library.section_of_chunk(str(c.get("chunk_id", "")))
        if section is not None:
            span = section.locate(str(c.get("chunk_id", "")), str(c.get("quote", "")))
            body = highlighted(section.text, span, CONTEXT_CHARS)
            link = (
                f'<a class="kjs-open" href="{reader_href(root, section.doc_id, section.key)}" target="_blank" '
                f'rel="noopener">{open_label}</a>'
            )
        else:
            body = f'<div class="kjs-text"><mark class="kjs-quote">{_lines(str(c.get("quote", "")))}</mark></div>'
            link = ""
        note = f'<div class="kjs-note">{esc(c["note"])}</div>' if c.get("note") else ""
        items.append(
            f'<details class="kjs-source" id="{source_id(turn, n)}" open>'
            f'<summary><span class="kjs-n">[{n}]</span> <span class="kjs-cite">{esc(c["cite"])}</span> '
            f"{_badge_for(library, str(c.get('doc_id', '')), lang)}</summary>"
            f'<div class="kjs-doc-title">{esc(c.get("title", ""))}</div>{body}{note}{link}</details>'
        )
    items.append("</div>")
    return "".join(items)


def national_sources_html(citations: list[dict], lang: str, turn: int) -> str:
    """The sources panel of a refusal that quotes the national collection: marked as outside the focus corpus, each
    quote with its pinpoint, document and status from the citator."""
    head = ("National collection (outside the focus corpus; OCR text: check the official copy)" if lang == "en"
            else "Koleksi nasional (di luar korpus fokus; teks OCR: periksa naskah resmi)")
    status_label = ("status (citator, as far as the data set goes)" if lang == "en"
                    else "status (citator, sejauh data set)")
    items = [f'<div class="kjs-sources kjs-national"><div class="kjs-sources-head">{esc(head)}</div>']
    for c in citations:
        n = esc(c.get("n", ""))
        status = f'<div class="kjs-note">{status_label}: {esc(c["status"])}</div>' if c.get("status") else ""
        items.append(
            f'<details class="kjs-source" id="kjs-src-{turn}-N{n}" open>'
            f'<summary><span class="kjs-n">[N{n}]</span> <span class="kjs-cite">{esc(c.get("cite", ""))}</span>'
            f'</summary><div class="kjs-doc-title">{esc(c.get("title", ""))}</div>'
            f'<div class="kjs-text"><mark class="kjs-quote">{_lines(str(c.get("quote", "")))}</mark></div>{status}'
            "</details>"
        )
    items.append("</div>")
    return "".join(items)


_CITATOR = (("dicabut_oleh", "dicabut oleh / revoked by"), ("diubah_oleh", "diubah dengan / amended by"),
            ("mencabut", "mencabut / revokes"), ("mencabut_sebagian", "mencabut sebagian / partly revokes"),
            ("mengubah", "mengubah / amends"))


def citator_html(info: DocumentInfo) -> str:
    """What the citator (``make citator``) mined about a statute, one escaped line; "" without it."""
    found = info.citator
    if not found:
        return ""
    parts = [f"{label}: {', '.join(r['short'] for r in found[key])}" for key, label in _CITATOR if found.get(key)]
    if not parts:
        parts = [f"status {found['status']}"]
    return f'<div class="kjs-citator">Citator: {esc(" · ".join(parts))}</div>'


def catalog_html(docs: Iterable[DocumentInfo], root: str = "") -> str:
    """The catalog table of the Dokumen tab."""
    rows = []
    for d in docs:
        badge = status_badge(d.status, d.status_label_id, d.replaced_by_short)
        rows.append(
            f'<tr data-doc="{esc(d.id)}"><td><a href="{reader_href(root, d.id)}" target="_blank" rel="noopener">'
            f"{esc(d.title)}</a></td><td>{esc(d.short)}</td><td>{badge}{citator_html(d)}</td>"
            f"<td class=\"kjs-num\">{d.chunks}</td>"
            f"<td>{esc(d.last_ingested)}</td></tr>"
        )
    return (
        '<table class="kjs-catalog"><thead><tr><th>Judul / Title</th><th>Sitasi / Citation</th>'
        '<th>Status</th><th>Chunk</th><th>Terakhir diindeks / Last ingested</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _breadcrumb(section: Section) -> str:
    trail = [p for p in section.path[1:-1] if not p.startswith("#")]
    return f'<div class="kjs-trail">{esc(" › ".join(trail))}</div>' if trail else ""


def section_html(section: Section, focus: bool = False, span: tuple[int, int] | None = None) -> str:
    """One section of the reader (its anchor id is the section key)."""
    cls = "kjs-section kjs-focus" if focus else "kjs-section"
    text = section.text
    first, sep, rest = text.partition("\n")
    if sep and first.strip() in (section.label, section.pasal):
        # The heading is shown as <h4>; drop its repetition from the text.
        cut = len(first) + 1
        text = rest
        if span is not None:
            span = (max(0, span[0] - cut), max(0, span[1] - cut))
    return (
        f'<section class="{cls}" id="{esc(section.key)}" data-key="{esc(section.key)}">'
        f"{_breadcrumb(section)}<h4>{esc(section.label)}</h4>{highlighted(text, span)}</section>"
    )


def reader_html(
    info: DocumentInfo, sections: list[Section], focus: str = "", quote: str = "", chunk_id: str = "",
    window: int = 2, root: str = "",
) -> str:
    """The Dokumen tab's reader: a document's header and the focused section with ``window`` neighbours each side."""
    badge = status_badge(info.status, info.status_label_id, info.replaced_by_short)
    idx = next((i for i, s in enumerate(sections) if s.key == focus), 0)
    shown = sections[max(0, idx - window) : idx + window + 1]
    parts = [
        f'<div class="kjs-reader" data-doc="{esc(info.id)}"><div class="kjs-reader-head"><strong>{esc(info.title)}'
        f"</strong> {badge}<br><span>{esc(info.short)} · {info.chunks} chunk · "
        f'<a href="{reader_href(root, info.id, focus)}" target="_blank" rel="noopener">'
        f"dokumen lengkap / full document ↗</a></span>{citator_html(info)}</div>"
    ]
    for s in shown:
        span = s.locate(chunk_id, quote) if s.key == focus and quote else None
        parts.append(section_html(s, focus=bool(focus) and s.key == focus, span=span))
    parts.append("</div>")
    return "".join(parts)


PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;
color:#1f2937;line-height:1.5}
.kjs-section{border-left:3px solid transparent;padding:.25rem .75rem;margin:.5rem 0}
.kjs-section:target,.kjs-focus{border-left-color:#059669;background:#ecfdf5}
.kjs-text{white-space:normal}.kjs-trail{color:#6b7280;font-size:.85em}h4{margin:.25rem 0}
.kjs-badge{display:inline-block;border-radius:999px;padding:0 .6em;font-size:.8em;background:#e5e7eb}
.kjs-badge-berlaku{background:#d1fae5;color:#065f46}.kjs-badge-dicabut{background:#fee2e2;color:#991b1b}
.kjs-badge-sekunder{background:#e0e7ff;color:#3730a3}nav a{margin-right:.5rem}
"""


def document_page(info: DocumentInfo, sections: list[Section], root: str = "") -> str:
    """A standalone, escaped HTML page with a whole document; ``#<section key>`` opens a Pasal."""
    badge = status_badge(info.status, info.status_label_id, info.replaced_by_short)
    body = "".join(section_html(s) for s in sections)
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(info.short)} — kerjasama</title><style>{PAGE_CSS}</style></head><body>"
        f'<nav><a href="{root}/">← kerjasama</a></nav><h1>{esc(info.title)}</h1>'
        f"<p>{esc(info.short)} {badge} · {info.chunks} chunk · "
        f"terakhir diindeks / last ingested {esc(info.last_ingested)}</p>{citator_html(info)}"
        f"{f'<p>{esc(info.quality)}</p>' if info.quality else ''}<main>{body}</main></body></html>"
    )
