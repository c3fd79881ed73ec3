"""The ticket page's timeline: everything that happened to a ticket in one list, oldest first.

Interactions and internal notes (queries.conversation), promises (queries.commitments_of),
files (queries.attachments_of) and the audit trail (status changes and other events, each as
a readable sentence in the active language). A fixed number of queries whatever the length
of the history: each source is read once, and the people the events name in one more.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

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
from .models import Attachment, Commitment, Interaction, Ticket
from .reference import catalogue

EntryKind = Literal["request", "interaction", "note", "commitment", "attachment", "status", "event"]

# Events already shown through what they describe (the interaction, the promise, the file),
# and bookkeeping that says nothing to a reader.
_SHOWN_ELSEWHERE = frozenset(
    {
        "ticket.created",
        "ticket.first_response",
        "interaction.added",
        "note.added",
        "commitment.created",
        "attachment.added",
        "ticket.escalated",  # the system's internal note says what happened and to whom
        "csat.scheduled",
        "follow_up.overdue",  # the assignee's notification
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

    created = next((e for e in events if e.action == "ticket.created"), None)
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
    promised = {str(commitment.pk): commitment.text for commitment in commitments}
    for event in events:
        if event.action not in _SHOWN_ELSEWHERE:
            entries.append(_event_entry(event, ticket=ticket, people=people, promised=promised))
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
        if event.action == "ticket.assigned" or event.action == "ticket.transferred":
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


def _event_entry(
    event: AuditEvent, *, ticket: Ticket, people: Mapping[int, User], promised: Mapping[str, str]
) -> Entry:
    """The event as a sentence of the active language; "status" for changes of status."""
    actor = _actor(event, people)
    before, after, action = event.before, event.after, event.action
    kind: EntryKind = "event"
    note = event.note
    if action == "ticket.transitioned" and "status" in after:
        kind = "status"
        sentence = _("%(actor)s changed the status: %(before)s → %(after)s") % {
            "actor": actor,
            "before": _label(Status, before.get("status")),
            "after": _label(Status, after["status"]),
        }
        # the notes of automatic moves ("first response") are bookkeeping; a summary is not
        note = after.get("resolution") or ""
    elif action == "ticket.reopened":
        kind = "status"
        sentence = _("%(actor)s reopened the ticket") % {"actor": actor}
    elif action == "ticket.assigned":
        assignee = after.get("assignee")
        if assignee is None:
            sentence = _("%(actor)s returned the ticket to the team queue") % {"actor": actor}
        elif assignee == event.actor_id:
            sentence = _("%(actor)s took the ticket") % {"actor": actor}
        else:
            sentence = _("%(actor)s assigned the ticket to %(assignee)s") % {
                "actor": actor,
                "assignee": _person(assignee, people),
            }
    elif action == "ticket.transferred":
        sentence = _("%(actor)s transferred the ticket from %(before)s to %(after)s") % {
            "actor": actor,
            "before": _team(before.get("team")),
            "after": _team(after.get("team")),
        }
    elif action == "ticket.urgency_changed":
        sentence = _("%(actor)s changed the urgency: %(before)s → %(after)s") % {
            "actor": actor,
            "before": _label(Urgency, before.get("urgency")),
            "after": _label(Urgency, after.get("urgency")),
        }
    elif action == "ticket.updated":
        sentence = _updated_sentence(actor, before, after)
    elif action == "ticket.merged":
        into = ticket.merged_into if ticket.merged_into_id == after.get("merged_into") else None
        sentence = _("%(actor)s merged this ticket into %(number)s") % {
            "actor": actor,
            "number": into.number if into else "—",
        }
    elif action == "ticket.merge_received":
        sentence = _("%(actor)s merged %(number)s into this ticket") % {
            "actor": actor,
            "number": after.get("merged_ticket", "—"),
        }
    elif action.startswith("commitment."):
        sentence = _commitment_sentence(event, actor, promised.get(event.target_id, ""))
        if action == "commitment.renegotiated":
            note = after.get("reason") or note
    elif action == "ticket.customer_reminded":
        sentence = _("%(actor)s reminded the customer that we wait for their answer") % {
            "actor": actor
        }
    elif action == "ticket.follows":
        sentence = _("%(actor)s wrote to the closed ticket %(number)s; this ticket follows it") % {
            "actor": actor,
            "number": after.get("follows", "—"),
        }
    elif action == "ticket.followed_up":
        sentence = _(
            "%(actor)s wrote after the ticket was closed; the message opened %(number)s"
        ) % {
            "actor": actor,
            "number": after.get("follow_up", "—"),
        }
    elif action == "csat.requested":
        sentence = _("The customer was asked to rate the service")
    elif action in ("csat.answered", "csat.updated"):
        template = (
            _("The customer rated the service %(score)s of 5")
            if action == "csat.answered"
            else _("The customer changed the rating to %(score)s of 5")
        )
        sentence = template % {"score": after.get("score", "—")}
        note = after.get("comment") or ""
    elif action == "follow_up.opened":
        sentence = _("A follow-up call was planned, due %(due)s") % {
            "due": _moment(after.get("due_at")),
        }
    elif action == "follow_up.recorded":
        sentence = _("%(actor)s made the follow-up call: %(outcome)s") % {
            "actor": actor,
            "outcome": _("solved") if after.get("outcome") == "solved" else _("not solved"),
        }
        note = ""  # the notes are the internal note beside it
    elif action == "follow_up.cancelled":
        sentence = _("The follow-up call was cancelled: the ticket was reopened")
        note = ""
    elif action == "interaction.edited":
        sentence = _("%(actor)s corrected an entry of the conversation") % {"actor": actor}
    else:
        sentence = _("%(actor)s: %(action)s") % {"actor": actor, "action": action}
    return Entry(kind=kind, at=event.occurred_at, actor=actor, sentence=sentence, note=note)


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
    if event.action == "commitment.kept":
        return _("%(actor)s kept the promise “%(text)s”") % values
    if event.action == "commitment.missed":
        return _("The promise “%(text)s” was missed") % values
    if event.action == "commitment.renegotiated":
        return _("%(actor)s renegotiated the promise “%(text)s”") % values
    if event.action == "commitment.reminded":
        return _("The owner was reminded of the promise “%(text)s”") % values
    if event.action == "commitment.moved":
        return _("%(actor)s moved the promise “%(text)s” here from %(number)s") % {
            **values,
            "number": event.before.get("ticket", "—"),
        }
    return _("%(actor)s: %(action)s") % {"actor": actor, "action": event.action}
