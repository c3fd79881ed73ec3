"""The desk's customer picker: the customers `customers.lookup` finds, with their contacts
and how many open tickets they have, and the recent open tickets an agent should look at
before logging a second ticket for the same matter."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q

from serviceloop.accounts.models import User
from serviceloop.core import clock
from serviceloop.core.ids import MAX_ID
from serviceloop.customers.choices import ContactKind
from serviceloop.customers.models import Customer, CustomerContact

from .choices import OPEN_STATUSES
from .models import Ticket
from .queries import tickets_visible_to

RECENT_DAYS = 7  # "open tickets of the last days" that the duplicate warning lists


@dataclass(frozen=True)
class CustomerMatch:
    """A customer as the picker shows them (tier and organisation loaded)."""

    customer: Customer
    emails: list[str]
    phones: list[str]
    open_tickets: int  # every open ticket of the customer, whichever team has it


def describe(ids: list[int]) -> list[CustomerMatch]:
    """The customers with these ids, in this order, with their contacts and open ticket
    counts (two queries)."""
    ids = [pk for pk in ids if 0 < pk <= MAX_ID]
    if not ids:
        return []
    customers = (
        Customer.objects.filter(pk__in=ids)
        .select_related("tier", "organisation")
        .annotate(open_count=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES)))
        .order_by()
    )
    by_id = {customer.pk: customer for customer in customers}
    emails: dict[int, list[str]] = {}
    phones: dict[int, list[str]] = {}
    contacts = CustomerContact.objects.filter(customer_id__in=list(by_id)).order_by(
        "customer_id", "-is_primary", "id"
    )
    for customer_id, kind, value in contacts.values_list("customer_id", "kind", "value"):
        target = emails if kind == ContactKind.EMAIL else phones
        target.setdefault(customer_id, []).append(value)
    return [
        CustomerMatch(
            customer=by_id[pk],
            emails=emails.get(pk, []),
            phones=phones.get(pk, []),
            open_tickets=by_id[pk].open_count,
        )
        for pk in ids
        if pk in by_id
    ]


def recent_open_tickets(
    customer_id: int, *, user: User, days: int = RECENT_DAYS, limit: int = 5
) -> list[Ticket]:
    """The customer's open tickets of the last `days` days that `user` may see, newest first:
    what an agent should look at before logging a second ticket for the same matter."""
    since = clock.now() - timedelta(days=days)
    return list(
        tickets_visible_to(user)
        .filter(customer_id=customer_id, status__in=OPEN_STATUSES, created_at__gte=since)
        .order_by("-created_at", "-id")[:limit]
    )
