"""Read side of tickets: who sees what, lists with filters, one ticket's conversation."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, TeamMembership, User
from serviceloop.core import rows
from serviceloop.core.errors import ValidationFailed
from serviceloop.core.ids import parse_id
from serviceloop.customers.models import Customer, Organisation

from . import search
from .choices import OPEN_STATUSES, Channel, InteractionKind, Kind, Status, Urgency
from .models import Attachment, Category, Commitment, Interaction, Ticket
from .numbering import NUMBER_PATTERN
from .reference import catalogue

LIST_RELATED = ("assignee", "customer")  # category and team come from the catalogue


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """The one rule of ticket visibility, used by every list, page, export and API call.

    Admins, managers, specialists and analysts see all tickets; agents and supervisors
    their teams'; customers their own (or their organisation's, when it shares); partners
    what their organisation submitted.
    """
    tickets = Ticket.objects.all()
    if not user.is_active:
        return tickets.none()
    if user.sees_all_tickets:
        return tickets
    if user.role in (Role.AGENT, Role.SUPERVISOR):
        memberships = TeamMembership.objects.filter(user_id=user.pk).values("team_id")
        return tickets.filter(team_id__in=memberships)
    if user.role == Role.CUSTOMER:
        customer = (
            Customer.objects.filter(user=user)
            .values("id", "organisation_id", "organisation__shares_tickets")
            .first()
        )
        if customer is None:
            return tickets.none()
        if customer["organisation__shares_tickets"]:
            return tickets.filter(customer__organisation_id=customer["organisation_id"])
        return tickets.filter(customer_id=customer["id"])
    if user.role == Role.PARTNER and user.organisation_id:
        return tickets.filter(submitter_organisation_id=user.organisation_id)
    return tickets.none()


def visible_sql(user: User) -> tuple[str, list[Any]]:
    """`tickets_visible_to` as a WHERE condition on `t` (tickets) and `c` (its customer), for
    the hand-written reads. The same rule, spelled in SQL; a test checks that both agree for
    every role."""
    if not user.is_active:
        return "FALSE", []
    if user.sees_all_tickets:
        return "TRUE", []
    if user.role in (Role.AGENT, Role.SUPERVISOR):
        memberships = TeamMembership._meta.db_table
        condition = f"t.team_id IN (SELECT team_id FROM {memberships} WHERE user_id = %s)"  # noqa: S608
        return condition, [user.pk]
    if user.role == Role.CUSTOMER:
        customers, organisations = Customer._meta.db_table, Organisation._meta.db_table
        return (
            "(c.user_id = %s OR c.organisation_id IN ("  # noqa: S608
            f"SELECT o.id FROM {customers} own JOIN {organisations} o"
            " ON o.id = own.organisation_id WHERE own.user_id = %s AND o.shares_tickets))",
            [user.pk, user.pk],
        )
    if user.role == Role.PARTNER and user.organisation_id:
        return "t.submitter_organisation_id = %s", [user.organisation_id]
    return "FALSE", []


def get_ticket_for(user: User, number: str) -> Ticket:
    """The ticket with this number, with its assignee and customer, or 404 when it does not
    exist or is out of the user's scope (never 403: a number outside one's scope is not
    confirmed to exist).

    Hand-written: every ticket request starts here (core.rows on the ORM's compile cost).
    """
    number = number.strip().upper()
    if not NUMBER_PATTERN.fullmatch(number):
        raise Http404("ticket")
    condition, params = visible_sql(user)
    sql = (
        f"SELECT {rows.columns_of(Ticket, 't')}, {rows.columns_of(User, 'a')},"  # noqa: S608
        f" {rows.columns_of(Customer, 'c')}"
        f" FROM {Ticket._meta.db_table} t"
        f" JOIN {Customer._meta.db_table} c ON c.id = t.customer_id"
        f" LEFT JOIN {User._meta.db_table} a ON a.id = t.assignee_id"
        f" WHERE t.number = %s AND {condition}"
    )
    ticket = rows.fetch_one(
        Ticket,
        sql,
        [number, *params],
        alias="t",
        joined=(("assignee", User, "a"), ("customer", Customer, "c")),
    )
    if ticket is None:
        raise Http404("ticket")
    with_reference_data([ticket])
    return ticket


def with_reference_data(tickets: list[Ticket]) -> list[Ticket]:
    """Attach category, team and merged-into ticket without joining them in SQL (the
    categories and teams come from the process's catalogue)."""
    known = catalogue()
    merged_ids = {t.merged_into_id for t in tickets if t.merged_into_id is not None}
    merged = Ticket.objects.in_bulk(merged_ids) if merged_ids else {}
    for ticket in tickets:
        if ticket.category_id in known.category_by_id:
            ticket.category = known.category_by_id[ticket.category_id]
        if ticket.team_id in known.team_by_id:
            ticket.team = known.team_by_id[ticket.team_id]
        if ticket.merged_into_id in merged:
            ticket.merged_into = merged[ticket.merged_into_id]
    return tickets


@dataclass(frozen=True, kw_only=True)
class TicketFilter:
    """List filters; `status` accepts "open" for every open status."""

    status: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    urgency: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    team: str | None = None
    assignee: str | None = None  # a user id, "me" or "none"
    category: str | None = None  # includes the category's subcategories
    customer: int | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    q: str = ""


def _check_choices(
    errors: dict[str, Any], name: str, values: tuple[str, ...], allowed: list[str]
) -> None:
    if any(value not in allowed for value in values):
        errors[name] = _("Choose valid values.")


def filter_tickets(
    tickets: QuerySet[Ticket], filters: TicketFilter, *, user: User
) -> QuerySet[Ticket]:
    """Apply `filters`; unknown codes raise ValidationFailed naming the filter."""
    errors: dict[str, Any] = {}
    statuses = tuple(
        status
        for value in filters.status
        for status in (OPEN_STATUSES if value == "open" else [value])
    )
    _check_choices(errors, "status", statuses, Status.values)
    _check_choices(errors, "kind", filters.kind, Kind.values)
    _check_choices(errors, "urgency", filters.urgency, Urgency.values)
    _check_choices(errors, "channel", filters.channel, Channel.values)
    condition = Q()
    if statuses:
        condition &= Q(status__in=sorted(set(statuses)))
    if filters.kind:
        condition &= Q(kind__in=filters.kind)
    if filters.urgency:
        condition &= Q(urgency__in=filters.urgency)
    if filters.channel:
        condition &= Q(channel__in=filters.channel)
    if filters.team:
        team_id = Team.objects.filter(code=filters.team).values_list("id", flat=True).first()
        if team_id is None:
            errors["team"] = _("There is no team with this code.")
        condition &= Q(team_id=team_id)
    if filters.assignee:
        if filters.assignee == "none":
            condition &= Q(assignee__isnull=True)
        elif filters.assignee == "me":
            condition &= Q(assignee_id=user.pk)
        elif (assignee_id := parse_id(filters.assignee)) is not None:
            condition &= Q(assignee_id=assignee_id)
        else:
            errors["assignee"] = _("Give a user id, “me” or “none”.")
    if filters.category:
        ids = category_and_descendants(filters.category)
        if not ids:
            errors["category"] = _("There is no category with this code.")
        condition &= Q(category_id__in=ids)
    if filters.customer is not None:
        condition &= Q(customer_id=filters.customer)
    if filters.created_after:
        condition &= Q(created_at__gte=filters.created_after)
    if filters.created_before:
        condition &= Q(created_at__lt=filters.created_before)
    if errors:
        raise ValidationFailed(errors)
    tickets = tickets.filter(condition)
    q = filters.q.strip()
    if q:
        if NUMBER_PATTERN.fullmatch(q.upper()):
            return tickets.filter(number=q.upper())
        tickets = search.matching(tickets, q)
    return tickets


def category_and_descendants(code: str) -> list[int]:
    """Ids of the category with `code` and all below it (the tree is small: one query)."""
    nodes = list(Category.objects.values_list("id", "parent_id", "code"))
    root = next((node_id for node_id, _parent, node_code in nodes if node_code == code), None)
    if root is None:
        return []
    children: dict[int | None, list[int]] = {}
    for node_id, parent_id, _code in nodes:
        children.setdefault(parent_id, []).append(node_id)
    found, frontier = [root], [root]
    while frontier:
        frontier = [child for node in frontier for child in children.get(node, [])]
        found.extend(frontier)
    return found


_MERGED_INTO = (
    "WITH RECURSIVE merged(id) AS ("  # noqa: S608
    f" SELECT id FROM {Ticket._meta.db_table} WHERE merged_into_id = %s"
    f" UNION SELECT t.id FROM {Ticket._meta.db_table} t JOIN merged m ON t.merged_into_id = m.id"
    ") SELECT id FROM merged ORDER BY id"
)


def merged_ticket_ids(ticket: Ticket) -> list[int]:
    """Ids of the tickets merged into `ticket`, directly or through other merges (one
    recursive query: the ticket page runs it on every view)."""
    with connection.cursor() as cursor:
        cursor.execute(_MERGED_INTO, [ticket.pk])
        return [int(row[0]) for row in cursor.fetchall()]


def _shows_internal(user: User) -> bool:
    return user.is_staff_member


# Who reads which entries of a conversation, decided here once: the customer reads the
# replies written to them and the messages of their side, never what staff recorded in their
# own words (a logged call or visit, with the emotion they noted) nor notes; a partner also
# reads its own messages. Staff read everything.
CUSTOMER_KINDS = (InteractionKind.REPLY, InteractionKind.MESSAGE)
PARTNER_KINDS = (*CUSTOMER_KINDS, InteractionKind.PARTNER)


def visible_kinds(user: User) -> tuple[str, ...] | None:
    """The InteractionKinds `user` may read; None for all of them (staff)."""
    if _shows_internal(user):
        return None
    return PARTNER_KINDS if user.role == Role.PARTNER else CUSTOMER_KINDS


def shows_interaction(user: User, interaction: Interaction) -> bool:
    kinds = visible_kinds(user)
    return kinds is None or interaction.kind in kinds


def kinds_condition(user: User, column: str) -> str:
    """` AND <column> IN (...)` for who cannot read everything (the kinds are constants)."""
    kinds = visible_kinds(user)
    if kinds is None:
        return ""
    return f" AND {column} IN ({', '.join(repr(str(kind)) for kind in kinds)})"


def files_condition(user: User, alias: str) -> str:
    """` AND ...` on attachment rows `alias` that leaves out what `shows_attachment` would."""
    if _shows_internal(user):
        return ""
    return (
        f" AND NOT {alias}.is_internal AND ({alias}.interaction_id IS NULL OR EXISTS ("  # noqa: S608
        f"SELECT 1 FROM {Interaction._meta.db_table} fi"
        f" WHERE fi.id = {alias}.interaction_id{kinds_condition(user, 'fi.kind')}))"
    )


def shows_attachment(user: User, attachment: Attachment) -> bool:
    """A file is for the customer when it is not internal and the entry it came with (if
    any) is one they read."""
    if _shows_internal(user):
        return True
    if attachment.is_internal:
        return False
    interaction = attachment.interaction
    return interaction is None or shows_interaction(user, interaction)


def conversation(
    ticket: Ticket, *, user: User, merged_ids: list[int] | None = None
) -> list[Interaction]:
    """The interactions of the ticket and of tickets merged into it, oldest first, with their
    authors; for customers and partners only what they may read (`visible_kinds`).

    Hand-written, like the other reads of the ticket page: the ORM would spend more time
    compiling these statements than the database spends running them (core.rows).
    """
    ids = [ticket.pk, *(merged_ticket_ids(ticket) if merged_ids is None else merged_ids)]
    sql = (
        f"SELECT {rows.columns_of(Interaction, 'i')}, {rows.columns_of(User, 'u')}"  # noqa: S608
        f" FROM {Interaction._meta.db_table} i"
        f" LEFT JOIN {User._meta.db_table} u ON u.id = i.author_id"
        f" WHERE i.ticket_id IN ({rows.placeholders(len(ids))})"
        + kinds_condition(user, "i.kind")
        + " ORDER BY i.occurred_at, i.id"
    )
    return rows.fetch_all(Interaction, sql, ids, alias="i", joined=(("author", User, "u"),))


def commitments_of(ticket: Ticket) -> list[Commitment]:
    """The ticket's commitments by due time, with their owners."""
    sql = (
        f"SELECT {rows.columns_of(Commitment, 'c')}, {rows.columns_of(User, 'u')}"  # noqa: S608
        f" FROM {Commitment._meta.db_table} c"
        f" LEFT JOIN {User._meta.db_table} u ON u.id = c.owner_id"
        " WHERE c.ticket_id = %s ORDER BY c.due_at, c.id"
    )
    return rows.fetch_all(Commitment, sql, [ticket.pk], alias="c", joined=(("owner", User, "u"),))


def attachments_of(
    ticket: Ticket, *, user: User, merged_ids: list[int] | None = None
) -> list[Attachment]:
    """The files of the ticket and of tickets merged into it, oldest first; for customers
    and partners only those `shows_attachment` lets them read (hand-written: the ticket page
    runs it on every view)."""
    ids = [ticket.pk, *(merged_ticket_ids(ticket) if merged_ids is None else merged_ids)]
    sql = (
        f"SELECT {rows.columns_of(Attachment, 'a')} FROM {Attachment._meta.db_table} a"  # noqa: S608
        f" WHERE a.ticket_id IN ({rows.placeholders(len(ids))}){files_condition(user, 'a')}"
        " ORDER BY a.created_at, a.id"
    )
    return rows.fetch_all(Attachment, sql, ids, alias="a")


def _reachable(user: User, ticket_id: int) -> bool:
    """True when the user sees the ticket, or a ticket it was merged into (at any depth):
    what merged in stays readable from where it went."""
    visible = tickets_visible_to(user)
    seen: set[int] = set()
    current: int | None = ticket_id
    while current is not None and current not in seen:
        if visible.filter(pk=current).exists():
            return True
        seen.add(current)
        current = Ticket.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
    return False


def get_attachment_for(user: User, attachment_id: int) -> Attachment:
    """An attachment of a ticket the user sees (and not internal, for customers), else 404."""
    attachment = Attachment.objects.filter(pk=attachment_id).select_related("interaction").first()
    if (
        attachment is None
        or not shows_attachment(user, attachment)
        or not _reachable(user, attachment.ticket_id)
    ):
        raise Http404("attachment")
    return attachment


def get_interaction_for(user: User, interaction_id: int) -> Interaction:
    interaction = (
        Interaction.objects.filter(pk=interaction_id).select_related("author", "ticket").first()
    )
    if (
        interaction is None
        or not shows_interaction(user, interaction)
        or not _reachable(user, interaction.ticket_id)
    ):
        raise Http404("interaction")
    return interaction


def get_commitment_for(user: User, commitment_id: int) -> Commitment:
    commitment = (
        Commitment.objects.filter(pk=commitment_id, ticket__in=tickets_visible_to(user))
        .select_related("owner", "ticket__team")
        .first()
    )
    if commitment is None:
        raise Http404("commitment")
    return commitment


@dataclass(frozen=True)
class CustomerHistory:
    total: int
    open: int
    resolved: int
    complaints: int
    reopened: int
    last_ticket_at: datetime | None
    recent: list[Ticket]


def customer_history(customer: Customer, *, user: User, limit: int = 20) -> CustomerHistory:
    """The customer's tickets the user may see: counts and the most recent ones."""
    tickets = tickets_visible_to(user).filter(customer=customer)
    counts = tickets.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        resolved=Count("id", filter=Q(status__in=[Status.RESOLVED, Status.CLOSED])),
        complaints=Count("id", filter=Q(kind=Kind.COMPLAINT)),
        reopened=Count("id", filter=Q(reopen_count__gt=0)),
    )
    recent = list(tickets.order_by("-created_at", "-id")[:limit])
    return CustomerHistory(
        last_ticket_at=recent[0].created_at if recent else None, recent=recent, **counts
    )
