"""What a customer message says: who receives it, in which language and time zone, and the
public facts of the ticket it is about.

Only what the customer may see goes into a context: the ticket's number, subject and status,
public replies, the resolution summary, promises. Never internal notes, the assignee or
the team.
"""

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.urls import reverse

from serviceloop.audit.models import AuditEvent
from serviceloop.customers.choices import ContactKind
from serviceloop.customers.language import language_of
from serviceloop.customers.models import Customer
from serviceloop.satisfaction import links as survey_links
from serviceloop.satisfaction.models import CsatSurvey
from serviceloop.tickets.choices import InteractionKind, Status
from serviceloop.tickets.models import Commitment, Interaction, Ticket

from .choices import MessageKind


@dataclass(frozen=True, kw_only=True)
class Recipient:
    name: str
    email: str
    phone: str
    language: str
    zone: ZoneInfo
    has_login: bool
    unverified_email: bool = False  # an address nobody has confirmed is all we have


def zone_of(customer: Customer) -> ZoneInfo:
    """The time zone of the customer's portal login, else TIME_ZONE."""
    name = customer.user.time_zone if customer.user else ""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(settings.TIME_ZONE)


def recipient_of(ticket: Ticket) -> Recipient:
    """Where the ticket's customer hears from us: their verified contacts (primary first),
    else their portal login's address. A contact someone typed for them is not used: mail
    to it could reach a stranger."""
    customer = ticket.customer
    contacts: dict[str, str] = {}
    unverified = False
    rows = customer.contacts.order_by("-is_primary", "id").values_list(
        "kind", "value", "verified_at"
    )
    for kind, value, verified_at in rows:
        if verified_at is None:
            unverified = unverified or kind == ContactKind.EMAIL
        else:
            contacts.setdefault(kind, value)
    user = customer.user
    email = contacts.get(ContactKind.EMAIL) or (user.email if user and user.is_active else "")
    return Recipient(
        name=customer.name,
        email=email,
        phone=contacts.get(ContactKind.PHONE, ""),
        language=language_of(customer, f"{ticket.subject}\n{ticket.description}"),
        zone=zone_of(customer),
        has_login=user is not None and user.is_active,
        unverified_email=unverified and not email,
    )


def tracking_url(ticket: Ticket, recipient: Recipient) -> str:
    """The ticket's portal page for a customer with a login, else the no-login progress
    check (ticket number + e-mail or phone)."""
    site = settings.SITE_URL.rstrip("/")
    if recipient.has_login:
        return site + reverse("portal:ticket", args=[ticket.number])
    return site + reverse("portal:track")


def _last_public_reply(ticket: Ticket) -> str:
    content = (
        Interaction.objects.filter(ticket=ticket, kind=InteractionKind.REPLY)
        .order_by("-occurred_at", "-id")
        .values_list("content", flat=True)
        .first()
    )
    return content or ""


def context_for(
    kind: str, event: AuditEvent, ticket: Ticket, recipient: Recipient
) -> dict[str, Any] | None:
    """The template context of message `kind` caused by `event`; None when there is nothing
    public to tell (e.g. the reply turned out to be an internal note)."""
    context: dict[str, Any] = {
        "customer_name": recipient.name,
        "ticket_number": ticket.number,
        "subject": ticket.subject,
        "status": Status(ticket.status).label,
        "tracking_url": tracking_url(ticket, recipient),
        "company_name": settings.COMPANY_NAME,
        "reply": "",
        "resolution": "",
        "promise": "",
        "due_at": None,
        "reason": "",
        "waiting_resolve_days": getattr(settings, "WAITING_RESOLVE_DAYS", None),
    }
    if kind == MessageKind.REPLIED:
        interaction = (
            Interaction.objects.select_related("author")
            .filter(pk=event.target_id, ticket=ticket)
            .first()
        )
        # only a reply is written to the customer; a logged call is the agent's own words
        if (
            interaction is None
            or interaction.kind != InteractionKind.REPLY
            or interaction.author is None
            or not interaction.author.is_staff_member
        ):
            return None
        context["reply"] = interaction.content
    elif kind == MessageKind.RESOLVED:
        context["resolution"] = ticket.resolution
    elif kind == MessageKind.PROMISED:
        commitment = Commitment.objects.filter(pk=event.target_id, ticket=ticket).first()
        if commitment is None:
            return None
        context["promise"], context["due_at"] = commitment.text, commitment.due_at
    elif kind == MessageKind.RENEGOTIATED:
        old = Commitment.objects.filter(pk=event.target_id).first()
        new = Commitment.objects.filter(renegotiated_from_id=int(event.target_id)).first()
        if old is None or new is None:
            return None
        context["promise"], context["due_at"] = new.text, new.due_at
        context["reason"] = old.reason or event.note
    elif kind == MessageKind.REMINDER:
        context["reply"] = _last_public_reply(ticket)
    elif kind == MessageKind.CSAT:
        survey = CsatSurvey.objects.filter(pk=event.target_id, ticket=ticket).first()
        if survey is None or survey.is_answered:  # answered meanwhile: nothing to ask
            return None
        for score, url in survey_links.csat_rating_urls(survey).items():
            context[f"rating_url_{score}"] = url
        context["survey_url"] = survey_links.csat_page_url(survey)
        context["expires_at"] = survey.expires_at
    return context
