"""/api/v1/categories and /api/v1/teams: the tree and the departments tickets refer to, as
administrators configure them."""

import pytest

from serviceloop.accounts.models import Team, TeamMembership
from serviceloop.audit.models import AuditEvent
from serviceloop.tickets.models import Category, CustomField
from tests.builders import Api, field_errors, make_category, make_ticket


@pytest.fixture
def tree(team, other_team, category):
    """delivery (support) > delay > overnight; invoice (billing); an inactive legacy node."""
    delay = make_category("delay", parent=category)
    make_category("overnight", parent=delay)
    make_category("invoice", team=other_team)
    legacy = make_category("legacy")
    legacy.is_active = False
    legacy.save()
    return category


def by_code(response):
    assert response.status_code == 200, response.content
    return {c["code"]: c for c in response.json()}


def test_it_lists_the_tree_flat_with_parent_codes(agent_api, tree):
    categories = by_code(agent_api.get("categories"))
    assert {code: c["parent"] for code, c in categories.items()} == {
        "delivery": None,
        "delay": "delivery",
        "overnight": "delay",
        "invoice": None,
        "legacy": None,
    }
    assert categories["delivery"]["team"] == "support"
    assert categories["delay"]["team"] is None
    assert categories["invoice"]["team"] == "billing"
    assert categories["legacy"]["is_active"] is False
    assert categories["delivery"]["name_en"] == "Delivery"
    assert categories["delivery"]["name_zh"] == "delivery类"


def test_it_names_categories_in_the_language_asked_for(agent, tree):
    chinese = by_code(Api(agent, language="zh-hans").get("categories"))
    assert chinese["delivery"]["name"] == "delivery类"
    english = by_code(Api(agent, language="en").get("categories"))
    assert english["delivery"]["name"] == "Delivery"


def test_it_lists_the_active_custom_fields(customer_api, db):
    CustomField.objects.create(
        key="device",
        name_en="Device",
        name_zh="设备",
        field_type="choice",
        choices=["router", "modem"],
        required=True,
    )
    CustomField.objects.create(key="old", name_en="Old", name_zh="旧", field_type="text",
                               is_active=False)  # fmt: skip
    response = customer_api.get("custom-fields")
    assert response.status_code == 200, response.content
    assert response.json() == [
        {"key": "device", "name": "Device", "field_type": "choice",
         "choices": ["router", "modem"], "required": True},
    ]  # fmt: skip


def test_it_shows_customers_only_active_categories(customer_api, tree):
    assert set(by_code(customer_api.get("categories"))) == {
        "delivery", "delay", "overnight", "invoice",
    }  # fmt: skip


def test_it_lets_an_administrator_add_a_category_that_routes_tickets(
    admin_api, agent, tree, other_team
):
    response = admin_api.post(
        "categories",
        {"code": "damaged", "name_en": "Damaged", "name_zh": "破损", "parent": "delivery",
         "team": "billing", "position": 3},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json() == {
        "code": "damaged", "name": "Damaged", "name_en": "Damaged", "name_zh": "破损",
        "parent": "delivery", "team": "billing", "position": 3, "is_active": True,
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="category.created").count() == 1
    # new tickets of the category go to its team at once
    assert make_ticket(agent, category="damaged").team == other_team


def test_it_lets_an_administrator_edit_a_category(admin_api, tree):
    response = admin_api.patch(
        "categories/delay", {"name_en": "Late delivery", "team": "billing", "parent": None}
    )
    assert response.status_code == 200, response.content
    assert response.json()["name_en"] == "Late delivery"
    assert response.json()["team"] == "billing"
    assert response.json()["parent"] is None
    stored = Category.objects.get(code="delay")
    assert (stored.parent, stored.team.code) == (None, "billing")
    event = AuditEvent.objects.get(action="category.updated")
    assert event.after["name_en"] == "Late delivery"


def test_it_deactivates_a_category(admin_api, agent_api, tree):
    assert admin_api.patch("categories/invoice", {"is_active": False}).status_code == 200
    assert agent_api.post(
        "tickets",
        {"description": "Invoice wrong", "category": "invoice",
         "customer": {"email": "a@example.com"}},
    ).status_code == 422  # fmt: skip


@pytest.mark.parametrize(
    ("code", "parent"), [("delay", "delay"), ("delivery", "overnight"), ("delivery", "delay")]
)
def test_it_refuses_to_place_a_category_under_itself(admin_api, tree, code, parent):
    before = Category.objects.get(code=code).parent_id
    response = admin_api.patch(f"categories/{code}", {"parent": parent})
    assert response.status_code == 422, response.content
    assert "parent" in field_errors(response)
    assert Category.objects.get(code=code).parent_id == before
    assert not AuditEvent.objects.filter(action="category.updated").exists()


# --- teams ---------------------------------------------------------------------------------


def teams(api):
    response = api.get("teams")
    assert response.status_code == 200, response.content
    return {t["code"]: t for t in response.json()}


def test_it_lists_teams_with_their_members(agent_api, agent, teammate, team, other_team):
    listed = teams(agent_api)
    assert set(listed) == {"support", "billing"}
    assert {m["id"] for m in listed["support"]["members"]} == {agent.pk, teammate.pk}
    assert listed["support"]["is_default"] is True
    assert listed["billing"]["members"] == []


def test_it_lets_an_administrator_add_and_edit_a_team(admin_api, team):
    response = admin_api.post(
        "teams", {"code": "returns", "name_en": "Returns", "name_zh": "退货组"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["is_default"] is False
    assert response.json()["members"] == []
    edited = admin_api.patch("teams/returns", {"name_en": "Returns desk"})
    assert edited.status_code == 200, edited.content
    assert edited.json()["name_en"] == "Returns desk"
    assert Team.objects.get(code="returns").name_en == "Returns desk"
    assert AuditEvent.objects.filter(action__in=["team.created", "team.updated"]).count() == 2


def test_it_keeps_one_default_team_when_a_new_one_takes_the_flag(admin_api, team):
    response = admin_api.post(
        "teams", {"code": "front", "name_en": "Front desk", "name_zh": "前台", "is_default": True}
    )
    assert response.status_code == 201, response.content
    assert response.json()["is_default"] is True
    listed = teams(admin_api)
    assert [code for code, t in listed.items() if t["is_default"]] == ["front"]
    assert Team.objects.get(code="support").is_default is False


def test_it_keeps_one_default_team_when_another_is_made_default(admin_api, team, other_team):
    response = admin_api.patch("teams/billing", {"is_default": True})
    assert response.status_code == 200, response.content
    assert response.json()["is_default"] is True
    assert [code for code, t in teams(admin_api).items() if t["is_default"]] == ["billing"]
    # and tickets without a category now go to billing
    created = admin_api.post(
        "tickets", {"description": "Question", "customer": {"email": "a@example.com"}}
    )
    assert created.status_code == 201, created.content
    assert created.json()["team"]["code"] == "billing"


def test_it_lets_an_administrator_add_and_remove_members(admin_api, teammate, team, other_team):
    added = admin_api.post("teams/billing/members", {"user": teammate.pk})
    assert added.status_code == 201, added.content
    assert [m["id"] for m in added.json()["members"]] == [teammate.pk]
    assert TeamMembership.objects.filter(team=other_team, user=teammate).exists()
    assert AuditEvent.objects.filter(action="team.member_added").count() == 1

    removed = admin_api.delete(f"teams/billing/members/{teammate.pk}")
    assert removed.status_code == 200, removed.content
    assert removed.json()["members"] == []
    assert not TeamMembership.objects.filter(team=other_team, user=teammate).exists()
    assert AuditEvent.objects.filter(action="team.member_removed").count() == 1


def test_a_new_member_sees_the_teams_tickets_at_once(admin_api, teammate, other_team, admin_user):
    ticket = make_ticket(admin_user, team="billing", description="Invoice wrong")
    member_api = Api(teammate)
    assert member_api.get(f"tickets/{ticket.number}").status_code == 404
    assert admin_api.post("teams/billing/members", {"user": teammate.pk}).status_code == 201
    assert member_api.get(f"tickets/{ticket.number}").status_code == 200
