"""/api/v1/me and /api/v1/tokens, the `createtoken` command, and the browser session as the
other way in (with its CSRF check)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from serviceloop.accounts.models import PersonalToken, User
from serviceloop.audit.models import AuditEvent

from .given import PROBLEM

CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"  # 32 characters, as Django makes them


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_it_tells_who_i_am(agent_api, agent):
    response = agent_api.get("me")
    assert response.status_code == 200, response.content
    me = response.json()
    assert (me["id"], me["username"], me["name"], me["role"]) == (
        agent.pk, "agent", "王芳", "agent",
    )  # fmt: skip
    assert me["teams"] == [{"code": "support", "name": "Support"}]
    assert me["organisation"] is None
    assert me["language"] == ""


def test_it_tells_a_partner_its_organisation(partner_api, partner):
    assert partner_api.get("me").json()["organisation"] == partner.organisation.name


def test_it_answers_in_the_language_i_chose(agent_api, agent):
    # given an agent whose browser asks for English
    agent_api.headers["Accept-Language"] = "en"
    assert agent_api.get("tickets/CS-20260101-000001")["Content-Language"] == "en"
    # when they choose Simplified Chinese
    response = agent_api.patch("me", {"language": "zh-hans", "time_zone": "Asia/Shanghai"})
    assert response.status_code == 200, response.content
    assert response.json()["language"] == "zh-hans"
    assert response.json()["time_zone"] == "Asia/Shanghai"
    assert User.objects.get(pk=agent.pk).language == "zh-hans"
    # then later errors come in their language, whatever the browser says
    refused = agent_api.get("tickets/CS-20260101-000001")
    assert refused.status_code == 404
    assert refused["Content-Type"] == PROBLEM
    assert refused["Content-Language"] == "zh-hans"
    assert refused.json()["title"] == "未找到"  # "Not found"
    invalid = agent_api.post("tickets", {"description": ""})
    assert invalid.status_code == 422
    assert invalid["Content-Language"] == "zh-hans"


def test_it_follows_the_browser_again_when_the_language_is_cleared(agent_api, agent):
    agent.language = "zh-hans"
    agent.save()
    agent_api.headers["Accept-Language"] = "en"
    assert agent_api.patch("me", {"language": ""}).status_code == 200
    assert agent_api.get("tickets/CS-20260101-000001")["Content-Language"] == "en"


def test_it_issues_a_token_that_works_until_it_is_revoked(agent_api, agent):
    # when the agent creates a token
    response = agent_api.post("tokens", {"name": "CI pipeline"})
    assert response.status_code == 201, response.content
    created = response.json()
    secret = created["token"]
    assert secret.startswith("sl_")
    assert created["prefix"] == secret[:8]
    assert created["revoked_at"] is None
    # then it works as a bearer token
    me = agent_api.client.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200, me.content
    assert me.json()["username"] == "agent"
    listed = agent_api.get("tokens").json()
    assert next(t for t in listed if t["id"] == created["id"])["last_used_at"] is not None
    assert "CI pipeline" in [t["name"] for t in listed]
    assert all("token" not in t for t in listed)  # the secret is shown once only
    # when it is revoked
    revoked = agent_api.delete(f"tokens/{created['id']}")
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["revoked_at"] is not None
    # then it no longer opens anything
    refused = agent_api.client.get("/api/v1/me", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused["Content-Type"] == PROBLEM
    assert PersonalToken.objects.get(pk=created["id"]).revoked_at is not None
    assert AuditEvent.objects.filter(action="token.issued", target_id=str(created["id"])).exists()
    assert AuditEvent.objects.filter(action="token.revoked", target_id=str(created["id"])).exists()
    # and the token the tests use still works
    assert agent_api.get("me").status_code == 200


def test_it_prints_a_working_token_from_the_command_line(agent):
    out = StringIO()
    call_command("createtoken", "agent", "--name", "nightly import", stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("sl_")
    response = Client().get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "agent"
    assert PersonalToken.objects.get(user=agent).name == "nightly import"


def test_it_refuses_to_print_a_token_for_an_unknown_user(agent):
    with pytest.raises(CommandError):
        call_command("createtoken", "nobody", stdout=StringIO())
    assert not PersonalToken.objects.exists()


# --- the browser session -------------------------------------------------------------------


@pytest.fixture
def browser(agent):
    """A signed-in browser whose requests go through the CSRF check, as a real one's do."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    client.cookies["csrftoken"] = CSRF_SECRET
    return client


def test_it_reads_with_the_browser_session(browser):
    response = browser.get("/api/v1/me")
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "agent"


def test_it_refuses_a_session_write_without_the_csrf_token(browser):
    response = browser.post(
        "/api/v1/tokens", {"name": "from the browser"}, content_type="application/json"
    )
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "csrf_failed"
    assert not PersonalToken.objects.exists()


def test_it_accepts_a_session_write_with_the_csrf_token(browser):
    response = browser.post(
        "/api/v1/tokens",
        {"name": "from the browser"},
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )
    assert response.status_code == 201, response.content
    assert PersonalToken.objects.get().name == "from the browser"


def test_it_uses_the_session_users_language(agent):
    agent.language = "zh-hans"
    agent.save()
    client = Client()
    client.force_login(agent)
    response = client.get("/api/v1/tickets/CS-20260101-000001", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response["Content-Language"] == "zh-hans"
