"""Question analysis: answer classes, history and status, definition terms, expansions, spelling."""

from __future__ import annotations

import pytest

from kerjasama.lexicon import mine
from kerjasama.query import EXPANSION_WEIGHT, Analyzer, definition_term, load_answer_types
from kerjasama.structure import build_structure


@pytest.fixture(scope="module")
def analyzer(corpus_chunks) -> Analyzer:
    catalog, chunks = corpus_chunks
    lexicon = mine(chunks, {"vclt-1969"})
    return Analyzer(catalog, lexicon, build_structure(chunks, catalog).vocabulary)


@pytest.mark.parametrize(
    ("question", "classes"),
    [
        ("Berapa lama batas waktu DPRD memberi persetujuan?", {"duration"}),
        ("How many working days does the council have?", {"duration", "number"}),
        ("Siapa yang mewakili daerah dalam KSDPL?", {"who"}),
        ("Apa saja objek kerja sama daerah?", {"list"}),
        ("Apakah kerja sama kota kembar perlu persetujuan DPRD?", {"yes_no"}),
        ("Apa yang dimaksud dengan perjanjian internasional?", {"definition"}),
        ("Bagaimana tata cara pengajuan rencana kerja sama?", {"procedure"}),
    ],
)
def test_answer_classes(analyzer, question, classes):
    assert classes <= analyzer.analyze(question).class_names


def test_duration_is_not_history(analyzer):
    # "berapa lama" (how long) must not read as "aturan lama" (the old rule).
    assert not analyzer.analyze("Berapa lama DPRD memberi persetujuan?").history
    assert analyzer.analyze("Apa bedanya dengan aturan yang lama, PP 50/2007?").history
    assert analyzer.analyze("Apakah PP 50/2007 masih berlaku?").status


def test_required_classes_demand_evidence():
    types = {c.name: c for c in load_answer_types().classes}
    assert types["duration"].required and types["duration"].has_evidence("paling lama 45 (empat puluh lima) hari kerja")
    assert not types["duration"].has_evidence("harus memperoleh persetujuan Dewan Perwakilan Rakyat Daerah")
    assert types["list"].has_evidence("terdiri atas:", False) and types["list"].has_evidence("x", True)


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Apa yang dimaksud dengan KSDPL?", "KSDPL"),
        ("Apa pengertian perjanjian internasional menurut UU 24/2000?", "perjanjian internasional"),
        ("What does 'full powers' mean?", "full powers"),
        ("Berapa lama batasnya?", ""),
    ],
)
def test_definition_term(question, term):
    assert definition_term(question) == term


def test_mined_abbreviation_expands_both_sides(analyzer):
    q = analyzer.analyze("Apakah KSDLL perlu persetujuan DPRD?")
    assert q.weights["dprd"] == 1.0 and q.weights["dewan"] == EXPANSION_WEIGHT
    assert "dewan perwakilan rakyat daerah" in q.dense_texts[1]
    assert "dprd" in q.alternates and "dewan" in q.alternates["dprd"]
    back = analyzer.analyze("persetujuan dewan perwakilan rakyat daerah")
    assert back.weights.get("dprd") == EXPANSION_WEIGHT


def test_english_question_gets_an_indonesian_rewording(analyzer):
    q = analyzer.analyze("Does a sister city agreement need approval of the regional parliament?")
    assert q.lang == "en"
    reworded = q.dense_texts[1]
    assert "persetujuan" in reworded and "dewan perwakilan rakyat daerah" in reworded
    assert "the" not in reworded.split()


def test_spelling_is_corrected_from_the_corpus_vocabulary(analyzer):
    assert analyzer.correct("persetujuab") == "persetujuan"
    assert analyzer.correct("persetujuan") == ""  # known words stay
    assert analyzer.correct("ktp") == ""  # short words are never guessed
    q = analyzer.analyze("Berapa hari DPRD memberi persetujuab?")
    assert "tuju" in q.weights  # the stem of the corrected word


def test_named_documents_by_title(analyzer):
    assert analyzer.refs("Menurut UU Perjanjian Internasional, siapa yang menandatangani?").doc_ids == ["uu-24-2000"]
    refs = analyzer.refs("Apa alasan perceraian menurut UU Perkawinan?")
    assert refs.doc_ids == [] and refs.unknown_docs == ["UU Perkawinan"]
    assert analyzer.refs("UU Cipta Kerja mengatur apa tentang daerah?").unknown_docs == ["UU Cipta Kerja"]
    # A law named after a concept a corpus document defines is that document, not an unknown one.
    assert "uu-23-2014" in analyzer.refs("Menurut UU Otonomi Daerah, apa itu urusan pemerintahan?").doc_ids
