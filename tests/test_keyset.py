from datetime import UTC, datetime

import pytest

from serviceloop.core.errors import DomainError
from serviceloop.core.keyset import paginate
from serviceloop.customers.models import Customer


@pytest.fixture
def customers(db):
    # three share one created_at: the id breaks the tie
    same = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(7):
        Customer.objects.create(
            name=f"c{i}",
            created_at=same if i in (2, 3, 4) else datetime(2026, 11, 1 + i, tzinfo=UTC),
        )


def walk(**options):
    seen, cursor = [], None
    while True:
        page = paginate(
            Customer.objects.all(), fields=("created_at", "id"), cursor=cursor, size=2, **options
        )
        seen.extend(c.name for c in page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("fenced", [False, True])
def test_it_walks_every_row_once_in_descending_order(customers, fenced):
    seen = walk(fenced=fenced)
    expected = [c.name for c in Customer.objects.order_by("-created_at", "-id")]
    assert seen == expected
    assert len(seen) == 7


@pytest.mark.parametrize("fenced", [False, True])
def test_it_walks_every_row_once_in_ascending_order(customers, fenced):
    seen = walk(descending=False, fenced=fenced)
    assert seen == [c.name for c in Customer.objects.order_by("created_at", "id")]


def test_it_says_when_there_is_no_next_page(customers):
    assert paginate(Customer.objects.all(), fields=("id",), cursor=None, size=7).next_cursor is None
    assert paginate(Customer.objects.all(), fields=("id",), cursor=None, size=6).next_cursor


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJ4Il0", "WzEsMl0"])
def test_it_refuses_a_cursor_it_did_not_make(db, cursor):
    with pytest.raises(DomainError) as refused:
        paginate(Customer.objects.all(), fields=("created_at", "id"), cursor=cursor, size=2)
    assert refused.value.field == "cursor"
