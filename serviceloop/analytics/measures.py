"""The additive measures that facts and rollups share, and the duration histogram.

A `TicketFact` holds, for one ticket, the value of each measure (1/0 for the counts, the
minutes for the sums); a rollup row holds their sums over the tickets of one day and one
combination of dimensions. Every figure of the registry is a ratio or a quantile of these
sums, so that the same code reads a rollup or the facts themselves.
"""

import bisect
from collections.abc import Sequence

# name -> what one ticket contributes (see facts.measures_of)
MEASURES: tuple[str, ...] = (
    "tickets",  # 1
    "open_now",  # still open
    "resolved",  # resolved (or closed) at least once and not open now
    "reopened",  # reopened at least once
    "fcr",  # resolved with exactly one staff response and never reopened
    "complaints",  # kind = complaint
    "repeat_complaints",  # a complaint with an earlier one of the customer, same category, 30 d
    "escalated",  # escalated at least once
    "responded",  # has a first response
    "first_response_business",  # minutes, business time of the team's calendar
    "first_response_wall",  # minutes
    "handling_business",  # minutes, created -> last resolution (resolved tickets)
    "handling_wall",  # minutes
    "first_response_sla_decided",  # the first-response target was met or missed
    "first_response_sla_met",
    "resolution_sla_decided",
    "resolution_sla_met",
    "csat_sent",  # a satisfaction request was sent
    "csat_answered",
    "csat_score",  # the 1-5 score (sum)
    "csat_top",  # answered 4 or 5
    "emotion_satisfied",  # interactions recording the customer's emotion
    "emotion_neutral",
    "emotion_dissatisfied",
    "emotion_angry",
)

# Upper edges (minutes) of the duration histogram; the last bucket is open-ended. The
# dashboard interpolates medians and p90 inside a bucket; plan effects use exact values.
EDGES: tuple[float, ...] = (
    5, 15, 30, 60, 120, 240, 480, 720, 1440, 2160, 2880, 4320,
    5760, 7200, 10080, 14400, 20160, 30240, 43200,
)  # fmt: skip
BUCKETS = len(EDGES) + 1
HISTOGRAMS = ("first_response_business", "handling_business")


def bucket_of(minutes: float) -> int:
    return bisect.bisect_left(EDGES, minutes)


def histogram_columns(measure: str) -> list[str]:
    prefix = {"first_response_business": "frb", "handling_business": "hb"}[measure]
    return [f"{prefix}_{i:02d}" for i in range(BUCKETS)]


def quantile(counts: Sequence[int], q: float) -> float | None:
    """The q-quantile of a histogram, interpolated linearly inside its bucket (the open last
    bucket answers with its lower edge). None for an empty histogram."""
    total = sum(counts)
    if total == 0:
        return None
    rank = q * total
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= rank:
            low = EDGES[index - 1] if index else 0.0
            if index == len(EDGES):
                return float(low)
            high = EDGES[index]
            return low + (high - low) * (rank - seen) / count
        seen += count
    return float(EDGES[-1])
