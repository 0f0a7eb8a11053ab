"""OpenAI-compatible servers that misbehave, on loopback (the LLM server is outside our control).

- ``silent``: accepts the connection, reads the request, never answers.
- ``endless``: streams one token every ``interval`` seconds forever, ignoring ``max_tokens``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    mode = "silent"
    interval = 0.01
    stop: threading.Event

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        self.server.requests += 1  # type: ignore[attr-defined]
        if self.mode == "silent":
            self.stop.wait(600)
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        n = 0
        try:
            while not self.stop.is_set():
                chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                         "choices": [{"index": 0, "delta": {"content": f" kata{n}"}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
                n += 1
                self.server.sent = n  # type: ignore[attr-defined]
                time.sleep(self.interval)
        except (BrokenPipeError, ConnectionResetError):
            self.server.disconnected = True  # type: ignore[attr-defined]


@contextlib.contextmanager
def misbehaving_server(mode: str, interval: float = 0.01) -> Iterator[tuple[str, ThreadingHTTPServer]]:
    """``(base_url, server)`` of a server in ``mode`` on 127.0.0.1 (see the module docstring)."""
    stop = threading.Event()
    handler = type("Handler", (_Handler,), {"mode": mode, "interval": interval, "stop": stop})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.requests = 0  # type: ignore[attr-defined]
    server.sent = 0  # type: ignore[attr-defined]
    server.disconnected = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", server
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
