"""Audit trail: every answer appended as one JSON line to ``data/audit.jsonl`` (``KERJASAMA_AUDIT_LOG``)."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

from kerjasama.models import Answer
from kerjasama.settings import Settings

log = logging.getLogger(__name__)
_lock = threading.Lock()
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
    path = audit_path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError as exc:
        log.warning("audit log %s not written: %s", path, exc)
