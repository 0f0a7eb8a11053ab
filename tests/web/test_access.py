"""Access control and the reverse-proxy prefix, against a real server with a token, basic auth and a root path."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from pydantic import SecretStr

from tests.web.conftest import serve, web_settings

TOKEN = "s3cret-token"
USER, PASSWORD = "biro", "kerjasama-2026"


@pytest.fixture(scope="module")
def base(slice_settings, answerer):
    from kerjasama.web.server import create_app

    settings = web_settings(
        slice_settings, auth_token=SecretStr(TOKEN), basic_auth=SecretStr(f"{USER}:{PASSWORD}"),
        root_path="/asisten", allowed_origins=["http://127.0.0.1:9"],
    )
    with serve(create_app(settings, answerer)) as url:
        yield url


def _basic(user: str, password: str) -> dict:
    return {"authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


BEARER = {"authorization": f"Bearer {TOKEN}"}


PROTECTED = ["/asisten/", "/asisten/embed/", "/asisten/api/documents", "/asisten/dokumen/uu-24-2000", "/asisten/docs",
             "/asisten/gradio_api/info", "/asisten/embed/gradio_api/info"]


@pytest.mark.parametrize("path", PROTECTED)
def test_everything_but_health_needs_credentials(base, path):
    r = httpx.get(base + path)
    assert r.status_code == 401, path
    assert "Access denied" in r.json()["error"] and "Akses ditolak" in r.json()["error"]
    assert r.headers["www-authenticate"].startswith("Basic")
    assert r.headers["content-security-policy"].startswith("frame-ancestors")
    assert httpx.get(base + path, headers={"authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(base + path, headers=_basic(USER, "wrong")).status_code == 401


def test_health_is_open(base):
    assert httpx.get(base + "/asisten/healthz").json()["status"] == "ok"


def test_bearer_token_and_basic_auth_both_work(base):
    for headers in (BEARER, _basic(USER, PASSWORD)):
        r = httpx.post(base + "/asisten/api/ask", json={"question": "Apa yang dimaksud dengan KSDPL?"},
                       headers=headers, timeout=30)
        assert r.status_code == 200 and r.json()["citations"]


def test_token_in_the_url_sets_a_cookie_for_the_page(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        r = client.get("/asisten/?token=" + TOKEN)
        assert r.status_code == 200 and "kerjasama" in r.text
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "Path=/asisten/" in cookie and "SameSite=Lax" in cookie
        # The page's own later requests carry the cookie, not the token.
        assert client.get("/asisten/api/documents").status_code == 200
        assert client.get("/asisten/gradio_api/info").status_code == 200
    assert httpx.get(base + "/asisten/?token=wrong").status_code == 401


def test_root_path_with_and_without_the_prefix(base):
    # Behind a proxy that keeps the prefix, or one that strips it: both reach the same app.
    for path in ("/asisten/api/documents", "/api/documents"):
        assert httpx.get(base + path, headers=BEARER).status_code == 200, path
    r = httpx.get(base + "/asisten", headers=BEARER)
    assert r.status_code == 307 and r.headers["location"] == "/asisten/"
    spec = httpx.get(base + "/asisten/openapi.json", headers=BEARER).json()
    assert "/api/ask" in spec["paths"]
    docs = httpx.get(base + "/asisten/docs", headers=BEARER).text
    assert "/asisten/openapi.json" in docs
    pasal = httpx.get(base + "/asisten/api/documents/pp-28-2018/pasal/30", headers=BEARER).json()
    assert pasal["url"] == "/asisten/dokumen/pp-28-2018#pasal-30"
    config = httpx.get(base + "/asisten/config", headers=BEARER).json()
    assert config["root"].endswith("/asisten")
    embed = httpx.get(base + "/asisten/embed/config", headers=BEARER).json()
    assert embed["root"].endswith("/asisten/embed")


def test_cors_preflight_needs_no_credentials_and_names_only_allowed_origins(base):
    pre = {"access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type"}
    ok = httpx.options(base + "/asisten/api/ask", headers={"origin": "http://127.0.0.1:9", **pre})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == "http://127.0.0.1:9"
    bad = httpx.options(base + "/asisten/api/ask", headers={"origin": "http://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers


def test_gradio_client_with_a_bearer_token(base):
    from gradio_client import Client

    client = Client(base + "/asisten/", headers=BEARER, verbose=False, analytics_enabled=False)
    result = json.loads(client.predict("Apa yang dimaksud dengan KSDPL?", "auto", "all", api_name="/answer"))
    assert result["citations"] and not result["refused"]
