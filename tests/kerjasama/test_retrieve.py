"""Golden retrieval on the slice index (real embedder, real Chroma)."""

from __future__ import annotations

import pytest

from kerjasama.retrieve import Filters, HybridRetriever


@pytest.fixture(scope="module")
def retriever(answerer):
    return answerer.retriever


@pytest.mark.parametrize(
    "question",
    [
        "Apa isi Pasal 10 UU No. 24 Tahun 2000?",
        "Bunyi Pasal 10 Undang-Undang Nomor 24 Tahun 2000",
        "UU 24/2000 Pasal 10",
        "What does Article 10 of UU 24/2000 say?",
    ],
)
def test_named_pasal_ranks_first(retriever, question):
    hits = retriever.retrieve(question, 5)
    assert hits[0].chunk.cite == "UU 24/2000 Pasal 10" and hits[0].pinned


def test_named_ayat_prefers_the_piece_holding_it(retriever):
    hits = retriever.retrieve("PP 28/2018 Pasal 30 ayat (4)", 3)
    assert hits[0].chunk.anchor == "PP 28/2018 Pasal 30"
    assert any(u.label == "ayat (4)" for u in hits[0].chunk.units)


def test_penjelasan_is_a_different_unit(retriever):
    hits = retriever.retrieve("Penjelasan Pasal 33 PP 28/2018", 3)
    assert hits[0].chunk.cite == "PP 28/2018 Penjelasan Pasal 33"


@pytest.mark.parametrize(
    "question, cite",
    [
        ("Berapa lama DPRD memberi persetujuan atas rencana kerja sama?", "PP 28/2018 Pasal 30"),
        ("Apa saja objek kerja sama daerah dengan lembaga di luar negeri?", "PP 28/2018 Pasal 23"),
        ("Kapan perjanjian internasional berakhir?", "UU 24/2000 Pasal 18"),
    ],
)
def test_known_pasal_in_top_three(retriever, question, cite):
    assert cite in [h.chunk.anchor for h in retriever.retrieve(question, 3)]


def test_english_question_finds_indonesian_passage(retriever):
    hits = retriever.retrieve("How many working days does the regional parliament have to approve the plan?", 5)
    assert "PP 28/2018 Pasal 30" in [h.chunk.anchor for h in hits]


def test_in_force_filter_excludes_repealed(retriever):
    q = "persetujuan DPRD atas kerja sama daerah"
    assert any(h.chunk.doc_id == "pp-50-2007" for h in retriever.retrieve(q, 10))
    hits = retriever.retrieve(q, 10, Filters(in_force_only=True))
    assert hits and all(h.chunk.doc_id != "pp-50-2007" for h in hits)


def test_document_filter(retriever):
    hits = retriever.retrieve("perjanjian internasional", 5, Filters(doc_ids=["uu-24-2000"]))
    assert hits and {h.chunk.doc_id for h in hits} == {"uu-24-2000"}


@pytest.mark.parametrize("mode", ["dense", "lexical"])
def test_single_retriever_modes(slice_settings, embeddings, mode):
    r = HybridRetriever(slice_settings, embeddings=embeddings, mode=mode)
    hits = r.retrieve("jangka waktu persetujuan DPRD 45 hari kerja", 5)
    assert any(h.chunk.anchor == "PP 28/2018 Pasal 30" for h in hits)
    assert all((h.dense_rank is None) == (mode == "lexical") for h in hits)


@pytest.mark.parametrize("mode", ["dense", "lexical"])
def test_filters_act_before_the_top_candidates(slice_settings, embeddings, mode):
    """A filter to a document whose passages rank far below the others still finds that document's best passages:
    each search applies it before taking its top candidates (here only 5 per search)."""
    r = HybridRetriever(slice_settings.model_copy(update={"candidates": 5}), embeddings=embeddings, mode=mode)
    q = "jangka waktu persetujuan DPRD atas rencana kerja sama daerah dengan pemerintah daerah di luar negeri"
    assert "skripsi-bogor-kisarazu" not in {h.chunk.doc_id for h in r.retrieve(q, 15)}
    hits = r.retrieve(q, 5, Filters(doc_ids=["skripsi-bogor-kisarazu"]))
    assert hits and {h.chunk.doc_id for h in hits} == {"skripsi-bogor-kisarazu"}
