"""The weekly and monthly digests: each supervisor (their teams) and manager (every team)
gets the period's key figures against the period before, the TOP-3 pain points and the
open improvement plans, by e-mail in their language.

The sweep sends a period's digest from DIGEST_HOUR (local time) of the first day after it:
Monday for the week before, the 1st for the month before. A digest is claimed by inserting
its `DigestRun` row (unique per kind, period and person) before the mail goes out."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.analytics import formatting, queries
from serviceloop.analytics.scope import Scope, Window
from serviceloop.core import clock

from .models import DigestKind, DigestRun
from .plans import open_plans

logger = logging.getLogger(__name__)
RECIPIENT_ROLES = (Role.SUPERVISOR, Role.MANAGER)
TOP = 3


@dataclass(frozen=True)
class Period:
    kind: str
    window: Window


def due_periods(now: datetime) -> list[Period]:
    """The periods whose digest is due at `now` (local time)."""
    local = timezone.localtime(now)
    if local.hour < settings.DIGEST_HOUR:
        return []
    today = local.date()
    periods = []
    if today.weekday() == 0:
        periods.append(
            Period(DigestKind.WEEKLY, Window(today - timedelta(days=7), today - timedelta(days=1)))
        )
    if today.day == 1:
        last = today - timedelta(days=1)
        periods.append(Period(DigestKind.MONTHLY, Window(last.replace(day=1), last)))
    return periods


def recipients() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role__in=RECIPIENT_ROLES)
        .exclude(email="")
        .order_by("pk")
    )


def teams_of(user: User) -> tuple[int, ...] | None:
    return None if user.role == Role.MANAGER else tuple(user.team_ids)


def compose(user: User, period: Period) -> EmailMultiAlternatives:
    teams = teams_of(user)
    scope = Scope(teams=teams) if teams is not None else Scope()
    visibility = queries.Visibility(teams=teams)
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        board = queries.dashboard(scope, period.window, visibility)
        context = {
            "user": user,
            "kind": DigestKind(period.kind).label,
            "window": period.window,
            "previous": board.previous_window,
            "scope": board.scope.describe(),
            "tiles": [
                {
                    "label": tile.metric.label,
                    "value": formatting.display(tile.metric, tile.value),
                    "previous": formatting.display(tile.metric, tile.previous),
                    "change": formatting.change(tile.metric, tile.change),
                    "better": tile.better,
                    "n": tile.n,
                }
                for tile in board.tiles
            ],
            "pain_points": board.categories[:TOP],
            "plans": open_plans(teams),
            "url": f"{settings.SITE_URL}/desk/analytics/?start={period.window.start}"
            f"&end={period.window.end}",
        }
        subject = render_to_string("reports/digest_subject.txt", context).strip()
        text = render_to_string("reports/digest.txt", context)
        html = render_to_string("reports/digest.html", context)
    mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    mail.attach_alternative(html, "text/html")
    return mail


def send_due_digests(now: datetime | None = None) -> int:
    """Send the digests due now that were not sent yet; returns how many went out."""
    moment = now or clock.now()
    sent = 0
    for period in due_periods(moment):
        for user in recipients():
            if _send_once(user, period):
                sent += 1
    return sent


def _send_once(user: User, period: Period) -> bool:
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(
                kind=period.kind,
                period_start=period.window.start,
                period_end=period.window.end,
                recipient=user,
            )
    except IntegrityError:  # sent already (or being sent by another worker)
        return False
    try:
        compose(user, period).send()
    except Exception:
        logger.exception("the %s digest to %s could not be sent", period.kind, user.username)
        run.delete()  # the next sweep tries again
        return False
    return True
