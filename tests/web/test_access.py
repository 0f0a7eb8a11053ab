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


def test_token_in_the_url_sets_a_cookie_and_leaves_the_address(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        r = client.get("/asisten/?lang=id&token=" + TOKEN)
        # A redirect to the same page without the token (not kept in history, bookmarks or Referer).
        assert r.status_code == 303 and r.headers["location"] == "/asisten/?lang=id"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "Path=/asisten/" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # auto: plain HTTP here
        page = client.get(r.headers["location"])
        assert page.status_code == 200 and "kerjasama" in page.text
        # The page's own later requests carry the cookie, not the token.
        assert client.get("/asisten/api/documents").status_code == 200
        assert client.get("/asisten/gradio_api/info").status_code == 200
    assert httpx.get(base + "/asisten/?token=wrong").status_code == 401
    behind_tls = httpx.get(base + "/asisten/?token=" + TOKEN, headers={"x-forwarded-proto": "https"})
    assert "; Secure; SameSite=None" in behind_tls.headers["set-cookie"]


@pytest.mark.parametrize(
    "headers",
    [
        {"authorization": "Bearer s3cret-tökén"},
        {"authorization": "Bearer " + "é" * 40},
        {"authorization": "Basic " + base64.b64encode("biro:kata-sandi-ü".encode()).decode()},
        {"authorization": "Basic ###not-base64###"},
        {"authorization": "Basic " + base64.b64encode(b"\xff\xfe:\x00").decode()},
        {"cookie": "kerjasama_token=s3cret-tökén"},
        {"cookie": 'kerjasama_token="\\x00; ;;=;"'},
        {"authorization": "Digest abc"},
    ],
)
def test_odd_or_non_ascii_credentials_are_a_401_not_a_500(base, headers):
    raw = [(k.encode(), v.encode("utf-8")) for k, v in headers.items()]
    r = httpx.get(base + "/asisten/api/documents", headers=raw)
    assert r.status_code == 401 and "Access denied" in r.json()["error"]
    q = httpx.get(base + "/asisten/api/documents", params={"token": "s3cret-tökén"})
    assert q.status_code == 401


def test_non_ascii_credentials_work_when_they_are_the_right_ones(slice_settings, answerer):
    from kerjasama.web.server import create_app

    token, password = "rahasia-ñandú-東京", "kata-sandi-ü"
    settings = web_settings(slice_settings, auth_token=SecretStr(token), basic_auth=SecretStr(f"biro:{password}"))
    with serve(create_app(settings, answerer)) as url:
        bearer = [(b"authorization", f"Bearer {token}".encode())]
        assert httpx.get(url + "/api/documents", headers=bearer).status_code == 200
        basic = {"authorization": "Basic " + base64.b64encode(f"biro:{password}".encode()).decode()}
        assert httpx.get(url + "/api/documents", headers=basic).status_code == 200
        with httpx.Client(base_url=url) as client:
            assert client.get("/", params={"token": token}).status_code == 303
            assert client.get("/api/documents").status_code == 200  # the cookie, UTF-8 inside


def test_the_token_never_reaches_the_access_log(slice_settings, answerer):
    import logging

    from kerjasama.web.server import create_app

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    settings = web_settings(slice_settings, auth_token=SecretStr(TOKEN))
    with serve(create_app(settings, answerer), access_log=True) as url:
        logging.getLogger("uvicorn.access").addHandler(Keep())
        httpx.get(url + f"/?token={TOKEN}&x=1")
        httpx.get(url + "/api/documents?token=wrong")
        httpx.post(url + f"/api/ask?token={TOKEN}", json={"question": "Apa yang dimaksud dengan KSDPL?"}, timeout=30)
    logged = "\n".join(records)
    assert "/?x=1" in logged and "/api/ask" in logged, logged
    assert TOKEN not in logged and "wrong" not in logged


def test_cookie_secure_always(slice_settings, answerer):
    from kerjasama.web.server import create_app

    settings = web_settings(slice_settings, auth_token=SecretStr(TOKEN), cookie_secure="always")
    with serve(create_app(settings, answerer)) as url:
        assert "; Secure" in httpx.get(url + f"/?token={TOKEN}").headers["set-cookie"]


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
