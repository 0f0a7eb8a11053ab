"""LLM-judged metrics (faithfulness, relevance): a hook, reported apart from the deterministic metrics.

There is no LLM backend yet. When one is configured (setting ``llm_backend``, environment
``KERJASAMA_LLM_BACKEND``), a judge will score each answer here; until then the report says the metrics
were not run. Nothing in the deterministic metrics depends on this module.
"""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger(__name__)

NOT_RUN = "LLM-judged metrics: not run (no LLM backend configured)"


def llm_backend(settings: Any = None) -> str:
    """The configured LLM backend name, or ``""`` when absent or ``"none"``."""
    name = getattr(settings, "llm_backend", None) if settings is not None else None
    if name is None:
        name = os.environ.get("KERJASAMA_LLM_BACKEND", "")
    name = str(name or "").strip()
    return "" if name.lower() in ("", "none") else name


def llm_judged(rows: list[dict], settings: Any = None) -> dict:
    """The ``llm_judged`` section of a result: status, a readable line, and metrics when they were run."""
    backend = llm_backend(settings)
    if not backend:
        return {"status": "not run", "backend": None, "summary": NOT_RUN, "metrics": {}}
    # A backend is named but no judge exists yet: say so rather than report made-up numbers.
    log.warning("LLM backend %r configured, but no LLM judge is implemented yet", backend)
    return {
        "status": "not run",
        "backend": backend,
        "summary": f"LLM-judged metrics: not run (no judge implemented yet for backend {backend!r})",
        "metrics": {},
    }
