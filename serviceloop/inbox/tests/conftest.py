"""Fixtures of the inbox tests. Unless a test travels elsewhere, it runs on a Wednesday
morning in the company's time zone, inside everybody's working hours, so that non-urgent
notifications are shown at once."""

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def working_hours() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(WEDNESDAY_MORNING, tick=False) as traveller:
        yield traveller
