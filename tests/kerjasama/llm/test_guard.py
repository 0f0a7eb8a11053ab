"""The citation guard on handwritten answers over real chunks of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunk import Chunker
from kerjasama.answer import REFUSAL_EN, REFUSAL_ID
from kerjasama.catalog import load_catalog
from kerjasama.llm.guard import check_answer, split_sentences
from kerjasama.models import Hit

ROOT = Path(__file__).resolve().parents[3]
REFUSALS = (REFUSAL_ID, REFUSAL_EN)


@pytest.fixture(scope="module")
def passages() -> list[Hit]:
    catalog = load_catalog(ROOT / "corpus")
    meta = catalog.get("pp-28-2018")
    chunks = Chunker().chunk((ROOT / "corpus" / meta.file).read_text(encoding="utf-8"), meta)
    by_cite = {c.cite: c for c in chunks}
    return [Hit(by_cite["PP 28/2018 Pasal 30"], 1.0), Hit(by_cite["PP 28/2018 Pasal 24"], 0.9)]


def test_valid_answer_is_accepted(passages):
    text = (
        "KSDPL harus memperoleh persetujuan Dewan Perwakilan Rakyat Daerah [1]. "
        "Persetujuan diberikan paling lama 45 hari kerja [1]. KSDPL mencakup kerja sama kabupaten/kota kembar [2]."
    )
    result = check_answer(text, passages, REFUSALS)
    assert result.ok, result.problems
    assert [s.keys for s in result.sentences] == [[1], [1], [2]]


def test_sentence_without_key_is_rejected(passages):
    result = check_answer("KSDPL harus memperoleh persetujuan DPRD.", passages, REFUSALS)
    assert not result.ok and "without a valid passage key" in result.problems[0]


def test_unknown_key_is_dropped_and_alone_rejects(passages):
    ok = check_answer("KSDPL harus memperoleh persetujuan [1][7].", passages, REFUSALS)
    assert ok.ok and ok.dropped_keys == [7] and "[7]" not in ok.sentences[0].text
    bad = check_answer("KSDPL harus memperoleh persetujuan [9].", passages, REFUSALS)
    assert not bad.ok


def test_quote_must_be_verbatim_in_the_cited_passage(passages):
    good = check_answer('Pasal 30 menyatakan "harus memperoleh persetujuan Dewan Perwakilan Rakyat Daerah" [1].',
                        passages, REFUSALS)
    assert good.ok, good.problems
    bad = check_answer('Pasal 30 menyatakan "cukup dengan izin gubernur" [1].', passages, REFUSALS)
    assert not bad.ok and "quote not in cited passage" in bad.problems[0]
    quote = '"harus memperoleh persetujuan Dewan Perwakilan Rakyat Daerah"'
    wrong_passage = check_answer(f"{quote} [2].", passages, REFUSALS)
    assert not wrong_passage.ok


def test_numbers_and_regulations_must_be_in_the_cited_passage(passages):
    assert not check_answer("Persetujuan diberikan paling lama 30 hari kerja [1].", passages, REFUSALS).ok
    assert not check_answer("Hal ini diatur dalam Permendagri 25/2020 [1].", passages, REFUSALS).ok
    assert not check_answer("Lihat Pasal 99 [1].", passages, REFUSALS).ok
    assert check_answer("Lihat Pasal 24 [1].", passages, REFUSALS).ok  # Pasal 30 names Pasal 24


@pytest.mark.parametrize("refusal", REFUSALS)
def test_refusal_constant_is_a_refusal(passages, refusal):
    result = check_answer(f"  {refusal}  ", passages, REFUSALS)
    assert result.ok and result.refusal


def test_empty_answer_is_rejected(passages):
    assert not check_answer("   ", passages, REFUSALS).ok


def test_key_after_full_stop_stays_with_its_sentence():
    assert split_sentences("Satu kalimat. [1] Dua kalimat [2].") == ["Satu kalimat [1].", "Dua kalimat [2]."]
