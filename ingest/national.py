"""The national collection: every UU and PP of the data set (``make national``) in one SQLite file on disk.

``python -m ingest.national [ROOT]`` reads ``ROOT/{uu,pp}/YEAR/NUMBER.md`` (the unpacked
``peraturan-uu-pp.tar.xz``), parses each file's metadata and relations with the citator (:mod:`ingest.citator`),
cuts it with the corpus's own legal-structure chunker and writes ``index.sqlite``:

- ``docs``: jenis, nomor, tahun, tentang, dates, status (from the mined graph), the file's hash;
- ``chunks``: each chunk's text and metadata (:meth:`Chunk.to_meta`) and its stemmed terms;
- ``fts``: an FTS5 index over those terms (BM25 on disk: nothing is held in memory by readers);
- ``meta``: schema, chunker version, counts, and ``state`` (``complete`` once a run has committed).

Incremental: a file whose bytes and chunker version are unchanged is skipped, a changed one is replaced, a
vanished one removed. One run is one transaction (WAL journal): readers keep answering from the previous state
while it runs, and a crash at any instant leaves the previous whole index (or none, reported as "run ingest").
One writer at a time (SQLite's write lock). Files that cannot be read or give no text are reported and skipped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunk import Chunker
from ingest.citator import KINDS, Regulation, parse, statuses
from kerjasama.catalog import DocumentMeta
from kerjasama.models import Chunk
from kerjasama.national import SCHEMA, connect
from kerjasama.relations import short
from kerjasama.text import tokenize

log = logging.getLogger(__name__)

# Bump when chunking or term extraction changes: every document is then indexed again on the next run.
CHUNKER_VERSION = "2"
MIN_TEXT_CHARS = 200  # a file with less text than this (after OCR) has nothing to retrieve: reported, skipped
PROGRESS_EVERY = 250  # documents between progress lines (with the ETA)
# OCR texts of the data set often run the closing formula, the Penjelasan heading and its parts into one line
# ("... Diundangkan di Jakarta ... PENJELASAN ATAS UNDANG-UNDANG ... PENJELASAN UMUM : ..."); the chunker reads
# structure at line starts, so these headings (upper case, never words of a provision) start a line again
# ("PENJELASAN UMUM" stays on the "PENJELASAN ATAS" line, where the chunker looks for it).
# Without this, the Penjelasan of such a law is quoted as the last Pasal.
_GLUED_HEADINGS = re.compile(
    r"[ \t]+(?=(?:PENJELASAN\s+ATAS\b|(?:II\.\s*)?(?:PENJELASAN\s+)?PASAL\s+DEMI"
    r"\s+PASAL\b|Disahkan\s+di\s+[A-Z]|Ditetapkan\s+di\s+[A-Z]|Diundangkan\s+di\s+[A-Z]))"
)

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, jenis TEXT NOT NULL, nomor INTEGER NOT NULL, tahun INTEGER NOT NULL,
    tentang TEXT NOT NULL, ditetapkan TEXT NOT NULL, diundangkan TEXT NOT NULL, status TEXT NOT NULL,
    file TEXT NOT NULL, sha TEXT NOT NULL, chunks INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS docs_kind_year ON docs(kind, tahun);
CREATE TABLE IF NOT EXISTS chunks(
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, meta TEXT NOT NULL,
    text TEXT NOT NULL, terms TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_id ON chunks(id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(terms, content='chunks', content_rowid='rowid');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(fts, 'row');
"""


@dataclass
class Report:
    """What one run did, per phase (seconds) and per outcome."""

    files: int = 0
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0
    skipped: list[dict] = field(default_factory=list)  # {"file", "reason"}: not indexed
    problems: list[dict] = field(default_factory=list)  # {"file", "problem"}: indexed, metadata incomplete
    seconds: dict[str, float] = field(default_factory=lambda: {"parse": 0.0, "chunk": 0.0, "terms": 0.0,
                                                               "write": 0.0, "commit": 0.0})

    def to_dict(self) -> dict:
        return {"files": self.files, "indexed": self.indexed, "unchanged": self.unchanged,
                "removed": self.removed, "chunks": self.chunks, "skipped": self.skipped, "problems": self.problems,
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()}}


def national_files(root: Path, fraction: float = 1.0) -> list[Path]:
    """The data set's ``KIND/YEAR/NUMBER.md`` files, in path order; ``fraction`` < 1 keeps an evenly spread share
    (every n-th file), for the scale benchmark."""
    files = [p for p in sorted(root.glob("*/*/*.md"))
             if p.parts[-3] in KINDS and p.parts[-2].isdigit() and p.stem.isdigit()]
    if fraction >= 1.0:
        return files
    step = 1.0 / max(fraction, 1e-9)
    return [files[int(i * step)] for i in range(int(len(files) * fraction))]


def terms_of(chunk: Chunk) -> str:
    """The stemmed terms of a chunk's headings and text (the focus index's tokenizer), as FTS5 reads them."""
    return " ".join(tokenize(chunk.embed_text()))


def split_glued_headings(text: str) -> str:
    """The text with the Penjelasan headings and the closing formula each starting a line (see above)."""
    return _GLUED_HEADINGS.sub("\n", text)


def _meta(reg: Regulation) -> DocumentMeta:
    return DocumentMeta(id=reg.id, title=reg.tentang, short=short(reg.id), kind=reg.jenis,
                        number=str(reg.nomor), year=reg.tahun, cataloged=False)


def build(root: Path, out: Path, fraction: float = 1.0, chunker: Chunker | None = None,
          progress: Callable[[int, int, float], None] | None = None) -> Report:
    """Index (or update) the national collection under ``root`` into ``out``; returns what was done.

    ``progress(done, total, eta_seconds)`` is called after each file."""
    chunker = chunker or Chunker()
    files = national_files(root, fraction)
    report = Report(files=len(files))
    con = connect(out)
    try:
        con.executescript(SCHEMA_SQL)
        con.execute("BEGIN IMMEDIATE")  # the one writer; readers go on reading the last committed state
        known = {r["id"]: (r["sha"], r["file"]) for r in con.execute("SELECT id, sha, file FROM docs")}
        version = _meta_value(con, "chunker")
        regs: list[Regulation] = []
        seen: set[str] = set()
        start = time.monotonic()
        for i, path in enumerate(files, 1):
            rel = path.relative_to(root).as_posix()
            try:
                raw = path.read_bytes()
            except OSError as exc:
                report.skipped.append({"file": rel, "reason": f"cannot be read ({type(exc).__name__})"})
                continue
            # Read once, as Path.read_text reads it (universal newlines), for the citator and the chunker.
            text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
            t = time.monotonic()
            reg = parse(path, root, text)
            report.seconds["parse"] += time.monotonic() - t
            regs.append(reg)
            report.problems.extend({"file": rel, "problem": p} for p in reg.problems)
            seen.add(reg.id)
            sha = hashlib.sha256(raw).hexdigest()
            if version == CHUNKER_VERSION and known.get(reg.id) == (sha, rel):
                report.unchanged += 1
            else:
                _index_one(con, reg, rel, sha, text, chunker, report)
            if progress:
                progress(i, len(files), (time.monotonic() - start) / i * (len(files) - i))
        for gone in sorted(set(known) - seen):
            _delete_doc(con, gone)
            report.removed += 1
        t = time.monotonic()
        mined = statuses(regs)
        con.executemany("UPDATE docs SET status = ? WHERE id = ?",
                        [(node["status"], reg_id) for reg_id, node in mined.items() if node.get("in_data")])
        counts = con.execute("SELECT COUNT(*) AS d, COALESCE(SUM(chunks), 0) AS c FROM docs").fetchone()
        report.chunks = int(counts["c"])
        for key, value in (("schema", str(SCHEMA)), ("chunker", CHUNKER_VERSION), ("docs", str(counts["d"])),
                           ("chunks", str(counts["c"])), ("state", "complete"), ("built", f"{time.time():.0f}")):
            con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))
        con.execute("COMMIT")
        # Fold the journal into the file (readers that are still open keep what they read; the file alone is then
        # the whole index, to copy to other machines).
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        report.seconds["commit"] += time.monotonic() - t
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return report


def _meta_value(con: sqlite3.Connection, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row["value"] if row else None


def _delete_doc(con: sqlite3.Connection, doc_id: str) -> None:
    """Remove a document, its chunks and their FTS entries (external content: the old terms are given back)."""
    rows = con.execute("SELECT rowid, terms FROM chunks WHERE doc_id = ?", (doc_id,)).fetchall()
    con.executemany("INSERT INTO fts(fts, rowid, terms) VALUES('delete', ?, ?)",
                    [(r["rowid"], r["terms"]) for r in rows])
    con.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
    con.execute("DELETE FROM docs WHERE id = ?", (doc_id,))


def _index_one(con: sqlite3.Connection, reg: Regulation, rel: str, sha: str, text: str, chunker: Chunker,
               report: Report) -> None:
    text = split_glued_headings(text.replace("\x00", ""))
    _delete_doc(con, reg.id)
    if len(text.strip()) < MIN_TEXT_CHARS:
        report.skipped.append({"file": rel, "reason": f"less than {MIN_TEXT_CHARS} characters of text"})
        return
    t = time.monotonic()
    try:
        chunks = chunker.chunk(text, _meta(reg))
    except (ValueError, IndexError, RecursionError) as exc:  # an OCR text the parser cannot follow
        report.skipped.append({"file": rel, "reason": f"cannot be cut into passages ({type(exc).__name__})"})
        return
    report.seconds["chunk"] += time.monotonic() - t
    if not chunks:
        report.skipped.append({"file": rel, "reason": "no passage found"})
        return
    t = time.monotonic()
    rows = [(c.id, reg.id, c.order, json.dumps(c.to_meta(), ensure_ascii=False), c.text, terms_of(c)) for c in chunks]
    report.seconds["terms"] += time.monotonic() - t
    t = time.monotonic()
    con.execute(
        "INSERT INTO docs(id, kind, jenis, nomor, tahun, tentang, ditetapkan, diundangkan, status, file, sha, chunks)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, 'berlaku', ?, ?, ?)",
        (reg.id, reg.id.split("-")[0], reg.jenis, reg.nomor, reg.tahun, reg.tentang, reg.ditetapkan,
         reg.diundangkan, rel, sha, len(chunks)),
    )
    for row in rows:
        cur = con.execute("INSERT INTO chunks(id, doc_id, ord, meta, text, terms) VALUES(?, ?, ?, ?, ?, ?)", row)
        con.execute("INSERT INTO fts(rowid, terms) VALUES(?, ?)", (cur.lastrowid, row[5]))
    report.seconds["write"] += time.monotonic() - t
    report.indexed += 1


def _progress(done: int, total: int, eta: float) -> None:
    if done % PROGRESS_EVERY and done != total:
        return
    log.info("national: %d/%d documents (%.0f%%), about %.0f s left", done, total, 100 * done / total, eta)


def _progress_every(done: int, total: int, eta: float) -> None:
    log.info("national: %d/%d documents", done, total)


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m ingest.national [ROOT] [--out FILE] [--fraction F]``; prints the run's report as JSON."""
    from kerjasama.settings import get_settings

    settings = get_settings()
    ap = argparse.ArgumentParser(prog="python -m ingest.national", description=__doc__.splitlines()[0])
    ap.add_argument("root", nargs="?", type=Path, default=settings.data_dir / "national",
                    help="the unpacked data set (uu/ and pp/ folders); default DATA_DIR/national")
    ap.add_argument("--out", type=Path, default=None, help="the index file (default: settings.national_file())")
    ap.add_argument("--fraction", type=float, default=1.0, help="index an evenly spread share of the files")
    ap.add_argument("--verbose", action="store_true", help="a progress line after every file")
    args = ap.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not any((args.root / kind).is_dir() for kind in KINDS):
        log.error("No uu/ or pp/ folder in %s: unpack the data set first (`make national`). / Folder uu/ atau pp/ "
                  "tidak ada: buka data set dulu (`make national`).", args.root.name)
        return 2
    out = args.out or settings.national_file()
    try:
        report = build(args.root, out, args.fraction, Chunker(settings.chunk_max_chars, settings.chunk_min_chars),
                       progress=_progress_every if args.verbose else _progress)
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        log.error("Another national ingest is writing the index; wait for it to finish. / Ingest koleksi nasional "
                  "lain sedang menulis indeks; tunggu sampai selesai.")
        return 3
    for s in report.skipped:
        log.warning("skipped %s: %s", s["file"], s["reason"])
    summary = report.to_dict() | {"skipped": len(report.skipped), "problems": len(report.problems)}
    sys.stdout.write(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
