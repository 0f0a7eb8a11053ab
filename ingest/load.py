"""Load one corpus file (txt, md, pdf, docx, html) as normalised text, or say clearly why it cannot be loaded."""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kerjasama.errors import BadDocumentError

log = logging.getLogger(__name__)

_FORMATS = {".txt": "txt", ".md": "md", ".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_FORMATS)
_SKIPPED_NAMES = frozenset({"sources.md", "catalog.yaml"})
# UTF-32 LE must come before UTF-16 LE: its BOM starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
# Control bytes that do not occur in text files (tab, LF, VT, FF, CR and ESC do).
_NON_TEXT_BYTES = frozenset(set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B}) | {0x7F}
_BINARY_SAMPLE = 8192
_BINARY_SHARE = 0.10
# Legacy encoding preferred when charset-normalizer finds it as plausible as its best guess
# (the corpus is Indonesian and English; short cp1252 files are otherwise often read as cp1250 or cp775).
_PREFERRED_LEGACY = "cp1252"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f]")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_DROPPED_HTML_TAGS = ["script", "style", "noscript", "template"]


@dataclass(frozen=True)
class LoadedText:
    """The normalised text of one corpus file, with its format, raw-byte hash and detected encoding."""

    path: Path
    text: str
    format: str
    sha256: str
    encoding: str


def load_document(path: Path) -> LoadedText:
    """Load one corpus file; raise BadDocumentError(path, reason) with a clear, human reason."""
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    try:
        with path.open("rb") as fh:
            if fmt is None:
                suffix = path.suffix or "(none)"
                supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
                raise BadDocumentError(path, f"unsupported file type '{suffix}' (supported: {supported})")
            raw = fh.read()
    except OSError as exc:
        raise BadDocumentError(path, f"cannot read file: {exc.strerror or exc}") from exc

    encoding = ""
    if fmt in ("txt", "md"):
        text, encoding = _decode_text(path, raw)
        text = _normalise(text)
    elif fmt == "html":
        decoded, encoding = _decode_text(path, raw)
        text = _BLANK_RUNS.sub("\n\n", _normalise(_html_text(decoded))).strip("\n")
    elif fmt == "pdf":
        text = _normalise(_pdf_text(path, raw))
    else:
        text = _normalise(_docx_text(path, raw))

    if not text.strip():
        raise BadDocumentError(path, "empty document (no text)")
    log.debug("loaded %s (%s, %s, %d chars)", path, fmt, encoding or "binary", len(text))
    return LoadedText(path=path, text=text, format=fmt, sha256=hashlib.sha256(raw).hexdigest(), encoding=encoding)


def iter_corpus_files(corpus_dir: Path) -> list[Path]:
    """Supported files under corpus_dir (recursive), sorted; skips hidden files/dirs, README*, SOURCES.md, catalog.yaml.

    Raises NotADirectoryError if corpus_dir is not an existing directory.
    """
    root = Path(corpus_dir)
    if not root.is_dir():
        raise NotADirectoryError(f"corpus directory not found: {root}")
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            lower = name.lower()
            if name.startswith(".") or lower.startswith("readme") or lower in _SKIPPED_NAMES:
                continue
            if Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(Path(dirpath) / name)
    return sorted(found)


def _normalise(text: str) -> str:
    """Unify line breaks, drop C0 controls except \\n and \\t, apply NFC and strip trailing spaces per line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_CHARS.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return _TRAILING_SPACE.sub("", text)


def _decode_text(path: Path, raw: bytes) -> tuple[str, str]:
    """Decode a text file's bytes: BOM, then UTF-8, then charset-normalizer. Returns (text, encoding)."""
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), label
            except UnicodeDecodeError as exc:
                raise BadDocumentError(path, f"cannot decode text (has a {label} BOM but invalid {label})") from exc
    sample = raw[:_BINARY_SAMPLE]
    if b"\x00" in raw or (sample and sum(b in _NON_TEXT_BYTES for b in sample) / len(sample) > _BINARY_SHARE):
        raise BadDocumentError(path, "binary file, not text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass

    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw))
    if not matches:
        raise BadDocumentError(path, "cannot decode text (not UTF-8 and no reliable encoding detected)")
    best = matches[0]
    encoding = best.encoding
    if any(_PREFERRED_LEGACY in m.could_be_from_charset for m in matches if m.chaos <= best.chaos + 0.01):
        encoding = _PREFERRED_LEGACY
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise BadDocumentError(path, f"cannot decode text as detected encoding {encoding}") from exc
    log.info("%s is not UTF-8; decoded as %s", path, encoding)
    return text, encoding


def _short(exc: BaseException) -> str:
    """A one-line, length-limited description of an exception."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= 120 else message[:117] + "..."


def _pdf_text(path: Path, raw: bytes) -> str:
    """Extract the text of every page of a PDF, joined with newlines."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise BadDocumentError(path, f"encrypted PDF (cannot decrypt: {_short(exc)})") from exc
            if not opened:
                raise BadDocumentError(path, "encrypted PDF (password protected)")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except FileNotDecryptedError as exc:
        raise BadDocumentError(path, "encrypted PDF (password protected)") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, OSError, RecursionError) as exc:
        raise BadDocumentError(path, f"not a readable PDF: {_short(exc)}") from exc


def _docx_text(path: Path, raw: bytes) -> str:
    """Paragraphs and table rows of a DOCX in document order; row cells joined by ' | '."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from lxml.etree import XMLSyntaxError

    try:
        document = Document(io.BytesIO(raw))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(" | ".join(cell.text for cell in row.cells) for row in block.rows)
            else:
                lines.append(block.text)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError, OSError) as exc:
        raise BadDocumentError(path, f"not a readable DOCX: {_short(exc)}") from exc
    return "\n".join(lines)


def _html_text(markup: str) -> str:
    """Visible text of an HTML document (script, style, noscript and template removed), one text node a line."""
    from bs4 import BeautifulSoup, FeatureNotFound

    try:
        soup = BeautifulSoup(markup, "lxml")
    except FeatureNotFound:
        soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(_DROPPED_HTML_TAGS):
        tag.decompose()
    return soup.get_text("\n")
