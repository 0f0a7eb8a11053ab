"""Exception classes. Every message says what happened and how to fix it."""

from __future__ import annotations

from pathlib import Path


class KerjasamaError(Exception):
    """Base class of every error this package raises on purpose."""


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
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"Indeks belum siap di {self.index_dir}{extra}. Jalankan `python -m ingest` terlebih dahulu. / "
            f"The index at {self.index_dir} is not ready{extra}. Run `python -m ingest` first."
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
