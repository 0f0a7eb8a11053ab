"""Thumbs up / down with an optional comment, appended to ``data/feedback.jsonl``.

One JSON object per line, never rewritten (``python -m eval from-feedback`` reads it)::

    {"time": ISO-8601 UTC, "question": str, "answer": str, "rating": "up"|"down", "comment": str,
     "lang": str, "refused": bool, "citations": [cite strings], "chunk_ids": [str], "index": index folder name}

``citations`` and ``chunk_ids`` are parallel: the pinpoint citation and the chunk id of each cited passage.

The web app accepts feedback only on answers it gave: :class:`AnswerLedger` remembers the most recent answers
(by a digest of question, text, path and citations) and the entry is written from the server's copy, never from
what the client sent. The file rotates and is safe for several writing processes (:mod:`kerjasama.jsonlog`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path

from kerjasama import jsonlog
from kerjasama.settings import Settings

log = logging.getLogger(__name__)

FEEDBACK_FILE = "feedback.jsonl"
MAX_COMMENT_CHARS = 2000
RATINGS = ("up", "down")


LEDGER_SIZE = 10_000  # answers remembered for feedback (about 10 MB at most)
UNKNOWN_ANSWER = (
    "Umpan balik hanya diterima untuk jawaban yang diberikan server ini (kirim objek jawaban persis seperti "
    "diterima). / Feedback is accepted only for answers this server gave (send the answer object exactly as "
    "received)."
)


class FeedbackError(ValueError):
    """A feedback entry cannot be saved; the message is bilingual and shown as is."""


def answer_digest(answer: dict) -> str:
    """Digest of what identifies an answer: question, text, path, refusal and each citation's chunk and quote."""
    citations = answer.get("citations") if isinstance(answer.get("citations"), list) else []
    key = {
        "question": answer.get("question"), "answer": answer.get("answer"), "path": answer.get("path"),
        "refused": answer.get("refused"),
        "citations": [[c.get("chunk_id"), c.get("quote"), c.get("cite")] for c in citations if isinstance(c, dict)],
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


class AnswerLedger:
    """The most recent ``size`` answers the server gave, by :func:`answer_digest` (thread-safe)."""

    def __init__(self, size: int = LEDGER_SIZE) -> None:
        self.size = size
        self._answers: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, answer: dict) -> str:
        """Record an answer (its ``to_dict()``); returns its digest."""
        digest = answer_digest(answer)
        with self._lock:
            self._answers[digest] = answer
            self._answers.move_to_end(digest)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return digest

    def find(self, answer: dict) -> dict | None:
        """The server's copy of an answer the client sent back, or None if the server did not give it."""
        if not isinstance(answer, dict):
            return None
        with self._lock:
            return self._answers.get(answer_digest(answer))


def feedback_path(settings: Settings) -> Path:
    """Where the feedback log lives: ``<data_dir>/feedback.jsonl``."""
    return settings.data_dir / FEEDBACK_FILE


class FeedbackLog:
    """Append-only feedback log; with a ``ledger``, only answers in it are accepted (the web app's case)."""

    def __init__(self, settings: Settings, ledger: AnswerLedger | None = None) -> None:
        self.enabled = settings.feedback_log
        self.path = feedback_path(settings)
        self.index = settings.index_dir().name
        self.ledger = ledger
        self._max_bytes = settings.log_max_bytes
        self._backups = settings.log_backups

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
        if self.ledger is not None and answer:
            known = self.ledger.find(answer)
            if known is None:
                raise FeedbackError(UNKNOWN_ANSWER)
            answer = known
        entry = self.entry(answer, rating, comment)
        jsonlog.append(self.path, entry, self._max_bytes, self._backups)
        log.info("feedback %s saved to %s", rating, self.path.name)
        return entry
