"""Tests for ingest.units: ayat / huruf / angka markers on real (partly OCR-damaged) statute text.

The snippets are copied verbatim from corpus/pp-28-2018.txt (poor OCR: "(21" for "(2)", "l2l", "(l)", "(U",
several ayat run together on one line), corpus/uu-23-2014.txt, corpus/uu-24-2000.txt, corpus/uu-32-2004.txt
and corpus/vclt-1969-en.txt.
"""

from __future__ import annotations

from ingest.units import (
    Marker,
    ayat_markers,
    letter_markers,
    number_markers,
    regulation_units,
    treaty_units,
)
from kerjasama.models import Unit

# --- PP 28/2018 (OCR) ---------------------------------------------------------------------------------

# Pasal 3: three ayat on one line, "(21" for "(2)", cross-references "pada ayat (1)" and "2 (dua)".
PP28_PASAL_3 = (
    "(1) KSDD dikategorikan menjadi kerja sama wajib dan kerja sama sukarela. (21 Kerja sama wajib sebagaimana "
    "dimaksud pada ayat (1) dilaksanakan oleh 2 (dua) atau lebih daerah yang berbatasan untuk pemerintahan yang "
    "memiliki urusan lintas daerah dan penyediaan layanan publik yang lebih efisien jika dikelola bersama. (3) "
    "Ke{a sama sukarela sebagaimana dimaksud pada ayat (1) dilaksanakan oleh 2 (dua) atau lebih daerah yang "
    "berbatasan atau tidak berbatasan untuk penyelenggaraan urusan pemerintahan yang menjadi kewenangan daerah "
    "namun dipandang lebih efektif dan elisien jika dilaksanakan dengan bekerja sama."
)

# Pasal 7: "(l)" for "(1)", "l2l" for "(2)" (and "Pasal 3 ayat l2l" as a cross-reference), "(41" for "(4)".
PP28_PASAL_7 = (
    "(l) Kepala daerah dapat membentuk sekretariat kerja sama dalam penyelenggaraan KSDD. l2l ^Sekretariat "
    "^kerja sama sslageimana dimaksud pada ayat (1) dapat dibentuk dalam melaksanakan kerja sama wajib "
    "sslqgaiman4 dimaksud dalam Pasal 3 ayat l2l, dengan ketentuan kerja sama wqiib tersebut:\n"
    "a. dilakukan secara terus menerus;\n"
    "b. memiliki kompleksitas tinggi; dan\n"
    "c. jangka waktu keda sama paling singkat S (lima) tahun.\n"
    "(3) Sekretariat keq'a sama sebagaimana dimaksud pada ayat (1) bukan perangkat daerah dan bertugas "
    "memfasilitasi perangkat daerah dalam melaksanakan KSDD. (41 Pendanaan sekretariat kerja sama se dimaksud "
    "pada ayat (1) dibebankan pada anggaran pendapatan dan belanja daerah masing-masing daerah yang bekerja sama. "
    "(5) Ketentuan lebih lanjut mengenai sekretariat kerja sama sebagaimana dimaksud pada ayat (1) diatur dalam "
    "Peraturan Menteri."
)

# Pasal 30: ayat (1)-(3) on one line, huruf a-g of ayat (3), then ayat (4) and (5) glued behind huruf g.
PP28_PASAL_30 = (
    "(1) KSDPL sebagaimana dimaksud dalam Pasal 24 harus memperoleh persetujuan Dewan Perwakilan Rakyat Daerah. "
    "(21 Kepal,a daerah menyampaikan surat permohonan persetujuan dengan melampirkan rencana kerja sama kepada "
    "Dewan Perwakilan Rakyat Daerah. (3) Rencana kerja sama sebegcimana dimaksud pada ayat (2) paling sedikit "
    "memuat:\n"
    "a. subjek kerja sama;\n"
    "b. latar belakang;\n"
    "c. maksud, tujuan, dan sasaran;\n"
    "d. objek kerja sama;\n"
    "e. ruang lingkup kerja sama;\n"
    "f. sumber pembiayaan; dan\n"
    "g. jangka waktu pelaksanaan. (4) Persetujuan Dewan Perwakilan Rakyat Daerah sebagaimana dimaksud pada ayat "
    "(2) terhadap rencana ke{a sama diberikan dalam jangka waktu paling lama 45 (empat puluh lima) hari kerja sejak "
    "menerima surat permohonan dari kepala daerah. (5) Bentuk persetujuan Dewan Perwakilan Rakyat Daerah "
    "sebagaimana dimaksud pada ayat (4) sesuai dengan ketentuan peraturan perundang-undangan yang mengatur "
    "mengenai tata tertib Dewan Perwakilan Rakyat Daerah."
)

# Pasal 31: "(U" for "(1)", "l2l" for "(2)".
PP28_PASAL_31 = (
    "(U Rencana keg'a sama sebagaimana dimaksud dalam Pasal 30 yang telah disetujui oleh Dewan Perwakilan Rakyat "
    "Daerah disampaikan oleh Pemerintah Daerah kepada Menteri untuk mendapatkan pertimbangan. l2l ^Menteri "
    "melakukan ^verifikasi ^terhadap rencana kerja sama sebagaimana dimaksud pada ayat (1). (3) Berdasarkan hasil "
    "verifikasi, Menteri memberikan pertimbangan secara tertulis kepada kepala daerah untuk ditindaklanjuti "
    "berupa:\n"
    "a. memperbaiki rencana kerja sama; atau\n"
    "b. men5rusun rancangan naskah kerja sama."
)

# Pasal 36: the "(1)" was lost by the OCR; the text before "(2)" is ayat (1).
PP28_PASAL_36 = (
    "KSDLL atas dasar penerusan kerja sama Pusat sebagqimana dimaksud dalam pasat 25 huruf a dilakukan oleh "
    "daerah dengan:\n"
    "a. organisasi internasional;\n"
    "b. lembaga nonprolit berbadan hukum di luar negeri; dan\n"
    "c. mitra pembangunan luar negeri. (2) kmbaga sebagaimana dimaksud pada ayat (1) huruf b tidak termasuk "
    "partai politik. (3) KSDLL sebagaimana dimaksud pada ayat (l) dilaksanakan sesuai dengan ketentuan peraturan "
    "(4) KSDLL yang diselenggarakan berdasarkan persetujuan Pemerintah Pusat sebagaimana dimaksud dalam Pasal 25 "
    "huruf b dilakukan oleh daerah dengan lembaga di luar negeri selain lembaga sebagaimana dimaksud pada ayat (1)."
)

# Pasal 38: only cross-references, no unit at all.
PP28_PASAL_38 = (
    "Ketentuan mengenai rencana kerja sama sebagaimana dimaksud dalam Pasal 30 dan Pasal 31 berlaku secara mutatis "
    "mutandis terhadap rencana keg'a sama dalam penyelenggaraan KSDLL."
)

# Penjelasan Pasal 4 and 33: "Ayat (l)", "Ayat (lf", "Hurufb".
PP28_PENJ_4 = (
    'Ayat (l) Cukup jelas. Ayat (2) Cukup jelas. Ayat (3) Huruf a Yang dimaksud dengan "kondisi darurat" adalah . '
    "kondisi di luar kemampuan manusia, antara lain te{adinya bencana. Hurufb Cukup ^jelas. Huruf c Cukup jelas. "
    "Ayat (4) Cukup jelas."
)
PP28_PENJ_33 = (
    'Ayat (lf Cukup ^jelas. Ayat (2) Cukup ^jelas. Ayat (3) Yang dimaksud dengan ^osurat konlirmasi" adalah surat '
    "yang menyatakan naskah kerja sama telah sesuai dengan aspek politis dan yuridis yang berkaitan dengan hubungan "
    "kerja sama luar negeri. Ayat (4) Cukup ^jelas."
)

# --- clean statutes ---------------------------------------------------------------------------------------

UU23_PASAL_367 = (
    "(1) Kerja sama Daerah dengan lembaga dan/atau pemerintah daerah di luar negeri sebagaimana dimaksud dalam "
    "Pasal 363 ayat (2) huruf c meliputi:\n"
    "a. pengembangan ilmu pengetahuan dan teknologi;\n"
    "b. pertukaran budaya;\n"
    "c. peningkatan kemampuan teknis dan manajemen pemerintahan;\n"
    "d. promosi potensi Daerah; dan\n"
    "e. kerja sama lainnya yang tidak bertentangan dengan ketentuan peraturan perundang-undangan.\n"
    "(2) Kerja sama Daerah dengan lembaga dan/atau pemerintah daerah di luar negeri sebagaimana dimaksud pada "
    "ayat (1) dilaksanakan setelah mendapat persetujuan Pemerintah Pusat.\n"
    "(3) Kerja sama Daerah dengan lembaga dan/atau pemerintah daerah di luar negeri sebagaimana dimaksud pada "
    "ayat (1) berpedoman pada ketentuan peraturan perundang- undangan."
)

UU24_PASAL_5 = """(1) Lembaga negara dan lembaga pemerintah, baik departemen maupun
nondepartemen, di tingkat pusat dan daerah, yang mempunyai rencana
untuk membuat perjanjian internasional, terlebih dahulu melakukan
konsultasi dan koordinasi mengenai rencana tersebut dengan Menteri.
(2) Pemerintah Republik Indonesia dalam mempersiapkan pembuatan
perjanjian internasional, terlebih dahulu harus menetapkan posisi
Pemerintah Republik Indonesia yang dituangkan dalam suatu pedoman
delegasi Republik Indonesia.
(3) Pedoman delegasi Republik Indonesia, yang perlu mendapat persetujuan
Menteri, memuat hal-hal sebagai berikut :
a. latar belakang permasalahan;
b. analisis permasalahan ditinjau dari aspek politis dan yuridis serta
aspek lain yang dapat mempengaruhi kepentingan nasional
Indonesia;
c. posisi Indonesia, saran, dan penyesuaian yang dapat dilakukan
untuk mencapai kesepakatan.
(4) Perundingan rancangan suatu perjanjian internasional dilakukan oleh
Delegasi Republik Indonesia yang dipimpin oleh Menteri atau pejabat lain
sesuai dengan materi perjanjian dan lingkup kewenangan
masing-masing."""

UU24_PASAL_10 = """Pengesahan perjanjian internasional dilakukan dengan undang-undang
apabila berkenaan dengan :
a. masalah politik, perdamaian, pertahanan, dan keamanan negara;
b. perubahan wilayah atau penetapan batas wilayah negara Republik
Indonesia;
c. kedaulatan atau hak berdaulat negara;
d. hak asasi manusia dan lingkungan hidup;
e. pembentukan kaidah hukum baru;
f. pinjaman dan/atau hibah luar negeri."""

UU24_PASAL_1_HEAD = """Dalam undang-undang ini yang dimaksud dengan
1. Perjanjian Internasional adalah perjanjian, dalam bentuk dan nama
tertentu, yang diatur dalam hukum internasional yang dibuat secara
tertulis serta menimbulkan hak dan kewajiban di bidang hukum publik.
2. Pengesahan adalah perbuatan hukum untuk pengikatkan diri pada
suatu perjanjian internasional dalam bentuk ratifikasi (ratification)
aksesi (accession), penerimaan (acceptance) dan penyetujuan (approval).
3. Surat Kuasa (Full Powers) adalah surat yang dikeluarkan oleh Presiden
atau Menteri yang memberkan kuasa kepada satu atau beberapa orang
yang mewakili Pemerntah Republik Indonesia untuk menandatangani
atau menerima naskah perjanjian, menyatakan persetujuan negara
untuk mengikatkan diri pada perjanjian, dan/atau penyelesaikan hal-hal
yang diperlukan dalam pembuatan perjanjian internasional."""

# UU 24/2000 Pasal 18: the source lost the period after the first letter ("a terdapat").
UU24_PASAL_18 = """Perjanjian internasional berakhir apabila :
a terdapat kesepakatan pada pihak melalui prosedur yang ditetapkan
dalam perjanjian;
b. tujuan perjanjian tersebut telah tercapai;
c. terdapat perubahan mendasar yang mempengaruhi pelaksanaan
perjanjian;
d. salah satu pihak melaksanakan atau melanggar ketentuan perjanjian;
e. dibuat suatu perjanjian baru yang menggantikan perjanjian lama;
f. muncul norma-norma baru dalam hukum internasional;
g. objek perjanjian hilang;
h. terdapat hal-hal yang merugikan kepentingan nasional."""

# UU 32/2004 Pasal 58: a huruf list that runs to "l." (the letter l), which the OCR-tolerant angka pattern
# also reads as "1.".
UU32_PASAL_58 = """Calon Kepala Daerah dan Wakil Kepala Daerah adalah warga negara Republik Indonesia yang memenuhi syarat:
a. bertakwa kepada Tuhan Yang Maha Esa;
b. setia kepada Pancasila sebagai Dasar Negara, Undang-Undang Dasar Negara Republik Indonesia Tahun 1945, cita-cita Proklamasi 17 Agustus 1945, dan kepada Negara Kesatuan Republik Indonesia serta Pemerintah;
c. berpendidikan sekurang-kurangnya sekolah lanjutan tingkat atas dan/atau sederajat;
d. berusia sekurang-kurangnya 30 (tiga puluh) tahun;
e. sehat jasmani dan rohani berdasarkan hasil pemeriksaan kesehatan menyeluruh dari tim dokter;
f. tidak pernah dijatuhi pidana penjara berdasarkan putusan pengadilan yang telah memperoleh kekuatan hukum tetap karena melakukan tindak pidana yang diancam dengan pidana penjara paling lama 5 (lima) tahun atau lebih;
g. tidak sedang dicabut hak pilihnya berdasarkan putusan pengadilan yang telah memperoleh kekuatan hukum tetap;
h. mengenal daerahnya dan dikenal oleh masyarakat di daerahnya;
i. menyerahkan daftar kekayaan pribadi dan bersedia untuk diumumkan;
j. tidak sedang memiliki tanggungan utang secara perseorangan dan/atau secara badan hukum yang menjadi tanggungjawabnya yang merugikan keuangan negara.
k. tidak sedang dinyatakan pailit berdasarkan putusan pengadilan yang telah memperoleh kekuatan hukum tetap;
l. tidak pernah melakukan perbuatan tercela;
m. memiliki Nomor Pokok Wajib Pajak (NPWP) atau bagi yang belum mempunyai NPWP wajib mempunyai bukti pembayaran pajak;
n. menyerahkan daftar riwayat hidup lengkap yang memuat antara lain riwayat pendidikan dan pekerjaan serta keluarga kandung, suami atau istri;
o. belum pernah menjabat sebagai kepala daerah atau wakil kepala daerah selama 2 (dua) kali masa jabatan dalam jabatan yang sama; dan
p. tidak dalam status sebagai penjabat kepala daerah."""  # noqa: E501

# --- VCLT -------------------------------------------------------------------------------------------------

VCLT_ARTICLE_2 = """Use of terms

1. For the purposes of the present Convention:

(a) “treaty” means an international agreement concluded between States in written form and governed by international law, whether embodied in a single instrument or in two or more related instruments and whatever its particular designation;

(b) “ratification”, “acceptance”, “approval” and “accession” mean in each case the international act so named whereby a State establishes on the international plane its consent to be bound by a treaty;

(c) “full powers” means a document emanating from the competent authority of a State designating a person or persons to represent the State for negotiating, adopting or authenticating the text of a treaty, for expressing the consent of the State to be bound by a treaty, or for accomplishing any other act with respect to a treaty;

(d) “reservation” means a unilateral statement, however phrased or named, made by a State, when signing, ratifying, accepting, approving or acceding to a treaty, whereby it purports to exclude or to modify the legal effect of certain provisions of the treaty in their application to that State;

(e) “negotiating State” means a State which took part in the drawing up and adoption of the text of the treaty;

(f) “contracting State” means a State which has consented to be bound by the treaty, whether or not the treaty has entered into force;

(g) “party” means a State which has consented to be bound by the treaty and for which the treaty is in force;

(h) “third State” means a State not a party to the treaty;

(i) “international organization” means an intergovernmental organization.
2. The provisions of paragraph 1 regarding the use of terms in the present Convention are without prejudice to the use of those terms or to the meanings which may be given to them in the internal law of any State."""  # noqa: E501

VCLT_ARTICLE_7 = """Full powers

1. A person is considered as representing a State for the purpose of adopting or authenticating the text of a treaty or for the purpose of expressing the consent of the State to be bound by a treaty if:

(a) he produces appropriate full powers; or

(b) it appears from the practice of the States concerned or from other circumstances that their intention was to consider that person as representing the State for such purposes and to dispense with full powers.
2. In virtue of their functions and without having to produce full powers, the following are considered as representing their State:

(a) Heads of State, Heads of Government and Ministers for Foreign Affairs, for the purpose of performing all acts relating to the conclusion of a treaty;

(b) heads of diplomatic missions, for the purpose of adopting the text of a treaty between the accrediting State and the State to which they are accredited;

(c) representatives accredited by States to an international conference or to an international organization or one of its organs, for the purpose of adopting the text of a treaty in that conference, organization or organ."""  # noqa: E501

VCLT_ARTICLE_78 = """Notifications and communications

Except as the treaty or the present Convention otherwise provide, any notification or communication to be made by any State under the present Convention shall:

(a) if there is no depositary, be transmitted direct to the States for which it is intended, or if there is a depositary, to the latter;

(b) be considered as having been made by the State in question only upon its receipt by the State to which it was transmitted or, as the case may be, upon its receipt by the depositary;

(c) if transmitted to a depositary, be considered as received by the State for which it was intended only when the latter State has been informed by the depositary in accordance with article 77, paragraph 1 (e)."""  # noqa: E501


def _labels(units: list[Unit]) -> list[str]:
    return [u.label for u in units]


def _unit(units: list[Unit], label: str) -> Unit:
    matches = [u for u in units if u.label == label]
    assert len(matches) == 1, f"{label!r} found {len(matches)} times in {_labels(units)}"
    return matches[0]


def _text(body: str, units: list[Unit], label: str) -> str:
    u = _unit(units, label)
    return body[u.start : u.end]


# --- ayat on OCR text -------------------------------------------------------------------------------------


def test_ocr_21_is_ayat_2_and_pada_ayat_1_is_not_a_marker():
    units = regulation_units(PP28_PASAL_3)
    assert _labels(units) == ["ayat (1)", "ayat (2)", "ayat (3)"]
    assert _text(PP28_PASAL_3, units, "ayat (2)").startswith("(21 Kerja sama wajib")
    assert _text(PP28_PASAL_3, units, "ayat (3)").startswith("(3) Ke{a sama sukarela")
    # The markers sit exactly at "(1)", "(21" and "(3)": the "pada ayat (1)" cross-references are skipped.
    marks = ayat_markers(PP28_PASAL_3)
    assert [m.pos for m in marks] == [0, PP28_PASAL_3.index("(21 "), PP28_PASAL_3.index("(3) Ke{a")]
    assert [m.value for m in marks] == [1, 2, 3]
    assert [m.clean for m in marks] == [True, False, True]


def test_ayat_1_ends_where_ayat_2_starts_on_a_run_together_line():
    units = regulation_units(PP28_PASAL_3)
    one = _text(PP28_PASAL_3, units, "ayat (1)")
    assert one == "(1) KSDD dikategorikan menjadi kerja sama wajib dan kerja sama sukarela."


def test_paren_l_and_l2l_with_a_cross_reference_ayat_l2l():
    units = regulation_units(PP28_PASAL_7)
    assert _labels(units) == [
        "ayat (1)",
        "ayat (2)",
        "ayat (2) huruf a",
        "ayat (2) huruf b",
        "ayat (2) huruf c",
        "ayat (3)",
        "ayat (4)",
        "ayat (5)",
    ]
    assert _text(PP28_PASAL_7, units, "ayat (1)").startswith("(l) Kepala daerah")
    two = _text(PP28_PASAL_7, units, "ayat (2)")
    assert two.startswith("l2l ^Sekretariat")
    # "dalam Pasal 3 ayat l2l," is a cross-reference inside ayat (2), not the start of another ayat.
    assert "Pasal 3 ayat l2l, dengan ketentuan" in two
    assert two.endswith("paling singkat S (lima) tahun.")
    assert _text(PP28_PASAL_7, units, "ayat (4)").startswith("(41 Pendanaan")
    assert _text(PP28_PASAL_7, units, "ayat (2) huruf b") == "b. memiliki kompleksitas tinggi; dan"


def test_paren_U_is_ayat_1():
    units = regulation_units(PP28_PASAL_31)
    assert _labels(units) == ["ayat (1)", "ayat (2)", "ayat (3)", "ayat (3) huruf a", "ayat (3) huruf b"]
    assert _unit(units, "ayat (1)").start == 0
    assert _text(PP28_PASAL_31, units, "ayat (2)").startswith("l2l ^Menteri")
    assert _text(PP28_PASAL_31, units, "ayat (3) huruf b") == "b. men5rusun rancangan naskah kerja sama."


def test_ayat_glued_behind_the_last_huruf_closes_the_huruf_list():
    units = regulation_units(PP28_PASAL_30)
    assert _labels(units) == [
        "ayat (1)",
        "ayat (2)",
        "ayat (3)",
        *[f"ayat (3) huruf {c}" for c in "abcdefg"],
        "ayat (4)",
        "ayat (5)",
    ]
    four = _text(PP28_PASAL_30, units, "ayat (4)")
    assert four.startswith("(4) Persetujuan Dewan Perwakilan Rakyat Daerah")
    assert "45 (empat puluh lima) hari kerja" in four
    assert "(5) Bentuk" not in four
    assert _text(PP28_PASAL_30, units, "ayat (3) huruf g") == "g. jangka waktu pelaksanaan."
    # Units are trimmed: no leading or trailing whitespace.
    for u in units:
        t = PP28_PASAL_30[u.start : u.end]
        assert t == t.strip() and t


def test_lost_ayat_1_gives_the_text_before_ayat_2():
    marks = ayat_markers(PP28_PASAL_36)
    assert marks[0] == Marker(0, 1, False)
    assert [m.value for m in marks] == [1, 2, 3, 4]
    units = regulation_units(PP28_PASAL_36)
    assert _labels(units) == [
        "ayat (1)",
        "ayat (1) huruf a",
        "ayat (1) huruf b",
        "ayat (1) huruf c",
        "ayat (2)",
        "ayat (3)",
        "ayat (4)",
    ]
    one = _text(PP28_PASAL_36, units, "ayat (1)")
    assert one.startswith("KSDLL atas dasar penerusan kerja sama")
    assert one.endswith("c. mitra pembangunan luar negeri.")
    # "pasat 25 huruf a" before the list is a cross-reference, not huruf a.
    assert _text(PP28_PASAL_36, units, "ayat (1) huruf a") == "a. organisasi internasional;"
    assert _text(PP28_PASAL_36, units, "ayat (2)").startswith("(2) kmbaga")


def test_lost_ayat_1_needs_evidence():
    # One OCR-ish "(21" alone is not enough to invent an ayat (1) ...
    assert ayat_markers("Teks pembuka. (21 Teks kedua.") == []
    # ... two OCR markers in sequence are, and so is one clean "(2)".
    assert [m.value for m in ayat_markers("Teks pembuka. (21 Teks kedua. (3) Teks ketiga.")] == [1, 2, 3]
    assert [m.value for m in ayat_markers("Teks pembuka. (2) Teks kedua.")] == [1, 2]


def test_cross_references_only_give_no_units():
    assert regulation_units(PP28_PASAL_38) == []
    assert ayat_markers("sebagaimana dimaksud pada ayat (1) dan ayat (2)") == []
    assert letter_markers("sebagaimana dimaksud pada ayat (1) huruf a. Selanjutnya") == []
    assert number_markers("sebagaimana dimaksud dalam angka 2. Selanjutnya") == []


# --- Penjelasan ---------------------------------------------------------------------------------------


def test_penjelasan_ayat_l_and_hurufb():
    units = regulation_units(PP28_PENJ_4, penjelasan=True)
    assert _labels(units) == [
        "ayat (1)",
        "ayat (2)",
        "ayat (3)",
        "ayat (3) huruf a",
        "ayat (3) huruf b",
        "ayat (3) huruf c",
        "ayat (4)",
    ]
    assert _text(PP28_PENJ_4, units, "ayat (1)") == "Ayat (l) Cukup jelas."
    assert _text(PP28_PENJ_4, units, "ayat (3) huruf b") == "Hurufb Cukup ^jelas."
    assert "kondisi darurat" in _text(PP28_PENJ_4, units, "ayat (3) huruf a")


def test_penjelasan_headings_are_cross_references_in_body_mode():
    # Without penjelasan=True, "Ayat (2)" reads as a reference to an ayat, so nothing is a marker.
    assert regulation_units(PP28_PENJ_4) == []


def test_penjelasan_ayat_lf():
    units = regulation_units(PP28_PENJ_33, penjelasan=True)
    assert _labels(units) == ["ayat (1)", "ayat (2)", "ayat (3)", "ayat (4)"]
    assert _text(PP28_PENJ_33, units, "ayat (1)") == "Ayat (lf Cukup ^jelas."
    three = _text(PP28_PENJ_33, units, "ayat (3)")
    assert "surat konlirmasi" in three
    assert three.endswith("hubungan kerja sama luar negeri.")


# --- clean statutes -----------------------------------------------------------------------------------


def test_uu23_pasal_367_huruf_c_cross_reference_is_not_a_marker():
    units = regulation_units(UU23_PASAL_367)
    assert _labels(units) == [
        "ayat (1)",
        *[f"ayat (1) huruf {c}" for c in "abcde"],
        "ayat (2)",
        "ayat (3)",
    ]
    # "Pasal 363 ayat (2) huruf c" sits inside ayat (1), before the list.
    assert "Pasal 363 ayat (2) huruf c meliputi:" in _text(UU23_PASAL_367, units, "ayat (1)")
    assert _text(UU23_PASAL_367, units, "ayat (1) huruf c").startswith("c. peningkatan kemampuan teknis")
    assert _text(UU23_PASAL_367, units, "ayat (1) huruf e").endswith("peraturan perundang-undangan.")
    assert _text(UU23_PASAL_367, units, "ayat (2)").startswith("(2) Kerja sama Daerah")


def test_uu24_ayat_with_huruf_in_ayat_3():
    units = regulation_units(UU24_PASAL_5)
    assert _labels(units) == [
        "ayat (1)",
        "ayat (2)",
        "ayat (3)",
        "ayat (3) huruf a",
        "ayat (3) huruf b",
        "ayat (3) huruf c",
        "ayat (4)",
    ]
    # A huruf spanning several lines ends where the next starts.
    assert _text(UU24_PASAL_5, units, "ayat (3) huruf b").endswith("kepentingan nasional\nIndonesia;")
    assert _text(UU24_PASAL_5, units, "ayat (3)").endswith("untuk mencapai kesepakatan.")


def test_uu24_top_level_huruf_without_ayat():
    units = regulation_units(UU24_PASAL_10)
    assert _labels(units) == [f"huruf {c}" for c in "abcdef"]
    assert _text(UU24_PASAL_10, units, "huruf f") == "f. pinjaman dan/atau hibah luar negeri."


def test_uu24_angka_definitions():
    units = regulation_units(UU24_PASAL_1_HEAD)
    assert _labels(units) == ["angka 1", "angka 2", "angka 3"]
    # "(ratification)", "(Full Powers)" are not ayat markers.
    assert _text(UU24_PASAL_1_HEAD, units, "angka 2").startswith("2. Pengesahan adalah")
    assert _text(UU24_PASAL_1_HEAD, units, "angka 2").endswith("penyetujuan (approval).")


def test_lost_first_huruf_keeps_the_rest_of_the_list():
    units = regulation_units(UU24_PASAL_18)
    assert [u.label for u in units][-7:] == [f"huruf {c}" for c in "bcdefgh"]


def test_huruf_list_through_letter_l_is_not_angka_1():
    units = regulation_units(UU32_PASAL_58)
    assert _labels(units) == [f"huruf {c}" for c in "abcdefghijklmnop"]


def test_ocr_l_dot_is_angka_1_in_a_numbered_list():
    # PP 28/2018 Pasal 1 writes "l." for "1." -- here the tolerance is right: "2." follows.
    body = (
        "Dalam Peraturan Pemerintah ini yang dimaksud dengan:\n"
        "l. Kerja Sama Daerah adalah usaha bersama antara daerah dan daerah lain. 2. Kerja Sama Daerah Dengan "
        "Daerah Lain, yang selanjutnya disingkat KSDD adalah usaha bersama."
    )
    units = regulation_units(body)
    assert _labels(units) == ["angka 1", "angka 2"]
    assert _text(body, units, "angka 1").startswith("l. Kerja Sama Daerah")


# --- treaties -----------------------------------------------------------------------------------------


def test_treaty_article_2_paragraphs_and_subparagraphs():
    units = treaty_units(VCLT_ARTICLE_2)
    assert _labels(units) == ["(1)", *[f"(1)({c})" for c in "abcdefghi"], "(2)"]
    assert _text(VCLT_ARTICLE_2, units, "(1)").startswith("1. For the purposes of the present Convention:")
    assert _text(VCLT_ARTICLE_2, units, "(1)(a)").startswith("(a) “treaty” means an international agreement")
    assert _text(VCLT_ARTICLE_2, units, "(1)(i)") == (
        "(i) “international organization” means an intergovernmental organization."
    )
    # "paragraph 1" inside paragraph 2 is a reference, not a paragraph marker.
    assert _text(VCLT_ARTICLE_2, units, "(2)").startswith("2. The provisions of paragraph 1")
    # The title line belongs to no unit.
    assert min(u.start for u in units) == VCLT_ARTICLE_2.index("1. For")


def test_treaty_article_7_subparagraphs_restart_in_each_paragraph():
    units = treaty_units(VCLT_ARTICLE_7)
    assert _labels(units) == ["(1)", "(1)(a)", "(1)(b)", "(2)", "(2)(a)", "(2)(b)", "(2)(c)"]
    assert _text(VCLT_ARTICLE_7, units, "(2)(a)").startswith("(a) Heads of State, Heads of Government")
    assert _text(VCLT_ARTICLE_7, units, "(1)(b)").endswith("to dispense with full powers.")
    assert _unit(units, "(1)").end <= _unit(units, "(2)").start


def test_treaty_article_without_numbered_paragraphs():
    units = treaty_units(VCLT_ARTICLE_78)
    assert _labels(units) == ["(a)", "(b)", "(c)"]
    # "paragraph 1 (e)" at the end is a reference, not subparagraph (e).
    assert _text(VCLT_ARTICLE_78, units, "(c)").endswith("article 77, paragraph 1 (e).")
