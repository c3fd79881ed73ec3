"""Routing is configured in Django's admin: each team's rule, each agent's capacity,
presence, shift and skills; every change is audited."""

from django.test import Client
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.models import CustomerTier
from serviceloop.routing.models import AgentProfile, TeamRouting
from tests.builders import make_category, make_team, make_user


def admin_client() -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(make_user(Role.ADMIN, username="admin"))
    return client


def test_an_administrator_sets_a_teams_rule_audited(db):
    team = make_team("desk")
    client = admin_client()

    response = client.post(
        reverse("admin:routing_teamrouting_add"),
        {"team": team.pk, "rule": "least_loaded", "use_skills": "on"},
    )

    assert response.status_code == 302, response.content
    routing = TeamRouting.objects.get(team=team)
    assert (routing.rule, routing.use_skills) == ("least_loaded", True)
    event = AuditEvent.objects.get(action="team_routing.created")
    assert event.after == {"team": team.pk, "rule": "least_loaded", "use_skills": True}


def test_an_administrator_gives_an_agent_capacity_languages_and_skills_audited(db):
    agent = make_user(Role.AGENT, username="agent")
    logistics = make_category("logistics")
    vip = CustomerTier.objects.create(code="vip", name_en="VIP", name_zh="贵宾")
    customer = make_user(Role.CUSTOMER, username="buyer")
    client = admin_client()
    form = client.get(reverse("admin:routing_agentprofile_add")).content.decode()
    assert 'type="checkbox" name="languages" value="zh-hans"' in form
    assert f'<option value="{agent.pk}"' in form
    assert f'<option value="{customer.pk}"' not in form  # profiles are for workers only

    response = client.post(
        reverse("admin:routing_agentprofile_add"),
        {
            "user": agent.pk,
            "capacity": 4,
            "languages": ["zh-hans"],
            "categories": [logistics.pk],
            "tiers": [vip.pk],
        },
    )

    assert response.status_code == 302, response.content
    profile = AgentProfile.objects.get(user=agent)
    assert (profile.capacity, profile.languages, profile.is_away) == (4, ["zh-hans"], False)
    assert list(profile.categories.all()) == [logistics]
    created = AuditEvent.objects.get(action="agent_profile.created")
    assert created.after["capacity"] == 4
    skills = AuditEvent.objects.get(action="agent_profile.skills_changed")
    assert skills.after == {"categories": [logistics.pk], "tiers": [vip.pk]}

    response = client.post(
        reverse("admin:routing_agentprofile_change", args=[profile.pk]),
        {"user": agent.pk, "capacity": 4, "languages": ["zh-hans"], "tiers": [vip.pk]},
    )

    assert response.status_code == 302, response.content
    assert not profile.categories.exists()
    removed = AuditEvent.objects.filter(action="agent_profile.skills_changed").latest("pk")
    assert (removed.before, removed.after) == (
        {"categories": [logistics.pk]},
        {"categories": []},
    )
    assert not AuditEvent.objects.filter(action="agent_profile.updated").exists()
