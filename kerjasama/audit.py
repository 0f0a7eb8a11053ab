"""Audit trail: every answer appended as one JSON line to ``data/audit.jsonl`` (``KERJASAMA_AUDIT_LOG``).

The file rotates at ``KERJASAMA_LOG_MAX_BYTES`` and is safe for several writing processes (:mod:`kerjasama.jsonlog`).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from kerjasama import jsonlog
from kerjasama.models import Answer
from kerjasama.settings import Settings

log = logging.getLogger(__name__)
AUDIT_FILE = "audit.jsonl"


def audit_path(settings: Settings) -> Path:
    """Where the audit log of these settings lives."""
    return settings.data_dir / AUDIT_FILE


def record(settings: Settings, ans: Answer, backend: str, model: str) -> None:
    """Append one answer to the audit log; a write failure is logged, never raised to the user."""
    if not settings.audit_log:
        return
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "question": ans.question,
        "lang": ans.lang,
        "path": ans.path,
        "refused": ans.refused,
        "reason": ans.reason,
        "backend": backend,
        "model": model,
        "index": settings.index_dir().name,
        "chunk_ids": [h.chunk.id for h in ans.hits],
        "citations": [c.cite for c in ans.citations],
        "latency_ms": round(ans.latency_ms, 1),
    }
    jsonlog.append(audit_path(settings), entry, settings.log_max_bytes, settings.log_backups)
