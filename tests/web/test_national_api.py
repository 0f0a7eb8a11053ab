"""The national collection through the served API (real server on loopback, real index built by ingest.national):
search with filters applied inside it, a regulation's record, the national passages of a refusal; and the bilingual
404 when the collection was not built."""

from __future__ import annotations

import httpx
import pytest

from ingest import national as ingest_national
from kerjasama.service import build_answerer
from tests.ingest.test_national import DATASET, write_dataset
from tests.web.conftest import serve, web_settings


@pytest.fixture(scope="module")
def http(slice_settings, embeddings, tmp_path_factory):
    from kerjasama.web.server import create_app

    root = write_dataset(tmp_path_factory.mktemp("national"), DATASET)
    ingest_national.build(root, root / "index.sqlite")
    settings = web_settings(slice_settings, national_path=root / "index.sqlite")
    with serve(create_app(settings, build_answerer(settings, embeddings=embeddings))) as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        yield client


def test_search_applies_its_filters_inside(http):
    q = {"q": "syarat pendirian partai politik", "k": 1}
    assert http.get("/api/national/search", params=q).json()["passages"][0]["doc_id"] in {"uu-2008-2", "uu-2002-31"}
    in_force = http.get("/api/national/search", params=q | {"in_force_only": "true"}).json()["passages"]
    assert [p["doc_id"] for p in in_force] == ["uu-2008-2"] and in_force[0]["status"] == "berlaku"
    old = http.get("/api/national/search", params=q | {"year_to": 2005}).json()["passages"]
    assert [p["doc_id"] for p in old] == ["uu-2002-31"] and old[0]["status"] == "dicabut"
    assert http.get("/api/national/search", params=q | {"kind": "pp"}).json()["passages"] == []
    bad = http.get("/api/national/search", params=q | {"kind": "perda"})
    assert bad.status_code == 422 and "error" in bad.json()


def test_a_regulation_and_an_unknown_one(http):
    doc = http.get("/api/national/uu-2002-31").json()
    assert (doc["short"], doc["tentang"], doc["status"]) == ("UU 31/2002", "PARTAI POLITIK", "dicabut")
    missing = http.get("/api/national/uu-1900-1")
    assert missing.status_code == 404 and "Regulation not found" in missing.json()["error"]


def test_ask_returns_the_national_passages_of_a_refusal(http):
    body = http.post("/api/ask", json={"question": "Apa alasan perceraian menurut UU Perkawinan?"}).json()
    assert body["refused"] and body["citations"] == []
    assert body["national"] and {c["doc_id"] for c in body["national"]} == {"uu-1974-1"}


def test_without_the_collection_the_api_says_how_to_build_it(slice_settings, answerer):
    from kerjasama.web.server import create_app

    with serve(create_app(web_settings(slice_settings), answerer)) as url:
        r = httpx.get(f"{url}/api/national/search", params={"q": "pajak"}, timeout=30)
    assert r.status_code == 404 and "make national" in r.json()["error"]
