"""A follow-up rewritten by the LLM as a standalone question, behind a check; the rules' reading is the fallback.

The model sees the conversation's earlier questions and the follow-up (``prompts/condense.txt``) and answers one
line. :func:`check_condensed` accepts that line only if it could be the same question made explicit: one line of a
sensible length, no document or Pasal the conversation never named (a model must not invent the law being asked
about), and sharing a word with the follow-up (a rewrite that drops the follow-up's own words asks something else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kerjasama.llm.prompting import as_data, render
from kerjasama.text import tokenize

MAX_HISTORY = 3  # earlier questions shown to the model (the last ones)
MAX_LENGTH_FACTOR = 2.0  # a rewrite may be at most this times the follow-up plus the last earlier question
_PREFIX = re.compile(r"^\s*(standalone\s+question|pertanyaan(\s+mandiri)?|question|rewritten)\s*[:\-]\s*", re.I)


@dataclass
class Condensed:
    """The model's rewrite and whether it passed the check (``problem`` says why not)."""

    text: str
    ok: bool
    problem: str = ""


def condense_messages(question: str, history: list[str]) -> list[tuple[str, str]]:
    """(role, content) messages asking for the standalone form of ``question``."""
    lines = "\n".join(f"- {as_data(_one_line(h))}" for h in history[-MAX_HISTORY:])
    return [("human", render("condense.txt", history=lines, question=as_data(_one_line(question))))]


def check_condensed(raw: str, question: str, history: list[str], refs_of) -> Condensed:
    """Accept the model's ``raw`` rewrite of ``question`` or say why not; ``refs_of(text)`` parses legal
    references (documents and Pasal) as the analyzer does."""
    lines = [ln for ln in (raw or "").strip().splitlines() if ln.strip()]
    if not lines:
        return Condensed("", False, "empty")
    text = _PREFIX.sub("", lines[0]).strip().strip("\"'“”‘’").strip()
    if not text:
        return Condensed("", False, "empty")
    limit = MAX_LENGTH_FACTOR * (len(question) + (len(history[-1]) if history else 0)) + 20
    if len(text) > limit:
        return Condensed(text, False, "too long")
    known_text = " ".join([question, *history])
    known = refs_of(known_text)
    new = refs_of(text)
    if set(new.doc_ids) - set(known.doc_ids) or new.unknown_docs and not known.unknown_docs:
        return Condensed(text, False, "names a document the conversation does not")
    known_pasal = {p for p, _, _ in known.pasal}
    if {p for p, _, _ in new.pasal} - known_pasal:
        return Condensed(text, False, "names a Pasal the conversation does not")
    own = set(tokenize(question))
    if own and not own & set(tokenize(text)):
        return Condensed(text, False, "drops the follow-up's own words")
    return Condensed(text, True)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
