"""A newcomer opens the API docs, signs in and creates a ticket from the docs page."""

import json

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.tickets.models import Ticket
from tests.builders import make_category, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_render_from_local_files(page, screenshot):
    page.goto("/api/v1/docs")
    page.get_by_text("Create a ticket").first.wait_for()
    assert page.get_by_text("/api/v1/tickets/{number}/transition").count() >= 1
    screenshot(page, "api-docs")


def test_a_signed_in_user_creates_a_ticket_from_the_docs(page, screenshot):
    team = make_team("support", default=True)
    make_category("delivery", team=team)
    make_user(Role.ADMIN, username="admin")  # password: see tests.builders

    page.goto("/admin/login/?next=/api/v1/docs")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "a long test password 42")
    page.click("input[type=submit]")
    page.wait_for_url("**/api/v1/docs")

    operation = page.locator("#operations-tickets-serviceloop_api_tickets_create_ticket")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    body = {
        "description": "The parcel never arrived",
        "category": "delivery",
        "customer": {"email": "li.lei@example.com", "name": "Li Lei"},
    }
    operation.locator("textarea.body-param__text").fill(json.dumps(body))
    operation.get_by_role("button", name="Execute").click()
    operation.locator(".live-responses-table tbody .response-col_status").first.wait_for()
    screenshot(page, "api-docs-ticket-created")

    status = operation.locator(".live-responses-table tbody .response-col_status").first
    assert status.inner_text().strip() == "201"
    ticket = Ticket.objects.get()
    assert ticket.description == "The parcel never arrived"
    assert ticket.team == team
