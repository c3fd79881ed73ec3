"""The agent queue's read side (it reads tickets, their SLA clocks and promises, so it sits
above the tickets and sla apps): what each built-in view means for a user, its capped count,
and one cursor page of a view under filters and a sort.

Every view starts from `queries.tickets_visible_to` (the one visibility rule) and narrows it
with conditions that an index of `models.Ticket.Meta.indexes` (or `commitment_open_due`)
answers in order, so a page reads about as many index entries as it shows rows, and a count
stops at COUNT_CAP rows instead of counting the whole table.
"""

from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import TICKET_WORKER_ROLES
from serviceloop.accounts.models import TeamMembership, User
from serviceloop.core import clock, keyset
from serviceloop.core.errors import DomainError
from serviceloop.customers.contacts import normalise_email, normalise_phone
from serviceloop.customers.models import Customer, CustomerContact
from serviceloop.sla.queries import breaching_soon
from serviceloop.tickets import search
from serviceloop.tickets.choices import OPEN_STATUSES, CommitmentStatus, Status
from serviceloop.tickets.models import Commitment, Ticket
from serviceloop.tickets.numbering import NUMBER_PATTERN
from serviceloop.tickets.queries import (
    LIST_RELATED,
    TicketFilter,
    filter_tickets,
    tickets_visible_to,
    with_reference_data,
)

COUNT_CAP = 1000  # a view's count stops here; the page shows "999+"
PAGE_SIZE = 50
DUE_SOON = timedelta(hours=24)  # "due" commitments: overdue or due within this
RECENT = timedelta(days=7)  # "recently updated": changed within this
MAX_CUSTOMER_MATCHES = 50  # customers a search term may name


@dataclass(frozen=True)
class View:
    code: str
    label: Promise
    sort: str  # the default sort
    # How its count walks the rows. Unordered, PostgreSQL may count "recent" with a
    # sequential scan that starts wherever the last scan of the table stopped (synchronised
    # scans) and reads most of the table before it meets a recent row; in the order of its
    # index it reads COUNT_CAP rows.
    count_order: tuple[str, ...] = ()


VIEWS = (
    View("mine", _("My open tickets"), "created"),
    View("unassigned", _("Unassigned in my teams"), "created"),
    View("breaching", _("Breaching soon"), "created"),
    View("waiting", _("Waiting on customer"), "created"),
    View("commitments", _("Commitments due"), "created"),
    View("recent", _("Recently updated"), "updated", count_order=("-updated_at", "-id")),
    View("all", _("All tickets"), "created"),
)
VIEW_BY_CODE = {view.code: view for view in VIEWS}


@dataclass(frozen=True)
class Sort:
    code: str
    label: Promise
    fields: tuple[str, ...]
    descending: bool


SORTS = (
    Sort("created", _("Newest first"), ("created_at", "id"), descending=True),
    Sort("oldest", _("Oldest first"), ("created_at", "id"), descending=False),
    Sort("updated", _("Recently updated"), ("updated_at", "id"), descending=True),
)
SORT_BY_CODE = {sort.code: sort for sort in SORTS}


def default_view(user: User) -> str:
    """Where the queue opens: one's own tickets for those who work them, else everything."""
    return "mine" if user.works_tickets else "all"


def people_for(user: User) -> list[User]:
    """Whom the user may pick in the queue's assignee filter and bulk assignment: the active
    ticket workers of the user's teams (of every team, for those who see all tickets).
    assign_ticket still decides per ticket."""
    people = User.objects.filter(is_active=True, role__in=TICKET_WORKER_ROLES)
    if not user.sees_all_tickets:
        people = people.filter(memberships__team__members=user).distinct()
    return list(people.order_by("full_name", "username"))


def _my_team_ids(user: User) -> QuerySet[TeamMembership, Any]:
    return TeamMembership.objects.filter(user_id=user.pk).values("team_id")


def view_tickets(user: User, view: str) -> QuerySet[Ticket]:
    """The tickets of a built-in view, within the user's scope (unknown codes: ValueError).

    mine: open and assigned to the user. unassigned: open, nobody's, in the user's teams (in
    every team for a user who belongs to none and sees all tickets). waiting: waiting on the
    customer. commitments: with an open promise overdue or due within DUE_SOON. recent:
    changed within RECENT. all: everything in scope.
    """
    tickets = tickets_visible_to(user)
    now = clock.now()
    match view:
        case "mine":
            return tickets.filter(assignee_id=user.pk, status__in=OPEN_STATUSES)
        case "unassigned":
            tickets = tickets.filter(assignee__isnull=True, status__in=OPEN_STATUSES)
            if user.sees_all_tickets and not user.team_ids:
                return tickets
            return tickets.filter(team_id__in=_my_team_ids(user))
        case "breaching":
            return breaching_soon(tickets, now=now)
        case "waiting":
            return tickets.filter(status=Status.WAITING_CUSTOMER)
        case "commitments":
            due = Commitment.objects.filter(
                status=CommitmentStatus.OPEN, due_at__lt=now + DUE_SOON
            ).values("ticket_id")
            return tickets.filter(id__in=due)
        case "recent":
            return tickets.filter(updated_at__gte=now - RECENT)
        case "all":
            return tickets
    raise ValueError(f"unknown queue view: {view}")


def view_counts(user: User) -> dict[str, int]:
    """How many tickets each built-in view holds, each counted up to COUNT_CAP: one
    statement for all of them, and none reads more than COUNT_CAP rows of an index.

    Written as `SELECT (SELECT COUNT(*) FROM (<view> LIMIT n)), ...` from the ORM's own
    compiled SQL: the ORM cannot put several capped counts in one statement.
    """
    parts: list[str] = []
    params: list[Any] = []
    for view in VIEWS:
        rows = view_tickets(user, view.code).order_by(*view.count_order)
        capped = rows.values("id")[:COUNT_CAP]
        sql, view_params = capped.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS {view.code}_rows)")  # noqa: S608
        params.extend(view_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {view.code: int(count) for view, count in zip(VIEWS, row, strict=True)}


def _customers_named(text: str) -> list[int]:
    """Ids of the customers `text` names: by their exact name, e-mail address or phone
    number (each an indexed lookup)."""
    contacts: list[str] = []
    for normalise in (normalise_email, normalise_phone):
        with suppress(DomainError):  # not an e-mail address, not a phone number
            contacts.append(normalise(text))
    by_contact = CustomerContact.objects.filter(value__in=contacts).values("customer_id")
    matches = Customer.objects.filter(Q(name=text) | Q(id__in=by_contact)).order_by()
    return list(matches.values_list("id", flat=True)[:MAX_CUSTOMER_MATCHES])


def search_tickets(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Narrow `tickets` to those matching `text`: a ticket number exactly; else the words of
    the number, subject, description and order reference (tickets.search), or a customer's
    name, e-mail address or phone number."""
    text = text.strip()
    if not text:
        return tickets
    if NUMBER_PATTERN.fullmatch(text.upper()):
        return tickets.filter(number=text.upper())
    customers = _customers_named(text)
    by_words = search.matching(tickets, text)
    if not customers:
        return by_words
    return by_words | tickets.filter(customer_id__in=customers)


def queue_page(
    user: User,
    *,
    view: str,
    filters: TicketFilter,
    sort: str,
    cursor: str | None = None,
    size: int | None = None,
) -> keyset.Page[Ticket]:
    """One page of a view under `filters` (its `q` searches as `search_tickets` does), in
    the order of `sort`, after `cursor`; with assignee, customer, category and team loaded,
    and `next_due` (the earliest open commitment's due time) in the commitments view.

    Raises ValidationFailed for unknown filter values and DomainError(field="cursor") for a
    cursor that is not one of ours; unknown view or sort codes are a ValueError.
    """
    if sort not in SORT_BY_CODE:
        raise ValueError(f"unknown queue sort: {sort}")
    order, size = SORT_BY_CODE[sort], size or PAGE_SIZE
    words, filters = filters.q, replace(filters, q="")
    tickets = filter_tickets(view_tickets(user, view), filters, user=user)
    tickets = search_tickets(tickets, words).select_related(*LIST_RELATED, "sla_clock")
    if view == "commitments":
        next_due = Commitment.objects.filter(ticket_id=OuterRef("pk"), status=CommitmentStatus.OPEN)
        tickets = tickets.annotate(
            next_due=Subquery(next_due.order_by("due_at").values("due_at")[:1])
        )
    page = keyset.paginate(
        tickets,
        fields=order.fields,
        cursor=cursor,
        size=size,
        descending=order.descending,
        fenced=bool(words),
    )
    with_reference_data(page.items)
    return page
