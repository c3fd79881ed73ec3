"""An improvement plan in a real browser: the form, the PDCA move, an action added and
done inline (htmx), and the before/after chart drawn by ECharts from its JSON endpoint."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from serviceloop.accounts.choices import Role
from serviceloop.analytics import services as analytics
from serviceloop.core import clock
from tests.browser.signing import sign_in
from tests.builders import make_team, make_ticket, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_from_form_to_chart(open_page, screenshot):
    support = make_team("support", default=True)
    billing = make_team("billing")
    agent = make_user(Role.AGENT, username="agent", teams=[support])
    other = make_user(Role.AGENT, username="other", teams=[billing])
    make_user(Role.SPECIALIST, username="specialist")
    now = clock.now()
    for weeks_ago in (6, 5, 4, 1):
        with clock.frozen_at(now - timedelta(weeks=weeks_ago)):
            for kind in ("complaint", "inquiry", "inquiry"):
                make_ticket(agent, kind=kind)
                make_ticket(other, kind=kind, team="billing")
    analytics.rebuild()
    today = clock.now().date()

    page = open_page()
    sign_in(page, "specialist")
    page.goto("/desk/improvement/")
    page.click("#sl-plan-new")
    page.fill("#id_title", "Fewer complaints")
    page.fill("#id_problem", "Too many complaints.")
    page.select_option("#id_metric", "complaint_rate")
    page.fill("#id_target", "20")
    page.fill("#id_deadline", (today + timedelta(days=30)).isoformat())
    page.fill("#id_baseline_start", (today - timedelta(days=49)).isoformat())
    page.fill("#id_baseline_end", (today - timedelta(days=21)).isoformat())
    page.select_option("#id_pilot_teams", str(support.pk))
    page.fill("#id_pilot_start", (today - timedelta(days=14)).isoformat())
    page.locator("#sl-plan-form button.btn-primary").click()
    page.wait_for_url(lambda url: "/desk/improvement/plans/IP-" in url)
    expect(page.locator("#sl-effect .sl-n-before")).to_have_text("n = 18")
    expect(page.locator("#sl-pilot-table")).to_be_visible()
    expect(page.locator("#sl-plan-chart[data-ready='1'] svg")).to_be_visible()

    page.fill("#sl-action-new #id_title", "Call-back script")
    page.select_option("#sl-action-new #id_team", str(support.pk))
    page.fill("#sl-action-new #id_planned_start", today.isoformat())
    page.fill("#sl-action-new #id_planned_end", (today + timedelta(days=7)).isoformat())
    page.locator("#sl-action-new button.btn-primary").click()
    row = page.locator("#sl-action-table tbody tr[data-action]")
    expect(row).to_have_count(1)
    row.locator("select[name=status]").select_option("done")
    row.locator("input[name=note]").fill("Rolled out on Monday")
    row.locator("button").click()
    expect(page.locator("#sl-action-table tbody tr[data-status='done']")).to_have_count(1)
    expect(page.locator("#sl-action-table")).to_contain_text("Rolled out on Monday")

    page.select_option("#sl-phase-form select[name=phase]", "do")
    page.locator("#sl-phase-form button").click()
    expect(page.locator(".sl-phase")).to_have_attribute("data-phase", "do")
    expect(page.locator("#sl-plan-chart[data-ready='1'] svg")).to_be_visible()
    screenshot(page, "improvement-plan")
