"""Web settings, the loopback check and the loud warning."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kerjasama.settings import Settings
from kerjasama.web.security import exposure_warning, is_loopback


def test_web_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("KERJASAMA_ALLOWED_ORIGINS", "https://intranet.example.go.id/, http://127.0.0.1:8080")
    monkeypatch.setenv("KERJASAMA_ROOT_PATH", "asisten/")
    monkeypatch.setenv("KERJASAMA_AUTH_TOKEN", "")
    monkeypatch.setenv("KERJASAMA_BASIC_AUTH", "admin:rahasia")
    s = Settings()
    assert s.allowed_origins == ["https://intranet.example.go.id", "http://127.0.0.1:8080"]
    assert s.root_path == "/asisten" and s.auth_token is None
    assert s.basic_auth is not None and s.basic_auth.get_secret_value() == "admin:rahasia"
    assert "rahasia" not in repr(s)
    assert (s.host, s.port, s.feedback_log) == ("127.0.0.1", 7860, True)


def test_basic_auth_needs_user_and_password(monkeypatch):
    monkeypatch.setenv("KERJASAMA_BASIC_AUTH", "tanpa-titik-dua")
    with pytest.raises(ValidationError, match="user:password"):
        Settings()


def test_every_web_setting_is_described():
    for name in ("host", "port", "root_path", "allowed_origins", "auth_token", "basic_auth", "feedback_log"):
        assert Settings.model_fields[name].description


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "intranet.example.go.id", "", "  "])
def test_not_loopback(host):
    assert not is_loopback(host)


def test_empty_host_warns_like_every_address():
    warning = exposure_warning(Settings(host=""))
    assert "WITHOUT authentication" in warning and "every address" in warning


@pytest.mark.parametrize("origin", ["https://a.go.id/path", "ftp://a.go.id", "*.go.id", "https://*.go.id",
                                    "intranet", "https://user@a.go.id", "https://a.go.id?x=1"])
def test_bad_origins_are_refused(origin):
    with pytest.raises(ValidationError, match="allowed_origins"):
        Settings(allowed_origins=origin)


def test_wildcard_origin_only_without_credentials():
    assert Settings(allowed_origins="*").allowed_origins == ["*"]
    with pytest.raises(ValidationError, match="cannot be used with a token"):
        Settings(allowed_origins="*", auth_token="t")
    with pytest.raises(ValidationError, match="stands alone"):
        Settings(allowed_origins="*, https://a.go.id")


@pytest.mark.parametrize("value", ["120/minute", "10/second;500/hour", "", "off"])
def test_rate_limit_setting(value):
    assert Settings(rate_limit=value).rate_limit in (value, "")


def test_bad_rate_limit_is_refused():
    with pytest.raises(ValidationError, match="rate_limit"):
        Settings(rate_limit="lots")


def test_redact_tokens():
    from kerjasama.web.security import redact_tokens

    assert redact_tokens('"GET /?a=1&token=abc%20d&b=2 HTTP/1.1"') == '"GET /?a=1&token=***&b=2 HTTP/1.1"'
    assert redact_tokens("GET /api/ask?token=x") == "GET /api/ask?token=***"


def test_loud_warning_only_when_exposed_without_auth():
    assert exposure_warning(Settings(host="127.0.0.1")) == ""
    warning = exposure_warning(Settings(host="0.0.0.0", port=8000))
    assert "PERINGATAN" in warning and "WARNING" in warning and "0.0.0.0:8000" in warning
    assert "KERJASAMA_AUTH_TOKEN" in warning and warning.count("!!") > 4
    assert exposure_warning(Settings(host="0.0.0.0", auth_token="t")) == ""
    assert exposure_warning(Settings(host="0.0.0.0", basic_auth="a:b")) == ""
