"""Take an answer away: a conversation (or one of its answers) as a Markdown note or a DOCX memo.

Each answer carries its question (and how a follow-up was understood), the answer text, and the numbered
citations with pinpoint, document title, status and the verbatim quote; the memo says when it was produced and
from which index snapshot, so a reader can tell which version of the corpus it quotes.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

from kerjasama import __version__

TITLE = {"id": "Memo jawaban kerjasama", "en": "kerjasama answer memo"}
LABELS = {
    "id": {"question": "Pertanyaan", "understood": "Dipahami sebagai", "answer": "Jawaban", "sources": "Sumber",
           "status": "status", "quote": "kutipan", "produced": "Dibuat", "index": "indeks", "refused": "ditolak",
           "note": "Kutipan verbatim dari korpus; periksa terhadap salinan resmi (peraturan.bpk.go.id, JDIH) "
                   "sebelum dipakai dalam naskah hukum."},
    "en": {"question": "Question", "understood": "Understood as", "answer": "Answer", "sources": "Sources",
           "status": "status", "quote": "quote", "produced": "Produced", "index": "index", "refused": "refused",
           "note": "Verbatim quotes from the corpus; check them against the official copy (peraturan.bpk.go.id, "
                   "JDIH) before using them in a legal act."},
}


@dataclass
class MemoMeta:
    """Where a memo comes from: when, which index snapshot, which embedder."""

    produced: str = ""  # ISO time (UTC)
    index: str = ""  # index folder / snapshot id
    version: str = __version__

    @classmethod
    def now(cls, index: str = "") -> MemoMeta:
        return cls(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), index)


def _body(answer: dict) -> str:
    """The answer text without the understood-as line and without the source list (shown apart)."""
    text = answer.get("answer", "")
    lines = text.splitlines()
    if answer.get("understood_as") and lines and answer["understood_as"] in lines[0]:
        lines = lines[2:] if len(lines) > 1 and not lines[1].strip() else lines[1:]
    for marker in ("Sumber:", "Sources:"):
        if marker in lines:
            lines = lines[: lines.index(marker)]
    return "\n".join(lines).strip()


def to_markdown(answers: list[dict], meta: MemoMeta, lang: str = "id") -> str:
    """The answers (``Answer.to_dict()`` objects, oldest first) as one Markdown note."""
    lab = LABELS["en" if lang == "en" else "id"]
    out = [f"# {TITLE['en' if lang == 'en' else 'id']}", "",
           f"{lab['produced']}: {meta.produced} · {lab['index']}: {meta.index or '-'} · kerjasama {meta.version}", ""]
    for i, a in enumerate(answers, start=1):
        out.append(f"## {i}. {lab['question']}: {_md(a.get('question', ''))}")
        if a.get("understood_as"):
            out.append(f"*{lab['understood']}: {_md(a['understood_as'])}*")
        out += ["", f"**{lab['answer']}**{' (' + lab['refused'] + ')' if a.get('refused') else ''}", ""]
        out += [_md(line) for line in _body(a).splitlines()]
        cites = a.get("citations") or []
        if cites:
            out += ["", f"**{lab['sources']}**", ""]
            for c in cites:
                status = c.get("status", "") + (f" → {c['replaced_by']}" if c.get("replaced_by") else "")
                out.append(f"{c['n']}. **{_md(c['cite'])}** — {_md(c.get('title', ''))} ({lab['status']}: "
                           f"{_md(status)})")
                out.append(f"   > {_md(' '.join(c.get('quote', '').split()))}")
        out.append("")
    out += ["---", f"*{lab['note']}*", ""]
    return "\n".join(out)


def _md(text: str) -> str:
    """Text safe inside Markdown: characters that would start markup are escaped."""
    out = []
    for ch in str(text):
        out.append("\\" + ch if ch in "\\`*_{}[]<>#|" else ch)
    return "".join(out)


def to_docx(answers: list[dict], meta: MemoMeta, lang: str = "id") -> bytes:
    """The answers as a DOCX memo (python-docx): heading, provenance line, then per answer the question, the
    answer and a table of its citations (number, pinpoint, document and status, quote)."""
    from docx import Document
    from docx.shared import Pt

    lab = LABELS["en" if lang == "en" else "id"]
    doc = Document()
    doc.core_properties.title = TITLE["en" if lang == "en" else "id"]
    doc.core_properties.comments = f"{lab['index']}: {meta.index}; kerjasama {meta.version}"
    doc.add_heading(TITLE["en" if lang == "en" else "id"], level=0)
    doc.add_paragraph(f"{lab['produced']}: {meta.produced} · {lab['index']}: {meta.index or '-'} · "
                      f"kerjasama {meta.version}")
    for i, a in enumerate(answers, start=1):
        doc.add_heading(f"{i}. {lab['question']}: {a.get('question', '')}", level=1)
        if a.get("understood_as"):
            p = doc.add_paragraph()
            p.add_run(f"{lab['understood']}: {a['understood_as']}").italic = True
        head = doc.add_paragraph()
        head.add_run(lab["answer"] + (f" ({lab['refused']})" if a.get("refused") else "")).bold = True
        for line in _body(a).splitlines():
            doc.add_paragraph(line)
        cites = a.get("citations") or []
        if cites:
            doc.add_paragraph().add_run(lab["sources"]).bold = True
            table = doc.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, ("#", "Pasal", lab["status"], lab["quote"]), strict=True):
                cell.text = text
            for c in cites:
                status = c.get("status", "") + (f" → {c['replaced_by']}" if c.get("replaced_by") else "")
                row = table.add_row().cells
                row[0].text = str(c["n"])
                row[1].text = c["cite"]
                row[2].text = f"{c.get('title', '')} ({status})"
                row[3].text = " ".join(c.get("quote", "").split())
    note = doc.add_paragraph()
    run = note.add_run(lab["note"])
    run.italic = True
    run.font.size = Pt(9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
