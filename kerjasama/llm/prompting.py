"""Prompt templates from ``prompts/``, rendered with strict variables."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from string import Template

from kerjasama.errors import KerjasamaError
from kerjasama.models import Hit

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
MAX_SENTENCES = 4


class PromptError(KerjasamaError):
    """A template is missing, or was rendered with missing or unexpected variables."""


@lru_cache(maxsize=32)
def _template(name: str) -> Template:
    path = PROMPTS_DIR / name
    try:
        return Template(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PromptError(f"Prompt template {path} cannot be read ({exc}); restore it from git.") from exc


def render(name: str, **variables: str) -> str:
    """Render ``prompts/<name>``; every placeholder must be given and every variable used."""
    tpl = _template(name)
    wanted = {m.group("named") or m.group("braced") for m in tpl.pattern.finditer(tpl.template)} - {None}
    missing, extra = wanted - set(variables), set(variables) - wanted
    if missing or extra:
        raise PromptError(f"{name}: missing variables {sorted(missing)}, unexpected {sorted(extra)}")
    return tpl.substitute(variables).strip()


def as_data(text: str) -> str:
    """Text placed inside the prompt's delimiters: angle brackets escaped so it cannot close them."""
    return text.replace("<", "‹").replace(">", "›")


def build_messages(question: str, hits: list[Hit], lang: str, refusal: str) -> list[tuple[str, str]]:
    """(role, content) messages: the system rules and the keyed passages with the question."""
    passages = "\n".join(
        render("passage.txt", key=str(i), cite=as_data(h.chunk.cite), text=as_data(h.chunk.text))
        for i, h in enumerate(hits, start=1)
    )
    suffix = "en" if lang == "en" else "id"
    system = render(f"system_{suffix}.txt", max_sentences=str(MAX_SENTENCES), refusal=refusal)
    user = render(f"answer_{suffix}.txt", passages=passages, question=as_data(_one_line(question)))
    return [("system", system), ("human", user)]


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
