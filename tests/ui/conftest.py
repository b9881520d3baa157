"""An app with the pages per test on an empty SQLite database, and clients logged in by role;
for the browser tests, a live server and Debian's chromium driven by Playwright.

The browser fixture skips its test with the reason when Playwright or chromium is missing
(``bash .ci/browser.sh`` installs both); in CI (``$MEDCODER_CI=1``) it fails instead.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from browser_support import CHROMIUM, LAUNCH_ARGS
from fastapi.testclient import TestClient
from ui_workbench import PASSWORD, build_app, ensure_user


@pytest.fixture
def app_options() -> dict:
    return {}


@pytest.fixture
def ui_app(tmp_path, app_options):
    app = build_app(f"sqlite:///{tmp_path / 'workbench.db'}", **app_options)
    yield app
    app.state.workbench.db.dispose()


@pytest.fixture
def client_for(ui_app):
    """``client_for("coder")``: a client logged in (through the login page's token) by role."""

    def make(role: str | None = None, username: str | None = None) -> TestClient:
        client = TestClient(ui_app, base_url="http://localhost", follow_redirects=False)
        if role is not None:
            username = username or role
            ensure_user(ui_app, username, role)
            page = client.get("/ui/login")
            assert page.status_code == 200, page.text
            token = client.cookies.get("medcoder_csrf")
            response = client.post(
                "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
            )
            assert response.status_code == 200, response.text
            client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client

    return make


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def browser(unavailable):
    """Debian's chromium through Playwright (no browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable(
            "browser test: Playwright for Python is not installed (pip install -e '.[dev]')"
        )
    if not Path(CHROMIUM).exists():
        unavailable(
            f"browser test: chromium not found at {CHROMIUM} (Debian: `bash .ci/browser.sh`; "
            "elsewhere set $MEDCODER_CHROMIUM to a chromium binary)"
        )
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live_server(tmp_path, built_packs, browser):
    """The workbench on a free port in a thread, with a coder, a physician and a manager.
    Asks for the browser first, so that a test without one skips before the server starts."""
    import uvicorn

    app = build_app(f"sqlite:///{tmp_path / 'workbench.db'}")
    for name, role in [("cora", "coder"), ("phil", "physician"), ("mona", "manager")]:
        ensure_user(app, name, role)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the workbench did not start")
        time.sleep(0.05)
    yield app, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    app.state.workbench.db.dispose()
