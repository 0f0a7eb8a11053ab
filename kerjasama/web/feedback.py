"""Thumbs up / down with an optional comment, appended to ``data/feedback.jsonl``.

One JSON object per line, never rewritten (``python -m eval from-feedback`` reads it)::

    {"time": ISO-8601 UTC, "question": str, "answer": str, "rating": "up"|"down", "comment": str,
     "lang": str, "refused": bool, "citations": [cite strings], "chunk_ids": [str], "index": index folder name}

``citations`` and ``chunk_ids`` are parallel: the pinpoint citation and the chunk id of each cited passage.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from kerjasama.settings import Settings

log = logging.getLogger(__name__)

FEEDBACK_FILE = "feedback.jsonl"
MAX_COMMENT_CHARS = 2000
RATINGS = ("up", "down")


class FeedbackError(ValueError):
    """A feedback entry cannot be saved; the message is bilingual and shown as is."""


def feedback_path(settings: Settings) -> Path:
    """Where the feedback log lives: ``<data_dir>/feedback.jsonl``."""
    return settings.data_dir / FEEDBACK_FILE


class FeedbackLog:
    """Append-only feedback log (one process-wide lock; each entry is one ``write`` of one line)."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.feedback_log
        self.path = feedback_path(settings)
        self.index = settings.index_dir().name
        self._lock = threading.Lock()

    def entry(self, answer: dict, rating: str, comment: str = "") -> dict:
        """The log line for a rating of ``answer`` (an ``Answer.to_dict()`` object)."""
        if rating not in RATINGS:
            raise FeedbackError(f"Penilaian harus 'up' atau 'down'. / The rating must be 'up' or 'down' ({rating!r}).")
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT_CHARS:
            raise FeedbackError(
                f"Komentar terlalu panjang (maksimum {MAX_COMMENT_CHARS} karakter). / "
                f"The comment is too long (at most {MAX_COMMENT_CHARS} characters)."
            )
        if not isinstance(answer, dict) or not str(answer.get("question", "")).strip():
            raise FeedbackError("Belum ada jawaban untuk dinilai. / There is no answer to rate yet.")
        citations = [c for c in answer.get("citations") or [] if isinstance(c, dict)]
        return {
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "question": str(answer.get("question", "")),
            "answer": str(answer.get("answer", "")),
            "rating": rating,
            "comment": comment,
            "lang": str(answer.get("lang", "")),
            "refused": bool(answer.get("refused", False)),
            "citations": [str(c.get("cite", "")) for c in citations],
            "chunk_ids": [str(c.get("chunk_id", "")) for c in citations],
            "index": self.index,
        }

    def record(self, answer: dict, rating: str, comment: str = "") -> dict:
        """Append one entry and return it; raises FeedbackError when feedback is off or the entry is invalid."""
        if not self.enabled:
            raise FeedbackError("Umpan balik dinonaktifkan. / Feedback is switched off.")
        entry = self.entry(answer, rating, comment)
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line)
        log.info("feedback %s saved to %s", rating, self.path)
        return entry
