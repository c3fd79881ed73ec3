"""Starting points shared by the satisfaction tests and the web's tests of the survey pages
(serviceloop/web/tests: test_csat_survey.py, test_nps_survey.py)."""

import re

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.satisfaction import services
from tests.builders import make_customer, make_user

from .conftest import SITE

# The five one-click links of a CSAT request mail: (path, score).
LINK = re.compile(re.escape(SITE) + r"(/surveys/csat/[^/\s]+/(\d)/)")


def events(survey, action):
    return list(AuditEvent.objects.filter(action=action, target_id=str(survey.pk)))


# --- an NPS campaign ---------------------------------------------------------------------


@pytest.fixture
def specialist(db):
    return make_user(Role.SPECIALIST, username="specialist")


@pytest.fixture
def people(db):
    english = make_customer("Alex Smith", email="alex@example.com")
    chinese = make_customer("李娜", email="lina@example.com")
    chinese.language = "zh-hans"
    chinese.save(update_fields=["language"])
    return {"en": english, "zh-hans": chinese}


def send(specialist, committed):
    campaign = services.create_nps_campaign(actor=specialist, name="Spring", seed=5)
    with committed():
        services.send_nps_campaign(campaign=campaign, actor=specialist)
    return campaign
