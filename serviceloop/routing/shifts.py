"""When a staff member works: their own shift calendar, else their first team's, else the
default calendar (office hours when none exists)."""

from collections.abc import Iterable
from datetime import datetime

from serviceloop.accounts.models import Team, TeamMembership, User
from serviceloop.calendars.business_time import NoWorkingTime, Schedule, next_working_moment
from serviceloop.calendars.schedules import (
    calendar_schedule,
    schedule_for,
    schedule_of,
    team_calendar_id,
)
from serviceloop.core.memo import ProcessCache

from .models import AgentProfile, Rule, TeamRouting


def schedule_of_user(user: User) -> Schedule:
    """The schedule `user` works by (two or three queries)."""
    profile = AgentProfile.objects.select_related("calendar").filter(user=user).first()
    if profile is not None and profile.calendar is not None:
        return schedule_of(profile.calendar)
    team = Team.objects.filter(memberships__user=user).order_by("memberships__joined_at").first()
    return schedule_for(team)


# The teams' routing rules, read at most every REFERENCE_CACHE_SECONDS per process (decision
# 0006); a rule saved in this process is seen at once (apps.py). Schedules are the calendars
# app's.
_cache = ProcessCache()


def forget(**kwargs: object) -> None:
    """Drop this process's copy of the teams' routing rules."""
    _cache.forget()


def automatic_teams() -> frozenset[int]:
    """The ids of the teams whose tickets are assigned by a rule (not by hand)."""

    def load() -> frozenset[int]:
        rows = TeamRouting.objects.exclude(rule=Rule.MANUAL).values_list("team_id", flat=True)
        return frozenset(rows)

    return _cache.get("automatic_teams", load)


def calendars_of(profiles: Iterable[AgentProfile]) -> dict[int, int | None]:
    """{user id: the id of the calendar they work by} for the profiles' users, by the rule of
    `schedule_of_user`, in at most one query whatever their number (their first teams; the
    teams' calendars are the calendars app's copies), None: no calendar at all, office
    hours."""
    chosen: dict[int, int | None] = {}
    rest: set[int] = set()
    for profile in profiles:
        if profile.calendar_id is not None:
            chosen[profile.user_id] = profile.calendar_id
        else:
            rest.add(profile.user_id)
    if not rest:
        return chosen
    first_team: dict[int, int] = {}
    memberships = TeamMembership.objects.filter(user_id__in=rest).order_by("joined_at", "pk")
    for user_id, team_id in memberships.values_list("user_id", "team_id"):
        first_team.setdefault(user_id, team_id)
    for user_id in rest:  # a team's calendar, else the default one (no team: the default)
        chosen[user_id] = team_calendar_id(first_team.get(user_id))
    return chosen


def working_at(profiles: Iterable[AgentProfile], at: datetime) -> set[int]:
    """The ids of the profiles' users whose shift includes the moment `at` (aware)."""
    working = set()
    for user_id, calendar_id in calendars_of(profiles).items():
        try:
            if next_working_moment(calendar_schedule(calendar_id), at) == at:
                working.add(user_id)
        except NoWorkingTime:  # a calendar without any hours: never on shift
            continue
    return working
