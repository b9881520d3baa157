"""What the browser tests share: where chromium is, screenshots, logging in and out.

The ``browser`` and ``live_server`` fixtures are in this folder's conftest; they skip (or fail
in CI) with the reason when Playwright or chromium is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

from ui_workbench import PASSWORD

#: Debian's chromium (``bash .ci/browser.sh``); ``$MEDCODER_CHROMIUM`` points at another build.
CHROMIUM = os.environ.get("MEDCODER_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class Shots:
    """Screenshots to ``$MEDCODER_UI_SHOTS`` when it is set; nothing otherwise."""

    def __init__(self) -> None:
        self.dir = os.environ.get("MEDCODER_UI_SHOTS")
        if self.dir:
            Path(self.dir).mkdir(parents=True, exist_ok=True)

    def take(self, page, name: str) -> None:
        if self.dir:
            page.screenshot(path=str(Path(self.dir) / f"{name}.png"), full_page=True)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/ui/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/ui/worklist")


def log_out(page, base: str) -> None:
    page.click("[data-logout]")
    page.wait_for_url(f"{base}/ui/login")


def web_first():  # noqa: ANN201 - playwright.sync_api, imported when a browser test runs
    """Playwright's web-first assertions: they poll without evaluating strings in the page,
    which the workbench's Content-Security-Policy (no 'unsafe-eval') refuses."""
    import playwright.sync_api

    return playwright.sync_api


def expect_text(locator, text: str) -> None:  # noqa: ANN001 - a playwright Locator
    """Wait until the element's text, trimmed and in any case, is ``text``."""
    import re

    pattern = re.compile(rf"^\s*{re.escape(text)}\s*$", re.I)
    web_first().expect(locator).to_have_text(pattern)
