"""The NPS survey's page, reached from the campaign's mail: the 0-10 form, its refusals, a
change within seven days, an expired link. The mails themselves are tested in
serviceloop/satisfaction/tests/test_nps_mail.py."""

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse

from serviceloop.audit.models import AuditEvent
from serviceloop.satisfaction import links
from serviceloop.satisfaction.models import NpsResponse
from serviceloop.satisfaction.tests import conftest as satisfaction_tests
from serviceloop.satisfaction.tests import given as satisfaction_given
from serviceloop.satisfaction.tests.conftest import SITE
from serviceloop.satisfaction.tests.given import send

# The satisfaction tests' fixtures: the frozen clock and the site's settings (autouse),
# commit callbacks, a specialist and two customers (English, Chinese).
clock = satisfaction_tests.clock
site = satisfaction_tests.site
committed = satisfaction_tests.committed
specialist = satisfaction_given.specialist
people = satisfaction_given.people

LINK = re.compile(re.escape(SITE) + r"(/surveys/nps/[^/\s]+/)")


def mail_to(address):
    (found,) = [m for m in mail.outbox if m.to == [address]]
    return found


def test_each_customer_gets_one_mail_in_their_language_with_a_working_link(
    specialist, people, committed
):
    campaign = send(specialist, committed)

    assert len(mail.outbox) == 2
    english, chinese = mail_to("alex@example.com"), mail_to("lina@example.com")
    assert "recommend Acme" in english.subject
    assert "推荐 Acme" in chinese.subject
    assert english.extra_headers["X-Serviceloop-Message"] == "nps"
    assert chinese.extra_headers["Content-Language"] == "zh-Hans"
    path = LINK.search(chinese.body).group(1)
    response = NpsResponse.objects.get(campaign=campaign, customer=people["zh-hans"])
    assert (response.mail_status, response.mail_attempts) == ("sent", 1)
    assert response.mailed_at is not None

    page = Client().get(path)
    assert page.status_code == 200
    assert page["Content-Language"] == "zh-hans"
    assert page.content.decode().count('name="score"') == 11
    answer = Client().post(path, {"score": "9", "reason": "快"})
    assert answer.status_code == 302
    response.refresh_from_db()
    assert (response.score, response.reason) == (9, "快")
    assert AuditEvent.objects.filter(action="nps.answered", target_id=str(response.pk)).exists()


def test_the_nps_form_refuses_a_missing_score_and_keeps_nothing(specialist, people, committed):
    campaign = send(specialist, committed)
    response = NpsResponse.objects.get(campaign=campaign, customer=people["en"])
    path = reverse("surveys:nps", args=[links.make_token(response)])

    refused = Client().post(path, {"reason": "no score"})

    assert refused.status_code == 422
    assert 'data-error-for="score"' in refused.content.decode()
    response.refresh_from_db()
    assert response.answered_at is None


def test_an_nps_answer_changes_within_seven_days_and_is_locked_after(
    specialist, people, committed, clock
):
    campaign = send(specialist, committed)
    response = NpsResponse.objects.get(campaign=campaign, customer=people["en"])
    path = reverse("surveys:nps", args=[links.make_token(response)])
    Client().post(path, {"score": "4"})
    clock.shift(timedelta(days=6))
    Client().post(path, {"score": "8", "reason": "Better now"})
    clock.shift(timedelta(days=2))

    locked = Client().post(path, {"score": "0"})

    assert locked.status_code == 409
    response.refresh_from_db()
    assert (response.score, response.reason) == (8, "Better now")
    assert AuditEvent.objects.filter(action="nps.answered").count() == 1
    assert AuditEvent.objects.filter(action="nps.updated").count() == 1


def test_an_expired_nps_link_is_refused(specialist, people, committed, clock):
    campaign = send(specialist, committed)
    response = NpsResponse.objects.get(campaign=campaign, customer=people["en"])
    path = reverse("surveys:nps", args=[links.make_token(response)])
    clock.shift(timedelta(days=31))

    assert Client().get(path).status_code == 410
    assert Client().post(path, {"score": "10"}).status_code == 410
    response.refresh_from_db()
    assert response.answered_at is None
