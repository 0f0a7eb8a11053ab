"""LLM-judged metrics (faithfulness, relevance), reported apart from the deterministic metrics.

They run only when an LLM backend is configured (``KERJASAMA_LLM_BACKEND`` other than ``none``): the same chat
model as the generative path judges every answered case with the templates ``prompts/judge_*.txt``. A reply
that cannot be read is counted as unjudged, never guessed. Nothing in the deterministic metrics depends on this.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from kerjasama.llm.prompting import as_data, render

log = logging.getLogger(__name__)

NOT_RUN = "LLM-judged metrics: not run (no LLM backend configured)"


def llm_backend(settings: Any = None) -> str:
    """The configured LLM backend name, or ``""`` when absent or ``"none"``."""
    name = getattr(settings, "llm_backend", None) if settings is not None else None
    if name is None:
        name = os.environ.get("KERJASAMA_LLM_BACKEND", "")
    name = str(name or "").strip()
    return "" if name.lower() in ("", "none") else name


def _reply(chat: Any, prompt: str) -> str:
    from kerjasama.llm.generate import _llm_errors

    try:
        return str(chat.invoke([("human", prompt)]).content or "")
    except _llm_errors() as exc:
        log.warning("judge call failed: %s", exc)
        return ""


def parse_yes_no(text: str) -> bool | None:
    """True for a reply starting YES (or YA), False for NO (or TIDAK), None otherwise."""
    m = re.match(r"\W*(yes|ya|no|tidak)\b", text, re.I)
    return None if m is None else m.group(1).lower() in ("yes", "ya")


def parse_rating(text: str) -> int | None:
    """The first digit 1-5 of a reply, or None."""
    m = re.search(r"\b([1-5])\b", text)
    return int(m.group(1)) if m else None


def llm_judged(rows: list[dict], settings: Any = None, chat_model: Any = None) -> dict:
    """The ``llm_judged`` section of a result: status, a readable line, and metrics when they were run."""
    backend = llm_backend(settings)
    if not backend and chat_model is None:
        return {"status": "not run", "backend": None, "summary": NOT_RUN, "metrics": {}}
    if chat_model is None:
        from kerjasama.llm.backends import get_chat_model

        chat_model = get_chat_model(settings)
    answered = [r for r in rows if r.get("answerable") and not r.get("refused") and r.get("answer")]
    faithful: list[bool] = []
    ratings: list[int] = []
    unjudged = 0
    for row in answered:
        q, a = as_data(str(row.get("question", ""))), as_data(str(row["answer"]))
        verdict = parse_yes_no(_reply(chat_model, render("judge_faithfulness.txt", question=q, answer=a)))
        rating = parse_rating(_reply(chat_model, render("judge_relevance.txt", question=q, answer=a)))
        row["llm_faithful"], row["llm_relevance"] = verdict, rating
        if verdict is None or rating is None:
            unjudged += 1
        if verdict is not None:
            faithful.append(verdict)
        if rating is not None:
            ratings.append(rating)
    metrics = {
        "faithfulness": round(sum(faithful) / len(faithful), 4) if faithful else None,
        "relevance": round(sum(ratings) / len(ratings) / 5, 4) if ratings else None,
        "judged": len(answered) - unjudged,
        "unjudged": unjudged,
    }
    summary = (
        f"LLM-judged metrics ({backend or 'given model'}, {len(answered)} answered cases): "
        f"faithfulness {metrics['faithfulness']}, relevance {metrics['relevance']}, unjudged {unjudged}"
    )
    return {"status": "run", "backend": backend or None, "summary": summary, "metrics": metrics}
