"""Fixtures shared by every test (app tests live in serviceloop/<app>/tests/)."""

import os

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.calendars import schedules
from serviceloop.routing import shifts
from serviceloop.sla import services as sla
from serviceloop.tickets import reference
from serviceloop.webhooks import services as webhooks
from tests.builders import make_category, make_team, make_user


@pytest.fixture
def team(db):
    return make_team("support", default=True)


@pytest.fixture
def other_team(db):
    return make_team("billing")


@pytest.fixture
def category(team):
    return make_category("delivery", team=team)


@pytest.fixture
def agent(team):
    return make_user(Role.AGENT, username="agent", teams=[team], full_name="王芳")


@pytest.fixture
def teammate(team):
    return make_user(Role.AGENT, username="teammate", teams=[team])


@pytest.fixture
def outsider(other_team):
    """An agent of another team."""
    return make_user(Role.AGENT, username="outsider", teams=[other_team])


@pytest.fixture
def supervisor(team):
    return make_user(Role.SUPERVISOR, username="supervisor", teams=[team], full_name="赵主管")


@pytest.fixture
def admin_user(db):
    return make_user(Role.ADMIN, username="admin")


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    """Argon2 (the production hasher) would make up most of the run time of tests that make
    users; serviceloop/web/tests/test_shell.py checks that Argon2 is what production stores."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Every test's uploaded files go to a folder of its own: the path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _tasks_in_process(settings):
    """Enqueued tasks run at once, unless TASKS_BACKEND is set (CI's Redis step) or a test
    sets up a queue of its own (tests/worker)."""
    if "TASKS_BACKEND" not in os.environ:
        settings.TASKS = {
            "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
        }


@pytest.fixture(autouse=True)
def _fresh_reference_data():
    """Each test starts without the process's cached categories and teams: rows cached in
    an earlier test may have been rolled back with it."""
    caches = (reference.forget, schedules.forget, sla.forget, shifts.forget, webhooks.forget)
    for forget in caches:
        forget()
    yield
    for forget in caches:
        forget()
