from datetime import UTC, date, datetime

import pytest
from django.test import override_settings

from serviceloop.core import clock
from serviceloop.tickets import numbering
from serviceloop.tickets.models import Ticket
from tests.builders import make_ticket

# PostgreSQL sequences are not rolled back between tests: each test uses days of its own and
# compares counters with each other.


def _day_and_counter(number: str) -> tuple[str, int]:
    _prefix, day, counter = number.split("-")
    return day, int(counter)


def test_it_formats_prefix_day_and_six_digits():
    with override_settings(TICKET_NUMBER_PREFIX="SL"):
        assert numbering.format_number(date(2026, 11, 22), 123) == "SL-20261122-000123"
    assert numbering.NUMBER_PATTERN.fullmatch("CS-20261122-000123")
    assert numbering.NUMBER_PATTERN.fullmatch("CS-20261122-1000000"), "a busy day grows a digit"
    assert not numbering.NUMBER_PATTERN.fullmatch("CS-2026112-000123")


def test_it_counts_per_day_in_the_company_time_zone(agent, category):
    # 16:30 UTC on the 22nd is already 00:30 on the 23rd in Asia/Shanghai (the default zone)
    with clock.frozen_at(datetime(2030, 1, 14, 15, 59, tzinfo=UTC)):
        evening = make_ticket(agent)
    with clock.frozen_at(datetime(2030, 1, 14, 16, 30, tzinfo=UTC)):
        first = make_ticket(agent)
        second = make_ticket(agent)

    assert _day_and_counter(evening.number) == ("20300114", 1)
    assert _day_and_counter(first.number) == ("20300115", 1)
    assert _day_and_counter(second.number) == ("20300115", 2)


def test_it_never_hands_out_a_number_again(agent, category):
    with clock.frozen_at(datetime(2030, 2, 3, 2, 0, tzinfo=UTC)):
        gone = make_ticket(agent)
        Ticket.objects.filter(pk=gone.pk).delete()
        after = make_ticket(agent)

    assert _day_and_counter(after.number)[1] == _day_and_counter(gone.number)[1] + 1


def test_it_uses_the_configured_prefix(agent, category):
    with override_settings(TICKET_NUMBER_PREFIX="HELP"):
        ticket = make_ticket(agent)
    assert ticket.number.startswith("HELP-")


@pytest.mark.django_db
def test_it_continues_above_imported_numbers():
    day = date(2030, 3, 4)
    numbering.advance_to(day, 500)
    numbering.advance_to(day, 20)  # never moves backwards
    with clock.frozen_at(datetime(2030, 3, 4, 2, 0, tzinfo=UTC)):
        assert numbering.next_number(clock.now()) == "CS-20300304-000501"
