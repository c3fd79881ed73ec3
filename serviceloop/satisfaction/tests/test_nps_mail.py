"""An NPS campaign's mails: one per surveyed customer in their language, with a link to the
0-10 form; failed sends are retried by the sweep, and a mail is never sent twice."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.notifications.models import MailTemplate
from serviceloop.notifications.tests.smtp import closed_port, mailers_for
from serviceloop.satisfaction import links, mailing, services
from serviceloop.satisfaction.models import NpsResponse
from tests.builders import make_customer, make_user

from .conftest import SITE

LINK = re.compile(re.escape(SITE) + r"(/surveys/nps/[^/\s]+/)")
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


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


def test_a_second_run_of_the_mail_task_sends_nothing_more(specialist, people, committed):
    campaign = send(specialist, committed)

    assert mailing.mail_campaign(campaign_id=campaign.pk) == 0
    assert mailing.retry_due_mails() == 0
    assert len(mail.outbox) == 2


def test_a_failed_mail_is_retried_by_the_sweep(specialist, people, committed, settings, clock):
    settings.MAILERS = mailers_for(closed_port())
    campaign = send(specialist, committed)
    rows = NpsResponse.objects.filter(campaign=campaign)
    assert set(rows.values_list("mail_status", flat=True)) == {"failed"}
    assert mail.outbox == []
    first = rows.first()
    assert first.next_attempt_at == first.last_attempt_at + timedelta(minutes=1)

    settings.MAILERS = LOCMEM
    assert mailing.retry_due_mails() == 0  # not due yet
    clock.shift(timedelta(minutes=1))
    assert mailing.retry_due_mails() == 2

    assert set(rows.values_list("mail_status", flat=True)) == {"sent"}
    assert set(rows.values_list("mail_attempts", flat=True)) == {2}
    assert len(mail.outbox) == 2


def test_without_a_template_the_mail_is_skipped(specialist, people, committed):
    MailTemplate.objects.filter(kind="nps", language="en").update(is_active=False)

    campaign = send(specialist, committed)

    response = NpsResponse.objects.get(campaign=campaign, customer=people["en"])
    assert response.mail_status == "skipped"
    assert [m.to for m in mail.outbox] == [["lina@example.com"]]


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
