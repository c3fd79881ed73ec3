"""Mailing the surveys of an NPS campaign (once the satisfaction app recorded
`nps_campaign.sent`).

A campaign's mails are not about a ticket, so they have no Delivery row: each NpsResponse
carries its own mail state, sent and retried like every customer message (retrying.py). The
text is the administrators' MailTemplate of kind "nps" in the customer's language, rendered
like every customer message.
"""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from serviceloop.satisfaction.choices import MailStatus
from serviceloop.satisfaction.links import nps_page_url
from serviceloop.satisfaction.models import NpsResponse

from .choices import MessageKind
from .composing import zone_of
from .models import MailTemplate
from .rendering import render
from .retrying import Outbox

SURVEYS = Outbox(
    NpsResponse, status="mail_status", attempts="mail_attempts", error="mail_error",
    sent_at="mailed_at", queued_at="sent_at",
)  # fmt: skip
BATCH = 100


def mail_campaign(*, campaign_id: int) -> int:
    """Send the queued mails of one campaign (the task after it was sent); returns how
    many went out."""
    queued = NpsResponse.objects.filter(campaign_id=campaign_id, mail_status=MailStatus.QUEUED)
    sent = 0
    for pk in list(queued.order_by("id").values_list("pk", flat=True)):
        if attempt_mail(pk) == MailStatus.SENT:
            sent += 1
    return sent


def retry_due_mails(*, batch: int = BATCH) -> int:
    """The sweep: send the failed mails that are due again and the ones left queued or
    sending by a lost task or a dead worker; returns how many went out."""
    due = SURVEYS.due()
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:batch]):
        if attempt_mail(pk) == MailStatus.SENT:
            sent += 1
    return sent


def attempt_mail(response_id: int) -> str:
    """Send the survey mail of response `response_id` if it is still to be sent and this
    caller claims it first; returns its mail status afterwards."""
    claimed = SURVEYS.claim(response_id)
    response = NpsResponse.objects.select_related("customer__user").get(pk=response_id)
    if not claimed:
        return response.mail_status
    template = MailTemplate.objects.filter(
        kind=MessageKind.NPS, language=response.language, is_active=True
    ).first()
    if template is None:
        SURVEYS.finish(
            response.pk,
            mail_status=MailStatus.SKIPPED,
            mail_error="no active template for this language",
        )
        return MailStatus.SKIPPED
    context = {
        "customer_name": response.customer.name,
        "company_name": settings.COMPANY_NAME,
        "survey_url": nps_page_url(response),
        "expires_at": response.expires_at,
    }
    text = render(template, context, language=response.language, zone=zone_of(response.customer))
    message = EmailMessage(
        subject=text.subject,
        body=text.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[response.email],
        headers={
            "X-Serviceloop-Message": MessageKind.NPS,
            "Auto-Submitted": "auto-generated",
            "Content-Language": "zh-Hans" if response.language == "zh-hans" else response.language,
        },
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:  # the address itself is refused
        return _failed(response, error, retry=False)
    except Exception as error:  # SMTP, network, anything: recorded, retried by the sweep
        return _failed(response, error, retry=True)
    SURVEYS.sent(response.pk)
    return MailStatus.SENT


def _failed(response: NpsResponse, error: Exception, *, retry: bool) -> str:
    SURVEYS.failed(
        response.pk, error, attempts=response.mail_attempts,
        attempted_at=response.last_attempt_at, to=response.email, retry=retry,
    )  # fmt: skip
    return MailStatus.FAILED
