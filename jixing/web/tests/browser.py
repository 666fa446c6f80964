"""Browser-test fixtures: Playwright (sync API) driving Debian's Chromium against pytest-django's
``live_server``.

Registered for the whole suite by ``pytest_plugins = ["jixing.web.tests.browser"]`` in the
root ``conftest.py``, so any app's tests can use them without importing anything::

    import pytest
    from jixing.web.tests.browser import login, screenshot

    pytestmark = pytest.mark.browser

    def test_it_shows_my_page(page, live_server, personas):
        login(page, live_server, personas.bob)
        page.goto(live_server.url + "/training/")
        screenshot(page, "training-list")      # /tmp/jixing-screens/training-list.png: look at it
        assert page.locator("h1").inner_text() == "培训项目"

Fixtures
- ``browser``: one Chromium per test session (``/usr/bin/chromium``, headless, no sandbox).
  When the binary is missing the test is skipped locally and FAILS when ``CI=true``.
- ``page``: a fresh browser context (zh-CN, 1280×860, own cookies) per test; it requests
  ``live_server`` and therefore ``transactional_db``: rows a test creates are committed and
  visible to the server thread, and the database is flushed after the test. A test fails
  when the page breaks the Content-Security-Policy (an inline script or handler).
- ``login(page, live_server, user)``: signs in through the real login page (the personas'
  ``TEST_PASSWORD``) and waits for the workbench.
- ``screenshot(page, name)``: full-page PNG in ``$JIXING_SCREENSHOT_DIR`` (default
  ``/tmp/jixing-screens``); returns the path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"]
SCREENSHOT_DIR = Path(os.environ.get("JIXING_SCREENSHOT_DIR", "/tmp/jixing-screens"))
DEFAULT_TIMEOUT_MS = 15_000


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_chromium()
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
    # (fixtures, assertions) are still plain synchronous code, so Django may allow them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 860},
        base_url=live_server.url,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    # Every browser test also checks the Content-Security-Policy: a page that needs an inline
    # script or handler (refused by script-src 'self') fails the test that visits it.
    refused: list[str] = []
    tab.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield tab
    context.close()
    assert not refused, f"Content-Security-Policy refused: {refused}"


def login(page: Any, live_server: Any, user: Any, password: str | None = None) -> None:
    """Sign in through the login page and wait until the workbench is shown."""
    from jixing.core.testing import TEST_PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password or TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
