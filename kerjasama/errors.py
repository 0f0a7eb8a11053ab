"""Exception classes. Every message says what happened and how to fix it.

``str(exc)`` is for the person at the terminal (it may name folders); :attr:`KerjasamaError.public` is what a web
user sees: the same message without this machine's paths.
"""

from __future__ import annotations

import re
from pathlib import Path

_ABS_PATH = re.compile(r"(?<![\w.:/])(?:/[^\s/'\"`()\[\],;]+)+/?|[A-Za-z]:\\[^\s'\"`]+")


def scrub_paths(text: str) -> str:
    """``text`` with absolute file paths replaced by their last part (errors shown on the web name no folders)."""
    def last(m: re.Match) -> str:
        parts = [p for p in re.split(r"[\\/]", m.group(0)) if p]
        return parts[-1] if parts else ""

    return _ABS_PATH.sub(last, text)


class KerjasamaError(Exception):
    """Base class of every error this package raises on purpose."""

    @property
    def public(self) -> str:
        """The message for web users: no paths of this machine."""
        return scrub_paths(str(self))


class BadDocumentError(KerjasamaError):
    """A corpus file cannot be read as text (unreadable, empty, binary, encrypted, bad encoding)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


class CatalogError(KerjasamaError):
    """The corpus catalog is malformed."""


class IndexNotReadyError(KerjasamaError):
    """No complete index exists for the current settings."""

    def __init__(self, index_dir: Path | str, detail: str = "") -> None:
        self.index_dir = Path(index_dir)
        self.detail = detail
        super().__init__(self._message(str(self.index_dir)))

    def _message(self, where: str) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return (
            f"Indeks belum siap di {where}{extra}. Jalankan `python -m ingest` terlebih dahulu. / "
            f"The index at {where} is not ready{extra}. Run `python -m ingest` first."
        )

    @property
    def public(self) -> str:
        return scrub_paths(self._message(self.index_dir.name))


class IndexDamagedError(IndexNotReadyError):
    """The current snapshot fails its integrity check: it is never served."""

    def __init__(self, index_dir: Path | str, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(index_dir, "; ".join(self.problems[:3]) + (" …" if len(self.problems) > 3 else ""))

    def _message(self, where: str) -> str:
        return (
            f"Indeks di {where} rusak dan tidak dipakai ({self.detail}). Perbaiki dengan "
            f"`python -m ingest --rebuild` (membangun ulang di samping, lalu menukar secara atomik). / "
            f"The index at {where} is damaged and is not used ({self.detail}). Repair it with "
            f"`python -m ingest --rebuild` (builds beside it, then swaps atomically)."
        )


class IndexBusyError(KerjasamaError):
    """Another ingest holds the index's writer lock and did not finish in time."""

    def __init__(self, index_dir: Path | str, owner: str, waited: float) -> None:
        self.index_dir = Path(index_dir)
        super().__init__(
            f"Ingest lain sedang menulis indeks {self.index_dir.name} ({owner}); tidak selesai dalam {waited:.0f} s. "
            f"Tunggu sampai selesai lalu jalankan lagi. / Another ingest is writing the index {self.index_dir.name} "
            f"({owner}) and did not finish within {waited:.0f} s. Let it finish, then run again."
        )


class BusyError(KerjasamaError):
    """The language model's queue is full; the client should retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"Server sedang sibuk menjawab pertanyaan lain; coba lagi dalam {retry_after} detik. / "
            f"The server is busy answering other questions; try again in {retry_after} seconds."
        )


class QuestionError(KerjasamaError):
    """A question is empty or too long; the message is shown to the user as is."""


class MissingExtraError(KerjasamaError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str, command: str | None = None) -> None:
        self.package = package
        self.extra = extra
        self.command = command or f"pip install '.[{extra}]'"
        super().__init__(f"The optional package {package!r} is not installed. Install it with: {self.command}")


class EmbedderMismatchError(KerjasamaError):
    """An index holds vectors of another embedder than the one asked to read or extend it."""

    def __init__(self, index_dir: Path | str, stored: str, wanted: str) -> None:
        self.index_dir = Path(index_dir)
        self.stored = stored
        self.wanted = wanted
        super().__init__(
            f"The index at {self.index_dir} holds vectors of the embedder {stored!r}, not {wanted!r}; vectors of "
            f"two models are never mixed. Check KERJASAMA_EMBEDDER and the embedder passed in, or remove the "
            f"folder to rebuild it with `python -m ingest`."
        )
