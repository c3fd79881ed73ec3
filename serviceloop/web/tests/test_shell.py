"""Sign-in, navigation by role, language and time zone per user, rate limits, password reset."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.web.tests.conftest import signed_in
from tests.builders import at_once, make_user

PASSWORD = "a long test password 42"


def test_the_front_door_offers_sign_in_portal_and_progress_check(client, db):
    page = client.get("/").content.decode()
    assert reverse("login") in page
    assert reverse("portal:new") in page
    assert reverse("portal:track") in page


def test_signing_in_takes_staff_to_the_queue_and_customers_to_the_portal(agent, customer_user):
    for user, start in ((agent, reverse("desk:queue")), (customer_user, reverse("portal:home"))):
        response = Client().post(
            reverse("login"), {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] == start


def test_a_wrong_password_is_refused_with_a_message_on_the_form(agent):
    response = Client().post(reverse("login"), {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session
    assert "correct username and password" in response.content.decode()


def test_the_login_refusal_speaks_chinese_to_a_chinese_browser(agent):
    client = Client(headers={"accept-language": "zh-hans"})
    response = client.post(reverse("login"), {"username": "agent", "password": "wrong"})
    assert "请输入一个正确的" in response.content.decode()


def test_signing_in_is_rate_limited_per_user_name(agent, settings):
    settings.LOGIN_RATE = "3/m"
    client = Client()
    for _ in range(3):
        client.post(reverse("login"), {"username": "agent", "password": "wrong"})
    refused = Client().post(reverse("login"), {"username": "agent", "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert "_auth_user_id" not in refused.client.session


def test_the_rate_limit_message_is_translated(agent, settings):
    settings.LOGIN_RATE = "1/m"
    client = Client(headers={"accept-language": "zh-hans"})
    client.post(reverse("login"), {"username": "agent", "password": "wrong"})
    refused = client.post(reverse("login"), {"username": "agent", "password": "wrong"})
    assert refused.status_code == 429
    assert "尝试次数过多" in refused.content.decode()


def test_passwords_are_stored_with_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user(Role.AGENT, username="hashed")
    assert user.password.startswith("argon2")


@pytest.mark.parametrize(
    ("role", "offered", "not_offered"),
    [
        (Role.AGENT, ["desk:queue", "desk:new"], ["desk:board", "admin:index"]),
        (Role.SUPERVISOR, ["desk:queue", "desk:new", "desk:board"], ["admin:index"]),
        (Role.ANALYST, ["desk:queue"], ["desk:new", "desk:board", "admin:index"]),
        (Role.ADMIN, ["desk:queue", "desk:board", "admin:index"], []),
        (Role.CUSTOMER, ["portal:home", "portal:new"], ["desk:queue", "desk:board"]),
        (Role.PARTNER, ["api-v1:openapi-view"], ["portal:home", "desk:queue"]),
    ],
)
def test_the_navigation_shows_each_role_only_what_it_may_use(team, role, offered, not_offered):
    user = make_user(role, teams=[team] if role in (Role.AGENT, Role.SUPERVISOR) else [])
    nav = signed_in(user).get(reverse("preferences")).content.decode()
    nav = nav[nav.index("<nav") : nav.index("</nav>")]
    for name in offered:
        assert f'href="{reverse(name)}"' in nav, name
    for name in not_offered:
        assert f'href="{reverse(name)}"' not in nav, name


def test_the_language_switch_is_remembered_on_the_user(agent_client, agent):
    agent_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/preferences/"})
    agent.refresh_from_db()
    assert agent.language == "zh-hans"
    # a new session in an English browser still gets Chinese
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    assert "偏好设置" in client.get(reverse("preferences")).content.decode()


def test_the_language_switch_refuses_to_redirect_off_site(agent_client):
    response = agent_client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_preferences_save_the_time_zone_and_refuse_an_unknown_one(agent_client, agent):
    response = agent_client.post(
        reverse("preferences"), {"language": "", "time_zone": "Europe/Berlin"}
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.time_zone == "Europe/Berlin"
    refused = agent_client.post(reverse("preferences"), {"language": "", "time_zone": "Mars/Base"})
    assert refused.status_code == 200
    assert 'data-error-for="time_zone"' in refused.content.decode()
    agent.refresh_from_db()
    assert agent.time_zone == "Europe/Berlin"


def test_password_reset_by_e_mail_end_to_end(agent):
    client = Client()
    response = client.post(reverse("password_reset"), {"email": agent.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = "a brand new secret 7"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert Client().login(username="agent", password=new)


def test_password_reset_is_rate_limited(db, settings):
    settings.PUBLIC_FORM_RATE = "2/h"
    client = Client()
    for _ in range(2):
        assert client.post(reverse("password_reset"), {"email": "x@example.com"}).status_code == 302
    assert client.post(reverse("password_reset"), {"email": "x@example.com"}).status_code == 429


def test_password_change_needs_the_old_password(agent_client, agent):
    refused = agent_client.post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "x new pass 9876",
            "new_password2": "x new pass 9876",
        },
    )
    assert refused.status_code == 200
    assert 'data-error-for="old_password"' in refused.content.decode()
    done = agent_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "x new pass 9876",
            "new_password2": "x new pass 9876",
        },
    )
    assert done.status_code == 302


def test_pages_need_a_sign_in(client, db):
    response = client.get(reverse("preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_cookies_are_secure_once_the_site_has_a_real_host_name():
    from serviceloop import settings as module

    assert module._only_loopback(["127.0.0.1", "localhost"])
    assert not module._only_loopback(["127.0.0.1", "help.example.com"])


def test_customers_sign_in_with_their_e_mail_in_any_case(db):
    make_user(Role.CUSTOMER, username="mei@example.com")
    response = Client().post(
        reverse("login"), {"username": " Mei@Example.COM ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_partners_start_at_the_api_documentation(db):
    make_user(Role.PARTNER, username="courier")
    response = Client().post(reverse("login"), {"username": "courier", "password": PASSWORD})
    assert response["Location"] == reverse("api-v1:openapi-view")


@pytest.fixture
def empty_cache():
    """The rate limits count in the cache, whose table a transactional test does not empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_sign_ins_at_once_lets_exactly_the_limit_through(agent, settings, empty_cache):
    """Forty attempts at the same moment, each with a connection of its own (as from several
    server processes): ten are let in to try, thirty are refused."""
    settings.LOGIN_RATE = "10/m"

    def sign_in(_: int) -> int:
        response = Client().post(reverse("login"), {"username": "agent", "password": "wrong"})
        return response.status_code

    with time_machine.travel(datetime(2026, 11, 25, 2, 0, 10, tzinfo=UTC), tick=False):
        statuses = at_once(sign_in, count=40)

    assert (statuses.count(200), statuses.count(429)) == (10, 30), statuses
