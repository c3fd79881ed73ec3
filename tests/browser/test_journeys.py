"""The journeys of issue 3 in a real browser, customer and agent side by side:

(a) a customer submits in the portal -> the agent sees it in the team queue -> takes it,
    replies with a commitment -> the customer sees the reply without reloading -> the agent
    resolves -> the customer confirms; (b) the same in Chinese; (c) markup in a ticket is
    shown as text and runs nothing; (d) customer B cannot open customer A's ticket.
Screenshots of the main pages go to artifacts/screenshots/.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.tickets.models import CannedReply, Category, Commitment, Interaction, Ticket
from tests.browser.signing import sign_in
from tests.builders import make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 15_000  # ms: the portal polls every 5 s


@dataclass
class World:
    agent: User
    customer: User
    other_customer: User
    supervisor: User


@pytest.fixture
def world() -> World:
    team = make_team("support", default=True, name_en="Customer care", name_zh="客户关怀部")
    Category.objects.create(code="delivery", name_en="Delivery", name_zh="配送", team=team)
    agent = make_user(Role.AGENT, username="agent", teams=[team], full_name="王芳")
    supervisor = make_user(Role.SUPERVISOR, username="boss", teams=[team], full_name="赵主管")
    CannedReply.objects.create(
        title="Received", body="Hello {customer_name}, {ticket_number} is ours.", language="en"
    )
    return World(
        agent=agent,
        customer=make_user(Role.CUSTOMER, username="li.wei", full_name="李伟"),
        other_customer=make_user(Role.CUSTOMER, username="bob", full_name="Bob Stone"),
        supervisor=supervisor,
    )


def submit_request(page: Page, description: str, *, order: str = "") -> str:
    """In the portal: a complaint about delivery; returns the new ticket's number."""
    page.goto("/portal/new/")
    page.select_option("#id_kind", "complaint")
    page.select_option("#id_category", "delivery")
    page.fill("#id_description", description)
    if order:
        page.fill("#id_order_ref", order)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/portal/tickets/**")
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def mark_no_reload(page: Page) -> None:
    """Put a flag on the window: it survives htmx swaps, not a reload."""
    page.evaluate("window.__slStillHere = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__slStillHere === true"), "the page was reloaded"


def run_the_whole_flow(open_page, screenshot, world: World, *, locale: str, tag: str, text):
    customer, agent = open_page(locale, phone=True), open_page(locale)
    sign_in(customer, "li.wei")
    assert customer.url.endswith("/portal/")  # customers land in the portal
    number = submit_request(customer, text["complaint"], order="JD-10086")
    expect(customer.locator("main")).to_contain_text(number)
    screenshot(customer, f"{tag}-portal-ticket-submitted")

    sign_in(agent, "agent")
    agent.goto("/desk/?view=unassigned")
    row = agent.locator(f"tr[data-number='{number}']")
    expect(row).to_be_visible()
    screenshot(agent, f"{tag}-queue-unassigned")
    # keyboard: j moves to the first row, o opens it
    agent.locator("body").press("j")
    expect(agent.locator("tr.sl-row-active")).to_have_count(1)
    row.locator("[data-sl-open]").click()
    agent.wait_for_url(f"**/desk/tickets/{number}/")

    mark_no_reload(agent)
    agent.locator("#sl-take").click()
    expect(agent.locator("#sl-take")).to_have_count(0)
    due = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)
    composer = agent.locator("#sl-composer")
    composer.locator("#id_content").fill(text["reply"])
    composer.locator("#id_commitment_text").fill(text["promise"])
    composer.locator("#id_commitment_due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    composer.locator("button[type=submit]").click()
    expect(agent.locator("#sl-timeline")).to_contain_text(text["reply"])
    assert_not_reloaded(agent)
    screenshot(agent, f"{tag}-ticket-page")

    # the customer's page shows the reply and the promise by itself
    mark_no_reload(customer)
    expect(customer.locator(".sl-timeline")).to_contain_text(text["reply"], timeout=POLL)
    expect(customer.locator("main")).to_contain_text(text["promise"])
    assert_not_reloaded(customer)
    screenshot(customer, f"{tag}-portal-reply-arrived")

    agent.locator("summary[data-to=resolved]").click()
    resolve = agent.locator("details:has(summary[data-to=resolved]) form")
    resolve.locator("textarea").fill(text["resolution"])
    resolve.locator("button[type=submit]").click()
    expect(agent.locator("[data-status=resolved]").first).to_be_visible()
    assert_not_reloaded(agent)

    customer.locator("#sl-confirm").click(timeout=POLL)
    expect(customer.locator("[data-status=closed]").first).to_be_visible()
    expect(customer.locator("[data-status=closed]").first).to_contain_text(text["closed"])
    screenshot(customer, f"{tag}-portal-confirmed")

    ticket = Ticket.objects.get(number=number)
    assert ticket.status == "closed"
    assert ticket.assignee == world.agent
    assert ticket.kind == "complaint"
    assert ticket.order_ref == "JD-10086"
    assert Interaction.objects.filter(ticket=ticket, content=text["reply"]).exists()
    promise = Commitment.objects.get(ticket=ticket)
    assert promise.text == text["promise"]
    assert timezone.localtime(promise.due_at).hour == 10
    return customer, agent


def test_a_journey_in_english(open_page, screenshot, world):
    _customer, agent = run_the_whole_flow(
        open_page, screenshot, world, locale="en-US", tag="en",
        text={
            "complaint": "My parcel has not moved for three days.",
            "reply": "We asked the carrier to deliver it tomorrow.",
            "promise": "Call back before 10:00 tomorrow",
            "resolution": "Delivered on the next day.",
            "closed": "Closed",
        },
    )  # fmt: skip
    assert agent.locator("html").get_attribute("lang") == "en"
    expect(agent.locator("nav")).to_contain_text("Queue")


def test_b_journey_in_chinese(open_page, screenshot, world):
    customer, agent = run_the_whole_flow(
        open_page, screenshot, world, locale="zh-CN", tag="zh",
        text={
            "complaint": "包裹三天没有更新物流信息，很着急。",
            "reply": "已联系承运商，明天送达。",
            "promise": "明天10点前回电",
            "resolution": "包裹已于次日送达。",
            "closed": "已关闭",
        },
    )  # fmt: skip
    for page in (customer, agent):
        assert page.locator("html").get_attribute("lang") == "zh-hans"
    expect(agent.locator("nav")).to_contain_text("工单队列")
    expect(customer.locator("nav")).to_contain_text("我的请求")


def test_c_markup_in_a_ticket_is_shown_as_text_and_runs_nothing(open_page, screenshot, world):
    hostile = (
        '<script>window.__pwned = 1</script><img src="/pwned.png" onerror="window.__pwned = 2">'
    )
    customer = open_page()
    requested: list[str] = []
    customer.on("request", lambda request: requested.append(request.url))
    dialogs: list[str] = []
    customer.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(customer, "li.wei")
    number = submit_request(customer, f"Broken parcel {hostile}")
    expect(customer.locator(".sl-timeline, main").first).to_contain_text("<script>")

    agent = open_page()
    agent.on("request", lambda request: requested.append(request.url))
    agent.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(agent, "agent")
    agent.goto(f"/desk/tickets/{number}/")
    expect(agent.locator("main")).to_contain_text('<img src="/pwned.png"')
    agent.goto("/desk/?view=all")
    expect(agent.locator(f"tr[data-number='{number}']")).to_contain_text("<script>")
    screenshot(agent, "xss-shown-as-text")

    for page in (customer, agent):
        assert page.evaluate("window.__pwned") is None
        assert page.locator("main img[src='/pwned.png']").count() == 0
    assert not dialogs
    assert not [url for url in requested if "pwned" in url]


def test_d_customer_b_cannot_open_customer_a_ticket(open_page, screenshot, world):
    alice = open_page()
    sign_in(alice, "li.wei")
    number = submit_request(alice, "A private matter about my refund")

    bob = open_page()
    sign_in(bob, "bob")
    response = bob.goto(f"/portal/tickets/{number}/")
    assert response is not None
    assert response.status == 404
    assert "private matter" not in bob.content()
    screenshot(bob, "portal-not-found")
    response = bob.goto(f"/portal/tickets/{number}/updates/")
    assert response is not None
    assert response.status == 404
    bob.goto("/portal/")
    expect(bob.locator("main")).not_to_contain_text(number)
    response = bob.goto(f"/desk/tickets/{number}/")
    assert response is not None
    assert response.status in (403, 404)
    assert "private matter" not in bob.content()


def test_the_main_pages_render_in_both_languages(open_page, screenshot, world):
    """Screenshots of every main page, English and Chinese, and no untranslated English
    left in the Chinese navigation."""
    for locale, tag in (("en-US", "en"), ("zh-CN", "zh")):
        anonymous = open_page(locale)
        for path, name in (("/", "home"), ("/login/", "login"), ("/portal/track/", "track")):
            anonymous.goto(path)
            screenshot(anonymous, f"{tag}-{name}")
        anonymous.goto("/portal/signup/")
        screenshot(anonymous, f"{tag}-signup")

        customer = open_page(locale, phone=True)
        sign_in(customer, "li.wei")
        submit_request(customer, f"Page tour {tag}")
        customer.goto("/portal/")
        screenshot(customer, f"{tag}-portal-list")
        customer.goto("/portal/new/")
        screenshot(customer, f"{tag}-portal-new")

        boss = open_page(locale)
        sign_in(boss, "boss")
        for path, name in (("/desk/", "queue"), ("/desk/new/", "new-ticket"),
                           ("/desk/board/", "board")):  # fmt: skip
            response = boss.goto(path)
            assert response is not None
            assert response.status == 200, path
            screenshot(boss, f"{tag}-{name}")
        if tag == "zh":
            expect(boss.locator("nav")).to_contain_text("团队看板")
            expect(boss.locator("nav")).not_to_contain_text("Team board")
