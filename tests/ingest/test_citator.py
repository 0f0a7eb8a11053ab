# ruff: noqa: E501  (the regulation texts below keep their lines as the data set has them)
"""The citator: metadata and revoke / amend relations mined from regulation texts (ingest/citator.py).

The wordings are those of the national data set (closing provisions of UU 23/2014, UU 22/2007, PP 28/2018 and PP
41/2007, the title of UU 9/2015, OCR digits); the last test runs on the real files when the data set is there.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from ingest import citator

DATASET = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "peraturan-uu-pp.tar.xz"

UU_2014_23 = """ UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 23 TAHUN 2014 TENTANG PEMERINTAHAN DAERAH
DENGAN RAHMAT TUHAN YANG MAHA ESA
Menimbang:
a. bahwa Undang-Undang Nomor 32 Tahun 2004 tentang Pemerintahan Daerah sudah tidak sesuai sehingga perlu dicabut;
MEMUTUSKAN:
Menetapkan: UNDANG-UNDANG TENTANG PEMERINTAHAN DAERAH.
Pasal 409
Pada saat Undang-Undang ini mulai berlaku:
a. Undang-Undang Nomor 5 Tahun 1962 tentang Perusahaan Daerah (Lembaran Negara Republik Indonesia Tahun 1962 Nomor 10);
b. Undang-Undang Nomor 32 Tahun 2004 tentang Pemerintahan Daerah (Lembaran Negara Republik Indonesia Tahun 2004 Nomor 125) sebagaimana telah diubah beberapa kali terakhir dengan Undang-Undang Nomor 12 Tahun 2008 tentang Perubahan Kedua Atas Undang-Undang Nomor 32 Tahun 2004;
c. Pasal 157, Pasal 158 ayat (2) sampai dengan ayat (9), dan Pasal 159 Undang-Undang Nomor 28 Tahun 2009 tentang Pajak Daerah dan Retribusi Daerah; dan
d. Pasal 1 angka 4 Undang-Undang Nomor 17 Tahun 2014 tentang MPR, DPR, DPD, dan DPRD, dicabut dan dinyatakan tidak berlaku.
Pasal 410
Ditetapkan di Jakarta pada tanggal 30 September 2014
Diundangkan di Jakarta pada tanggal 2 Oktober 2014
PENJELASAN
ATAS UNDANG-UNDANG NOMOR 23 TAHUN 2014
Pasal 5 Undang-Undang Nomor 9 Tahun 2010 dinyatakan tidak berlaku bagi Daerah yang ...
"""

PP_2018_28 = """ PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 28 TAHUN 2Ol8 TENTANG KERJA SAMA DAERAH
DENGAN RAHMATTUHAN YANG MAHA ESA
MEMUTUSKAN:
BAB VIII KETENTUAN PENUTUP
Pasal 51
Pada saat Peraturan Pemerintah ini mulai berlaku, Peraturan Pemerintah Nomor 50 Tahun 2OO7 tentang Tata Cara Pelaksanaan Kerja Sama Daerah (kmbaran Negara Republik Indonesia Tahun 2OO7 Nomor ll2) dicabut dan dinyatakan tidak berlaku.
"""

UU_2007_22_QUALIFIED = """ UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 22 TAHUN 2007 TENTANG PENYELENGGARA PEMILIHAN UMUM
MEMUTUSKAN:
Pasal 132
Pada saat Undang-Undang ini mulai berlaku:
a. Undang-Undang Nomor 12 Tahun 2003 tentang Pemilihan Umum;
b. Undang-Undang Nomor 32 Tahun 2004 tentang Pemerintahan Daerah; yang mengatur lembaga penyelenggara dan pengawas Pemilu sepanjang telah diatur dalam Undang-Undang ini dicabut dan dinyatakan tidak berlaku.
"""

UU_2015_9 = """ UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 9 TAHUN 2015 TENTANG PERUBAHAN KEDUA ATAS UNDANG-UNDANG NOMOR 23 TAHUN 2014 TENTANG PEMERINTAHAN DAERAH
DENGAN RAHMAT TUHAN YANG MAHA ESA
"""

PERPU = """ UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 2 TAHUN 2020 TENTANG PENETAPAN
MEMUTUSKAN:
Pasal 9
Pada saat Undang-Undang ini mulai berlaku, Peraturan Pemerintah Pengganti Undang-Undang Nomor 1 Tahun 2020 tentang Kebijakan Keuangan dinyatakan tidak berlaku.
"""


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    amends_too = UU_2015_9.replace("NOMOR 9 TAHUN 2015", "NOMOR 23 TAHUN 2014").replace("KEDUA", "KETIGA")
    files = {"uu/2014/23.md": UU_2014_23, "pp/2018/28.md": PP_2018_28, "uu/2007/22.md": UU_2007_22_QUALIFIED,
             "uu/2015/9.md": UU_2015_9, "uu/2020/2.md": PERPU, "uu/2004/32.md": amends_too,
             "pp/notes.md": "not a regulation"}
    for rel, text in files.items():
        _write(tmp_path, rel, text)
    return tmp_path


def _relations(regs: list[citator.Regulation], source: str) -> set[tuple[str, str]]:
    return {(r.type, r.target) for reg in regs if reg.id == source for r in reg.relations}


def test_closing_list_revokes_whole_laws_and_only_some_pasal_of_others(dataset):
    regs = citator.parse_all(dataset)
    assert _relations(regs, "uu-2014-23") == {
        ("mencabut", "uu-1962-5"), ("mencabut", "uu-2004-32"),  # the first law an item names, not its amendment
        ("mencabut_sebagian", "uu-2009-28"), ("mencabut_sebagian", "uu-2014-17"),
    }  # neither the Menimbang ("perlu dicabut") nor the Penjelasan counts


def test_ocr_digits_heading_dates_and_title(dataset):
    regs = {r.id: r for r in citator.parse_all(dataset)}
    assert _relations(list(regs.values()), "pp-2018-28") == {("mencabut", "pp-2007-50")}  # "2OO7" read as 2007
    pp = regs["pp-2018-28"]
    assert (pp.jenis, pp.nomor, pp.tahun, pp.tentang, pp.problems) == (
        "Peraturan Pemerintah", 28, 2018, "KERJA SAMA DAERAH", [])
    uu = regs["uu-2014-23"]
    assert (uu.ditetapkan, uu.diundangkan) == ("30 September 2014", "2 Oktober 2014")
    assert regs["uu-2004-32"].problems == ["the heading says Nomor 23 Tahun 2014"]  # reported, still mined:
    assert citator.number("2Ol4") == 2014 and citator.number("ll2") == 112 and citator.number("x1") is None


def test_a_qualifier_after_the_list_makes_every_item_partial(dataset):
    assert _relations(citator.parse_all(dataset), "uu-2007-22") == {
        ("mencabut_sebagian", "uu-2003-12"), ("mencabut_sebagian", "uu-2004-32")}


def test_amendment_titles_and_perpu_references(dataset):
    regs = citator.parse_all(dataset)
    assert _relations(regs, "uu-2015-9") == _relations(regs, "uu-2004-32") == {("mengubah", "uu-2014-23")}
    assert _relations(regs, "uu-2020-2") == {("mencabut", "perpu-2020-1")}  # a Perpu is not a PP


def test_status_from_the_graph(dataset):
    status = citator.statuses(citator.parse_all(dataset))
    assert status["uu-2004-32"]["status"] == "dicabut" and status["uu-2004-32"]["dicabut_oleh"] == ["uu-2014-23"]
    assert status["pp-2007-50"] == {"status": "dicabut", "in_data": False, "dicabut_oleh": ["pp-2018-28"],
                                    "diubah_oleh": []}  # revoked, though this folder does not hold it
    assert status["uu-2014-23"] == {"status": "diubah", "in_data": True, "dicabut_oleh": [],
                                    "diubah_oleh": ["uu-2004-32", "uu-2015-9"]}  # in the order enacted (by path)
    assert status["uu-2009-28"]["status"] == "tidak dalam data"  # partly revoked, and not in this folder
    assert status["pp-2018-28"]["status"] == "berlaku"


def test_cli_writes_the_graph_and_refuses_a_wrong_folder(dataset, tmp_path, capsys):
    out = tmp_path / "relations.json"
    assert citator.main([str(dataset), "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["regulations"] == 6 and summary["relations"]["mengubah"] == 2
    assert json.loads(out.read_text(encoding="utf-8"))["status"]["pp-2007-50"]["status"] == "dicabut"
    assert citator.main([str(tmp_path / "nowhere")]) == 2


@pytest.mark.skipif(not DATASET.exists(), reason="the national data set is not beside the checkout")
def test_real_texts_give_the_focus_corpus_statuses(tmp_path):
    wanted = {"uu/2014/23.md", "uu/2004/32.md", "pp/2018/28.md", "pp/2007/50.md", "uu/2015/9.md", "uu/2015/2.md"}
    with tarfile.open(DATASET) as tar:
        tar.extractall(tmp_path, members=[m for m in tar.getmembers() if m.name in wanted], filter="data")
    status = citator.statuses(citator.parse_all(tmp_path))
    assert status["uu-2004-32"]["dicabut_oleh"] == ["uu-2014-23"]
    assert status["pp-2007-50"]["dicabut_oleh"] == ["pp-2018-28"]
    # UU 2/2015 enacted Perpu 2/2014, which is what amended UU 23/2014 first; then UU 9/2015
    assert status["uu-2014-23"]["diubah_oleh"] == ["perpu-2014-2", "uu-2015-9"]
    assert ("menetapkan", "perpu-2014-2") in _relations(citator.parse_all(tmp_path), "uu-2015-2")


OLD_STYLE = """ PERATURAN PEMERINTAH REPUBLIK INDONESIA
Menimbang: bahwa Peraturan Pemerintah No. 9 tahun 1961 perlu dicabut;
Memutuskan: Menetapkan: Peraturan Pemerintah tentang Perubahan Peraturan Pemerintah No.18 tahun 1958. Pasal 22 Hal-hal yang belum diatur ditetapkan oleh Menteri. Pasal 23. Peraturan Pemerintah No. 142, No. 144. No. 146. No. I 51 dan No. 162 tahun 1961 dicabut. Pasal 24. Terhitung sejak berdirinya Perusahaan Perseroan (PERSERO), berdasarkan Undang-undang Nomor 7 Tahun 1992 tentang Perbankan, Undang-undang Nomor 20 Tahun 1968 tentang Bank Tabungan Negara tidak berlaku lagi. Pasal 25. Peraturan Pemerintah No. 31 Tahun 1964 dinyatakan tidak berlaku lagi terhadap Perusahaan Perseroan (PERSERO) termaksud.
"""

DECREE = """ UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 3 TAHUN 1971 TENTANG PEMBERANTASAN TINDAK PIDANA KORUPSI
MEMUTUSKAN : I. Mencabut : Undang-undang No. 24 Prp. tahun 1960. II. Menetapkan : Undang-undang tentang Pemberantasan Tindak Pidana Korupsi.
Pasal 36 Dengan berlakunya Undang-undang ini, semua peraturan pelaksanaan dinyatakan tetap berlaku; Peraturan Pemerintah Nomor 8 Tahun 1970 sebagaimana telah diubah dengan Peraturan Pemerintah Nomor 9 Tahun 1970 dicabut dan dinyatakan tidak berlaku.
"""

TITLES = {
    "pp/1993/17.md": " PERATURAN PEMERINTAH NOMOR 17 TAHUN 1993 TENTANG PERUBAHAN PERATURAN PEMERINTAH NOMOR 10 TAHUN 1980 TENTANG TUNJANGAN\n",
    "uu/1976/3.md": " UNDANG-UNDANG NOMOR 3 TAHUN 1976 TENTANG PERUBAHAN PASAL 18 UNDANG-UNDANG NOMOR 62 TAHUN 1958 TENTANG KEWARGANEGARAAN\n",
    "pp/2019/40.md": " PERATURAN PEMERINTAH NOMOR 40 TAHUN 2019 TENTANG PELAKSANAAN UNDANG-UNDANG NOMOR 23 TAHUN 2006 SEBAGAIMANA TELAH DIUBAH DENGAN UNDANG-UNDANG NOMOR 24 TAHUN 2013 TENTANG PERUBAHAN ATAS UNDANG-UNDANG NOMOR 23 TAHUN 2006\n",
}


def test_older_wordings_lists_of_numbers_and_qualified_revocations(tmp_path):
    _write(tmp_path, "pp/1963/25.md", OLD_STYLE)
    _write(tmp_path, "uu/1971/3.md", DECREE)
    regs = citator.parse_all(tmp_path)
    assert _relations(regs, "pp-1963-25") == {
        ("mengubah", "pp-1958-18"),  # from "Menetapkan: Peraturan Pemerintah tentang Perubahan ..." (no heading)
        *{("mencabut", f"pp-1961-{n}") for n in (142, 144, 146, 151, 162)},  # one clause, several numbers
        ("mencabut", "uu-1968-20"),  # not UU 7/1992, named only as the ground ("berdasarkan ...")
        ("mencabut_sebagian", "pp-1964-31"),  # "tidak berlaku lagi terhadap PERSERO termaksud": only for it
    }  # the Menimbang's "perlu dicabut" is a reason, not a provision
    assert _relations(regs, "uu-1971-3") == {("mencabut", "perpu-1960-24"), ("mencabut", "pp-1970-8")}


def test_amendment_titles_without_atas_and_mentions_that_amend_nothing(tmp_path):
    for rel, text in TITLES.items():
        _write(tmp_path, rel, text)
    regs = citator.parse_all(tmp_path)
    assert _relations(regs, "pp-1993-17") == {("mengubah", "pp-1980-10")}
    assert _relations(regs, "uu-1976-3") == {("mengubah", "uu-1958-62")}  # one Pasal of it: still an amendment
    assert _relations(regs, "pp-2019-40") == set()  # implements a law whose amendment its title mentions


LIST_AFTER = """ PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 4 TAHUN 1976 TENTANG ^PENGATURAN ^TAHUN
MEMUTUSKAN:
Pasal 20
(1) Pada saat mulai berlakunya Peraturan Pemerintah ini, peraturan pelaksanaan yang telah ada dinyatakan tetap berlaku.
(2) Dengan berlakunya Peraturan Pemerintah ini, maka dinyatakan tidak berlaku lagi :
a. Peraturan Pemerintah Nomor 41 Tahun 1952;
b. Peraturan Pemerintah Nomor 37 Tahun 1956, tentang Perubahan Peraturan Pemerintah Nomor 41 Tahun 1952.
Pasal 21
Pada saat Peraturan Pemerintah ini mulai berlaku, Peraturan Pemerintah Nomor 7 Tahun 2008 tentang Dekonsentrasi dan T\\: gas Pembantuan (Lembaran Negara Tahun 2008 Nomor 20), dicabut dan dinyatakan tidak berlaku.
Pasal 22
Pada saat Peraturan Pemerintah ini mulai berlaku:
a. ketentuan Pasal 50 ayat (1) dan ayat (3) huruf a, huruf f, serta huruf k; dan
b. ketentuan Pasal 78 ayat (1);
dalam Peraturan Pemerintah Nomor 41 Tahun 1999 tentang Kehutanan dicabut dan dinyatakan tidak berlaku.
"""

REPEAL_TITLE = " UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 11 TAHUN 2015 TENTANG PENCABUTAN PERATURAN PEMERINTAH PENGGANTI UNDANG-UNDANG NOMOR 4 TAHUN 2008\n"


def test_a_list_after_the_verb_ayat_sentences_ocr_colons_and_parts_named_before_the_law(tmp_path):
    _write(tmp_path, "pp/1976/4.md", LIST_AFTER)
    _write(tmp_path, "uu/2015/11.md", REPEAL_TITLE)
    regs = {r.id: r for r in citator.parse_all(tmp_path)}
    assert _relations(list(regs.values()), "pp-1976-4") == {
        ("mencabut", "pp-1952-41"), ("mencabut", "pp-1956-37"),  # "dinyatakan tidak berlaku lagi: a. ...; b. ..."
        ("mencabut", "pp-2008-7"),  # "T\\: gas" is OCR, not the colon that starts a list
        ("mencabut_sebagian", "pp-1999-41"),  # its Pasal named in the items before it
    }  # ayat (1) "tetap berlaku" is its own sentence: nothing of it is revoked
    assert regs["pp-1976-4"].tentang == "PENGATURAN TAHUN"  # OCR carets dropped
    assert _relations(list(regs.values()), "uu-2015-11") == {("mencabut", "perpu-2008-4")}  # "Pencabutan Perpu"


MORE = {
    "pp/1971/35.md": """ PERATURAN PEMERINTAH NOMOR 35 TAHUN 1971 TENTANG PENGALIHAN BENTUK
MEMUTUSKAN:
Pasal 6
Terhitung sejak dibubarkannya Perusahaan Negara sebagaimana yang dimaksudkan dalam ayat (2) Pasal 1 Peraturan Pemerintah ini, Peraturan Pemerintah No. 110 tahun 1961 (Lembaran-Negara tahun 1961 No. 134) jo. Peraturan Pemerintah No. 15 tahun 1971 dinyatakan tidak berlaku.
Pasal 7
Tarif atas jenis Penerimaan Negara Bukan Pajak yang berlaku pada Badan Meteorologi sebagaimana diatur dalam Peraturan Pemerintah Nomor 14 Tahun 2000, dicabut dan dinyatakan tidak berlaku.
BAB IX KETENTUAN PENUTUP
Pasal 21
(1) Sejak mulai berlakunya undang-undang ini maka Undang-undang Nomor 3 Tahun 1975 tentang Partai Politik sebagaimana telah diubah dengan Undang-undang Nomor 3 Tahun 1985 dinyatakan tidak berlaku lagi.
(2) Segala ketentuan dan peraturan yang bertentangan dengan undang-undang ini dinyatakan tidak berlaku.
LAMPIRAN
Contoh: Pada saat Undang-Undang ini mulai berlaku, Undang-Undang Nomor 22 Tahun 2003 dicabut dan dinyatakan tidak berlaku.
""",
    "pp/2014/40.md": " PERATURAN PEMERINTAH NOMOR 40 TAHUN 2014 TENTANG PERUBAHAN KETIGA BELAS ATAS PERATURANPEMERINTAH NOMOR 10 TAHUN 1980\n",
    "pp/2013/34.md": " PERATURAN PEMERINTAH NOMOR 34 TAHUN 2013 TENTANG PENCABUTAN PERATURAN PEMERINTAH NOMOR 11 TAHUN 2000\nMEMUTUSKAN:\nPasal 1 Peraturan Pemerintah Nomor 11 Tahun 2000 tentang Tarif dicabut dan dinyatakan tidak berlaku.\n",
}


def test_jo_lists_partial_tariffs_headings_and_drafting_examples(tmp_path):
    for rel, text in MORE.items():
        _write(tmp_path, rel, text)
    regs = citator.parse_all(tmp_path)
    assert _relations(regs, "pp-1971-35") == {
        ("mencabut", "pp-1961-110"), ("mencabut", "pp-1971-15"),  # "PP 110/1961 jo. PP 15/1971"
        ("mencabut_sebagian", "pp-2000-14"),  # only the tariffs "yang berlaku pada" one body
        ("mencabut", "uu-1975-3"),  # the BAB and Pasal headings before "(1)" name no part of it
    }  # the Lampiran's drafting example revokes nothing
    assert _relations(regs, "pp-2014-40") == {("mengubah", "pp-1980-10")}  # thirteenth amendment, OCR-joined words
    assert _relations(regs, "pp-2013-34") == {("mencabut", "pp-2000-11")}  # "Pasal 1" is the provision's heading


def test_split_and_garbled_years_and_older_decrees_that_amend(tmp_path):
    _write(tmp_path, "pp/2022/16.md", " PERATURAN PEMERINTAH NOMOR 16 TAHUN 2022 TENTANG TUNJANGAN\nMEMUTUSKAN:\n"
           "Pasal 12\nPada saat Peraturan Pemerintah ini mulai berlaku, Peraturan Pemerintah Nomor 63 Tahun 202 1 "
           "tentang Tunjangan Hari Raya dicabut dan dinyatakan tidak berlaku.\nPasal 13\nPeraturan Pemerintah Nomor "
           "62 Tahun lggo tentang Keprotokolan dicabut dan dinyatakan tidak berlaku.\n")
    _write(tmp_path, "pp/1962/12.md", " PERATURAN PEMERINTAH\nMemutuskan:\nMenetapkan: Mengubah Peraturan Pemerintah No. "
           "61 tahun 1954 (Lembaran-Negara tahun 1954 No. 112) sebagai berikut.\n")
    regs = citator.parse_all(tmp_path)
    assert _relations(regs, "pp-2022-16") == {("mencabut", "pp-2021-63"), ("mencabut", "pp-1990-62")}
    assert _relations(regs, "pp-1962-12") == {("mengubah", "pp-1954-61")}


def test_amendments_made_in_the_articles_of_a_law_without_a_perubahan_title(tmp_path):
    # An omnibus law amends others in its articles; "sebagaimana telah diubah dengan" records an earlier amendment,
    # and the Menimbang's "perlu diubah" is a reason, not an amendment.
    _write(tmp_path, "uu/2020/11.md", " UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 11 TAHUN 2020 TENTANG CIPTA KERJA\n"
           "Menimbang: a. bahwa Undang-Undang Nomor 13 Tahun 2003 tentang Ketenagakerjaan perlu diubah;\n"
           "MEMUTUSKAN:\nPasal 18\nBeberapa ketentuan dalam Undang-Undang Nomor 40 Tahun 2004 tentang Sistem Jaminan "
           "Sosial Nasional (Lembaran Negara Republik Indonesia Tahun 2OO4 Nomor 150) diubah sebagai berikut: 1. "
           "Ketentuan Pasal 18 diubah sehingga berbunyi sebagai berikut:\nPasal 19\nKetentuan Pasal 5 Undang-Undang "
           "Nomor 23 Tahun 2014 tentang Pemerintahan Daerah sebagaimana telah diubah terakhir dengan Undang-Undang "
           "Nomor 9 Tahun 2015 diubah sehingga berbunyi sebagai berikut:\nPasal 20\nPeraturan pelaksanaan Undang-"
           "Undang Nomor 26 Tahun 2007 yang telah diubah tetap berlaku.\n")
    _write(tmp_path, "pp/1958/47.md", " PERATURAN PEMERINTAH\nMEMUTUSKAN:\nPasal I\nPasal 1 ayat (1) Peraturan "
           "Pemerintah No. 7 tahun 1958 (Lembaran Negara tahun 1958 No. 11) diubah sehingga berbunyi: ...\n")
    regs = citator.parse_all(tmp_path)
    assert _relations(regs, "uu-2020-11") == {("mengubah", "uu-2004-40"), ("mengubah", "uu-2014-23")}
    assert _relations(regs, "pp-1958-47") == {("mengubah", "pp-1958-7")}


def test_a_penjelasan_run_into_the_closing_line_enacts_nothing(tmp_path):
    _write(tmp_path, "uu/1987/1.md", " UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 1 TAHUN 1987 TENTANG KAMAR DAGANG\n"
           "MEMUTUSKAN:\nPasal 20\nUndang-undang ini mulai berlaku pada tanggal diundangkan. Disahkan di Jakarta "
           "pada tanggal 28 Januari 1987. PENJELASAN ATAS UNDANG-UNDANG REPUBLIK INDONESIA NOMOR 1 TAHUN 1987 "
           "UMUM: Peraturan Pemerintah Nomor 11 Tahun 1956 dicabut dan dinyatakan tidak berlaku pada masa itu.\n")
    assert _relations(citator.parse_all(tmp_path), "uu-1987-1") == set()


def test_a_pengubahan_title_and_a_revocation_list_on_the_lines_after_mencabut(tmp_path):
    _write(tmp_path, "pp/1960/8.md", " PERATURAN PEMERINTAH REPUBLIK INDONESIA NOMOR 8 TAHUN 1960 TENTANG PENGUBAHAN "
           "PERATURAN PEMERINTAH NO. 61 TAHUN 1957 Presiden Republik Indonesia,\nMEMUTUSKAN:\nPasal 1\n...\n")
    _write(tmp_path, "uu/1959/12.md", " UNDANG-UNDANG NOMOR 12 TAHUN 1959 TENTANG PAJAK\nMEMUTUSKAN:\n"
           " Mencabut Peraturan-peraturan tersebut dalam:\na. Peraturan Pemerintah No. 4 tahun 1950 (Lembaran Negara "
           "tahun b. Peraturan Pemerintah No. 27 tahun 1950 (Lembaran Negara tahun 1950 No. 69);\nc. Peraturan "
           "Pemerintah No. 31 tahun 1950.\nMenetapkan: Undang-undang tentang Pajak.\nPasal 1\nBerdasarkan Peraturan "
           "Pemerintah No. 9 tahun 1951 ...\n")
    regs = citator.parse_all(tmp_path)
    assert _relations(regs, "pp-1960-8") == {("mengubah", "pp-1957-61")}
    assert _relations(regs, "uu-1959-12") == {("mencabut", "pp-1950-4"), ("mencabut", "pp-1950-27"),
                                             ("mencabut", "pp-1950-31")}


def test_a_law_named_in_the_new_wording_of_an_amendment_is_not_amended(tmp_path):
    _write(tmp_path, "uu/2003/26.md", " UNDANG-UNDANG NOMOR 26 TAHUN 2003 TENTANG PERUBAHAN ATAS UNDANG-UNDANG NOMOR 29 "
           "TAHUN 2002 TENTANG ANGGARAN\nMEMUTUSKAN:\nPasal I\nBeberapa ketentuan dalam Undang-Undang Nomor 29 Tahun "
           "2002 diubah sebagai berikut: 1. Pasal 11 berbunyi: dana perimbangan sesuai dengan ketentuan dalam "
           "Undang-Undang Nomor 25 Tahun 1999. 2. Pasal 12 diubah sehingga berbunyi sebagai berikut: ...\n")
    assert _relations(citator.parse_all(tmp_path), "uu-2003-26") == {("mengubah", "uu-2002-29")}


def test_list_items_naming_a_pasal_drt_laws_and_ocr_in_names_and_years(tmp_path):
    _write(tmp_path, "uu/1997/18.md", " UNDANG-UNDANG NOMOR 18 TAHUN 1997 TENTANG PAJAK DAERAH\nMEMUTUSKAN:\nPasal 45\n"
           "Dengan berlakunya Undang-undang ini, dinyatakan tidak berlaku :\n1. Undang-undang Nomor 12 Tahun 1947 "
           "tentang Pajak Radio;\n2. Pasal 3 ayat (1) huruf e Undang-undang Nomor 32 Tahun 1956 tentang Perimbangan "
           "Keuangan;\n3. Undang-undang Nomor 11 Drt. Tahun 1957 tentang Peraturan Umum Pajak Daerah;\n"
           "Pasal 46\nUndang-undang ini mulai berlaku pada tanggal diundangkan.\n")
    _write(tmp_path, "uu/2016/13.md", " UNDANG-UNDANG NOMOR 13 TAHUN 2016 TENTANG PATEN\nMEMUTUSKAN:\nPasal 171\nPada "
           "saat Undang-Undang ini mulai berlaku, Undang_ Undang Nomor 14 Tahun 2001 (Lembaran Negara Republik "
           "Indonesia Tahun 2001 Nomor 109), dicabut dan dinyatakan tidak berlaku.\n")
    _write(tmp_path, "pp/2021/20.md", " PERATURAN PEMERINTAH NOMOR 20 TAHUN 2021 TENTANG TANAH TERLANTAR\nMEMUTUSKAN:\n"
           "Pasal 39\nPada saat Peraturan Pemerintah ini mulai berlaku, Peraturan Pemerintah Nomor 11 Tahun 2O1.O "
           "tentang Penertiban Tanah Terlantar dicabut dan dinyatakan tidak berlaku.\n")
    _write(tmp_path, "pp/1994/1.md", " PERATURAN PEMERINTAH NOMOR 1 TAHUN 1994 TENTANG PEMBERHENTIAN\nMEMUTUSKAN:\n"
           "Pasal I\nMengubah ketentuan Pasal 4 ayat (2) huruf a Peraturan Pemerintah Nomor 32 Tahun 1979 sehingga "
           "seluruhnya berbunyi sebagai berikut: ...\n")
    regs = citator.parse_all(tmp_path)
    assert _relations(regs, "uu-1997-18") == {("mencabut", "uu-1947-12"), ("mencabut_sebagian", "uu-1956-32"),
                                             ("mencabut", "uu-1957-11")}
    assert _relations(regs, "uu-2016-13") == {("mencabut", "uu-2001-14")}
    assert _relations(regs, "pp-2021-20") == {("mencabut", "pp-2010-11")}
    assert _relations(regs, "pp-1994-1") == {("mengubah", "pp-1979-32")}
