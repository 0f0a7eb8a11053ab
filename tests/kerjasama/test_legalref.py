"""Tests for kerjasama.legalref.parse_refs against the real corpus catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from kerjasama.catalog import Catalog, DocumentMeta, load_catalog
from kerjasama.legalref import parse_refs

CORPUS = Path(__file__).parents[2] / "corpus"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CORPUS)


@pytest.mark.parametrize(
    "question",
    [
        "Apa isi UU No. 24 Tahun 2000?",
        "Apa yang diatur Undang-Undang Nomor 24 Tahun 2000?",
        "Menurut UU 24/2000, siapa yang menandatangani?",
        "uu nomor 24 tahun 2000 mengatur apa",
        "Undang Undang No 24 tahun 2000",
        "UU Nr. 24 Th. 2000",
    ],
)
def test_spellings_of_uu_24_2000_resolve_to_one_document(catalog, question):
    refs = parse_refs(question, catalog)
    assert refs.doc_ids == ["uu-24-2000"]
    assert refs.unknown_docs == []
    assert not refs.empty


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("Peraturan Pemerintah Nomor 28 Tahun 2018", "pp-28-2018"),
        ("PP No. 50 Tahun 2007", "pp-50-2007"),
        ("UU 23/2014", "uu-23-2014"),
        ("UU Nomor 32 Tahun 2004", "uu-32-2004"),
        ("UU 37/1999", "uu-37-1999"),
    ],
)
def test_other_catalog_documents(catalog, question, doc_id):
    assert parse_refs(question, catalog).doc_ids == [doc_id]


def test_two_documents_in_order_without_duplicates(catalog):
    refs = parse_refs("Bandingkan UU Nomor 23 Tahun 2014, UU 32/2004 dan lagi UU 23/2014", catalog)
    assert refs.doc_ids == ["uu-23-2014", "uu-32-2004"]


def test_pasal_with_ayat(catalog):
    refs = parse_refs("Apa bunyi Pasal 5 ayat (1)?", catalog)
    assert refs.pasal == [("Pasal 5", "1", "")]
    assert refs.doc_ids == []
    assert not refs.empty


def test_full_pinpoint_with_document(catalog):
    refs = parse_refs("PP 28/2018 Pasal 30 ayat (4) huruf a", catalog)
    assert refs.doc_ids == ["pp-28-2018"]
    assert refs.pasal == [("Pasal 30", "4", "a")]
    assert refs.penjelasan is False


def test_huruf_in_parentheses(catalog):
    assert parse_refs("Pasal 30 ayat (3) huruf (g)", catalog).pasal == [("Pasal 30", "3", "g")]


def test_pasal_number_with_letter_suffix(catalog):
    assert parse_refs("pasal 5a uu 24/2000", catalog).pasal == [("Pasal 5A", "", "")]


@pytest.mark.parametrize(
    "question",
    [
        "What does Article 7 of the Vienna Convention say about full powers?",
        "Apa isi Konvensi Wina tentang kuasa penuh?",
        "VCLT article 7",
    ],
)
def test_vienna_convention_resolves_to_vclt(catalog, question):
    refs = parse_refs(question, catalog)
    assert refs.doc_ids == ["vclt-1969"]
    assert refs.unknown_docs == []


def test_article_with_paragraph_and_subparagraph(catalog):
    refs = parse_refs("Article 2 paragraph 1 (a) of the Vienna Convention", catalog)
    assert refs.pasal == [("Article 2", "1", "a")]


def test_article_in_the_chunkers_citation_form(catalog):
    assert parse_refs("Konvensi Wina 1969 Article 2(1)(a)", catalog).pasal == [("Article 2", "1", "a")]


def test_documents_outside_the_corpus_are_unknown(catalog):
    refs = parse_refs("Bagaimana Permendagri 25/2020 mengatur KSDPL?", catalog)
    assert refs.doc_ids == []
    assert refs.unknown_docs == ["Permendagri 25/2020"]
    assert not refs.empty
    refs = parse_refs("Peraturan Menteri Dalam Negeri Nomor 25 Tahun 2020", catalog)
    assert refs.unknown_docs == ["Permendagri 25/2020"]


def test_kuhp_is_unknown(catalog):
    refs = parse_refs("Apakah KUHP mengatur perjanjian kerja sama?", catalog)
    assert refs.unknown_docs == ["KUHP"]
    assert refs.doc_ids == []


def test_wrong_law_number_is_unknown_not_guessed(catalog):
    # The thesis abstract names "UU 30/2014" for the law on regional government; it is not in the corpus.
    refs = parse_refs("UU no. 30 Tahun 2014 tentang Pemerintah Daerah", catalog)
    assert refs.doc_ids == []
    assert refs.unknown_docs == ["UU 30/2014"]


def test_penjelasan_flag(catalog):
    refs = parse_refs("Apa penjelasan Pasal 33 PP 28/2018?", catalog)
    assert refs.penjelasan is True
    assert refs.pasal == [("Pasal 33", "", "")]
    assert refs.doc_ids == ["pp-28-2018"]
    assert parse_refs("What is the elucidation of Article 33?", catalog).penjelasan is True
    assert parse_refs("Apa isi Pasal 33 PP 28/2018?", catalog).penjelasan is False


def test_aliases_from_the_catalog(catalog):
    refs = parse_refs("Pasal 367 UU Pemda mengatur apa?", catalog)
    assert refs.doc_ids == ["uu-23-2014"]
    assert refs.pasal == [("Pasal 367", "", "")]


def test_question_without_references_is_empty(catalog):
    refs = parse_refs("Apakah kota kembar memerlukan persetujuan DPRD?", catalog)
    assert refs.empty
    assert refs.penjelasan is False


def test_resolution_uses_the_catalog_it_is_given():
    docs = [DocumentMeta(id="perda-jatim-1-2020", title="Perda Jatim", short="Perda 1/2020", kind="perda")]
    refs = parse_refs("Peraturan Daerah Nomor 1 Tahun 2020", Catalog(docs))
    assert refs.doc_ids == ["perda-jatim-1-2020"]
    assert parse_refs("UU 24/2000", Catalog(docs)).unknown_docs == ["UU 24/2000"]
