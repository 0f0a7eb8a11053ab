"""Access control, limits, embedding policy and reverse-proxy prefix, as plain ASGI middleware in front of everything
(the JSON API, the reader and the mounted Gradio apps alike).

- :class:`AccessMiddleware`: optional bearer token and/or basic auth for the UI, the API and the reader
  (``/healthz`` stays open for monitoring). Credentials are read with FastAPI's security utilities (``HTTPBearer``,
  ``APIKeyCookie``, ``APIKeyQuery``, ``get_authorization_scheme_param``) and compared in constant time as UTF-8
  bytes, so any credential, ASCII or not, is either right or a 401. A browser can pass ``?token=...`` once: it is
  removed from the request before anything logs it, and the answer is a redirect to the same address without it,
  setting an HttpOnly cookie (``Secure`` per ``KERJASAMA_COOKIE_SECURE``).
- :class:`RateLimitMiddleware`: requests that make the server work (POST) per client address, with ``limits``;
  over the limit: 429 with Retry-After.
- :class:`BodyLimitMiddleware`: a body larger than the limit (``/api``: ``max_body_bytes``; the chat UI:
  ``max_ui_body_bytes``) is refused with 413, before it is read when it declares its length.
- :class:`HeadersMiddleware`: ``Content-Security-Policy: frame-ancestors`` ('self' plus the allowed origins),
  ``X-Content-Type-Options`` and ``Referrer-Policy`` on every response.
- :class:`RootPathMiddleware`: serves the app under ``root_path`` (e.g. ``/asisten``) whether or not the
  reverse proxy strips the prefix.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import math
import re
import secrets
import time
from urllib.parse import parse_qsl, quote, unquote, urlencode

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kerjasama.settings import Settings

log = logging.getLogger(__name__)

COOKIE = "kerjasama_token"
TOKEN_PARAM = "token"
OPEN_PATHS = ("/healthz",)
UNAUTHORIZED = (
    "Akses ditolak: diperlukan token (Authorization: Bearer …, atau ?token=… di peramban) atau login. / "
    "Access denied: a token (Authorization: Bearer …, or ?token=… in a browser) or a login is required."
)
_TOKEN_IN_TEXT = re.compile(r"([?&]token=)[^&\s\"']*", re.I)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost' (an empty host is not loopback: servers read it as every address)."""
    host = host.strip()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def auth_configured(settings: Settings) -> bool:
    """Whether a token or basic auth protects the app."""
    return settings.auth_token is not None or settings.basic_auth is not None


def exposure_warning(settings: Settings) -> str:
    """The loud warning for a non-loopback bind without auth, or ""."""
    if is_loopback(settings.host) or auth_configured(settings):
        return ""
    bar = "!" * 100
    where = settings.host or "(semua alamat / every address)"
    return (
        f"\n{bar}\n!! PERINGATAN: kerjasama terbuka di {where}:{settings.port} TANPA autentikasi: siapa pun\n"
        "!! di jaringan dapat memakainya. Setel KERJASAMA_AUTH_TOKEN atau KERJASAMA_BASIC_AUTH, atau pakai 127.0.0.1\n"
        f"!! WARNING: kerjasama is exposed on {where}:{settings.port} WITHOUT authentication: anyone on the\n"
        "!! network can use it. Set KERJASAMA_AUTH_TOKEN or KERJASAMA_BASIC_AUTH, or bind to 127.0.0.1.\n"
        f"{bar}"
    )


def redact_tokens(text: str) -> str:
    """``text`` with the value of any ``token=`` query parameter replaced by ``***``."""
    return _TOKEN_IN_TEXT.sub(r"\1***", text)


class RedactTokenFilter(logging.Filter):
    """A logging filter for access logs: no ``?token=`` value is ever written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(redact_tokens(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_tokens(record.msg)
        return True


def install_log_redaction() -> None:
    """Put :class:`RedactTokenFilter` on uvicorn's access and error loggers (once)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokenFilter) for f in logger.filters):
            logger.addFilter(RedactTokenFilter())


def _same(given: str | None, expected: bytes, latin1: bool = False) -> bool:
    """Constant-time comparison of a credential with the expected UTF-8 bytes.

    Header values reach us decoded as latin-1 (``latin1=True``): encoding them back gives the bytes sent.
    """
    if not given:
        return False
    try:
        raw = given.encode("latin-1") if latin1 else given.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = given.encode("utf-8", "surrogateescape")
    return secrets.compare_digest(raw, expected)


class AccessMiddleware:
    """Rejects requests without the configured bearer token or basic-auth credentials (401, bilingual JSON)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        from fastapi.security import APIKeyCookie, HTTPBearer

        self.app = app
        self.token = settings.auth_token.get_secret_value().encode("utf-8") if settings.auth_token else None
        self.basic = settings.basic_auth.get_secret_value().encode("utf-8") if settings.basic_auth else None
        self.cookie_path = (settings.root_path or "") + "/"
        self.cookie_secure = settings.cookie_secure
        self._bearer = HTTPBearer(auto_error=False)
        self._cookie = APIKeyCookie(name=COOKIE, auto_error=False)

    async def _authorised(self, conn: HTTPConnection) -> bool:
        from fastapi.security.utils import get_authorization_scheme_param

        if self.token is not None:
            bearer = await self._bearer(conn)
            if bearer is not None and bearer.scheme.lower() == "bearer" and _same(bearer.credentials, self.token,
                                                                                   latin1=True):
                return True
            cookie = await self._cookie(conn)
            if cookie and _same(unquote(cookie), self.token):
                return True
        if self.basic is not None:
            scheme, param = get_authorization_scheme_param(conn.headers.get("authorization"))
            if scheme.lower() == "basic" and param:
                try:
                    given = base64.b64decode(param.encode("latin-1"), validate=True)
                except (binascii.Error, ValueError, UnicodeEncodeError):
                    return False
                if secrets.compare_digest(given, self.basic):
                    return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or (self.token is None and self.basic is None):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        route = path[len(root) :] if root and path.startswith(root) else path
        if route in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        query_token = scope.get("kerjasama.query_token")
        conn = HTTPConnection(scope)
        if await self._authorised(conn):
            await self.app(scope, receive, send)
            return
        if self.token is not None and _same(query_token, self.token):
            await self._accept_query_token(scope, receive, send, conn)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await self._deny(send)

    async def _accept_query_token(self, scope: Scope, receive: Receive, send: Send, conn: HTTPConnection) -> None:
        """A right ``?token=``: set the cookie; a page (GET) is redirected to its address without the token."""
        secure = self.cookie_secure == "always" or (
            self.cookie_secure == "auto" and (scope.get("scheme") in ("https", "wss")
                                              or conn.headers.get("x-forwarded-proto") == "https")
        )
        attrs = "; Secure; SameSite=None" if secure else "; SameSite=Lax"
        value = quote(self.token.decode("utf-8"), safe="")  # type: ignore[union-attr] - percent-encoded: ASCII
        cookie = f"{COOKIE}={value}; Path={self.cookie_path}; HttpOnly{attrs}"
        cookie_header = (b"set-cookie", cookie.encode("latin-1"))
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
            query = scope.get("query_string", b"").decode("latin-1")
            location = scope.get("path", "") + (f"?{query}" if query else "")
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0"),
                                    (b"cache-control", b"no-store"), cookie_header]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), cookie_header]
            await send(message)

        await self.app(scope, receive, wrapped)

    async def _deny(self, send: Send) -> None:
        body = json.dumps({"error": UNAUTHORIZED, "status": 401}, ensure_ascii=False).encode("utf-8")
        challenge = 'Basic realm="kerjasama", charset="UTF-8"' if self.basic else 'Bearer realm="kerjasama"'
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", challenge.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class TokenQueryMiddleware:
    """Outermost: notes when the request arrived (``scope["kerjasama.arrived"]``, ``time.monotonic()``: an answer's
    deadline counts from it) and takes ``token=`` out of the query string, in the server's own request record, so
    the access log never shows it; :class:`AccessMiddleware` reads it from ``scope["kerjasama.query_token"]``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["kerjasama.arrived"] = time.monotonic()
        if scope["type"] in ("http", "websocket") and b"token=" in scope.get("query_string", b""):
            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            token = next((v for k, v in pairs if k == TOKEN_PARAM), None)
            rest = urlencode([(k, v) for k, v in pairs if k != TOKEN_PARAM]).encode("latin-1")
            scope["query_string"] = rest  # in place: uvicorn logs from this very dict
            scope["kerjasama.query_token"] = token
        await self.app(scope, receive, send)


async def _json_error(send: Send, status: int, message: str, headers: list | None = None) -> None:
    body = json.dumps({"error": message, "status": status}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def too_large_message(limit: int) -> str:
    """The bilingual 413 message."""
    return (f"Permintaan terlalu besar (maksimum {limit} byte). / The request body is too large "
            f"(at most {limit} bytes).")


class BodyLimitMiddleware:
    """413 for bodies over the limit: at once when Content-Length says so, else as soon as the bytes read pass it."""

    def __init__(self, app: ASGIApp, api_limit: int, ui_limit: int) -> None:
        self.app = app
        self.api_limit = api_limit
        self.ui_limit = ui_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root = scope.get("root_path", "")
        path = scope.get("path", "")
        route = path[len(root) :] if root and path.startswith(root) else path
        limit = self.api_limit if route.startswith("/api/") or route == "/api" else self.ui_limit
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _json_error(send, 400, "Content-Length tidak sah. / Invalid Content-Length.")
                return
            if declared > limit:
                await _json_error(send, 413, too_large_message(limit))
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise StarletteHTTPException(413, too_large_message(limit))
            return message

        await self.app(scope, counted, send)


class RateLimitMiddleware:
    """Per client address: at most ``rate_limit`` POST requests (moving window, ``limits``); else 429."""

    def __init__(self, app: ASGIApp, rate_limit: str) -> None:
        from limits import parse_many
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.app = app
        self.items = parse_many(rate_limit) if rate_limit else []
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or not self.items:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        for item in self.items:
            if not self.limiter.hit(item, "kerjasama", client):
                reset = self.limiter.get_window_stats(item, "kerjasama", client).reset_time
                retry = max(1, math.ceil(reset - time.time()))
                message = (f"Terlalu banyak permintaan; coba lagi dalam {retry} detik. / Too many requests; try "
                           f"again in {retry} seconds.")
                await _json_error(send, 429, message, [(b"retry-after", str(retry).encode())])
                return
        await self.app(scope, receive, send)


class HeadersMiddleware:
    """Adds the embedding policy (CSP frame-ancestors) and basic hardening headers to every response."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        ancestors = " ".join(["'self'", *settings.allowed_origins])
        self.extra = [
            (b"content-security-policy", f"frame-ancestors {ancestors}".encode("latin-1")),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in self.extra if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, wrapped)


class RootPathMiddleware:
    """Serves the app under ``root_path``: requests may arrive with the prefix or with it stripped by the proxy."""

    def __init__(self, app: ASGIApp, root_path: str) -> None:
        self.app = app
        self.root = root_path.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.root or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if scope["type"] == "http" and path == self.root:
            query = scope.get("query_string", b"")
            location = self.root + "/" + (("?" + query.decode("latin-1")) if query else "")
            await send({"type": "http.response.start", "status": 307,
                        "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        if not path.startswith(self.root + "/"):
            # The proxy stripped the prefix: put it back, as the ASGI spec has the path include root_path.
            scope = dict(scope, path=self.root + path, raw_path=(self.root + path).encode("latin-1"))
        scope = dict(scope, root_path=self.root)
        await self.app(scope, receive, send)
