"""The citator's graph in the product: documents show what revoked and amended them, mined from the text.

The graph is mined by the real miner (``ingest.citator``) from regulation texts in the data set's wording (the
fixtures of ``tests/ingest/test_citator.py``), then read by the app: the library, and the API of a served app.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import httpx
import pytest

from ingest import citator
from kerjasama.catalog import load_catalog
from kerjasama.relations import Relations, short
from tests.conftest import ROOT
from tests.ingest.test_citator import PP_2018_28, UU_2014_23, UU_2015_9

# A made-up later amendment of PP 28/2018 (the data set has none): what an answer quoting PP 28/2018 must then say.
AMENDS_PP_28 = "PERATURAN PEMERINTAH NOMOR 1 TAHUN 2030 TENTANG PERUBAHAN ATAS PERATURAN PEMERINTAH NOMOR 28 TAHUN 2018"


@pytest.fixture(scope="module")
def relations_file(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("national")
    files = {"uu/2014/23.md": UU_2014_23, "pp/2018/28.md": PP_2018_28, "uu/2015/9.md": UU_2015_9,
             "pp/2030/1.md": AMENDS_PP_28}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    out = root / "relations.json"
    assert citator.main([str(root), "--out", str(out)]) == 0
    return out


def test_statutes_of_the_corpus_get_their_status_from_the_graph(relations_file):
    rel = Relations.load(relations_file)
    catalog = load_catalog(ROOT / "corpus")
    uu32 = rel.of(catalog.get("uu-32-2004"))
    assert uu32["id"] == "uu-2004-32" and uu32["status"] == "dicabut" and not uu32["in_data"]
    assert [r["short"] for r in uu32["dicabut_oleh"]] == ["UU 23/2014"]
    assert uu32["dicabut_oleh"][0]["tentang"] == "PEMERINTAHAN DAERAH"
    pp50 = rel.of(catalog.get("pp-50-2007"))
    assert pp50["status"] == "dicabut" and [r["id"] for r in pp50["dicabut_oleh"]] == ["pp-2018-28"]
    uu23 = rel.of(catalog.get("uu-23-2014"))
    assert uu23["status"] == "diubah" and [r["short"] for r in uu23["diubah_oleh"]] == ["UU 9/2015"]
    assert {r["id"] for r in uu23["mencabut"]} == {"uu-1962-5", "uu-2004-32"}
    assert {r["id"] for r in uu23["mencabut_sebagian"]} == {"uu-2009-28", "uu-2014-17"}
    assert rel.of(catalog.get("vclt-1969")) is None  # not a UU or PP
    assert rel.of(catalog.get("uu-24-2000")) is None  # not in this graph
    assert short("perpu-2020-1") == "Perpu 1/2020"


def test_a_catalog_the_graph_contradicts_is_reported(relations_file):
    rel = Relations.load(relations_file)
    catalog = load_catalog(ROOT / "corpus")
    assert rel.disagreements(catalog) == []  # the corpus's catalog agrees with the text
    catalog.add(dataclasses.replace(catalog.get("pp-50-2007"), status="berlaku"))
    assert rel.disagreements(catalog) == [
        "PP 50/2007: catalog 'berlaku', citator 'dicabut' (dicabut oleh PP 28/2018)"]


def test_missing_or_broken_graph_changes_nothing(tmp_path, caplog):
    assert Relations.load(tmp_path / "none.json") is None
    broken = tmp_path / "relations.json"
    broken.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert Relations.load(broken) is None
    assert "make citator" in caplog.text and str(tmp_path) not in caplog.text


def test_the_served_documents_api_shows_the_graph(slice_settings, answerer, relations_file):
    from kerjasama.web.server import create_app
    from tests.web.conftest import serve, web_settings

    with serve(create_app(web_settings(slice_settings, citator_path=relations_file), answerer)) as url:
        doc = httpx.get(url + "/api/documents/pp-50-2007", timeout=30).json()
        listed = {d["id"]: d for d in httpx.get(url + "/api/documents", timeout=30).json()["documents"]}
        page = httpx.get(url + "/dokumen/pp-50-2007", timeout=30).text
    assert doc["citator"]["status"] == "dicabut" and doc["citator"]["dicabut_oleh"][0]["short"] == "PP 28/2018"
    assert listed["pp-28-2018"]["citator"]["mencabut"][0]["id"] == "pp-2007-50"
    assert listed["pp-28-2018"]["citator"]["diubah_oleh"][0]["short"] == "PP 1/2030"
    assert listed["uu-24-2000"]["citator"] is None
    assert '<div class="kjs-citator">Citator: dicabut oleh / revoked by: PP 28/2018</div>' in page
    with serve(create_app(web_settings(slice_settings), answerer)) as url:  # no graph: no citator field values
        assert httpx.get(url + "/api/documents/pp-50-2007", timeout=30).json()["citator"] is None


def test_an_answer_quoting_an_amended_statute_says_so(slice_settings, embeddings, relations_file):
    from kerjasama.service import build_answerer

    question = "Berapa lama DPRD memberi persetujuan atas rencana kerja sama dengan pemerintah daerah di luar negeri?"
    with_graph = build_answerer(slice_settings.model_copy(update={"citator_path": relations_file}),
                                embeddings=embeddings)
    ans = with_graph.ask(question, lang="id")
    assert ans.citations[0].doc_id == "pp-28-2018"
    assert "Catatan: PP 28/2018 telah diubah dengan PP 1/2030 (citator)" in ans.answer
    en = with_graph.ask(question, lang="en").answer
    assert "Note: PP 28/2018 was amended by PP 1/2030 (citator)" in en
    without = build_answerer(slice_settings, embeddings=embeddings).ask(question, lang="id")
    assert without.citations == ans.citations and "citator" not in without.answer
