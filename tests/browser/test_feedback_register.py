"""The feedback register in a real browser: the specialist classifies two items at once
(htmx) and a rejection without a reason is refused; an agent answers a staff survey."""

import pytest
from playwright.sync_api import expect

from serviceloop.accounts.choices import Role
from serviceloop.feedback.models import FeedbackItem, StaffSurveyAnswer
from serviceloop.feedback.services import send_staff_survey
from serviceloop.feedback.tests.given import staff_item, survey_of
from tests.browser.signing import sign_in
from tests.builders import make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_specialist_classifies_two_items_at_once(open_page, screenshot):
    team = make_team("support", default=True)
    specialist = make_user(Role.SPECIALIST, username="sun", full_name="孙专员")
    author = make_user(Role.AGENT, teams=[team])
    items = [staff_item(author, title=f"退货流程问题 {n}") for n in range(3)]
    page = open_page()
    sign_in(page, specialist.username)

    page.goto("/desk/feedback/")
    screenshot(page, "feedback-register")
    for item in items[:2]:
        page.locator(f'tr[data-number="{item.number}"] input[data-sl-select]').check()
    page.locator("#sl-bulk-type").select_option("process_gap")
    page.locator("#sl-bulk-stage").select_option("intake")
    page.get_by_role("button", name="Apply to selected").click()

    expect(page.locator("#sl-bulk-report")).to_contain_text("2 items changed.")
    screenshot(page, "feedback-register-bulk")
    changed = dict(FeedbackItem.objects.values_list("number", "type"))
    assert changed == {
        items[0].number: "process_gap", items[1].number: "process_gap", items[2].number: "",
    }  # fmt: skip
    page.goto(f"/desk/feedback/{items[0].number}/")
    page.locator("#sl-status-form select").select_option("rejected")
    page.get_by_role("button", name="Change the status").click()
    expect(page.locator('[data-error-for="reason"]')).to_be_visible()
    screenshot(page, "feedback-item")


def test_an_agent_answers_a_staff_survey(open_page, screenshot):
    team = make_team("support", default=True)
    specialist = make_user(Role.SPECIALIST, username="sun")
    agent = make_user(Role.AGENT, username="wang", teams=[team])
    survey = survey_of(team, specialist)
    send_staff_survey(survey=survey, actor=specialist)
    page = open_page("zh-CN")
    sign_in(page, agent.username)

    page.goto("/desk/staff-surveys/")
    page.locator("[data-answer]").click()
    page.locator('input[name="answers.workload"][value="4"]').check()
    page.locator('input[name="answers.tools"][value="2"]').check()
    page.locator('textarea[name="answers.change"]').fill("排班更灵活")
    screenshot(page, "staff-survey-answer")
    page.locator("#sl-answer-form button").click()

    expect(page.locator("[data-answered]")).to_be_visible()
    assert StaffSurveyAnswer.objects.get().answers == {
        "workload": 4, "tools": 2, "change": "排班更灵活",
    }  # fmt: skip
