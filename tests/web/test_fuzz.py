"""API fuzzing with schemathesis against the served ``/openapi.json``: whatever the request, never a 5xx and
never a traceback, and every error has the one JSON shape. Real server on loopback, real index.

Cases are drawn per operation from schemathesis' strategies with hypothesis (its lazy pytest fixture does not
run on pytest 9).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from tests.web.conftest import serve, web_settings

EXAMPLES = int(os.environ.get("KERJASAMA_FUZZ_EXAMPLES", "40"))


@pytest.fixture(scope="module")
def api(slice_settings, answerer):
    from kerjasama.web.server import create_app

    app_settings = web_settings(slice_settings, rate_limit="", feedback_log=True)
    with serve(create_app(app_settings, answerer)) as url:
        yield url, schemathesis.openapi.from_url(url + "/openapi.json")


def _operations(schema) -> list:
    out = []
    for result in schema.get_all_operations():
        out.append(result.ok())
    return out


def test_the_schema_lists_every_route(api):
    _, schema = api
    paths = {(op.method.upper(), op.path) for op in _operations(schema)}
    assert {("POST", "/api/ask"), ("POST", "/api/feedback"), ("GET", "/api/documents"), ("GET", "/healthz"),
            ("GET", "/api/documents/{doc_id}"), ("GET", "/api/documents/{doc_id}/pasal/{pasal}")} <= paths


@pytest.mark.parametrize("mode", ["positive", "negative"])
@pytest.mark.parametrize("route", ["POST /api/ask", "POST /api/feedback", "GET /api/documents",
                                   "GET /api/documents/{doc_id}", "GET /api/documents/{doc_id}/pasal/{pasal}",
                                   "GET /healthz"])
def test_no_request_gets_a_5xx_or_a_traceback(api, route, mode):
    url, schema = api
    method, path = route.split(" ")
    operation = next(op for op in _operations(schema) if op.method.upper() == method and op.path == path)
    if mode == "negative" and not (operation.body or operation.query or operation.path_parameters):
        pytest.skip("nothing to make invalid")
    seen = {"calls": 0}

    @given(case=operation.as_strategy(schemathesis.GenerationMode(mode)))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def check(case) -> None:
        response = case.call(base_url=url, timeout=60)
        seen["calls"] += 1
        assert response.status_code < 500, (case.method, case.formatted_path, response.status_code,
                                            response.text[:300])
        assert "Traceback" not in response.text and 'File "/' not in response.text
        if response.status_code >= 400 and "json" in str(response.headers.get("content-type", "")):
            body = response.json()
            assert set(body) >= {"error", "status"} and body["status"] == response.status_code, body

    try:
        check()
    except Unsatisfiable:
        if mode == "negative":
            pytest.skip("no invalid request exists for this route (a free-form path parameter only)")
        raise
    assert seen["calls"] >= 1
