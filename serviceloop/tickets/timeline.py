"""The ticket page's timeline: everything that happened to a ticket in one list, oldest first.

Interactions and internal notes (queries.conversation), promises (queries.commitments_of),
files (queries.attachments_of) and the audit trail (status changes and other events, each as
a readable sentence in the active language). A fixed number of queries whatever the length
of the history: each source is read once, and the people the events name in one more.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from serviceloop.accounts.models import User
from serviceloop.audit import queries as audit_queries
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.models import Customer

from . import queries
from .choices import CommitmentStatus, Status, Urgency
from .events import (
    ASSIGNEE_CHANGES,
    ATTACHMENT_ADDED,
    COMMITMENT_CREATED,
    COMMITMENT_KEPT,
    COMMITMENT_MISSED,
    COMMITMENT_MOVED,
    COMMITMENT_REMINDED,
    COMMITMENT_RENEGOTIATED,
    INTERACTION_ADDED,
    INTERACTION_EDITED,
    NOTE_ADDED,
    TICKET_ASSIGNED,
    TICKET_CREATED,
    TICKET_CUSTOMER_REMINDED,
    TICKET_FIRST_RESPONSE,
    TICKET_FOLLOWED_UP,
    TICKET_FOLLOWS,
    TICKET_MERGE_RECEIVED,
    TICKET_MERGED,
    TICKET_REOPENED,
    TICKET_TRANSFERRED,
    TICKET_TRANSITIONED,
    TICKET_UPDATED,
    TICKET_URGENCY_CHANGED,
)
from .models import Attachment, Commitment, Interaction, Ticket
from .reference import catalogue

EntryKind = Literal["request", "interaction", "note", "commitment", "attachment", "status", "event"]

# Events of the apps above tickets, which tickets may not import: the names are theirs
# (sla.events, satisfaction.events, followups.events) and tests/test_events.py checks that
# these copies say the same.
TICKET_ESCALATED: Final = "ticket.escalated"
CSAT_SCHEDULED: Final = "csat.scheduled"
CSAT_REQUESTED: Final = "csat.requested"
CSAT_ANSWERED: Final = "csat.answered"
CSAT_UPDATED: Final = "csat.updated"
FOLLOW_UP_OPENED: Final = "follow_up.opened"
FOLLOW_UP_RECORDED: Final = "follow_up.recorded"
FOLLOW_UP_CANCELLED: Final = "follow_up.cancelled"
FOLLOW_UP_OVERDUE: Final = "follow_up.overdue"

# Events already shown through what they describe (the interaction, the promise, the file),
# and bookkeeping that says nothing to a reader.
_SHOWN_ELSEWHERE = frozenset(
    {
        TICKET_CREATED,
        TICKET_FIRST_RESPONSE,
        INTERACTION_ADDED,
        NOTE_ADDED,
        COMMITMENT_CREATED,
        ATTACHMENT_ADDED,
        TICKET_ESCALATED,  # the system's internal note says what happened and to whom
        CSAT_SCHEDULED,
        FOLLOW_UP_OVERDUE,  # the assignee's notification
    }
)
# Same moment: the request first, then what was said, promised, attached, and what it did.
_RANK: dict[str, int] = {
    "request": 0,
    "interaction": 1,
    "note": 1,
    "commitment": 2,
    "attachment": 3,
    "status": 4,
    "event": 4,
}


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One line of the timeline. `sentence` is plain text (escaped when rendered)."""

    kind: EntryKind
    at: datetime
    actor: str = ""
    sentence: str = ""
    note: str = ""  # a reason, resolution summary or merge note that goes with an event
    interaction: Interaction | None = None
    commitment: Commitment | None = None
    attachments: list[Attachment] = field(default_factory=list)
    from_ticket: str = ""  # the number of the merged ticket it came from, if any


def timeline_of(ticket: Ticket, *, user: User, merged_ids: list[int] | None = None) -> list[Entry]:
    """The ticket's history for `user`, oldest first.

    Customers and partners get neither internal notes and files nor the audit trail; staff
    get all of it. Interactions and files of tickets merged into this one are included.
    """
    if merged_ids is None:
        merged_ids = queries.merged_ticket_ids(ticket)
    interactions = queries.conversation(ticket, user=user, merged_ids=merged_ids)
    commitments = queries.commitments_of(ticket)
    attachments = queries.attachments_of(ticket, user=user, merged_ids=merged_ids)
    events = list(audit_queries.events_of_ticket(ticket.pk)) if user.is_staff_member else []
    numbers = _merged_numbers(merged_ids)
    people = _people(events, attachments)

    files_of: dict[int, list[Attachment]] = {}
    loose: list[Attachment] = []
    shown = {interaction.pk for interaction in interactions}
    for attachment in attachments:
        if attachment.interaction_id in shown:
            files_of.setdefault(attachment.interaction_id, []).append(attachment)
        else:
            loose.append(attachment)

    created = next((e for e in events if e.action == TICKET_CREATED), None)
    recorder = people.get(created.actor_id) if created and created.actor_id else None
    entries = [
        Entry(
            kind="request",
            at=ticket.created_at,
            # who recorded it for the customer (a request the customer sent names nobody)
            actor=recorder.display_name if recorder and recorder.is_staff_member else "",
        )
    ]
    for interaction in interactions:
        entries.append(
            Entry(
                kind="note" if interaction.is_internal else "interaction",
                at=interaction.occurred_at,
                # a note with no author was written by the system (an escalation)
                actor=interaction.author.display_name
                if interaction.author
                else str(_("The system")),
                interaction=interaction,
                attachments=files_of.get(interaction.pk, []),
                from_ticket=numbers.get(interaction.ticket_id, ""),
            )
        )
    for commitment in commitments:
        entries.append(
            Entry(
                kind="commitment",
                at=commitment.created_at,
                actor=commitment.owner.display_name,
                commitment=commitment,
            )
        )
    for attachment in loose:
        uploader = people.get(attachment.uploaded_by_id or 0)
        entries.append(
            Entry(
                kind="attachment",
                at=attachment.created_at,
                actor=uploader.display_name if uploader else "",
                attachments=[attachment],
                from_ticket=numbers.get(attachment.ticket_id, ""),
            )
        )
    known = _Known(
        ticket=ticket,
        people=people,
        promised={str(commitment.pk): commitment.text for commitment in commitments},
    )
    for event in events:
        if event.action not in _SHOWN_ELSEWHERE:
            entries.append(_event_entry(event, known))
    entries.sort(key=lambda e: (e.at, _RANK[e.kind]))  # stable: ties keep their order
    return entries


def last_changed_by(ticket: Ticket) -> str | None:
    """Who made the latest recorded change to the ticket (display name), None if unknown —
    for the message that tells an agent whose edit theirs collided with."""
    event = (
        AuditEvent.objects.filter(ticket_id=ticket.pk, actor_id__isnull=False)
        .order_by("-occurred_at", "-id")
        .values("actor_id", "actor_label")
        .first()
    )
    if event is None:
        return None
    actor = User.objects.filter(pk=event["actor_id"]).first()
    return actor.display_name if actor else str(event["actor_label"])


def open_commitments_of_customer(customer: Customer, *, user: User) -> list[Commitment]:
    """The customer's open promises on the tickets `user` may see, soonest due first, with
    the ticket's number (for the customer panel, 客户画像)."""
    # the customer's visible tickets first: a handful, found by the customer index
    tickets = queries.tickets_visible_to(user).filter(customer_id=customer.pk).values("id")
    return list(
        Commitment.objects.filter(ticket__in=tickets, status=CommitmentStatus.OPEN)
        .select_related("ticket")
        .only("text", "due_at", "status", "ticket__number")
        .order_by("due_at", "id")[:20]
    )


# --- the pieces ----------------------------------------------------------------------------


def _merged_numbers(merged_ids: list[int]) -> dict[int, str]:
    if not merged_ids:
        return {}
    return dict(Ticket.objects.filter(pk__in=merged_ids).values_list("pk", "number"))


def _people(events: list[AuditEvent], attachments: list[Attachment]) -> dict[int, User]:
    """Everyone the events and files name: actors, assignees before and after, uploaders."""
    ids: set[int] = {a.uploaded_by_id for a in attachments if a.uploaded_by_id}
    for event in events:
        if event.actor_id:
            ids.add(event.actor_id)
        if event.action in ASSIGNEE_CHANGES:
            for values in (event.before, event.after):
                if isinstance(values.get("assignee"), int):
                    ids.add(values["assignee"])
    if not ids:
        return {}
    found = User.objects.filter(pk__in=ids).only(
        "full_name", "first_name", "last_name", "username", "role"
    )
    return {user.pk: user for user in found}


def _actor(event: AuditEvent, people: Mapping[int, User]) -> str:
    if event.actor_id is None:
        return _("The system")
    person = people.get(event.actor_id)
    return person.display_name if person else event.actor_label


def _label(choices: Iterable[Any], value: Any) -> str:
    labels = {choice.value: str(choice.label) for choice in choices}
    return labels.get(value, str(value) if value not in (None, "") else "—")


def _team(team_id: Any) -> str:
    team = catalogue().team_by_id.get(team_id) if isinstance(team_id, int) else None
    return team.name if team else "—"


def _category(category_id: Any) -> str:
    known = catalogue().category_by_id
    category = known.get(category_id) if isinstance(category_id, int) else None
    return category.name if category else "—"


def _person(user_id: Any, people: Mapping[int, User]) -> str:
    person = people.get(user_id) if isinstance(user_id, int) else None
    return person.display_name if person else "—"


# --- the audit events, told --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Known:
    """What the sentences may name besides the event: the ticket, the people the events name
    and the ticket's promises (their text by id)."""

    ticket: Ticket
    people: Mapping[int, User]
    promised: Mapping[str, str]


@dataclass(frozen=True)
class _Told:
    """An event as the timeline tells it: the sentence, the note that goes with it (the
    event's own, a resolution summary, a reason, a comment or none) and its kind."""

    sentence: str
    note: str
    kind: EntryKind = "event"


def _event_entry(event: AuditEvent, known: _Known) -> Entry:
    """The event as a sentence of the active language; "status" for changes of status."""
    actor = _actor(event, known.people)
    tell = _TELLING.get(event.action, _told_plainly)
    told = tell(event, actor, known)
    return Entry(
        kind=told.kind, at=event.occurred_at, actor=actor, sentence=told.sentence, note=told.note
    )


def _told_plainly(event: AuditEvent, actor: str, known: _Known) -> _Told:
    """An event the timeline has no sentence for: its name."""
    return _Told(_("%(actor)s: %(action)s") % {"actor": actor, "action": event.action}, event.note)


def _transitioned(event: AuditEvent, actor: str, known: _Known) -> _Told:
    before, after = event.before, event.after
    if "status" not in after:
        return _told_plainly(event, actor, known)
    sentence = _("%(actor)s changed the status: %(before)s → %(after)s") % {
        "actor": actor,
        "before": _label(Status, before.get("status")),
        "after": _label(Status, after["status"]),
    }
    # the notes of automatic moves ("first response") are bookkeeping; a summary is not
    return _Told(sentence, after.get("resolution") or "", kind="status")


def _reopened(event: AuditEvent, actor: str, known: _Known) -> _Told:
    return _Told(_("%(actor)s reopened the ticket") % {"actor": actor}, event.note, kind="status")


def _assigned(event: AuditEvent, actor: str, known: _Known) -> _Told:
    assignee = event.after.get("assignee")
    if assignee is None:
        sentence = _("%(actor)s returned the ticket to the team queue") % {"actor": actor}
    elif assignee == event.actor_id:
        sentence = _("%(actor)s took the ticket") % {"actor": actor}
    else:
        sentence = _("%(actor)s assigned the ticket to %(assignee)s") % {
            "actor": actor,
            "assignee": _person(assignee, known.people),
        }
    return _Told(sentence, event.note)


def _transferred(event: AuditEvent, actor: str, known: _Known) -> _Told:
    sentence = _("%(actor)s transferred the ticket from %(before)s to %(after)s") % {
        "actor": actor,
        "before": _team(event.before.get("team")),
        "after": _team(event.after.get("team")),
    }
    return _Told(sentence, event.note)


def _urgency_changed(event: AuditEvent, actor: str, known: _Known) -> _Told:
    sentence = _("%(actor)s changed the urgency: %(before)s → %(after)s") % {
        "actor": actor,
        "before": _label(Urgency, event.before.get("urgency")),
        "after": _label(Urgency, event.after.get("urgency")),
    }
    return _Told(sentence, event.note)


def _updated(event: AuditEvent, actor: str, known: _Known) -> _Told:
    return _Told(_updated_sentence(actor, event.before, event.after), event.note)


def _merged(event: AuditEvent, actor: str, known: _Known) -> _Told:
    ticket = known.ticket
    into = ticket.merged_into if ticket.merged_into_id == event.after.get("merged_into") else None
    sentence = _("%(actor)s merged this ticket into %(number)s") % {
        "actor": actor,
        "number": into.number if into else "—",
    }
    return _Told(sentence, event.note)


def _merge_received(event: AuditEvent, actor: str, known: _Known) -> _Told:
    sentence = _("%(actor)s merged %(number)s into this ticket") % {
        "actor": actor,
        "number": event.after.get("merged_ticket", "—"),
    }
    return _Told(sentence, event.note)


def _commitment(event: AuditEvent, actor: str, known: _Known) -> _Told:
    sentence = _commitment_sentence(event, actor, known.promised.get(event.target_id, ""))
    if event.action == COMMITMENT_RENEGOTIATED:
        return _Told(sentence, event.after.get("reason") or event.note)
    return _Told(sentence, event.note)


def _customer_reminded(event: AuditEvent, actor: str, known: _Known) -> _Told:
    sentence = _("%(actor)s reminded the customer that we wait for their answer") % {"actor": actor}
    return _Told(sentence, event.note)


def _follows(event: AuditEvent, actor: str, known: _Known) -> _Told:
    sentence = _("%(actor)s wrote to the closed ticket %(number)s; this ticket follows it") % {
        "actor": actor,
        "number": event.after.get("follows", "—"),
    }
    return _Told(sentence, event.note)


def _followed_up(event: AuditEvent, actor: str, known: _Known) -> _Told:
    sentence = _("%(actor)s wrote after the ticket was closed; the message opened %(number)s") % {
        "actor": actor,
        "number": event.after.get("follow_up", "—"),
    }
    return _Told(sentence, event.note)


def _interaction_edited(event: AuditEvent, actor: str, known: _Known) -> _Told:
    sentence = _("%(actor)s corrected an entry of the conversation") % {"actor": actor}
    return _Told(sentence, event.note)


def _csat_requested(event: AuditEvent, actor: str, known: _Known) -> _Told:
    return _Told(_("The customer was asked to rate the service"), event.note)


def _csat_answered(event: AuditEvent, actor: str, known: _Known) -> _Told:
    template = (
        _("The customer rated the service %(score)s of 5")
        if event.action == CSAT_ANSWERED
        else _("The customer changed the rating to %(score)s of 5")
    )
    sentence = template % {"score": event.after.get("score", "—")}
    return _Told(sentence, event.after.get("comment") or "")


def _follow_up_opened(event: AuditEvent, actor: str, known: _Known) -> _Told:
    sentence = _("A follow-up call was planned, due %(due)s") % {
        "due": _moment(event.after.get("due_at")),
    }
    return _Told(sentence, event.note)


def _follow_up_recorded(event: AuditEvent, actor: str, known: _Known) -> _Told:
    sentence = _("%(actor)s made the follow-up call: %(outcome)s") % {
        "actor": actor,
        "outcome": _("solved") if event.after.get("outcome") == "solved" else _("not solved"),
    }
    return _Told(sentence, "")  # the notes are the internal note beside it


def _follow_up_cancelled(event: AuditEvent, actor: str, known: _Known) -> _Told:
    return _Told(_("The follow-up call was cancelled: the ticket was reopened"), "")


# How each event is told (any other: plainly, by its name).
_TELLING: dict[str, Callable[[AuditEvent, str, _Known], _Told]] = {
    TICKET_TRANSITIONED: _transitioned,
    TICKET_REOPENED: _reopened,
    TICKET_ASSIGNED: _assigned,
    TICKET_TRANSFERRED: _transferred,
    TICKET_URGENCY_CHANGED: _urgency_changed,
    TICKET_UPDATED: _updated,
    TICKET_MERGED: _merged,
    TICKET_MERGE_RECEIVED: _merge_received,
    COMMITMENT_KEPT: _commitment,
    COMMITMENT_MISSED: _commitment,
    COMMITMENT_RENEGOTIATED: _commitment,
    COMMITMENT_REMINDED: _commitment,
    COMMITMENT_MOVED: _commitment,
    TICKET_CUSTOMER_REMINDED: _customer_reminded,
    TICKET_FOLLOWS: _follows,
    TICKET_FOLLOWED_UP: _followed_up,
    INTERACTION_EDITED: _interaction_edited,
    CSAT_REQUESTED: _csat_requested,
    CSAT_ANSWERED: _csat_answered,
    CSAT_UPDATED: _csat_answered,
    FOLLOW_UP_OPENED: _follow_up_opened,
    FOLLOW_UP_RECORDED: _follow_up_recorded,
    FOLLOW_UP_CANCELLED: _follow_up_cancelled,
}


def _moment(value: Any) -> str:
    """An ISO time of an audit event's values, in local time ("—" when there is none)."""
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _updated_sentence(actor: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    if set(after) == {"category"}:
        return _("%(actor)s changed the category: %(before)s → %(after)s") % {
            "actor": actor,
            "before": _category(before.get("category")),
            "after": _category(after.get("category")),
        }
    names = [_verbose_name(name) for name in after]
    return _("%(actor)s edited the ticket: %(fields)s") % {
        "actor": actor,
        "fields": pgettext("separator between the items of a list", ", ").join(names) or "—",
    }


def _verbose_name(name: str) -> str:
    try:
        return str(getattr(Ticket._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _commitment_sentence(event: AuditEvent, actor: str, text: str) -> str:
    values = {"actor": actor, "text": text or _("a promise")}
    if event.action == COMMITMENT_KEPT:
        return _("%(actor)s kept the promise “%(text)s”") % values
    if event.action == COMMITMENT_MISSED:
        return _("The promise “%(text)s” was missed") % values
    if event.action == COMMITMENT_RENEGOTIATED:
        return _("%(actor)s renegotiated the promise “%(text)s”") % values
    if event.action == COMMITMENT_REMINDED:
        return _("The owner was reminded of the promise “%(text)s”") % values
    if event.action == COMMITMENT_MOVED:
        return _("%(actor)s moved the promise “%(text)s” here from %(number)s") % {
            **values,
            "number": event.before.get("ticket", "—"),
        }
    return _("%(actor)s: %(action)s") % {"actor": actor, "action": event.action}
