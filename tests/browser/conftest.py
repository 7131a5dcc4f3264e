"""Fixtures for the browser tests: the app served on a free port, and a headless Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.conftest import ROOT

# Screenshots of what the browser saw, for a person to look at after a run.
ARTIFACTS = ROOT / "test-artifacts"

BROWSER_TESTS = os.environ.get("CAMPAIGN_BROWSER_TESTS") == "1"
NO_BROWSER = "CAMPAIGN_BROWSER_TESTS=1 is not set: the browser tests are skipped"


def _answered_whole(app: Flask) -> Any:
    """The app with each answer read out, and its file closed, before a byte is sent.

    Werkzeug's development server closes a response (and the static file behind it) only
    after draining the socket; when the browser hangs up mid-answer, as a closing test page
    does, the drain raises and the file is left for the garbage collector, whose
    ResourceWarning then fails whichever test runs next.
    """

    def whole(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()

    return whole


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the test app on a free local port in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _answered_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    """One headless Chromium (Debian's, not a downloaded build) for the whole run."""
    if not BROWSER_TESTS:
        pytest.skip(NO_BROWSER)
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CAMPAIGN_CHROMIUM") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(_browser: Any) -> Iterator[Any]:
    """A fresh browser page (its own cookies) with JavaScript off, as many of our users have."""
    context = _browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(_browser: Any) -> Iterator[Any]:
    """A 360-px-wide touch screen, the way activists log pickets."""
    context = _browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    yield page
    context.close()
