"""The demo's history machine: many stories (generators of use-case calls, each yielding the
time of its next step) played together in time order, the clock set to each step's moment.
The tickets' lives (lives.py) and the loop's second half (loop.py) both run on it."""

import heapq
from collections.abc import Callable, Generator
from datetime import datetime

from django.db import transaction

from serviceloop.core import clock

Story = Generator[datetime, None, None]  # yields the time of its next step
BATCH_STEPS = 1000  # story steps (one to three use-case calls each) per transaction


class Timeline:
    """Runs the steps of many stories in time order, each with the clock at its moment, in
    transactions of BATCH_STEPS steps, up to `now`: a story whose next step would come later
    stops there (it has not happened yet). A story's code before its first yield is its
    first step; a step may add stories, which start no earlier than itself."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.queue: list[tuple[datetime, int, Story]] = []
        self.added = 0
        self.current: datetime | None = None

    def add(self, start: datetime, story: Story) -> None:
        if self.current is not None:
            start = max(start, self.current)
        if start > self.now:  # has not happened yet
            story.close()
            return
        heapq.heappush(self.queue, (start, self.added, story))
        self.added += 1

    def run(self, *, after_batch: Callable[[], None] | None = None) -> None:
        """Play everything added; `after_batch` is called after each transaction."""
        while self.queue:
            with transaction.atomic():
                for _step in range(BATCH_STEPS):
                    if not self.queue:
                        break
                    at, index, story = heapq.heappop(self.queue)
                    self.current = at
                    with clock.frozen_at(at):
                        following = next(story, None)
                    if following is None:
                        continue
                    if following > self.now:
                        story.close()
                    else:
                        heapq.heappush(self.queue, (max(following, at), index, story))
            if after_batch is not None:
                after_batch()
        self.current = None
