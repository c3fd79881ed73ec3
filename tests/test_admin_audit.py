"""Configuration in Django's admin: teams (with their members), users and their role,
categories, canned replies, customer tiers. Every add, change and delete writes an audit
event — actor, action, before and after — in the same transaction; passwords never do.
The admins of several apps (accounts, tickets, customers) and the audit mixin they share, so
these tests live with the cross-app ones."""

import json

import pytest
from django import forms
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, TeamMembership, User
from serviceloop.audit import services as audit_services
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.models import CustomerTier
from serviceloop.tickets.models import CannedReply, Category
from serviceloop.web.tests import conftest as web_tests
from serviceloop.web.tests.conftest import signed_in
from tests.builders import make_category, make_team, make_user

# The web tests' fixtures: a signed-in agent's browser, a customer with a portal login.
agent_client = web_tests.agent_client
customer_user = web_tests.customer_user

PASSWORD = "a long test password 42"


@pytest.fixture
def admin_client(admin_user):
    return signed_in(admin_user)


def admin_url(model, action="add", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def current_values(response) -> dict:
    """The POST data that saves an admin page unchanged: every field of its form and inline
    formsets as the page shows them (management forms included)."""
    data: dict = {}

    def add(form):
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            widget = bound.field.widget
            if isinstance(widget, forms.MultiWidget):
                for index, part in enumerate(widget.decompress(value)):
                    data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
            elif isinstance(widget, forms.CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- who may configure ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER, Role.AGENT, Role.CUSTOMER])
def test_only_administrators_reach_the_configuration(team, role):
    response = signed_in(make_user(role)).get(admin_url(Team, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_canned_replies_are_configured_in_the_admin(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert admin_url(CannedReply, "changelist") in page


# --- teams and their members ---------------------------------------------------------------


def test_adding_a_team_with_a_member_is_audited(admin_client, admin_user):
    agent = make_user(Role.AGENT, username="new-agent")
    response = admin_client.post(
        admin_url(Team),
        {
            "code": "returns",
            "name_en": "Returns",
            "name_zh": "退货组",
            "manager": "",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-user": str(agent.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    team = Team.objects.get(code="returns")
    [created] = events("team.created")
    assert created.actor == admin_user
    assert (created.target_type, created.target_id) == ("team", str(team.pk))
    assert created.after == {
        "code": "returns", "name_en": "Returns", "name_zh": "退货组", "manager": None,
        "is_default": False, "is_active": True,
    }  # fmt: skip
    [joined] = events("team.member_added")
    assert (joined.target_id, joined.after, joined.actor) == (
        str(team.pk),
        {"user": agent.pk},
        admin_user,
    )


def test_changing_a_team_records_only_what_changed(admin_client, team):
    page = admin_client.get(admin_url(Team, "change", team.pk))
    data = current_values(page)
    data["name_zh"] = "客服一组"
    response = admin_client.post(admin_url(Team, "change", team.pk), data)
    assert response.status_code == 302
    [event] = events("team.updated")
    assert (event.before, event.after) == ({"name_zh": "support组"}, {"name_zh": "客服一组"})
    assert not events("team.member_added")


def test_saving_a_team_unchanged_records_nothing(admin_client, team, agent):
    page = admin_client.get(admin_url(Team, "change", team.pk))
    response = admin_client.post(admin_url(Team, "change", team.pk), current_values(page))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(target_type="team").exists()


def test_removing_a_member_is_audited(admin_client, team, agent):
    page = admin_client.get(admin_url(Team, "change", team.pk))
    data = current_values(page)
    membership = TeamMembership.objects.get(team=team, user=agent)
    index = next(
        i for i in range(int(data["memberships-TOTAL_FORMS"]))
        if data.get(f"memberships-{i}-id") == str(membership.pk)
    )  # fmt: skip
    data[f"memberships-{index}-DELETE"] = "on"
    response = admin_client.post(admin_url(Team, "change", team.pk), data)
    assert response.status_code == 302
    assert not TeamMembership.objects.filter(pk=membership.pk).exists()
    [removed] = events("team.member_removed")
    assert (removed.target_id, removed.before) == (str(team.pk), {"user": agent.pk})


def test_a_customer_cannot_be_made_a_team_member(admin_client, team, customer_user):
    page = admin_client.get(admin_url(Team, "change", team.pk))
    data = current_values(page)
    total = int(data["memberships-TOTAL_FORMS"])
    data[f"memberships-{total - 1}-user"] = str(customer_user.pk)  # the empty extra row
    response = admin_client.post(admin_url(Team, "change", team.pk), data)
    assert response.status_code == 200  # the form again, with its error
    assert not TeamMembership.objects.filter(user=customer_user).exists()
    assert not events("team.member_added")


def test_deleting_a_team_is_audited_with_what_it_was(admin_client, admin_user):
    doomed = make_team("doomed")
    response = admin_client.post(admin_url(Team, "delete", doomed.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Team.objects.filter(pk=doomed.pk).exists()
    [deleted] = events("team.deleted")
    assert deleted.actor == admin_user
    assert deleted.before["code"] == "doomed"
    assert deleted.after == {}


# --- users and their role; passwords stay out ----------------------------------------------


def test_adding_a_user_is_audited_without_the_password(admin_client):
    secret = "Another long secret 77"
    response = admin_client.post(
        admin_url(User),
        {
            "username": "li.ming",
            "password1": secret,
            "password2": secret,
            "usable_password": "true",
            "role": Role.AGENT,
            "full_name": "李明",
            "email": "li.ming@example.com",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="li.ming")
    [created] = events("user.created")
    assert created.target_id == str(user.pk)
    assert created.after["role"] == Role.AGENT
    assert created.after["full_name"] == "李明"
    stored = json.dumps([created.before, created.after, created.note], ensure_ascii=False)
    assert "password" not in stored
    assert secret not in stored
    assert user.password not in stored


def test_changing_a_role_is_audited_before_and_after(admin_client, admin_user, agent):
    page = admin_client.get(admin_url(User, "change", agent.pk))
    data = current_values(page)
    data["role"] = Role.SUPERVISOR
    response = admin_client.post(admin_url(User, "change", agent.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    agent.refresh_from_db()
    assert agent.role == Role.SUPERVISOR
    [event] = events("user.updated")
    assert (event.before, event.after) == ({"role": Role.AGENT}, {"role": Role.SUPERVISOR})
    assert event.actor == admin_user


def test_changing_a_password_is_audited_without_it(admin_client, agent):
    secret = "A brand new secret 88"
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[agent.pk]),
        {"password1": secret, "password2": secret, "usable_password": "true"},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(secret)
    [event] = events("user.password_changed")
    assert (event.target_id, event.before, event.after) == (str(agent.pk), {}, {})
    assert secret not in json.dumps([event.before, event.after, event.note])


def test_a_refused_password_change_records_nothing(admin_client, agent):
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[agent.pk]),
        {"password1": "short", "password2": "different", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert not events("user.password_changed")


# --- categories, canned replies, customer tiers ----------------------------------------------


def test_categories_are_audited_on_add_change_and_delete(admin_client, team):
    response = admin_client.post(
        admin_url(Category),
        {"code": "refund", "name_en": "Refund", "name_zh": "退款", "parent": "",
         "team": str(team.pk), "position": "3", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    category = Category.objects.get(code="refund")
    [created] = events("category.created")
    assert created.after["team"] == team.pk
    assert created.after["position"] == 3

    page = admin_client.get(admin_url(Category, "change", category.pk))
    data = current_values(page)
    data.pop("is_active")  # unticked: retired
    admin_client.post(admin_url(Category, "change", category.pk), data)
    [updated] = events("category.updated")
    assert (updated.before, updated.after) == ({"is_active": True}, {"is_active": False})

    admin_client.post(admin_url(Category, "delete", category.pk), {"post": "yes"})
    [deleted] = events("category.deleted")
    assert deleted.before["code"] == "refund"


def test_canned_replies_are_audited_also_when_deleted_in_bulk(admin_client, admin_user, team):
    response = admin_client.post(
        admin_url(CannedReply),
        {"title": "Sorry", "body": "Dear {customer_name}, we are sorry.", "language": "en",
         "team": str(team.pk), "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    [created] = events("canned_reply.created")
    assert created.after["body"] == "Dear {customer_name}, we are sorry."
    other = CannedReply.objects.create(title="Thanks", body="Thank you.", language="en")
    response = admin_client.post(
        admin_url(CannedReply, "changelist"),
        {"action": "delete_selected", "post": "yes",
         "_selected_action": [str(pk) for pk in CannedReply.objects.values_list("pk", flat=True)]},
    )  # fmt: skip
    assert response.status_code == 302
    assert not CannedReply.objects.exists()
    deleted = events("canned_reply.deleted")
    assert sorted(e.before["title"] for e in deleted) == ["Sorry", "Thanks"]
    assert {e.actor for e in deleted} == {admin_user}
    assert str(other.pk) in {e.target_id for e in deleted}


def test_customer_tiers_are_audited(admin_client):
    admin_client.post(
        admin_url(CustomerTier), {"code": "vip", "name_en": "VIP", "name_zh": "贵宾", "rank": "9"}
    )
    tier = CustomerTier.objects.get(code="vip")
    [created] = events("customer_tier.created")
    assert created.after == {"code": "vip", "name_en": "VIP", "name_zh": "贵宾", "rank": 9}
    page = admin_client.get(admin_url(CustomerTier, "change", tier.pk))
    data = {**current_values(page), "rank": "10"}
    admin_client.post(admin_url(CustomerTier, "change", tier.pk), data)
    [updated] = events("customer_tier.updated")
    assert (updated.before, updated.after) == ({"rank": 9}, {"rank": 10})


# --- one transaction -----------------------------------------------------------------------


def test_when_the_audit_event_cannot_be_written_the_change_is_not_kept(
    admin_client, team, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(audit_services, "record", broken)
    page = admin_client.get(admin_url(Team, "change", team.pk))
    data = {**current_values(page), "name_en": "Renamed"}
    with pytest.raises(RuntimeError):
        admin_client.post(admin_url(Team, "change", team.pk), data)
    team.refresh_from_db()
    assert team.name_en != "Renamed"


# --- both languages ------------------------------------------------------------------------


def test_the_admin_speaks_chinese(admin_user, category):
    admin_user.language = "zh-hans"
    admin_user.save(update_fields=["language"])
    client = signed_in(admin_user)
    index = client.get(reverse("admin:index")).content.decode()
    assert "账号与团队" in index  # our app names
    assert "问题分类" in index  # our verbose names
    form = client.get(admin_url(Category, "change", category.pk)).content.decode()
    assert "责任部门" in form
    assert "保存" in form  # Django's own words
    tiers = client.get(admin_url(CustomerTier, "changelist")).content.decode()
    assert "客户等级" in tiers


def test_a_category_added_in_the_admin_is_offered_at_once(admin_client, agent_client, team):
    make_category("existing", team=team)
    agent_client.get("/desk/new/")  # the catalogue is now cached in this process
    admin_client.post(
        admin_url(Category),
        {"code": "fresh", "name_en": "Fresh", "name_zh": "新分类", "parent": "",
         "team": "", "position": "0", "is_active": "on"},
    )  # fmt: skip
    assert 'value="fresh"' in agent_client.get("/desk/new/").content.decode()


def test_the_member_and_manager_pickers_offer_only_fitting_people(admin_client, team):
    make_user(Role.AGENT, username="pat-agent")
    make_user(Role.CUSTOMER, username="pat-customer")
    make_user(Role.MANAGER, username="pat-manager")

    def offered(model_name, field_name):
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "accounts", "model_name": model_name, "field_name": field_name,
             "term": "pat"},
        )  # fmt: skip
        assert response.status_code == 200
        return sorted(item["text"] for item in response.json()["results"])

    assert offered("teammembership", "user") == ["pat-agent", "pat-manager"]
    assert offered("team", "manager") == ["pat-manager"]
