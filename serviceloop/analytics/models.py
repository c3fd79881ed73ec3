"""Facts and rollups: what the dashboard reads instead of the tickets (DESIGN "Scale").

`TicketFact` is one row per ticket with its dimensions and its measures, recomputed when
anything happens to the ticket. `DailyRollup` sums the facts per local creation day and
combination of team, category, channel, kind and customer tier; `AgentDailyRollup` per day,
team and assignee. A dashboard query therefore reads days x dimensions rows, not tickets.
Both are derived data: `serviceloop analytics rebuild` makes them again from the tickets.
"""

from typing import Any

from django.db import models
from django.db.models import Q

from .measures import HISTOGRAMS, MEASURES, histogram_columns


def _measure_fields(*, big: bool) -> dict[str, models.Field[Any, Any]]:
    made: dict[str, models.Field[Any, Any]] = {}
    for name in MEASURES:
        if name.endswith(("_business", "_wall")):
            made[name] = models.FloatField(default=0)
        else:
            made[name] = (
                models.BigIntegerField(default=0) if big else models.SmallIntegerField(default=0)
            )
    return made


class Dimensions(models.Model):
    """What a figure can be grouped and filtered by: the local creation day and the team."""

    day = models.DateField()
    team_id = models.IntegerField(null=True)

    class Meta:
        abstract = True


class ChannelDimensions(Dimensions):
    category_id = models.IntegerField(null=True)
    channel = models.CharField(max_length=10)

    class Meta:
        abstract = True


class FineDimensions(ChannelDimensions):
    kind = models.CharField(max_length=20)
    tier_id = models.IntegerField(null=True)

    class Meta:
        abstract = True


# The measure fields are made from the list in measures.py: a new measure is one line there.


class TicketFact(FineDimensions):
    ticket_id = models.BigIntegerField(primary_key=True)
    assignee_id = models.IntegerField(null=True)
    customer_id = models.BigIntegerField()
    resolved_day = models.DateField(null=True)  # local day of the last resolution
    frb_bucket = models.SmallIntegerField(null=True)
    hb_bucket = models.SmallIntegerField(null=True)
    computed_at = models.DateTimeField()

    locals().update(_measure_fields(big=False))

    class Meta:
        indexes = [
            models.Index(fields=["day", "team_id"], name="fact_day"),
            # backlog at the end of a past period: tickets still open then
            models.Index(fields=["resolved_day", "day"], name="fact_resolved_day"),
            models.Index(
                fields=["day"], condition=Q(resolved_day__isnull=True), name="fact_open_day"
            ),
        ]

    def __str__(self) -> str:
        return f"fact of ticket {self.ticket_id}"


class DailyRollup(ChannelDimensions):
    """Per day, team, category and channel: what a dashboard without a kind or customer-tier
    filter reads (an order of magnitude fewer rows than the detailed one)."""

    locals().update(_measure_fields(big=True))
    locals().update(
        {c: models.IntegerField(default=0) for m in HISTOGRAMS for c in histogram_columns(m)}
    )

    class Meta:
        indexes = [models.Index(fields=["day", "team_id", "category_id"], name="rollup_day")]

    def __str__(self) -> str:
        return f"rollup of {self.day}"


class DailyDetailRollup(FineDimensions):
    """Per day, team, category, channel, kind and customer tier."""

    locals().update(_measure_fields(big=True))
    locals().update(
        {c: models.IntegerField(default=0) for m in HISTOGRAMS for c in histogram_columns(m)}
    )

    class Meta:
        indexes = [
            models.Index(fields=["day", "team_id", "category_id"], name="detail_rollup_day"),
            models.Index(fields=["kind", "day"], name="detail_rollup_kind"),
            models.Index(fields=["tier_id", "day"], name="detail_rollup_tier"),
        ]

    def __str__(self) -> str:
        return f"detailed rollup of {self.day}"


class AgentDailyRollup(ChannelDimensions):
    """Per day, team, category, channel and assignee: the table of agents."""

    assignee_id = models.IntegerField(null=True)
    locals().update(_measure_fields(big=True))

    class Meta:
        indexes = [models.Index(fields=["day", "team_id"], name="agent_rollup_day")]

    def __str__(self) -> str:
        return f"agent rollup of {self.day}"


class AgentKindRollup(Dimensions):
    """Per day, team, kind, customer tier and assignee: the table of agents under a kind or
    tier filter."""

    kind = models.CharField(max_length=20)
    tier_id = models.IntegerField(null=True)
    assignee_id = models.IntegerField(null=True)
    locals().update(_measure_fields(big=True))

    class Meta:
        indexes = [models.Index(fields=["day", "team_id"], name="agent_kind_rollup_day")]

    def __str__(self) -> str:
        return f"agent rollup by kind of {self.day}"


class StaleTicket(models.Model):
    """A ticket whose fact must be computed again (marked when an audit event of it commits,
    cleared by the refresh sweep)."""

    ticket_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.ticket_id)


class StaleDay(models.Model):
    """A local day whose rollups must be summed again from its facts."""

    day = models.DateField(primary_key=True)

    def __str__(self) -> str:
        return str(self.day)
