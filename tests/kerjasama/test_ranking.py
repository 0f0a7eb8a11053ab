"""The scoring functions of kerjasama.ranking (features in, scores out)."""

from __future__ import annotations

import pytest

from kerjasama import ranking
from kerjasama.catalog import DocumentMeta
from kerjasama.models import Chunk, Unit

CHUNK = Chunk("doc", ("doc", "Pasal 1"), "X Pasal 1", "Pasal 1\n(1) satu dua.\n(2) tiga empat.", pasal="Pasal 1",
              units=(Unit(8, 21, "ayat (1)"), Unit(22, 37, "ayat (2)")), anchor="X Pasal 1")
ALL = ranking.Features()
KW = {"rrf_k": 60, "dense_weight": 1.0, "lexical_weight": 1.0, "named": False, "penjelasan": False,
      "source_factor": 1.0, "hub": 1.0, "features": ALL}


def test_fusion_rewards_agreement():
    both = ranking.Candidate(CHUNK, dense_rank=1, lexical_rank=1)
    one = ranking.Candidate(CHUNK, dense_rank=1)
    assert ranking.passage_score(both, **KW) > ranking.passage_score(one, **KW)


def test_named_pasal_outranks_everything_and_bonuses_can_be_switched_off():
    pinned = ranking.Candidate(CHUNK, lexical_rank=40, pinned_order=0)
    best = ranking.Candidate(CHUNK, dense_rank=1, lexical_rank=1)
    assert ranking.passage_score(pinned, **KW) > ranking.passage_score(best, **KW) + 50
    off = {**KW, "features": ranking.Features(pinning=False)}
    assert ranking.passage_score(pinned, **off) < ranking.passage_score(best, **off)
    defining = ranking.Candidate(CHUNK, dense_rank=10, defines="angka 1")
    assert ranking.passage_score(defining, **KW) > ranking.passage_score(best, **KW)
    assert ranking.passage_score(defining, **{**KW, "features": ranking.Features(definitions=False)}) < \
        ranking.passage_score(best, **KW)


def test_source_factor_keeps_the_law_in_force_first():
    repealed = DocumentMeta("old", "Old", "PP 1/2000", "pp", status="dicabut", replaced_by="new")
    secondary = DocumentMeta("art", "Art", "Artikel", "artikel", status="sekunder")
    assert ranking.source_factor(repealed, False, False, 0.6, 0.9) == 0.6
    assert ranking.source_factor(repealed, True, False, 0.6, 0.9) == 1.0  # named
    assert ranking.source_factor(repealed, False, True, 0.6, 0.9) == ranking.HISTORY_REPEALED_FACTOR  # history
    assert ranking.source_factor(secondary, False, False, 0.6, 0.9) == 0.9


def test_hub_factor_damps_only_real_hubs():
    assert ranking.hub_factor(0) == ranking.hub_factor(ranking.HUB_MIN_PLACES - 1) == 1.0
    assert ranking.hub_factor(ranking.HUB_MIN_PLACES + 5) < ranking.hub_factor(ranking.HUB_MIN_PLACES) < 1.0


def test_term_overlap_weighs_rare_terms_and_alternates():
    idf = {"dprd": 3.0, "kerja": 0.5}
    weights = {"dprd": 1.0, "kerja": 1.0}
    assert ranking.term_overlap({"dprd"}, weights, idf, {}) == pytest.approx(3.0 / 3.5)
    assert ranking.term_overlap({"dewan"}, weights, idf, {"dprd": {"dewan"}}) == pytest.approx(3.0 / 3.5)
    assert ranking.term_overlap(set(), weights, idf, {}) == 0.0


def test_rank_spans_prefers_agreement_then_bonuses():
    a = ranking.Span(0, 5, "ayat (1)", overlap=0.9, sim=0.9)
    b = ranking.Span(6, 9, "ayat (2)", overlap=0.1, sim=0.8)
    assert [s.label for s in ranking.rank_spans([b, a])] == ["ayat (1)", "ayat (2)"]
    b.defines = True
    assert ranking.rank_spans([a, b])[0].label == "ayat (2)"


def test_quote_candidates_keep_short_lists_whole():
    lst = Chunk("d", ("d",), "X Pasal 2", "Pasal 2\nTerdiri atas:\na. satu;\nb. dua.", pasal="Pasal 2",
                units=(Unit(21, 29, "huruf a"), Unit(30, 37, "huruf b")))
    assert ranking.quote_candidates(lst, list_question=True) == [(8, len(lst.text), "")]
    assert [c[2] for c in ranking.quote_candidates(lst, list_question=False)] == ["huruf a", "huruf b"]


def test_extra_quotes_need_a_strong_passage_and_real_overlap():
    first = ranking.Span(0, 1, "", overlap=0.6, has_type=True)
    assert ranking.extra_quote(first, 0.9, ranking.Span(0, 1, "", overlap=0.55, has_type=True))
    assert not ranking.extra_quote(first, 0.7, ranking.Span(0, 1, "", overlap=0.9, has_type=True))
    assert not ranking.extra_quote(first, 0.95, ranking.Span(0, 1, "", overlap=0.3, has_type=True))
    assert not ranking.extra_quote(first, 0.95, ranking.Span(0, 1, "", overlap=0.9, has_type=False))


def test_national_score_fuses_ranks_and_puts_provisions_before_their_penjelasan():
    from kerjasama import ranking

    assert ranking.national_score(1, 1) > ranking.national_score(1, 2) > ranking.national_score(2, 2)
    assert ranking.national_score(3, None) > 0 and ranking.national_score(None, None) == 0
    body, penj = ranking.national_score(2, 2), ranking.national_score(2, 2, penjelasan=True)
    assert penj == body * ranking.NATIONAL_PENJELASAN_FACTOR < body
    assert ranking.national_score(2, 2, penjelasan=True, asks_penjelasan=True) == body
