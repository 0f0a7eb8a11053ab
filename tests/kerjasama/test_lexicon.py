"""The lexicon mined from the real corpus: abbreviations, defined terms, English glosses; the reviewed file."""

from __future__ import annotations

import pytest

from kerjasama.lexicon import Lexicon, find_named, load_reviewed, mine


@pytest.fixture(scope="module")
def lexicon(corpus_chunks) -> Lexicon:
    catalog, chunks = corpus_chunks
    return mine(chunks, {d.id for d in catalog if d.language == "en"})


@pytest.mark.parametrize(
    ("abbr", "wording"),
    [
        ("dprd", "dewan perwakilan rakyat daerah"),  # "... yang selanjutnya disingkat DPRD" (UU 23/2014)
        ("ksdll", "kerja sama daerah dengan lembaga di luar negeri"),  # PP 28/2018 Pasal 1, run-together OCR
        ("ksdd", "kerja sama daerah dengan daerah lain"),
        ("apbd", "anggaran pendapatan dan belanja daerah"),
        ("spm", "standar pelayanan minimal"),  # from a bracket: "Standar Pelayanan Minimal (SPM)"
        ("rkpd", "rencana kerja pemerintah daerah"),  # "A yang selanjutnya disebut B, ... disingkat RKPD"
    ],
)
def test_abbreviations_are_mined_from_the_definitions(lexicon, abbr, wording):
    assert lexicon.abbreviations[abbr] == wording


def test_ocr_damaged_definition_keeps_what_survives(lexicon):
    # PP 28/2018 lost "Kerja" and "Pemerintah" in KSDPL's definition; the debris before it ("4 5 a") is dropped.
    assert lexicon.abbreviations["ksdpl"] == "sama daerah dengan daerah di luar negeri"


def test_common_words_are_not_abbreviations(lexicon):
    # "Daerah Otonom, yang selanjutnya disebut Daerah": "daerah" is an ordinary word, not to be expanded.
    assert "daerah" not in lexicon.abbreviations


def test_defined_terms_point_at_their_unit(lexicon):
    found = {(d.doc_id, d.label) for d in lexicon.definitions_of("Perjanjian Internasional")}
    assert ("uu-24-2000", "angka 1") in found
    assert {d.label for d in lexicon.definitions_of("KSDLL")} == {"angka 3"}
    assert [(d.doc_id, d.label) for d in lexicon.definitions_of("treaty")] == [("vclt-1969", "(1)(a)")]
    assert [d.label for d in lexicon.definitions_of("party")] == ["(1)(g)"]  # the piece of a split Article


def test_english_glosses_from_brackets(lexicon):
    assert lexicon.glosses["full powers"] == "surat kuasa"
    assert lexicon.glosses["ratification"] == "ratifikasi"
    assert "tuhan" not in lexicon.glosses.values()  # "Demi Allah (Tuhan)" is not an English gloss


def test_lexicon_round_trips_through_json(lexicon):
    again = Lexicon.from_json(lexicon.to_json())
    assert again.abbreviations == lexicon.abbreviations and again.definitions == lexicon.definitions
    assert again.reviewed == load_reviewed()


def test_find_named_takes_the_nearest_name():
    named = find_named("Rencana Pembangunan Tahunan Daerah yang selanjutnya disebut Rencana Kerja Pemerintah "
                       "Daerah, yang selanjutnya disingkat RKPD adalah dokumen")
    assert [(n.term.strip(), n.abbr) for n in named][-1] == ("Rencana Kerja Pemerintah Daerah", "RKPD")


def test_reviewed_lexicon_holds_terms_not_question_phrases():
    reviewed = load_reviewed()
    assert reviewed["regional government"] == "pemerintah daerah"
    # Entries written for single questions in the old glossary are gone.
    for phrase in ("mangkir", "turun tangan", "tetangga", "bertetangga", "lalai", "at least", "ownership", "goods"):
        assert phrase not in reviewed
