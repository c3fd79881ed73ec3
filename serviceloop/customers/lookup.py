"""Finding a customer while an agent types: by phone, e-mail, name or CRM id.

The desk's customer picker calls this on every keystroke (after a short pause), so each
probe is a range scan of an index that stops after `limit` rows — never a scan of the
customer table:

- phone: the number as typed, read like the core reads it (E.164), as a prefix of the
  stored numbers (`contact_identifies_one_customer`: kind, value);
- e-mail: a prefix of the stored (lower-case) addresses (the same index);
- name: a prefix, as typed and with capital initials (`customer_name`);
- CRM id: exactly (its unique index).

Names are matched from their start only: "contains" needs a trigram index that the
customers table does not have (yet).
"""

import re
import sys
from collections.abc import Callable

import phonenumbers
from django.conf import settings
from django.db.models import Q

from serviceloop.core.errors import DomainError

from .choices import ContactKind
from .contacts import normalise_phone
from .models import Customer, CustomerContact

MAX_QUERY = 100
_PHONE_LIKE = re.compile(r"\+?[\d\s().\-]+")
_PHONE_NOISE = re.compile(r"[\s().\-]")


def clean_query(text: str) -> str:
    """The search text with runs of white space as one space, at most MAX_QUERY characters."""
    return " ".join(text.split())[:MAX_QUERY]


def find_customers(text: str, *, limit: int = 10) -> list[int]:
    """The ids of up to `limit` customers whose phone, e-mail or name starts with `text`, or
    whose CRM id is `text`; exact identifiers first. Too short a text (one Latin letter)
    finds none. (`tickets.picker.describe` shows them with their open tickets.)

    A fixed number of queries (at most five), whatever the size of the tables.
    """
    q = clean_query(text)
    if not q or (len(q) < 2 and q.isascii()):
        return []
    found: list[int] = []
    for probe in _probes(q):
        for customer_id in probe(limit):
            if customer_id not in found:
                found.append(customer_id)
        if len(found) >= limit:
            break
    return found[:limit]


# --- the probes ------------------------------------------------------------------------------


def _probes(q: str) -> list[Callable[[int], list[int]]]:
    """The lookups that fit the text, the exact ones first."""

    def by_crm_id(limit: int) -> list[int]:
        return list(Customer.objects.filter(external_id=q).values_list("id", flat=True)[:1])

    def by_phone(limit: int) -> list[int]:
        return _contacts_starting_with(ContactKind.PHONE, _phone_prefix(q), limit)

    def by_email(limit: int) -> list[int]:
        return _contacts_starting_with(ContactKind.EMAIL, q.lower(), limit)

    def by_name(limit: int) -> list[int]:
        found: list[int] = []
        for variant in _name_variants(q):
            for customer_id in (
                Customer.objects.filter(_starts_with("name", variant))
                .order_by("name", "id")
                .values_list("id", flat=True)[:limit]
            ):
                if customer_id not in found:
                    found.append(customer_id)
        return found

    if _PHONE_LIKE.fullmatch(q) and sum(c.isdigit() for c in q) >= 3:
        return [by_crm_id, by_phone]
    probes: list[Callable[[int], list[int]]] = [by_crm_id]
    if " " not in q:
        probes.append(by_email)
    probes.append(by_name)
    return probes


def _contacts_starting_with(kind: str, prefix: str, limit: int) -> list[int]:
    """Customer ids of the contacts of `kind` whose value starts with `prefix`, in the order
    of the (kind, value) index, so the scan stops after `limit` rows."""
    return list(
        CustomerContact.objects.filter(_starts_with("value", prefix), kind=kind)
        .order_by("kind", "value")
        .values_list("customer_id", flat=True)[:limit]
    )


def _starts_with(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, spelled as a range of the index as well: PostgreSQL
    uses a plain b-tree for LIKE 'abc%' only under the "C" collation, but for
    `>= 'abc' AND < 'abd'` under any collation (the LIKE keeps the answer exact)."""
    condition = Q(**{f"{field}__startswith": prefix, f"{field}__gte": prefix})
    last = ord(prefix[-1])
    if last < sys.maxunicode:
        condition &= Q(**{f"{field}__lt": prefix[:-1] + chr(last + 1)})
    return condition


def _phone_prefix(q: str) -> str:
    """The typed digits as the start of an E.164 number ("138 0013" -> "+861380013" with
    PHONE_REGION CN); a complete number exactly as the core stores it."""
    try:
        return normalise_phone(q)
    except DomainError:
        pass
    digits = _PHONE_NOISE.sub("", q)
    if digits.startswith("+"):
        return digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    country = phonenumbers.country_code_for_region(settings.PHONE_REGION)
    return f"+{country}{digits.lstrip('0')}"


def _name_variants(q: str) -> list[str]:
    """The text as typed, and with capital initials ("bob st" -> "Bob st", "Bob St"): names
    are stored as written, and a prefix scan of the index is case-sensitive."""
    variants = [q, q[:1].upper() + q[1:], q.title()]
    return list(dict.fromkeys(variants))
