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
def open_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """open_page(locale="en-US", phone=False): a page in a browser context of its own (its
    own cookies: one person). Any request leaving the live server fails the test (no CDN,
    no web); so does a script error on any page."""
    contexts, outside, errors = [], [], []

    def guard(route: Route, request: BrowserRequest) -> None:
        if request.url.startswith((live_server.url, "data:")):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    def make(locale: str = "en-US", *, phone: bool = False) -> Page:
        viewport = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
        context = browser.new_context(base_url=live_server.url, locale=locale, viewport=viewport)
        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not outside, f"the page tried to reach outside the server: {outside}"
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A fresh English page."""
    return open_page()


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """screenshot(page, name) saves a full-page PNG under artifacts/screenshots/."""

    def save(page: Page, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return save


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """The journeys sign in many times from one address within a minute; the limits
    themselves are tested in serviceloop/web/tests/test_shell.py."""
    settings.LOGIN_RATE = "1000/m"
    settings.PUBLIC_FORM_RATE = "1000/m"
