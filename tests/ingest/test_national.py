# ruff: noqa: E501  (the regulation texts below keep their lines as the data set has them)
"""The national collection's index (``python -m ingest.national``): metadata, statuses, chunks and FTS5 terms on
disk; incremental updates; a kill -9 at any instant leaves the previous whole index or none, never a mix.

Texts are in the data set's wording (OCR headings, the Penjelasan run into the closing formula on one line, as
in ``uu/1974/1.md``), written to a temporary ``uu|pp/YEAR/NUMBER.md`` tree.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest import national
from tests.conftest import ROOT

UU_1974_1 = """ UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 1 TAHUN 1974 TENTANG PERKAWINAN
DENGAN RAHMAT TUHAN YANG MAHA ESA
MEMUTUSKAN:
Menetapkan: UNDANG-UNDANG TENTANG PERKAWINAN.
BAB I DASAR PERKAWINAN
Pasal 1
Perkawinan ialah ikatan lahir bathin antara seorang pria dengan seorang wanita sebagai suami isteri dengan tujuan membentuk keluarga yang bahagia dan kekal berdasarkan Ketuhanan Yang Maha Esa.
Pasal 39
(1) Perceraian hanya dapat dilakukan didepan Sidang Pengadilan setelah Pengadilan yang bersangkutan berusaha dan tidak berhasil mendamaikan kedua belah pihak.
(2) Untuk melakukan perceraian harus ada cukup alasan, bahwa antara suami isteri itu tidak akan dapat hidup rukun sebagai suami isteri.
Pasal 67
(1) Undang-undang ini mulai berlaku pada tanggal diundangkannya.
(2) Hal-hal dalam Undang-undang ini yang memerlukan pengaturan pelaksanaan, diatur lebih lanjut dengan Peraturan Pemerintah. Disahkan di Jakarta pada tanggal 2 Januari 1974. ttd SOEHARTO. PENJELASAN ATAS UNDANG-UNDANG REPUBLIK INDONESIA NOMOR I TAHUN 1974 TENTANG PERKAWINAN PENJELASAN UMUM : Undang-undang ini menganut prinsip untuk mempersukar terjadinya perceraian; untuk memungkinkan perceraian harus ada alasan-alasan tertentu serta harus dilakukan didepan Sidang Pengadilan.
"""

UU_2002_31 = """ UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 31 TAHUN 2002 TENTANG PARTAI POLITIK
DENGAN RAHMAT TUHAN YANG MAHA ESA
MEMUTUSKAN:
Menetapkan: UNDANG-UNDANG TENTANG PARTAI POLITIK.
Pasal 2
(1) Partai politik didirikan dan dibentuk oleh sekurang-kurangnya 50 (lima puluh) orang warga negara Republik Indonesia yang telah berusia 21 (dua puluh satu) tahun dengan akta notaris.
(2) Partai politik didaftarkan pada Departemen Kehakiman.
"""

UU_2008_2 = """ UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 2 TAHUN 2008 TENTANG PARTAI POLITIK
DENGAN RAHMAT TUHAN YANG MAHA ESA
MEMUTUSKAN:
Menetapkan: UNDANG-UNDANG TENTANG PARTAI POLITIK.
Pasal 2
(1) Partai Politik didirikan dan dibentuk oleh paling sedikit 50 (lima puluh) orang warga negara Indonesia yang telah berusia 21 (dua puluh satu) tahun atau sudah menikah dari setiap provinsi.
(2) Partai Politik sebagaimana dimaksud pada ayat (1) didaftarkan pada Departemen untuk menjadi badan hukum.
Pasal 51
Pada saat Undang-Undang ini mulai berlaku, Undang-Undang Nomor 31 Tahun 2002 tentang Partai Politik (Lembaran Negara Republik Indonesia Tahun 2002 Nomor 138) dicabut dan dinyatakan tidak berlaku.
"""

PP_2018_28 = """ PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 28 TAHUN 2018 TENTANG KERJA SAMA DAERAH
DENGAN RAHMAT TUHAN YANG MAHA ESA
MEMUTUSKAN:
Menetapkan: PERATURAN PEMERINTAH TENTANG KERJA SAMA DAERAH.
Pasal 30
(1) Rencana kerja sama daerah dengan pemerintah daerah di luar negeri wajib mendapat persetujuan DPRD.
(4) DPRD memberikan persetujuan paling lama 45 (empat puluh lima) hari kerja.
"""

TOO_SHORT = " PERATURAN PEMERINTAH NOMOR 9 TAHUN 1950\n(tidak terbaca)\n"

DATASET = {"uu/1974/1.md": UU_1974_1, "uu/2002/31.md": UU_2002_31, "uu/2008/2.md": UU_2008_2,
           "pp/2018/28.md": PP_2018_28, "pp/1950/9.md": TOO_SHORT}


def write_dataset(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def fts_docs(db: Path, term: str) -> set[str]:
    """Documents whose indexed terms hold ``term`` (a stem), read as a reader would."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT DISTINCT c.doc_id FROM fts JOIN chunks c ON c.rowid = fts.rowid "
                           "WHERE fts MATCH ?", (f'"{term}"',)).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


@pytest.fixture()
def built(tmp_path):
    root = write_dataset(tmp_path / "data", DATASET)
    db = tmp_path / "index.sqlite"
    return root, db, national.build(root, db)


def test_build_reads_metadata_statuses_and_reports_what_it_skipped(built):
    root, db, report = built
    assert (report.files, report.indexed, report.chunks > 5) == (5, 4, True)
    assert report.skipped == [{"file": "pp/1950/9.md", "reason": "less than 200 characters of text"}]
    con = sqlite3.connect(db)
    docs = {r[0]: r[1:] for r in con.execute("SELECT id, tentang, status, kind, tahun FROM docs")}
    assert docs["uu-1974-1"] == ("PERKAWINAN", "berlaku", "uu", 1974)
    assert docs["uu-2002-31"][1] == "dicabut"  # revoked by UU 2/2008 Pasal 51, mined from the text
    assert docs["uu-2008-2"][1] == "berlaku"
    assert dict(con.execute("SELECT key, value FROM meta"))["state"] == "complete"


def test_a_penjelasan_run_into_the_closing_formula_is_not_quoted_as_the_last_pasal(built):
    _, db, _ = built
    con = sqlite3.connect(db)
    rows = con.execute("SELECT json_extract(meta, '$.cite'), json_extract(meta, '$.part'), text FROM chunks "
                       "WHERE doc_id = 'uu-1974-1'").fetchall()
    last_pasal = [text for cite, part, text in rows if cite.startswith("UU 1/1974 Pasal 67")]
    assert last_pasal and not any("PENJELASAN" in t or "mempersukar" in t for t in last_pasal)
    assert any(part == "penjelasan-umum" and "mempersukar" in text for _, part, text in rows)


def test_updates_are_incremental(built):
    root, db, _ = built
    again = national.build(root, db)
    assert (again.indexed, again.unchanged, again.removed) == (0, 4, 0)
    (root / "uu/2002/31.md").write_text(UU_2002_31.replace("akta notaris", "akta pejabat pembuat komitmen"))
    (root / "uu/1974/1.md").unlink()
    changed = national.build(root, db)
    assert (changed.indexed, changed.unchanged, changed.removed) == (1, 2, 1)
    assert fts_docs(db, "notaris") == set()  # the old terms left the FTS index with the old text
    assert fts_docs(db, "komitmen") == {"uu-2002-31"}
    assert fts_docs(db, "kawin") == set()
    assert fts_docs(db, "partai") == {"uu-2002-31", "uu-2008-2"}


def test_a_new_chunker_version_indexes_everything_again(built, monkeypatch):
    root, db, _ = built
    monkeypatch.setattr(national, "CHUNKER_VERSION", "test")
    assert national.build(root, db).indexed == 4


# -- kill -9 ---------------------------------------------------------------------------------------------------
FILLER = ("Pemerintah Daerah melaksanakan urusan pemerintahan yang menjadi kewenangannya sesuai dengan ketentuan "
          "peraturan perundang-undangan yang berlaku dan memperhatikan kepentingan masyarakat setempat.")
DOCS = 40
TRIALS = 8


def kill_dataset(root: Path, version: int) -> None:
    """DOCS regulations, each saying which version of the data set it belongs to (a word of its own)."""
    marker = f"versi{'abcdefgh'[version]}"
    write_dataset(root, {
        f"pp/1990/{n}.md": f" PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR {n} TAHUN 1990 TENTANG URUSAN {n}\n"
                           "MEMUTUSKAN:\n" + "".join(f"Pasal {p}\n({p}) {FILLER} Kata penanda {marker}.\n"
                                                     for p in range(1, 25))
        for n in range(1, DOCS + 1)
    })


def test_kill_9_at_random_instants_leaves_the_previous_whole_index_or_none(tmp_path):
    rng = random.Random(20261203)
    root, db = tmp_path / "data", tmp_path / "index.sqlite"
    committed: int | None = None  # the version a reader must see (None: nothing was ever committed)
    interrupted = 0  # trials killed before their run committed
    cmd = [sys.executable, "-m", "ingest.national", str(root), "--out", str(db), "--verbose"]
    for trial in range(TRIALS):
        kill_dataset(root, trial % 4)
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # Wait for the run to index a random number of files (or to finish), then kill -9.
        target = rng.randint(1, DOCS)
        done = 0
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("national: ") and "/" in line:
                done = int(line.split()[1].split("/")[0])
                if done >= target:
                    break
        time.sleep(rng.uniform(0, 0.02))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        from kerjasama.national import NationalIndex

        reader = NationalIndex.open(db)
        if reader is None:
            assert committed is None, f"trial {trial}: a committed index became unreadable"
            interrupted += 1
            continue
        versions = {v for v in range(4) if fts_docs(db, f"versi{'abcdefgh'[v]}")}
        seen = {v: len(fts_docs(db, f"versi{'abcdefgh'[v]}")) for v in versions}
        assert len(versions) == 1 and seen == {next(iter(versions)): DOCS}, f"trial {trial}: mixed index {seen}"
        assert reader.docs == DOCS
        version = next(iter(versions))
        assert version in {trial % 4, committed}, f"trial {trial}: version {version}, committed {committed}"
        interrupted += version != trial % 4
        committed = version
    assert interrupted >= TRIALS // 2, "the kills did not land inside the runs: the test checks nothing"
    kill_dataset(root, 3)
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True).returncode == 0
    assert len(fts_docs(db, "versid")) == DOCS and not fts_docs(db, "versia")


def test_one_writer_at_a_time(built):
    root, db, _ = built
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another ingest holds the write lock
    try:
        proc = subprocess.run([sys.executable, "-m", "ingest.national", str(root), "--out", str(db)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 3 and "Another national ingest" in proc.stderr and "Traceback" not in proc.stderr
    assert fts_docs(db, "kawin") == {"uu-1974-1"}  # the index is as it was
