"""Web fixtures: the real app served by uvicorn on a loopback port, and Debian's chromium driven by Playwright.

Each test module starts its own server (module-scoped fixture built with :func:`serve`). Browser tests take a
screenshot when they fail, into ``$KERJASAMA_ARTIFACTS`` (default: ``<tmp>/kerjasama-artifacts``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("KERJASAMA_ARTIFACTS", Path(tempfile.gettempdir()) / "kerjasama-artifacts"))
HEADLINE = "Apakah kerja sama kota kembar dengan pemerintah daerah di luar negeri perlu persetujuan DPRD?"

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(app, port: int | None = None, access_log: bool = False) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread; yields the base URL (no trailing slash)."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info" if access_log else "warning",
                            access_log=access_log, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def web_settings(slice_settings, **overrides):
    """The slice index's settings with web settings changed (same index, same data folder)."""
    return slice_settings.model_copy(update=overrides)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (the page fixture reads it to screenshot failures)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium (never a downloaded browser), headless, one per module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium, request):
    """A fresh browser page (1400x1000); on failure a full-page screenshot goes to the artifacts folder."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors  # type: ignore[attr-defined]
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        from playwright.sync_api import Error as PlaywrightError

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for i, p in enumerate(context.pages):
            shot = ARTIFACTS / f"{request.node.name}-{i}.png"
            with contextlib.suppress(PlaywrightError):  # a crashed page has no screenshot; the failure stands
                p.screenshot(path=str(shot), full_page=True)
                print(f"screenshot: {shot}; frames: {[f.url for f in p.frames]}")
    context.close()
