"""The index's vectors in a real Chroma server (``chroma run`` on loopback): ingest publishes, processes read.

One ingest job, a Chroma server, stateless readers: two CLI processes reading one server and one lexical snapshot
answer identically (and as the local index does); a collection that a killed publish left incomplete, or a server
that is down, is reported as not ready, never served; the next ingest publishes again and drops old collections.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.index import ingest
from kerjasama import chromaserver
from kerjasama.errors import IndexNotReadyError
from kerjasama.service import build_answerer
from kerjasama.settings import Settings
from tests.conftest import ROOT, copy_corpus, wait_until_up
from tests.web.conftest import free_port

QUESTION = "Siapa yang mewakili pemerintah dalam membuat perjanjian internasional?"
CHROMA = Path(sys.executable).parent / "chroma"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Chroma server on a loopback port, its data in a temp folder."""
    if not CHROMA.exists():
        pytest.fail("the `chroma` command of the chromadb package is missing from the virtual environment")
    port = free_port()
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(tmp_path_factory.mktemp("chroma")), "--host",
                             "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url + "/api/v2/heartbeat", proc, 60, "chroma run")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def settings(server, tmp_path_factory, embeddings) -> Settings:
    base = tmp_path_factory.mktemp("served")
    s = Settings(corpus_dir=copy_corpus(base / "corpus", ["uu-24-2000.txt", "uu-37-1999.txt"]),
                 data_dir=base / "data", chroma_url=server, dense_memory_max=0, audit_log=False)
    report = ingest(s, show_progress=False, embeddings=embeddings)
    assert report.server_vectors == report.chunks + report.units > 100
    assert ingest(s, show_progress=False, embeddings=embeddings).server_vectors == 0  # already complete
    return s


def _ask_in_process(settings: Settings) -> dict:
    env = {**os.environ, "KERJASAMA_CORPUS_DIR": str(settings.corpus_dir), "KERJASAMA_DATA_DIR": str(settings.data_dir),
           "KERJASAMA_CHROMA_URL": settings.chroma_url, "KERJASAMA_DENSE_MEMORY_MAX": "0",
           "KERJASAMA_AUDIT_LOG": "false"}
    out = subprocess.run([sys.executable, "-m", "kerjasama", "ask", "--json", QUESTION], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout)


def test_two_processes_on_one_server_answer_identically_and_as_the_local_index(settings, embeddings):
    with_server = build_answerer(settings, embeddings=embeddings)
    with_server.retriever.load()
    store = with_server.retriever.store
    assert store.collection.name == chromaserver.collection_name(store.dir.name, store.snapshot_id)
    assert store.check.ok and store._exact is None  # the server was checked and is what dense search asks
    local = build_answerer(settings.model_copy(update={"chroma_url": ""}), embeddings=embeddings).ask(QUESTION)
    served = with_server.ask(QUESTION)
    one, two = _ask_in_process(settings), _ask_in_process(settings)
    assert one["answer"] == two["answer"] == served.answer == local.answer
    assert [c["cite"] for c in one["citations"]] == [c.cite for c in local.citations] != []


def test_incomplete_collection_and_server_down_are_not_served(settings, embeddings, server):
    client = chromaserver.client(server)
    probe = build_answerer(settings, embeddings=embeddings).retriever.store
    name = chromaserver.collection_name(settings.index_dir().name, probe.snapshot_id)
    coll = client.get_collection(name)
    coll.delete(ids=coll.get(limit=5, include=[])["ids"])  # as if a publish had been killed halfway
    with pytest.raises(IndexNotReadyError, match="incomplete"):
        build_answerer(settings, embeddings=embeddings).retriever.load()
    report = ingest(settings, show_progress=False, embeddings=embeddings)  # nothing changed but the server copy
    assert report.server_vectors == report.chunks + report.units
    build_answerer(settings, embeddings=embeddings).retriever.load()  # whole again
    down = settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{free_port()}"})
    with pytest.raises(IndexNotReadyError, match="cannot be reached") as err:
        build_answerer(down, embeddings=embeddings).retriever.load()
    assert "python -m ingest" in str(err.value)


def test_a_new_snapshot_is_published_and_only_the_previous_one_is_kept(settings, embeddings, server, tmp_path):
    client = chromaserver.client(server)
    mine = chromaserver.PREFIX + settings.index_dir().name.removeprefix("index-")

    def collections() -> set[str]:
        return {c if isinstance(c, str) else c.name for c in client.list_collections() if
                (c if isinstance(c, str) else c.name).startswith(mine)}

    snapshots = []
    for extra in ("Pasal 99\nKetentuan tambahan pertama tentang uji coba.", "Pasal 100\nKetentuan tambahan kedua."):
        path = settings.corpus_dir / "uu-37-1999.txt"
        path.write_text(path.read_text(encoding="utf-8") + "\n" + extra + "\n", encoding="utf-8")
        report = ingest(settings, show_progress=False, embeddings=embeddings)
        assert report.lexical_rebuilt and report.server_vectors == report.chunks + report.units
        snapshots.append(report.snapshot)
    assert collections() == {chromaserver.collection_name(settings.index_dir().name, s) for s in snapshots}
    shutil.copy(ROOT / "corpus" / "uu-37-1999.txt", settings.corpus_dir / "uu-37-1999.txt")
