"""When a ticket is resolved its CSAT survey is made (once per ticket) and, after
SATISFACTION_DELAY_MINUTES, the customer gets one mail with five one-click links in their
language; a second resolution sends it again only if nobody answered. That the links work:
serviceloop/web/tests/test_csat_survey.py."""

from django.core import mail

from serviceloop.audit.models import AuditEvent
from serviceloop.customers.services import CustomerIdentity
from serviceloop.notifications.models import Delivery
from serviceloop.satisfaction import services
from serviceloop.satisfaction.models import CsatSurvey
from serviceloop.tickets import services as tickets
from tests.builders import make_ticket

from .conftest import NOW, SITE, mail_due_requests, resolve, resolved_ticket, survey_of
from .given import LINK


def test_resolving_makes_the_survey_but_mails_nothing_before_the_delay(agent, committed):
    ticket = resolved_ticket(agent, committed)

    survey = survey_of(ticket)
    assert survey.customer_id == ticket.customer_id
    assert survey.sent_at is None
    assert survey.answered_at is None
    assert survey.send_after == NOW + services.request_delay()
    assert not [m for m in mail.outbox if m.extra_headers.get("X-Serviceloop-Message") == "csat"]


def test_an_open_ticket_has_no_survey(agent, committed):
    with committed():
        ticket = make_ticket(agent)
        tickets.transition_ticket(ticket=ticket, to="in_progress", actor=agent)

    assert not CsatSurvey.objects.filter(ticket=ticket).exists()


def test_the_sweep_mails_a_request_once(agent, committed, clock):
    ticket = resolved_ticket(agent, committed)
    assert len(mail_due_requests(clock, committed)) == 1

    assert mail_due_requests(clock, committed) == []
    assert Delivery.objects.filter(ticket=ticket, kind="csat").count() == 1
    assert survey_of(ticket).send_after is None


def test_a_ticket_reopened_before_the_delay_gets_no_request(agent, committed, clock):
    ticket = resolved_ticket(agent, committed)
    with committed():
        tickets.transition_ticket(ticket=ticket, to="in_progress", actor=agent, reason="Not yet")

    assert mail_due_requests(clock, committed) == []
    assert survey_of(ticket).sent_at is None


def test_a_second_resolution_sends_the_same_survey_again_when_unanswered(agent, committed, clock):
    ticket = resolved_ticket(agent, committed)
    mail_due_requests(clock, committed)
    first = survey_of(ticket)
    with committed():
        tickets.transition_ticket(ticket=ticket, to="in_progress", actor=agent, reason="Broken")
    resolve(ticket, agent, committed)

    (again,) = mail_due_requests(clock, committed)

    assert CsatSurvey.objects.filter(ticket=ticket).count() == 1
    survey = survey_of(ticket)
    assert survey.pk == first.pk
    assert survey.requests == 2
    assert survey.sent_at > first.sent_at
    assert AuditEvent.objects.filter(action="csat.requested", target_id=str(survey.pk)).count() == 2
    assert LINK.search(again.body)


def test_a_second_resolution_of_an_answered_survey_sends_nothing(agent, committed, clock):
    ticket = resolved_ticket(agent, committed)
    mail_due_requests(clock, committed)
    services.answer_csat(survey=survey_of(ticket), score=4, via="email")
    with committed():
        tickets.transition_ticket(ticket=ticket, to="in_progress", actor=agent, reason="Broken")
    resolve(ticket, agent, committed)

    assert mail_due_requests(clock, committed) == []
    survey = survey_of(ticket)
    assert (survey.score, survey.requests) == (4, 1)


def test_a_survey_answered_before_the_request_is_not_requested(agent, committed, clock):
    ticket = resolved_ticket(agent, committed)
    services.answer_csat(survey=survey_of(ticket), score=5, via="portal")

    assert mail_due_requests(clock, committed) == []


def test_a_customer_reached_by_phone_only_gets_the_survey_page_by_sms(agent, committed, clock):
    ticket = make_ticket(agent, customer=CustomerIdentity(phone="+8613800138000", name="Wang"))
    resolve(ticket, agent, committed)

    assert mail_due_requests(clock, committed) == []

    rows = {d.channel: d for d in Delivery.objects.filter(ticket=ticket, kind="csat")}
    assert (rows["email"].status, rows["email"].reason) == ("skipped", "no_email")
    assert rows["sms"].to == "+8613800138000"
    assert f"{SITE}/surveys/csat/" in rows["sms"].body
    assert rows["sms"].status == "skipped"  # no SMS gateway configured here
