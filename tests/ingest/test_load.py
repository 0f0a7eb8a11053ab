"""Tests for ingest.load: real files of every supported format, built in tmp_path."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest

from ingest.load import SUPPORTED_SUFFIXES, LoadedText, iter_corpus_files, load_document
from kerjasama.errors import BadDocumentError

CORPUS_DIR = Path(__file__).parents[2] / "corpus"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _minimal_pdf(text: str) -> bytes:
    """A valid one-page PDF that shows `text` in Helvetica, with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _reason(path: Path) -> str:
    with pytest.raises(BadDocumentError) as info:
        load_document(path)
    assert info.value.path == path
    return info.value.reason


# --- plain text -------------------------------------------------------------------------------------------------


def test_utf8_txt(tmp_path: Path) -> None:
    raw = "Pasal 1\nKerja sama daerah dengan pihak luar negeri \u2014 ketentuan umum.\n".encode()
    path = _write(tmp_path / "a.txt", raw)
    loaded = load_document(path)
    assert isinstance(loaded, LoadedText)
    assert loaded.text == raw.decode()
    assert (loaded.format, loaded.encoding, loaded.path) == ("txt", "utf-8", path)
    assert loaded.sha256 == hashlib.sha256(raw).hexdigest()


def test_markdown_format(tmp_path: Path) -> None:
    loaded = load_document(_write(tmp_path / "notes.MD", b"# Judul\n\nIsi.\n"))
    assert loaded.format == "md"
    assert loaded.text == "# Judul\n\nIsi.\n"


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    loaded = load_document(_write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + "Bab I \u2013 Umum\n".encode()))
    assert loaded.text == "Bab I \u2013 Umum\n"
    assert loaded.encoding == "utf-8"


def test_cp1252_detected(tmp_path: Path) -> None:
    text = "Pasal 2\nKerja sama daerah \u2013 café résumé naïve\n"
    loaded = load_document(_write(tmp_path / "legacy.txt", text.encode("cp1252")))
    assert loaded.text == text
    assert loaded.encoding == "cp1252"


def test_utf16_with_bom(tmp_path: Path) -> None:
    text = "Pasal 3\nPerjanjian internasional \u2013 é\n"
    loaded = load_document(_write(tmp_path / "wide.txt", text.encode("utf-16")))
    assert loaded.text == text
    assert loaded.encoding == "utf-16"


def test_normalisation(tmp_path: Path) -> None:
    raw = "Pasal 4   \r\nAyat (1)\t \r\rBaris\x1f dengan\x07 kontrol\tdan tab\r\nCafe\u0301 \n".encode()
    loaded = load_document(_write(tmp_path / "crlf.txt", raw))
    assert loaded.text == "Pasal 4\nAyat (1)\n\nBaris dengan kontrol\tdan tab\nCaf\u00e9\n"


def test_nul_characters_removed_after_decoding(tmp_path: Path) -> None:
    loaded = load_document(_write(tmp_path / "nul16.txt", "Pasal\x00 7\r\n".encode("utf-16")))
    assert loaded.text == "Pasal 7\n"


def test_binary_file_rejected(tmp_path: Path) -> None:
    data = bytes(random.Random(1).randrange(256) for _ in range(4096)) + b"\x00\x00"
    assert _reason(_write(tmp_path / "blob.txt", data)) == "binary file, not text"


def test_control_heavy_file_without_nul_rejected(tmp_path: Path) -> None:
    data = bytes([0x01, 0x02, 0x03, 0x41]) * 500
    assert _reason(_write(tmp_path / "ctrl.md", data)) == "binary file, not text"


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n   \n"])
def test_empty_and_whitespace_rejected(tmp_path: Path, content: bytes) -> None:
    assert _reason(_write(tmp_path / "empty.txt", content)) == "empty document (no text)"


def test_unsupported_suffix(tmp_path: Path) -> None:
    reason = _reason(_write(tmp_path / "data.xyz", b"hello"))
    assert reason.startswith("unsupported file type '.xyz' (supported: ")
    assert all(suffix in reason for suffix in SUPPORTED_SUFFIXES)


def test_directory_and_missing_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert _reason(folder).startswith("cannot read file: ")
    assert _reason(tmp_path / "missing.txt") == "cannot read file: No such file or directory"


# --- PDF --------------------------------------------------------------------------------------------------------


def test_pdf_text_extracted(tmp_path: Path) -> None:
    loaded = load_document(_write(tmp_path / "doc.pdf", _minimal_pdf("Pasal 1")))
    assert loaded.format == "pdf"
    assert loaded.encoding == ""
    assert "Pasal 1" in loaded.text


def test_encrypted_pdf_rejected(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert _reason(path) == "encrypted PDF (password protected)"


def test_corrupt_pdf_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path / "broken.pdf", os.urandom(64).replace(b"%", b"x") + b"not a pdf at all")
    assert _reason(path).startswith("not a readable PDF: ")


def test_blank_pdf_is_empty(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "blank.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert _reason(path) == "empty document (no text)"


# --- DOCX -------------------------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("Pasal 5")
    table = document.add_table(rows=2, cols=2)
    for row, values in zip(table.rows, [("Pihak", "Negara"), ("Bogor", "Jepang")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Penutup")
    path = tmp_path / "mou.docx"
    document.save(str(path))

    loaded = load_document(path)
    assert loaded.format == "docx"
    assert loaded.encoding == ""
    assert loaded.text.split("\n") == ["Pasal 5", "Pihak | Negara", "Bogor | Jepang", "Penutup"]


def test_corrupt_docx_rejected(tmp_path: Path) -> None:
    assert _reason(_write(tmp_path / "broken.docx", b"PK\x03\x04 this is not a zip")).startswith(
        "not a readable DOCX: "
    )


# --- HTML -------------------------------------------------------------------------------------------------------


def test_html_scripts_and_styles_removed(tmp_path: Path) -> None:
    markup = (
        "<html><head><title>Kerja Sama</title><style>body { color: red; }</style></head>"
        "<body><h1>Pasal 6</h1>\n\n\n\n<p>Isi pasal   </p><script>alert(1)</script>"
        "<noscript>aktifkan JS</noscript><p>Ayat kedua</p></body></html>"
    )
    loaded = load_document(_write(tmp_path / "page.htm", markup.encode()))
    assert loaded.format == "html"
    assert loaded.encoding == "utf-8"
    for gone in ("alert", "color: red", "aktifkan JS"):
        assert gone not in loaded.text
    lines = loaded.text.split("\n")
    assert "Pasal 6" in lines and "Isi pasal" in lines and "Ayat kedua" in lines
    assert "\n\n\n" not in loaded.text


def test_html_with_only_script_is_empty(tmp_path: Path) -> None:
    path = _write(tmp_path / "js.html", b"<html><body><script>alert(1)</script></body></html>")
    assert _reason(path) == "empty document (no text)"


# --- corpus listing ---------------------------------------------------------------------------------------------


def test_iter_corpus_files(tmp_path: Path) -> None:
    for name in ["b.txt", "a.md", "sub/c.pdf", "sub/d.docx", "sub/e.HTML", "f.htm"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    for name in [
        ".hidden.txt",
        ".git/x.txt",
        "sub/.cache/y.md",
        "SOURCES.md",
        "catalog.yaml",
        "README.md",
        "readme.txt",
        "image.png",
        "notes.rtf",
        "noext",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "dir.txt").mkdir()

    found = iter_corpus_files(tmp_path)
    assert found == sorted(found)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.md",
        "b.txt",
        "f.htm",
        "sub/c.pdf",
        "sub/d.docx",
        "sub/e.HTML",
    ]


def test_iter_corpus_files_missing_dir(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        iter_corpus_files(tmp_path / "nope")


def test_real_corpus_file() -> None:
    path = CORPUS_DIR / "pp-28-2018.txt"
    loaded = load_document(path)
    assert "Pasal 30" in loaded.text
    assert "\r" not in loaded.text
    assert path in iter_corpus_files(CORPUS_DIR)
    assert CORPUS_DIR / "SOURCES.md" not in iter_corpus_files(CORPUS_DIR)
