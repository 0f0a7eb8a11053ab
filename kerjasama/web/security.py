"""Access control, embedding policy and reverse-proxy prefix, as plain ASGI middleware in front of everything.

- :class:`AccessMiddleware`: optional bearer token and/or basic auth for the UI, the API and the reader
  (``/healthz`` stays open for monitoring). A browser can pass ``?token=...`` once; it is then kept in an
  HttpOnly cookie so the page's own requests are authorised too.
- :class:`HeadersMiddleware`: ``Content-Security-Policy: frame-ancestors`` ('self' plus the allowed origins),
  ``X-Content-Type-Options`` and ``Referrer-Policy`` on every response.
- :class:`RootPathMiddleware`: serves the app under ``root_path`` (e.g. ``/asisten``) whether or not the
  reverse proxy strips the prefix.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import json
import logging
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kerjasama.settings import Settings

log = logging.getLogger(__name__)

COOKIE = "kerjasama_token"
OPEN_PATHS = ("/healthz",)
UNAUTHORIZED = (
    "Akses ditolak: diperlukan token (Authorization: Bearer …, atau ?token=… di peramban) atau login. / "
    "Access denied: a token (Authorization: Bearer …, or ?token=… in a browser) or a login is required."
)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'."""
    if host in ("localhost", ""):
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
    return (
        f"\n{bar}\n!! PERINGATAN: kerjasama terbuka di {settings.host}:{settings.port} TANPA autentikasi: siapa pun\n"
        "!! di jaringan dapat memakainya. Setel KERJASAMA_AUTH_TOKEN atau KERJASAMA_BASIC_AUTH, atau pakai 127.0.0.1\n"
        f"!! WARNING: kerjasama is exposed on {settings.host}:{settings.port} WITHOUT authentication: anyone on the\n"
        "!! network can use it. Set KERJASAMA_AUTH_TOKEN or KERJASAMA_BASIC_AUTH, or bind to 127.0.0.1.\n"
        f"{bar}"
    )


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


class AccessMiddleware:
    """Rejects requests without the configured bearer token or basic-auth credentials (401, bilingual JSON)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.token = settings.auth_token.get_secret_value() if settings.auth_token else None
        self.basic = settings.basic_auth.get_secret_value() if settings.basic_auth else None
        self.cookie_path = (settings.root_path or "") + "/"

    def _authorised(self, headers: dict[str, str]) -> bool:
        auth = headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if self.token and scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), self.token):
            return True
        if self.basic and scheme.lower() == "basic":
            try:
                given = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return False
            if hmac.compare_digest(given, self.basic):
                return True
        if self.token and "cookie" in headers:
            jar = SimpleCookie()
            jar.load(headers["cookie"])
            morsel = jar.get(COOKIE)
            if morsel is not None and hmac.compare_digest(morsel.value, self.token):
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
        headers = _headers(scope)
        if self._authorised(headers):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = (query.get("token") or [""])[0]
        if self.token and given and hmac.compare_digest(given, self.token):
            await self.app(scope, receive, self._with_cookie(send, headers))
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await self._deny(send)

    def _with_cookie(self, send: Send, headers: dict[str, str]) -> Send:
        secure = headers.get("x-forwarded-proto") == "https"
        attrs = "; Secure; SameSite=None" if secure else "; SameSite=Lax"
        cookie = f"{COOKIE}={self.token}; Path={self.cookie_path}; HttpOnly{attrs}"

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode("latin-1"))]
            await send(message)

        return wrapped

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
