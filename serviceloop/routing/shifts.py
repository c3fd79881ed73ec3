"""When a staff member works: their own shift calendar, else their first team's, else the
default calendar (office hours when none exists)."""

from serviceloop.accounts.models import Team, User
from serviceloop.sla.business_time import Schedule
from serviceloop.sla.calendars import schedule_for, schedule_of

from .models import AgentProfile


def schedule_of_user(user: User) -> Schedule:
    """The schedule `user` works by (two or three queries)."""
    profile = AgentProfile.objects.select_related("calendar").filter(user=user).first()
    if profile is not None and profile.calendar is not None:
        return schedule_of(profile.calendar)
    team = Team.objects.filter(memberships__user=user).order_by("memberships__joined_at").first()
    return schedule_for(team)
