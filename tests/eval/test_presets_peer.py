"""Ablation presets, the textbook LangChain peer (on the corpus slice), and several configurations in one run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from eval.compare import markdown_table, run_configs
from eval.peer import CHUNK_SIZE, MANIFEST, PeerPipeline
from eval.presets import ALL, build, config_key, describe, resolve
from kerjasama.settings import Settings
from tests.conftest import ROOT, copy_corpus
from tests.eval.test_runner import CASES

# mode, glossary, legal_refs, legal_boosts of each preset under default settings.
EXPECTED = {
    "dense": ("dense", True, True, True),
    "lexical": ("lexical", True, True, True),
    "hybrid-plain": ("hybrid", False, False, False),
    "+units": ("hybrid", False, False, False),
    "+glossary": ("hybrid", True, False, False),
    "+legal-refs": ("hybrid", True, True, False),
    "+legal-boosts": ("hybrid", True, True, True),
    "full": ("hybrid", True, True, True),
}


ABLATIONS = ["-reviewed-lexicon", "-mined-lexicon", "-corrections", "-units", "-answer-types", "-hubs",
             "-source-weights", "-definitions"]


def test_presets_are_distinct_configurations():
    base = Settings()
    assert [*EXPECTED, *ABLATIONS, "peer"] == ALL
    assert resolve("hybrid-plain", base)[1].ranking_off == ["units"] and resolve("+units", base)[1].ranking_off == []
    for name in ABLATIONS:
        preset, settings = resolve(name, base)
        assert preset.mode == "hybrid" and settings.ranking_off == [name[1:].replace("-", "_")]
    for name, expected in EXPECTED.items():
        preset, settings = resolve(name, base)
        assert (preset.mode, settings.glossary, settings.legal_refs, settings.legal_boosts) == expected, name
        assert describe(name, base)["mode"] == expected[0]
    keys = {name: config_key(name, base) for name in ALL}
    # Every preset is its own configuration except `full`, which is the default settings (today all on).
    distinct = [keys[n] for n in ALL if n != "full"]
    assert len(set(distinct)) == len(distinct) and keys["full"] == keys["+legal-boosts"]
    off = base.model_copy(update={"legal_boosts": False})
    assert config_key("full", off) != config_key("+legal-boosts", off)
    assert resolve("full", base)[1].audit_log is False  # evaluation answers stay out of the audit trail
    with pytest.raises(ValueError, match="unknown config"):
        resolve("bogus")


@pytest.mark.skipif("reranker" not in Settings.model_fields, reason="no reranker setting")
def test_full_keeps_a_configured_later_refinement_that_the_build_up_presets_leave_out():
    base = Settings().model_copy(update={"reranker": "sentence-transformers-cross-encoder:x"})
    assert resolve("full", base)[1].reranker == base.reranker
    assert resolve("+legal-boosts", base)[1].reranker == "" and resolve("hybrid-plain", base)[1].reranker == ""
    assert config_key("full", base) != config_key("+legal-boosts", base)


def test_presets_build_the_configured_answerer(slice_settings, embeddings):
    for name, (mode, *flags) in EXPECTED.items():
        answerer = build(name, slice_settings, embeddings)
        assert answerer.retriever.mode == mode, name
        assert [answerer.settings.glossary, answerer.settings.legal_refs, answerer.settings.legal_boosts] == flags
    assert "refus" in describe("lexical")["note"]
    assert isinstance(build("peer", slice_settings, embeddings), PeerPipeline)


@pytest.fixture(scope="module")
def peer_settings(slice_settings):
    """The corpus slice; its data dir is the session's temp dir, where the peer's index goes beside ours."""
    return slice_settings


@pytest.fixture(scope="module")
def peer(peer_settings, embeddings):
    pipeline = PeerPipeline(peer_settings, embeddings=embeddings, show_progress=False)
    pipeline.ensure()
    return pipeline


def test_peer_builds_a_textbook_index_once(peer, peer_settings, embeddings):
    manifest = peer.manifest()
    chunks = peer.split()
    assert manifest["chunks"] == len(chunks) > 50 and manifest["chunk_overlap"] == 200
    assert max(len(c.page_content) for c in chunks) <= CHUNK_SIZE
    assert peer.index_dir().parent == peer_settings.data_dir and peer.index_dir().name.startswith("peer-")
    again = PeerPipeline(peer_settings, embeddings=embeddings, show_progress=False)
    again.ensure()
    assert again.build_seconds is None and again.index_dir() == peer.index_dir()  # cached, not rebuilt
    other = PeerPipeline(peer_settings, embeddings=embeddings, chunk_size=500, chunk_overlap=100)
    assert other.index_dir() != peer.index_dir()


def test_peer_answers_with_the_top_passage_and_never_refuses(peer):
    ans = peer.ask("Siapa pemenang Piala Dunia 2022?", k=5)
    assert not ans.refused and len(ans.hits) == 5 and ans.path == "peer"
    top = ans.hits[0].chunk
    assert ans.citations[0].quote == top.text and ans.citations[0].chunk_id == top.id
    assert top.text in ans.answer and ans.citations[0].cite == peer.catalog.get(top.doc_id).short
    scores = [h.dense_score for h in ans.hits]
    assert scores == sorted(scores, reverse=True)
    ans = peer.ask("Berapa lama DPRD memberi persetujuan atas rencana kerja sama?", k=5)
    assert any("hari" in h.chunk.text for h in ans.hits)


def test_interrupted_peer_build_is_redone_and_corpus_change_rebuilds(tmp_path, embeddings):
    corpus = copy_corpus(tmp_path / "corpus", ["abstrak-sister-city-bogor-kisarazu.txt"])
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    first = PeerPipeline(settings, embeddings=embeddings, show_progress=False)
    path = first.ensure()
    (path / MANIFEST).unlink()  # as if the build had been interrupted
    second = PeerPipeline(settings, embeddings=embeddings, show_progress=False)
    second.ensure()
    assert second.build_seconds is not None and (path / MANIFEST).is_file()
    (corpus / "abstrak-sister-city-bogor-kisarazu.txt").write_text("Teks baru tentang kota kembar.\n",
                                                                    encoding="utf-8")
    assert PeerPipeline(settings, embeddings=embeddings).index_dir() != path


def test_several_configs_in_one_run_compare_with_the_peer(peer_settings, peer, embeddings, tmp_path):
    set_path = tmp_path / "mini.jsonl"
    set_path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES), encoding="utf-8")
    result = run_configs(["lexical", "+legal-boosts", "full", "peer"], [set_path], k=5, base=peer_settings,
                         embeddings=embeddings, show_progress=False)
    assert result["config"]["name"] == "full" and set(result["configs"]) == {"lexical", "+legal-boosts", "full",
                                                                              "peer"}
    assert result["configs"]["full"]["config"]["same_as"] == "+legal-boosts"
    rows = {r["config"]: r for r in result["comparison"]["rows"]}
    assert rows["peer"]["refusal_accuracy"] == 0.0 and rows["peer"]["false_refusals"] == 0
    assert rows["lexical"]["note"] and "vs_peer" in rows["full"] and "vs_peer" not in rows["peer"]
    peer_hit = rows["peer"]["hit@k"]
    assert rows["full"]["vs_peer"]["hit@k"] == (round(rows["full"]["hit@k"] / peer_hit, 2) if peer_hit else None)
    assert result["configs"]["peer"]["config"]["index"]["chunks"] > 50
    table = markdown_table(result["comparison"])
    assert table.count("\n| `") == 4 and "hit@k ×peer" in table and "(= `+legal-boosts`)" in table
    assert result["llm_judged"]["status"] == "not run"


def test_cli_runs_a_glob_of_sets_under_two_configs(slice_settings, tmp_path):
    sets = tmp_path / "sets"
    sets.mkdir()
    (sets / "a.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES[:4]), encoding="utf-8")
    (sets / "b.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES[4:]), encoding="utf-8")
    out = tmp_path / "res" / "result.json"
    env = {**os.environ, "KERJASAMA_CORPUS_DIR": str(slice_settings.corpus_dir),
           "KERJASAMA_DATA_DIR": str(slice_settings.data_dir)}
    proc = subprocess.run(
        [sys.executable, "-m", "eval", "run", str(sets / "*.jsonl"), "--config", "hybrid-plain,full",
         "--out", str(out), "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["cases"] == len(CASES) and len(result["sets"]) == 2 and set(result["by_set"]) == {"a", "b"}
    assert result["ci95"]["hit@k"] and result["latency"]["p95"] >= result["latency"]["p50"]
    assert [r["config"] for r in result["comparison"]["rows"]] == ["hybrid-plain", "full"]
    assert "| `hybrid-plain` |" in proc.stdout and "not run (no LLM backend configured)" in proc.stderr
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "Configurations" in html and "Scores by set" in html
