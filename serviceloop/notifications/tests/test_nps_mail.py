"""An NPS campaign's mails: one per surveyed customer in their language, with a link to the
0-10 form; failed sends are retried by the sweep, and a mail is never sent twice. The form
and the mail's link at work: serviceloop/web/tests/test_nps_survey.py."""

from datetime import timedelta

from django.core import mail

from serviceloop.notifications import surveys
from serviceloop.notifications.models import MailTemplate
from serviceloop.satisfaction.models import NpsResponse
from serviceloop.satisfaction.tests import conftest as satisfaction_tests
from serviceloop.satisfaction.tests import given
from serviceloop.satisfaction.tests.given import send

from .smtp import closed_port, mailers_for

# A specialist and two customers (English, Chinese), shared with the survey pages' tests,
# at the satisfaction tests' moment.
specialist = given.specialist
people = given.people
clock = satisfaction_tests.clock

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def test_a_second_run_of_the_mail_task_sends_nothing_more(specialist, people, committed):
    campaign = send(specialist, committed)

    assert surveys.mail_campaign(campaign_id=campaign.pk) == 0
    assert surveys.retry_due_mails() == 0
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
    assert surveys.retry_due_mails() == 0  # not due yet
    clock.shift(timedelta(minutes=1))
    assert surveys.retry_due_mails() == 2

    assert set(rows.values_list("mail_status", flat=True)) == {"sent"}
    assert set(rows.values_list("mail_attempts", flat=True)) == {2}
    assert len(mail.outbox) == 2


def test_without_a_template_the_mail_is_skipped(specialist, people, committed):
    MailTemplate.objects.filter(kind="nps", language="en").update(is_active=False)

    campaign = send(specialist, committed)

    response = NpsResponse.objects.get(campaign=campaign, customer=people["en"])
    assert response.mail_status == "skipped"
    assert [m.to for m in mail.outbox] == [["lina@example.com"]]
