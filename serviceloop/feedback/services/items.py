"""Registering feedback items and deciding about them: classify, change the status, link
tickets, and all of it for many items at once."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import DomainError, NotPermitted, ValidationFailed
from serviceloop.core.text import trimmed
from serviceloop.customers.models import Customer, Organisation
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.queries import tickets_visible_to
from serviceloop.tickets.reference import catalogue

from .. import events, numbering
from ..choices import (
    CLASSIFICATION_CHOICES,
    CLASSIFICATION_FIELDS,
    FeedbackStatus,
    FeedbackUrgency,
    Source,
)
from ..models import FeedbackItem
from ..permissions import manages_feedback, require_manager
from ..queries import feedback_visible_to, tickets_numbered

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_REASON = 2_000
MAX_BULK = 200
MAX_TICKETS = 50
# What a classification changes on the row (category and team by their ids).
CLASSIFIED_COLUMNS = ("type", "urgency", "stage", "nature", "category", "team")
# Changing one of these stamps classified_at/by; category and team alone are routing.
JUDGED = ("type", "urgency", "stage", "nature")


# --- classification ------------------------------------------------------------------------


def clean_classification(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The classification `fields` (codes; "" clears, except urgency) as attribute values:
    type, urgency, stage, nature as codes, category and team as rows. Raises
    ValidationFailed naming every field at fault."""
    errors: dict[str, Promise | str] = {}
    cleaned: dict[str, Any] = {}
    known = catalogue()
    for name, raw in fields.items():
        value = "" if raw is None else str(raw).strip()
        if name not in CLASSIFICATION_FIELDS:
            errors[name] = _("This field is not accepted here.")
        elif name in CLASSIFICATION_CHOICES:
            allowed = CLASSIFICATION_CHOICES[name].values
            if value not in allowed and not (value == "" and name != "urgency"):
                errors[name] = _("Choose a valid value.")
            else:
                cleaned[name] = value
        elif name == "category":
            category = known.categories.get(value) if value else None
            if value and category is None:
                errors[name] = _("There is no category with this code.")
            else:
                cleaned[name] = category
        else:  # team
            team = known.teams.get(value) if value else None
            if value and team is None:
                errors[name] = _("There is no active team with this code.")
            else:
                cleaned[name] = team
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _classify(item: FeedbackItem, actor: User | None, cleaned: Mapping[str, Any]) -> bool:
    """Apply cleaned classification values to a locked item, save and audit; False when
    nothing changed."""
    before = audit.snapshot(item, CLASSIFIED_COLUMNS)
    for name, value in cleaned.items():
        setattr(item, name, value)
    before, after = audit.changed(before, audit.snapshot(item, CLASSIFIED_COLUMNS))
    if not after:
        return False
    now = clock.now()
    columns = [f"{name}_id" if name in ("category", "team") else name for name in after]
    if any(name in JUDGED for name in after):
        item.classified_at, item.classified_by = now, actor
        columns += ["classified_at", "classified_by"]
    item.updated_at = now
    item.save(update_fields=[*columns, "updated_at"])
    audit.record(
        actor=actor, action=events.FEEDBACK_CLASSIFIED, target=item, before=before, after=after
    )
    return True


def _lock(item: FeedbackItem) -> FeedbackItem:
    return (
        FeedbackItem.objects.select_for_update(of=("self",))
        .select_related("team", "category")
        .get(pk=item.pk)
    )


@transaction.atomic
def classify_feedback(*, item: FeedbackItem, actor: User, **fields: Any) -> FeedbackItem:
    """Set the item's type, urgency, stage, nature, category and/or team (codes; "" clears
    all but urgency). Stamps classified_at/by when type, urgency, stage or nature change.
    Audited as feedback.classified; an unchanged classification records nothing."""
    require_manager(actor)
    cleaned = clean_classification(fields)
    item = _lock(item)
    _classify(item, actor, cleaned)
    return item


# --- status --------------------------------------------------------------------------------


def clean_status(status: str, reason: str) -> tuple[str, str]:
    """The status code and the reason, checked: a rejection needs its reason."""
    reason = reason.strip()
    if status not in FeedbackStatus.values:
        raise ValidationFailed({"status": _("Choose a valid value.")})
    if status == FeedbackStatus.REJECTED and not reason:
        raise DomainError(_("Say why the feedback is rejected."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_("Use at most 2,000 characters."), field="reason")
    return status, reason


def _set_status(item: FeedbackItem, actor: User | None, status: str, reason: str) -> bool:
    fields = ["status", "rejection_reason"]
    before = audit.snapshot(item, fields)
    item.status = status
    item.rejection_reason = reason if status == FeedbackStatus.REJECTED else ""
    before, after = audit.changed(before, audit.snapshot(item, fields))
    if not after:
        return False
    item.updated_at = clock.now()
    item.save(update_fields=[*fields, "updated_at"])
    audit.record(
        actor=actor,
        action=events.FEEDBACK_STATUS_CHANGED,
        target=item,
        before=before,
        after=after,
        note=reason,
    )
    return True


@transaction.atomic
def change_feedback_status(
    *, item: FeedbackItem, actor: User, status: str, reason: str = ""
) -> FeedbackItem:
    """Move the item to `status` (new, accepted, planned, done, rejected; any to any, the
    audit trail keeps the path). Rejecting needs `reason`, which is kept on the item and
    shown to whoever sent the feedback; other changes keep the reason in the audit note."""
    require_manager(actor)
    status, reason = clean_status(status, reason)
    item = _lock(item)
    _set_status(item, actor, status, reason)
    return item


# --- many at once --------------------------------------------------------------------------


def bulk_classify(
    *, ids: Sequence[int], actor: User, status: str = "", reason: str = "", **fields: Any
) -> list[FeedbackItem]:
    """Classify (and/or move to `status`) every item in `ids` at once, all or nothing: one
    unknown id, one bad value and nothing changes (ValidationFailed naming `ids` or the
    field). Each item changed is audited as if changed alone. Returns the items."""
    require_manager(actor)
    wanted = list(dict.fromkeys(int(pk) for pk in ids))
    if not wanted:
        raise ValidationFailed({"ids": _("Select at least one item.")})
    if len(wanted) > MAX_BULK:
        raise ValidationFailed({"ids": _("Select at most 200 items at once.")})
    if not fields and not status:
        raise DomainError(_("Choose at least one value to set."))
    cleaned = clean_classification(fields)
    if status:
        status, reason = clean_status(status, reason)
    with transaction.atomic():
        found = {
            item.pk: item
            for item in feedback_visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("team", "category")
            .filter(pk__in=wanted)
        }
        missing = [str(pk) for pk in wanted if pk not in found]
        if missing:
            raise ValidationFailed(
                {
                    "ids": format_lazy(
                        _("There is no feedback item with the id {ids}."), ids=", ".join(missing)
                    )
                }
            )
        items = [found[pk] for pk in wanted]
        for item in items:
            _classify(item, actor, cleaned)
            if status:
                _set_status(item, actor, status, reason)
    return items


# --- tickets -------------------------------------------------------------------------------


@transaction.atomic
def link_tickets(*, item: FeedbackItem, actor: User, numbers: Sequence[str]) -> FeedbackItem:
    """Link the tickets with these numbers (those the actor sees) to the item; ones already
    linked are skipped. Audited as feedback.tickets_linked with the numbers added."""
    require_manager(actor)
    wanted = [number for number in numbers if number.strip()]
    if not wanted:
        raise ValidationFailed({"numbers": _("Give at least one ticket number.")})
    if len(wanted) > MAX_TICKETS:
        raise ValidationFailed({"numbers": _("Give at most 50 ticket numbers at once.")})
    tickets = tickets_numbered(actor, wanted, field="numbers")
    item = _lock(item)
    linked = set(item.tickets.values_list("pk", flat=True))
    added = [ticket for ticket in tickets if ticket.pk not in linked]
    if added:
        item.tickets.add(*added)
        item.updated_at = clock.now()
        item.save(update_fields=["updated_at"])
        audit.record(
            actor=actor,
            action=events.FEEDBACK_TICKETS_LINKED,
            target=item,
            after={"tickets": [ticket.number for ticket in added]},
        )
    return item


@transaction.atomic
def unlink_ticket(*, item: FeedbackItem, actor: User, number: str) -> FeedbackItem:
    """Remove the link to one ticket (nothing happens when it is not linked)."""
    require_manager(actor)
    item = _lock(item)
    ticket = item.tickets.filter(number=number.strip().upper()).first()
    if ticket is not None:
        item.tickets.remove(ticket)
        item.updated_at = clock.now()
        item.save(update_fields=["updated_at"])
        audit.record(
            actor=actor,
            action=events.FEEDBACK_TICKET_UNLINKED,
            target=item,
            before={"tickets": [ticket.number]},
        )
    return item


# --- registering ---------------------------------------------------------------------------


def _check_door(
    source: str,
    actor: User | None,
    customer: Customer | None,
    organisation: Organisation | None,
    errors: dict[str, Promise | str],
) -> None:
    """Whether `actor` may register feedback from `source` for this customer or partner.
    `actor` None is the system itself (another app, an import): trusted."""
    if source == Source.CUSTOMER and customer is None:
        errors["customer"] = _("Name the customer the feedback comes from.")
    if source == Source.PARTNER and organisation is None:
        errors["organisation"] = _("Name the partner the feedback comes from.")
    if actor is None:
        return
    if not actor.is_active:
        raise NotPermitted(_("Your account is not active."))
    if actor.is_staff_member:
        return
    if source == Source.CUSTOMER and actor.role == Role.CUSTOMER:
        if customer is not None and customer.user_id != actor.pk:
            raise NotPermitted(_("Customers can only send feedback of their own."))
        return
    if source == Source.PARTNER and actor.role == Role.PARTNER:
        if organisation is not None and organisation.pk != actor.organisation_id:
            raise NotPermitted(_("Partners can only send feedback of their organisation."))
        return
    raise NotPermitted(_("Your role may not send this kind of feedback."))


def _title_of(title: str, text: str) -> str:
    """The title given, else the text's first line (cut at 200 characters)."""
    title = trimmed(title)
    if title:
        return title
    first_line = text.splitlines()[0] if text else ""
    return first_line[: MAX_TITLE - 1] + "…" if len(first_line) > MAX_TITLE else first_line


def _check_text(title: str, text: str, errors: dict[str, Promise | str]) -> None:
    if not text:
        errors["text"] = _("Write what you want to tell us.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Use at most 20,000 characters.")
    if len(title) > MAX_TITLE:
        errors["title"] = _("Use at most 200 characters.")


def _check_tickets(
    tickets: Sequence[Ticket],
    source: str,
    actor: User | None,
    customer: Customer | None,
    errors: dict[str, Promise | str],
) -> None:
    """The tickets to link: not too many, in the actor's scope, and for customer feedback
    the customer's own."""
    if len(tickets) > MAX_TICKETS:
        errors["tickets"] = _("Give at most 50 ticket numbers at once.")
    elif tickets and actor is not None:
        visible = tickets_visible_to(actor).filter(pk__in=[t.pk for t in tickets]).count()
        if visible != len(tickets):
            errors["tickets"] = _("There is no ticket with this number in your scope.")
    foreign = [t for t in tickets if customer is not None and t.customer_id != customer.pk]
    if source == Source.CUSTOMER and foreign:
        errors["tickets"] = _("Link only tickets of this customer.")


def _clean_classification_of(
    actor: User | None,
    classification: Mapping[str, Any] | None,
    errors: dict[str, Promise | str],
) -> dict[str, Any]:
    """The classification given with the feedback, cleaned (its faults go to `errors`);
    NotPermitted when the actor may not classify."""
    if not classification:
        return {}
    if actor is not None and not manages_feedback(actor):
        raise NotPermitted(_("Your role may not classify feedback."))
    try:
        return clean_classification(classification)
    except ValidationFailed as invalid:
        errors.update(invalid.errors)
        return {}


def _new_item(
    source: str,
    title: str,
    text: str,
    customer: Customer | None,
    organisation: Organisation | None,
    submitter: User | None,
    tickets: Sequence[Ticket],
    cleaned: Mapping[str, Any],
) -> FeedbackItem:
    """The item to insert, numbered and classified; without a classified team or category
    it takes the first ticket's."""
    now = clock.now()
    item = FeedbackItem(
        number=numbering.next_number(now),
        source=source,
        title=title,
        text=text,
        customer=customer,
        organisation=organisation,
        submitted_by=submitter,
        urgency=FeedbackUrgency.MEDIUM,
        created_at=now,
        updated_at=now,
    )
    for name, value in cleaned.items():
        setattr(item, name, value)
    if any(name in cleaned for name in JUDGED):
        item.classified_at, item.classified_by = now, submitter
    if tickets and "team" not in cleaned:
        item.team_id = tickets[0].team_id
    if tickets and "category" not in cleaned:
        item.category_id = tickets[0].category_id
    return item


def _registered(
    item: FeedbackItem, anonymous: bool, tickets: Sequence[Ticket], cleaned: Mapping[str, Any]
) -> dict[str, Any]:
    """What the feedback.registered event records."""
    return {
        "number": item.number,
        "source": item.source,
        "anonymous": anonymous,
        "customer": item.customer_id,
        "organisation": item.organisation_id,
        "tickets": [ticket.number for ticket in tickets],
        **audit.snapshot(item, [name for name in CLASSIFIED_COLUMNS if name in cleaned]),
    }


@transaction.atomic
def register_feedback(
    *,
    source: str,
    title: str = "",
    text: str,
    actor: User | None,
    anonymous: bool = False,
    customer: Customer | None = None,
    organisation: Organisation | None = None,
    tickets: Sequence[Ticket] = (),
    classification: Mapping[str, Any] | None = None,
) -> FeedbackItem:
    """Register one feedback item; every door comes here (portal, API, desk, other apps).

    - customer: needs `customer` (a customer actor only their own record);
    - partner: needs `organisation` (a partner actor only their own);
    - staff: a staff actor; `anonymous` stores no reference to them anywhere — not on the
      item, not in the audit event (whose actor is then None);
    - survey: comments of surveys, usually registered by the system (`actor` None).

    `actor` None is the system (another app), trusted. `tickets` must be in the actor's
    scope (and the customer's own for customer feedback). `classification` (type, urgency,
    stage, nature, category, team as codes) is for managers and the system; without a team
    the item takes the first linked ticket's team and category. Audited as
    feedback.registered; raises ValidationFailed/NotPermitted and stores nothing.
    """
    errors: dict[str, Promise | str] = {}
    if source not in Source.values:
        raise ValidationFailed({"source": _("Choose a valid value.")})
    if anonymous and source != Source.STAFF:
        errors["anonymous"] = _("Only staff feedback can be anonymous.")
    _check_door(source, actor, customer, organisation, errors)
    text = trimmed(text)
    title = _title_of(title, text)
    _check_text(title, text, errors)
    tickets = list(dict.fromkeys(tickets))
    _check_tickets(tickets, source, actor, customer, errors)
    cleaned = _clean_classification_of(actor, classification, errors)
    if errors:
        raise ValidationFailed(errors)

    submitter = None if anonymous else actor
    item = _new_item(source, title, text, customer, organisation, submitter, tickets, cleaned)
    item.save(force_insert=True)
    if tickets:
        item.tickets.add(*tickets)
    after = _registered(item, anonymous, tickets, cleaned)
    audit.record(
        actor=None if anonymous else actor,
        action=events.FEEDBACK_REGISTERED,
        target=item,
        after=after,
    )
    return item
