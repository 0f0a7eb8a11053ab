"""Incremental ingest against a real Chroma in a temp dir with the real embedder."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.index import ingest
from kerjasama.errors import IndexNotReadyError
from kerjasama.retrieve import HybridRetriever
from kerjasama.settings import Settings
from kerjasama.store import IndexStore
from tests.conftest import ROOT, copy_corpus


@pytest.fixture()
def small(tmp_path: Path) -> Settings:
    return Settings(corpus_dir=copy_corpus(tmp_path / "corpus", ["uu-24-2000.txt"]), data_dir=tmp_path / "data")


def _stored_texts(settings: Settings, embeddings) -> dict[str, str]:
    store = IndexStore(settings.index_dir(), embeddings, "x")
    got = store.collection.get(include=["documents"])
    return dict(zip(got["ids"], got["documents"], strict=True))


def test_unchanged_corpus_embeds_nothing(small, embeddings):
    first = ingest(small, show_progress=False, embeddings=embeddings)
    assert first.documents == 1 and first.new == first.chunks + first.units and first.chunks > 20
    second = ingest(small, show_progress=False, embeddings=embeddings)
    assert (second.new, second.removed, second.unchanged) == (0, 0, first.chunks + first.units)
    assert not second.lexical_rebuilt


def test_changed_document_replaces_its_chunks(small, embeddings):
    ingest(small, show_progress=False, embeddings=embeddings)
    path = small.corpus_dir / "uu-24-2000.txt"
    text = path.read_text(encoding="utf-8")
    old = "Perjanjian internasional tidak berakhir karena suksesi negara"
    assert old in text
    path.write_text(text.replace(old, "Perjanjian internasional TIDAK BERAKHIR karena suksesi negara"), "utf-8")
    report = ingest(small, show_progress=False, embeddings=embeddings)
    assert report.new == 1 and report.removed == 1
    stored = "\n".join(_stored_texts(small, embeddings).values())
    assert "TIDAK BERAKHIR karena suksesi" in stored and old not in stored
    hits = HybridRetriever(small, embeddings=embeddings).retrieve("Pasal 20 UU 24/2000", 1)
    assert "TIDAK BERAKHIR" in hits[0].chunk.text


def test_removed_document_disappears_and_bad_files_are_skipped(small, embeddings):
    copy_corpus(small.corpus_dir, ["abstrak-sister-city-bogor-kisarazu.txt"])
    first = ingest(small, show_progress=False, embeddings=embeddings)
    assert first.documents == 2
    (small.corpus_dir / "abstrak-sister-city-bogor-kisarazu.txt").unlink()
    (small.corpus_dir / "rusak.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (small.corpus_dir / "kosong.md").write_text("   \n", encoding="utf-8")
    report = ingest(small, show_progress=False, embeddings=embeddings)
    skipped = dict(report.skipped)
    assert "binary" in skipped["rusak.txt"] and "empty" in skipped["kosong.md"]
    assert report.removed > 0 and report.documents == 1
    docs = {m["doc_id"] for m in IndexStore(small.index_dir(), embeddings, "x").collection.get()["metadatas"]}
    assert docs == {"uu-24-2000"}


def test_unreadable_file_keeps_its_previous_chunks(small, embeddings):
    first = ingest(small, show_progress=False, embeddings=embeddings)
    (small.corpus_dir / "uu-24-2000.txt").write_bytes(b"\xff\xfe\x00\x00" + os.urandom(4000).replace(b"\n", b""))
    report = ingest(small, show_progress=False, embeddings=embeddings)
    assert "uu-24-2000.txt" in dict(report.skipped)
    assert report.removed == 0 and report.chunks == first.chunks


def test_uncataloged_file_is_ingested_with_inferred_metadata(small, embeddings):
    (small.corpus_dir / "pp-7-2099.txt").write_text(
        "PERATURAN PEMERINTAH REPUBLIK INDONESIA\nNOMOR 7 TAHUN 2099\nTENTANG UJI COBA\n\n"
        "BAB I\nKETENTUAN UMUM\n\nPasal 1\nKetentuan uji coba berlaku bagi semua daerah.\n",
        encoding="utf-8",
    )
    report = ingest(small, show_progress=False, embeddings=embeddings)
    assert report.uncataloged == ["pp-7-2099.txt"]
    hits = HybridRetriever(small, embeddings=embeddings).retrieve("Pasal 1 PP 7/2099", 1)
    assert hits[0].chunk.cite == "PP 7/2099 Pasal 1"
    from kerjasama.service import build_answerer

    ans = build_answerer(small, embeddings=embeddings).ask("Apa isi Pasal 1 PP 7/2099?")
    assert not ans.refused, ans.reason
    assert ans.citations[0].title == "Peraturan Pemerintah Nomor 7 Tahun 2099 tentang Uji Coba"


def test_settings_change_builds_a_separate_index(small):
    other = Settings(corpus_dir=small.corpus_dir, data_dir=small.data_dir, chunk_max_chars=900)
    assert other.index_dir() != small.index_dir()
    assert Settings(corpus_dir=small.corpus_dir, data_dir=small.data_dir, top_k=9).index_dir() == small.index_dir()


def test_interrupted_ingest_is_completed_by_the_next_run(tmp_path, embeddings):
    settings = Settings(
        corpus_dir=copy_corpus(tmp_path / "corpus", ["pp-28-2018.txt"]), data_dir=tmp_path / "data"
    )
    env = {
        **os.environ,
        "KERJASAMA_CORPUS_DIR": str(settings.corpus_dir),
        "KERJASAMA_DATA_DIR": str(settings.data_dir),
        "KERJASAMA_EMBED_BATCH_SIZE": "2",
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest"], cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE,
        # Ctrl-C's default action even when the test runner was started with SIGINT ignored (a background job).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    seen = b""
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and done < 6:
        chunk = proc.stderr.read1(256) if proc.stderr else b""
        if not chunk:
            break
        seen += chunk
        done = max([int(n) for n in re.findall(rb"(\d+)/\d+ \[", seen)] or [0])
    assert 6 <= done < 60, seen[-300:]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out + err)[-500:]
    with pytest.raises(IndexNotReadyError):
        HybridRetriever(settings, embeddings=embeddings).load()
    report = ingest(settings, show_progress=False, embeddings=embeddings)
    assert 0 < report.new < report.chunks + report.units, "the second run should only embed what the first did not"
    hits = HybridRetriever(settings, embeddings=embeddings).retrieve("Pasal 30 PP 28/2018", 1)
    assert hits[0].chunk.cite == "PP 28/2018 Pasal 30"
