"""Mailing the surveys of an NPS campaign, with the retries of customer messages.

A campaign's mails are not about a ticket, so they have no Delivery row of the
notifications app: each NpsResponse carries its own mail state. The text is the
administrators' MailTemplate of kind "nps" in the customer's language, rendered like every
customer message. A send is claimed with a conditional update (queued/failed -> sending),
so two workers never send one survey twice; a failure is retried 1, 5, 15 and 60 minutes
later, and rows a lost task or a dead worker left behind are picked up after 15 minutes.
"""

import logging
import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q

from serviceloop.core import clock
from serviceloop.notifications.choices import MessageKind
from serviceloop.notifications.composing import zone_of
from serviceloop.notifications.models import MailTemplate
from serviceloop.notifications.rendering import render
from serviceloop.notifications.services import MAX_ATTEMPTS, RETRY_DELAYS, STUCK_AFTER

from .choices import MailStatus
from .links import nps_page_url
from .models import NpsResponse

logger = logging.getLogger(__name__)
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


def retry_due_mails(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """The sweep: send the failed mails that are due again and the ones left queued or
    sending by a lost task or a dead worker; returns how many went out."""
    now = now or clock.now()
    stuck = now - STUCK_AFTER
    NpsResponse.objects.filter(mail_status=MailStatus.SENDING, last_attempt_at__lt=stuck).update(
        mail_status=MailStatus.FAILED, next_attempt_at=now, mail_error="the worker stopped"
    )
    due = NpsResponse.objects.filter(
        Q(mail_status=MailStatus.FAILED, next_attempt_at__lte=now)
        | Q(mail_status=MailStatus.QUEUED, sent_at__lt=stuck)
    ).order_by("next_attempt_at", "id")
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:batch]):
        if attempt_mail(pk) == MailStatus.SENT:
            sent += 1
    return sent


def attempt_mail(response_id: int) -> str:
    """Send the survey mail of response `response_id` if it is still to be sent and this
    caller claims it first; returns its mail status afterwards."""
    now = clock.now()
    sendable = Q(mail_status=MailStatus.QUEUED) | Q(
        mail_status=MailStatus.FAILED, next_attempt_at__isnull=False
    )
    claimed = NpsResponse.objects.filter(sendable, pk=response_id).update(
        mail_status=MailStatus.SENDING, mail_attempts=F("mail_attempts") + 1,
        last_attempt_at=now, next_attempt_at=None,
    )  # fmt: skip
    response = NpsResponse.objects.select_related("customer__user").get(pk=response_id)
    if not claimed:
        return response.mail_status
    template = MailTemplate.objects.filter(
        kind=MessageKind.NPS, language=response.language, is_active=True
    ).first()
    if template is None:
        _finish(response, MailStatus.SKIPPED, error="no active template for this language")
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
    _finish(response, MailStatus.SENT)
    return MailStatus.SENT


def _finish(response: NpsResponse, status: str, *, error: str = "") -> None:
    values: dict[str, object] = {"mail_status": status, "mail_error": error}
    if status == MailStatus.SENT:
        values["mailed_at"] = clock.now()
    NpsResponse.objects.filter(pk=response.pk, mail_status=MailStatus.SENDING).update(**values)


def _failed(response: NpsResponse, error: Exception, *, retry: bool) -> str:
    attempts = response.mail_attempts
    logger.warning("NPS survey %s to %s failed (attempt %s): %s", response.pk, response.email,
                   attempts, error)  # fmt: skip
    retry = retry and attempts < MAX_ATTEMPTS
    started = response.last_attempt_at or clock.now()
    NpsResponse.objects.filter(pk=response.pk, mail_status=MailStatus.SENDING).update(
        mail_status=MailStatus.FAILED,
        mail_error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=started + RETRY_DELAYS[attempts - 1] if retry else None,
    )
    return MailStatus.FAILED
