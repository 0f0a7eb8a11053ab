"""Tests for kerjasama.text: normalisation, language detection, tokenizer (Sastrawi stems), query expansion."""

from __future__ import annotations

import pytest

from kerjasama.text import STOP_EN, STOP_ID, detect_lang, normalize, stem, tokenize

# --- normalize --------------------------------------------------------------------------------------


def test_normalize_nfkc_casefold_and_whitespace():
    # Full-width letters and digits (NFKC), a no-break space, tabs and newlines, German sharp s (casefold).
    assert normalize("  Ｐａｓａｌ\u00a030  AYAT\t(4)\n Straße ") == "pasal 30 ayat (4) strasse"


def test_normalize_ligature_and_idempotence():
    once = normalize("ﬁnal  ACT")
    assert once == "final act"
    assert normalize(once) == once


def test_normalize_makes_quote_comparison_robust():
    official = "paling lama 45 (empat puluh lima) hari kerja"
    assert normalize("Paling  lama 45 (empat puluh lima)\nhari kerja") == normalize(official)
    assert normalize("paling lama 30 (tiga puluh) hari kerja") != normalize(official)


# --- detect_lang ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Apakah kerja sama sister city memerlukan persetujuan DPRD?",
        "Berapa lama jangka waktu persetujuan DPRD terhadap rencana kerja sama?",
        "Siapa yang mewakili daerah dalam kerja sama dengan pemerintah daerah di luar negeri?",
        "Bagaimana tahapan KSDPL menurut PP 28/2018?",
    ],
)
def test_detect_lang_indonesian(question):
    assert detect_lang(question) == "id"


@pytest.mark.parametrize(
    "question",
    [
        "Does a sister city agreement need approval from the regional parliament?",
        "What is the deadline for the DPRD to approve a cooperation plan?",
        "Who represents the region in cooperation with a foreign local government?",
        "How is a treaty defined in the Vienna Convention?",
    ],
)
def test_detect_lang_english(question):
    assert detect_lang(question) == "en"


def test_detect_lang_ties_go_to_indonesian():
    assert detect_lang("KSDPL DPRD") == "id"
    assert detect_lang("") == "id"


# --- tokenize / stem --------------------------------------------------------------------------------


def test_persetujuan_and_disetujui_share_a_stem():
    # Sastrawi takes both (and "menyetujui", "setuju") to "tuju".
    assert tokenize("persetujuan") == tokenize("disetujui") == tokenize("menyetujui") == ["tuju"]


def test_derived_forms_share_stems():
    assert stem("pemerintahan") == stem("pemerintah") == "perintah"
    assert stem("perjanjian") == stem("berjanji") == "janji"
    assert stem("dilaksanakan") == stem("pelaksanaan") == "laksana"
    # Different words keep different stems.
    assert stem("persetujuan") != stem("perjanjian")


def test_tokenize_drops_indonesian_and_english_stopwords():
    tokens = tokenize("Apakah kerja sama daerah dengan pemerintah daerah di luar negeri memerlukan persetujuan DPRD?")
    assert tokens == ["kerja", "daerah", "perintah", "daerah", "luar", "negeri", "perlu", "tuju", "dprd"]
    assert not set(tokenize("the approval of the regional parliament")) & STOP_EN
    assert not set(tokenize("yang dan di dalam untuk dari")) & STOP_ID
    assert tokenize("yang dan di dalam untuk dari") == []


def test_tokenize_keeps_numbers_citations_and_short_words():
    assert tokenize("UU 24/2000 Pasal 30 ayat (4)") == ["uu", "24/2000", "pasal", "30", "ayat", "4"]


def test_tokenize_kerjasama_written_as_one_word():
    assert tokenize("kerjasama daerah") == tokenize("kerja sama daerah")
    assert tokenize("Kerjasama") == tokenize("kerja sama")


def test_tokenize_normalizes_width_and_case():
    assert tokenize("ＤＰＲＤ Persetujuan") == ["dprd", "tuju"]

