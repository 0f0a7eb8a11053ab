"""Search in the national collection and what an answer shows from it.

The index is built by the real ``ingest.national`` from the data-set texts of ``tests/ingest/test_national.py``;
the dense re-ranking uses the real bundled embedder; answers come from the slice index's real Answerer.
"""

from __future__ import annotations

import pytest

from ingest import national as ingest_national
from kerjasama.national import NationalFilters, NationalIndex, connect
from kerjasama.service import build_answerer
from kerjasama.text import tokenize
from tests.ingest.test_national import DATASET, write_dataset

HELD = {"pp-2018-28"}  # what the focus corpus holds (PP 28/2018): never searched in the national collection


@pytest.fixture(scope="module")
def national_db(tmp_path_factory):
    root = write_dataset(tmp_path_factory.mktemp("national"), DATASET)
    db = root / "index.sqlite"
    ingest_national.build(root, db)
    return db


@pytest.fixture(scope="module")
def index(national_db, embeddings):
    return NationalIndex(national_db, embeddings, dense_top=10, exclude=HELD)


def weights(text: str) -> dict[str, float]:
    return {t: 1.0 for t in tokenize(text)}


def test_filters_act_inside_the_search_not_after_the_top_k(index):
    q = weights("syarat pendirian partai politik")
    assert index.lexical(q, 1)[0].chunk.doc_id in {"uu-2008-2", "uu-2002-31"}
    # With k=1 a filter applied after the top 1 would often return nothing; inside the query it returns the best
    # passage that passes it.
    assert {h.chunk.doc_id for h in index.lexical(q, 1, NationalFilters(in_force_only=True))} == {"uu-2008-2"}
    assert {h.chunk.doc_id for h in index.lexical(q, 1, NationalFilters(year_to=2005))} == {"uu-2002-31"}
    assert index.lexical(q, 5, NationalFilters(kinds=["pp"])) == []
    assert {h.chunk.doc_id for h in index.lexical(q, 5, NationalFilters(doc_ids=["uu-2002-31"]))} == {"uu-2002-31"}


def test_documents_of_the_focus_corpus_are_left_out(index, national_db):
    q = weights("persetujuan DPRD kerja sama daerah luar negeri")
    assert NationalIndex(national_db).lexical(q, 1)[0].chunk.doc_id == "pp-2018-28"  # in the collection ...
    assert not {h.chunk.doc_id for h in index.lexical(q, 20)} & HELD  # ... but the focus corpus answers on it
    assert index.resolve("PP 28/2018") == []


def test_a_law_is_found_by_number_or_by_the_words_of_its_title(index):
    assert index.resolve("UU 1/1974") == ["uu-1974-1"]
    assert index.resolve("UU Perkawinan") == ["uu-1974-1"]
    # Two laws on political parties: the one in force first.
    assert index.resolve("UU Partai Politik")[:2] == ["uu-2008-2", "uu-2002-31"]
    assert index.resolve("UU 5/1999") == [] and index.resolve("UU Cipta Kerja") == []


def test_dense_reranking_embeds_candidates_once(index):
    q = "Berapa orang yang diperlukan untuk mendirikan partai politik?"
    first = index.search(weights(q), q, 3)
    assert first and all(h.dense_rank is not None and h.dense_score is not None for h in first)
    kept = len(index._vectors._items)
    again = index.search(weights(q), q, 3)
    assert [h.chunk.id for h in again] == [h.chunk.id for h in first]
    assert len(index._vectors._items) == kept  # the passages' vectors came from the cache


def test_an_index_that_never_completed_is_not_used(tmp_path):
    db = tmp_path / "index.sqlite"
    con = connect(db)
    con.executescript(ingest_national.SCHEMA_SQL)
    con.close()
    assert NationalIndex.open(db) is None
    assert NationalIndex.open(tmp_path / "missing.sqlite") is None


# -- answers -----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def with_national(slice_settings, national_db, embeddings):
    return build_answerer(slice_settings.model_copy(update={"national_path": national_db}), embeddings=embeddings)


def test_a_law_outside_the_focus_corpus_is_refused_and_quoted_from_the_national_collection(with_national):
    ans = with_national.ask("Apa alasan perceraian menurut UU Perkawinan?")
    assert ans.refused and ans.citations == []  # the focus corpus has no answer
    assert ans.national and {c.doc_id for c in ans.national} == {"uu-1974-1"}
    assert all("perceraian" in c.quote for c in ans.national)  # Pasal 39 or the Penjelasan on divorce
    for c in ans.national:
        assert c.quote in with_national.national.chunk(c.chunk_id).text  # verbatim
    assert "koleksi nasional" in ans.answer and "UU 1/1974 tentang Perkawinan" in ans.answer
    assert ans.to_dict()["national"][0]["doc_id"] == "uu-1974-1"
    # English: as far as the bilingual lexicon gives the statutes' wording ("political party").
    en = with_national.ask("Under Law 2/2008, how many citizens must establish a political party?")
    assert en.refused and "national collection" in en.answer and en.national[0].doc_id == "uu-2008-2"


def test_the_law_in_force_leads_and_the_revoked_one_is_marked(with_national):
    ans = with_national.ask("Berapa orang warga negara yang diperlukan untuk mendirikan partai politik?")
    assert ans.national, ans.answer
    # Both laws say it (the revoked one in closer words); the one in force answers.
    assert {c.doc_id for c in ans.national} == {"uu-2008-2"}
    named = with_national.ask("Menurut UU 31/2002, berapa orang warga negara yang diperlukan untuk mendirikan "
                              "partai politik?")
    assert {c.doc_id for c in named.national} == {"uu-2002-31"}
    assert named.national[0].status == "dicabut" and "status menurut citator, sejauh data set: dicabut" in named.answer


def test_unrelated_questions_and_focus_answers_are_unchanged(with_national, answerer):
    off = with_national.ask("Bagaimana resep nasi goreng yang enak?")
    assert off.refused and not off.national
    q = "Apakah kerja sama kota kembar perlu persetujuan DPRD?"
    assert with_national.ask(q).to_dict() | {"latency_ms": 0} == answerer.ask(q).to_dict() | {"latency_ms": 0}
    missing = with_national.ask("Apa isi PP 28/2018 Pasal 99?")
    assert missing.refused and not missing.national  # about the focus corpus: no national search

