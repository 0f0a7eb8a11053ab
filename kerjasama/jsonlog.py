"""Append-only JSON-lines logs (audit, feedback) that rotate and survive concurrent writers.

A standard :class:`logging.handlers.RotatingFileHandler` per file, with two additions for several processes
writing the same file (the web app, the CLI, an eval run): every write and every rollover holds a file lock
(``<file>.lock``, ``filelock``), and a handler whose file was rotated by another process reopens it before
writing. Within a process the handler's own lock serialises threads. Each entry is one line written at once.
Rotation keeps ``<file>.1`` (newest) ... ``<file>.N`` (oldest); :func:`log_files` lists them oldest first.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

_loggers: dict[tuple[str, int, int], logging.Logger] = {}
_lock = threading.Lock()


class LockedRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler safe for several processes: writes and rollovers under an inter-process lock."""

    def __init__(self, filename: str | Path, max_bytes: int, backups: int) -> None:
        from filelock import FileLock

        super().__init__(str(filename), mode="a", maxBytes=max_bytes, backupCount=backups, encoding="utf-8",
                         delay=True)
        self._file_lock = FileLock(str(filename) + ".lock")

    def _rotated_elsewhere(self) -> bool:
        if self.stream is None:
            return False
        try:
            on_disk = os.stat(self.baseFilename)
        except FileNotFoundError:
            return True
        mine = os.fstat(self.stream.fileno())
        return (on_disk.st_ino, on_disk.st_dev) != (mine.st_ino, mine.st_dev)

    def emit(self, record: logging.LogRecord) -> None:
        """Write one entry (rotating first if due) while holding the file lock."""
        try:
            Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
            with self._file_lock:
                if self._rotated_elsewhere():
                    self.stream.close()
                    self.stream = None  # type: ignore[assignment]
                super().emit(record)
        except Exception:  # noqa: BLE001 - logging's own convention: report, never raise into the caller
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """A failed write is a warning in the server log (no traceback), never an error for the user."""
        import sys

        logging.getLogger(__name__).warning("%s not written: %s", self.baseFilename, sys.exc_info()[1])


def jsonl_logger(path: Path, max_bytes: int, backups: int) -> logging.Logger:
    """The process-wide logger that appends lines to ``path`` (one per file and rotation setting)."""
    key = (str(Path(path).resolve()), max_bytes, backups)
    with _lock:
        logger = _loggers.get(key)
        if logger is None:
            logger = logging.Logger(f"kerjasama.jsonl:{key[0]}")  # not in the logging tree: no propagation
            handler = LockedRotatingFileHandler(key[0], max_bytes, backups)
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
            _loggers[key] = logger
        return logger


def append(path: Path, entry: dict, max_bytes: int, backups: int) -> None:
    """Append one JSON object as a line."""
    jsonl_logger(path, max_bytes, backups).info(json.dumps(entry, ensure_ascii=False))


def log_files(path: Path) -> list[Path]:
    """``path`` and its rotated files, oldest first (``path.N`` ... ``path.1``, ``path``), those that exist."""
    path = Path(path)
    rotated = []
    for candidate in path.parent.glob(path.name + ".*"):
        suffix = candidate.name[len(path.name) + 1 :]
        if suffix.isdigit():
            rotated.append((int(suffix), candidate))
    return [p for _, p in sorted(rotated, reverse=True)] + ([path] if path.exists() else [])
