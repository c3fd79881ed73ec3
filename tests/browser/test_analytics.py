"""The analytics dashboard in a real browser: the charts draw (ECharts, served by us),
the trend follows the chosen metric, and a bar of the Pareto opens the tickets behind it."""

import pytest
from playwright.sync_api import expect

from serviceloop.accounts.choices import Role
from serviceloop.analytics import services as analytics
from serviceloop.tickets.choices import Channel, Kind
from tests.browser.signing import sign_in
from tests.builders import make_category, make_team, make_ticket, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_and_drills_down(open_page, screenshot):
    team = make_team("support", default=True)
    make_category("delivery", team=team)
    make_category("billing", team=team)
    agent = make_user(Role.AGENT, username="agent", teams=[team])
    make_user(Role.ANALYST, username="analyst")
    for n in range(6):
        make_ticket(agent, category="delivery", kind=Kind.COMPLAINT, channel=Channel.PHONE)
        if n % 3 == 0:
            make_ticket(agent, category="billing", channel=Channel.EMAIL)
    analytics.rebuild()

    page = open_page("zh-CN")
    sign_in(page, "analyst")
    page.goto("/desk/analytics/")
    for chart in ("trend", "pareto", "matrix", "channels", "emotions"):
        expect(page.locator(f"#sl-chart-{chart}[data-ready='1'] svg")).to_be_visible()
    expect(page.locator("#sl-tiles [data-metric='tickets'] .sl-tile-value")).to_have_text("8")
    expect(page.locator("#sl-top-customers tbody tr")).to_have_count(8)
    page.select_option("#sl-trend-metric", "complaint_rate")
    screenshot(page, "analytics-dashboard")

    page.locator("#sl-chart-pareto svg path[fill='#dc3545']").first.click()
    page.wait_for_url(lambda url: "/desk/analytics/tickets/" in url and "category=" in url)
    expect(page.locator("#sl-drill-tickets tbody tr")).to_have_count(6)
    screenshot(page, "analytics-drill-down")
