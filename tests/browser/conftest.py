"""Playwright driving Debian's chromium (/usr/bin/chromium) against a live server.

Browsers cannot be downloaded here, so the tests use the system chromium; a missing
chromium fails the run loudly (.ci/run installs it).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright
from playwright.sync_api import Request as BrowserRequest

# Playwright's sync API runs an event loop; Django's ORM in the test thread is still
# synchronous code, so allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: apt-get install chromium (see .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A fresh page; any request leaving the live server fails the test (no CDN, no web)."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    outside: list[str] = []

    def guard(route: Route, request: BrowserRequest) -> None:
        if request.url.startswith((live_server.url, "data:")):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    yield page
    context.close()
    assert not outside, f"the page tried to reach outside the server: {outside}"


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """screenshot(page, name) saves a full-page PNG under artifacts/screenshots/."""

    def save(page: Page, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return save
