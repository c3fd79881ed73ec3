"""The bell in a real browser: the badge loads itself, the panel opens under it, opening a
notification goes to its ticket and lowers the count, "mark all read" empties the badge."""

import pytest
from playwright.sync_api import expect

from serviceloop.accounts.choices import Role
from serviceloop.inbox.models import Kind
from serviceloop.inbox.services import notify
from tests.browser.signing import sign_in
from tests.builders import make_team, make_ticket, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_from_badge_to_ticket(open_page, screenshot):
    team = make_team("support", default=True)
    agent = make_user(Role.AGENT, username="agent", teams=[team], full_name="王芳")
    customer = make_user(Role.CUSTOMER, username="li.wei")
    late = make_ticket(agent, subject="Parcel SF1024 is late")
    broken = make_ticket(agent, subject="The kettle arrived broken")
    # urgent: shown at once, whatever the hour the suite runs at
    notify([agent], kind=Kind.ASSIGNED, ticket=late, urgent=True)
    notify(
        [agent], kind=Kind.SLA_BREACHED, ticket=broken, params={"target": "resolution"}, urgent=True
    )
    notify([agent], kind=Kind.CUSTOMER_REPLIED, ticket=late, urgent=True)

    page = open_page()
    sign_in(page, agent.username)
    page.goto("/desk/")
    count = page.locator("#sl-bell-count")
    expect(count).to_have_text("3 unread")

    page.click("#sl-bell-toggle")
    items = page.locator("#sl-bell-panel [data-notification]")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text(f"Ticket {late.number}: the customer replied")
    screenshot(page, "bell-panel")

    items.nth(1).locator("button").click()
    page.wait_for_url(f"**/desk/tickets/{broken.number}/")
    expect(page.locator("#sl-bell-count")).to_have_text("2 unread")

    page.click("#sl-bell-toggle")
    expect(page.locator("#sl-bell-panel [data-unread=true]")).to_have_count(2)
    page.click("#sl-bell-read-all")
    expect(page.locator("#sl-bell-panel [data-unread=true]")).to_have_count(0)
    expect(page.locator("#sl-bell-count")).to_be_hidden()

    page.goto("/desk/notifications/")
    expect(page.locator("#sl-notifications [data-notification]")).to_have_count(3)
    screenshot(page, "notifications-page")

    customer_page = open_page()
    sign_in(customer_page, customer.username)
    expect(customer_page.locator("#sl-bell")).to_have_count(0)
