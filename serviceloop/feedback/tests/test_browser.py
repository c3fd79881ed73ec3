"""In a real browser (Debian's chromium): the specialist classifies two items at once from the
register (htmx), and an agent answers a staff survey. Run with `make test-browser` or
`pytest -m browser serviceloop/feedback`."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Browser, Page, expect, sync_playwright

from serviceloop.accounts.choices import Role
from serviceloop.feedback.models import FeedbackItem, StaffSurveyAnswer
from serviceloop.feedback.services import send_staff_survey
from tests.builders import make_team, make_user

from .given import staff_item, survey_of

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = os.environ.get("FEEDBACK_SCREENSHOTS", "")


@pytest.fixture(autouse=True)
def clock() -> None:
    """The wall clock here (not the package's Wednesday morning): the browser keeps the
    session cookie only while it has not expired by its own clock."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def page_of(browser: Browser, live_server, user, locale: str = "en-US") -> Page:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    context = browser.new_context(base_url=live_server.url, locale=locale)
    context.add_cookies(
        [{"name": "sessionid", "value": session.session_key, "url": live_server.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_specialist_classifies_two_items_at_once(browser, live_server, transactional_db):
    team = make_team("support", default=True)
    specialist = make_user(Role.SPECIALIST, username="sun", full_name="孙专员")
    author = make_user(Role.AGENT, teams=[team])
    items = [staff_item(author, title=f"退货流程问题 {n}") for n in range(3)]
    page = page_of(browser, live_server, specialist)

    page.goto("/desk/feedback/")
    shot(page, "register")
    for item in items[:2]:
        page.locator(f'tr[data-number="{item.number}"] input[data-sl-select]').check()
    page.locator("#sl-bulk-type").select_option("process_gap")
    page.locator("#sl-bulk-stage").select_option("intake")
    page.get_by_role("button", name="Apply to selected").click()

    expect(page.locator("#sl-bulk-report")).to_contain_text("2 items changed.")
    shot(page, "register-bulk")
    changed = dict(FeedbackItem.objects.values_list("number", "type"))
    assert changed == {
        items[0].number: "process_gap", items[1].number: "process_gap", items[2].number: "",
    }  # fmt: skip
    page.goto(f"/desk/feedback/{items[0].number}/")
    page.locator("#sl-status-form select").select_option("rejected")
    page.get_by_role("button", name="Change the status").click()
    expect(page.locator('[data-error-for="reason"]')).to_be_visible()
    shot(page, "item")
    assert page.errors == []  # type: ignore[attr-defined]


def test_an_agent_answers_a_staff_survey(browser, live_server, transactional_db):
    team = make_team("support", default=True)
    specialist = make_user(Role.SPECIALIST, username="sun")
    agent = make_user(Role.AGENT, username="wang", teams=[team])
    survey = survey_of(team, specialist)
    send_staff_survey(survey=survey, actor=specialist)
    page = page_of(browser, live_server, agent, locale="zh-CN")

    page.goto("/desk/staff-surveys/")
    page.locator("[data-answer]").click()
    page.locator('input[name="answers.workload"][value="4"]').check()
    page.locator('input[name="answers.tools"][value="2"]').check()
    page.locator('textarea[name="answers.change"]').fill("排班更灵活")
    shot(page, "survey-answer")
    page.locator("#sl-answer-form button").click()

    expect(page.locator("[data-answered]")).to_be_visible()
    assert StaffSurveyAnswer.objects.get().answers == {
        "workload": 4, "tools": 2, "change": "排班更灵活",
    }  # fmt: skip
    assert page.errors == []  # type: ignore[attr-defined]
