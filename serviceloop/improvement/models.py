"""Root-cause analyses (根因分析) and improvement plans (优化方案) with their actions (措施).

A plan's scope and pilot scope are `analytics.scope.Scope` values stored as JSON; its
effect is never stored, it is computed from the tickets when asked (effect.plan_effect).
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team
from serviceloop.analytics.scope import Scope
from serviceloop.core import clock
from serviceloop.tickets.models import Category, Ticket

from .choices import (
    FINISHED_ACTION_STATUSES,
    ActionStatus,
    AnalysisStatus,
    CauseCategory,
    Phase,
    PlanStatus,
)


def stored_scope(values: Any) -> Scope:
    """A scope as stored (checked when it was saved): no query, unknown keys ignored. Ids of
    rows deleted since simply match nothing."""
    if not isinstance(values, dict):
        return Scope()
    return Scope(
        teams=tuple(int(v) for v in values.get("teams") or ()),
        categories=tuple(int(v) for v in values.get("categories") or ()),
        channels=tuple(str(v) for v in values.get("channels") or ()),
        kinds=tuple(str(v) for v in values.get("kinds") or ()),
        tiers=tuple(int(v) for v in values.get("tiers") or ()),
    )


class RootCauseAnalysis(models.Model):
    """Why a problem happens: a 5-Why chain and fishbone causes, with the tickets and
    feedback items that are its evidence, ending in conclusions."""

    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem statement"))
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="root_cause_analyses",
    )
    # Where it was started from on the dashboard: {"scope": {...}, "start": ..., "end": ...}.
    origin = models.JSONField(_("started from"), default=dict, blank=True)
    tickets = models.ManyToManyField(
        Ticket, verbose_name=_("tickets"), blank=True, related_name="root_cause_analyses"
    )
    feedback_items = models.ManyToManyField(
        "feedback.FeedbackItem",
        verbose_name=_("feedback items"),
        blank=True,
        related_name="root_cause_analyses",
    )
    conclusions = models.TextField(_("conclusions"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("root-cause analysis")
        verbose_name_plural = _("root-cause analyses")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "-updated_at"], name="analysis_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_concluded(self) -> bool:
        return self.status == AnalysisStatus.CONCLUDED

    @property
    def origin_scope(self) -> Scope:
        return stored_scope(self.origin.get("scope") if self.origin else None)


class AnalysisWhy(models.Model):
    """One step of the 5-Why chain: the question asked and the answer found."""

    analysis = models.ForeignKey(RootCauseAnalysis, on_delete=models.CASCADE, related_name="whys")
    position = models.PositiveSmallIntegerField(_("position"))
    question = models.TextField(_("why?"))
    answer = models.TextField(_("because"), blank=True)

    class Meta:
        verbose_name = _("why")
        verbose_name_plural = _("whys")
        ordering = ["analysis", "position", "id"]

    def __str__(self) -> str:
        return f"{self.position}. {self.question[:50]}"


class FishboneCause(models.Model):
    """One cause on a bone of the fishbone diagram."""

    analysis = models.ForeignKey(RootCauseAnalysis, on_delete=models.CASCADE, related_name="causes")
    category = models.CharField(
        _("fishbone category"), max_length=12, choices=CauseCategory.choices
    )
    text = models.TextField(_("cause"))
    is_root_cause = models.BooleanField(_("root cause"), default=False)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("cause")
        verbose_name_plural = _("causes")
        ordering = ["analysis", "category", "id"]

    def __str__(self) -> str:
        return f"{self.category}: {self.text[:50]}"


class ImprovementPlan(models.Model):
    """A measured change: goal metric over a scope, baseline and after windows, target,
    deadline, actions with owners and dates, optional pilot, PDCA phase."""

    code = models.CharField(_("code"), max_length=20, editable=False)
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    analyses = models.ManyToManyField(
        RootCauseAnalysis, verbose_name=_("root-cause analyses"), blank=True, related_name="plans"
    )
    metric = models.CharField(_("goal metric"), max_length=50)
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    baseline_start = models.DateField(_("baseline from"))
    baseline_end = models.DateField(_("baseline to"))
    # Empty: from the pilot start, else from the first day of the Do phase ...
    after_start = models.DateField(_("after from"), null=True, blank=True)
    after_end = models.DateField(_("after to"), null=True, blank=True)  # ... to today
    target = models.FloatField(_("target value"))
    deadline = models.DateField(_("deadline"))
    phase = models.CharField(_("phase"), max_length=8, choices=Phase.choices, default=Phase.PLAN)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    pilot_scope = models.JSONField(_("pilot scope"), default=dict, blank=True)
    pilot_start = models.DateField(_("pilot start"), null=True, blank=True)
    do_started_on = models.DateField(_("Do phase started"), null=True, blank=True, editable=False)
    # Which teams the plan concerns (scope, pilot and action teams), kept by the services
    # for the agents' visibility; `all_teams` when the scope names no team.
    teams = models.ManyToManyField(Team, blank=True, related_name="improvement_plans")
    all_teams = models.BooleanField(default=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["code"], name="plan_code_unique")]
        indexes = [models.Index(fields=["status", "phase"], name="plan_status_phase")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def scope_value(self) -> Scope:
        return stored_scope(self.scope)

    @property
    def pilot_value(self) -> Scope:
        return stored_scope(self.pilot_scope)

    @property
    def has_pilot(self) -> bool:
        return bool(self.pilot_scope)

    @property
    def is_active(self) -> bool:
        return self.status == PlanStatus.ACTIVE

    @property
    def is_overdue(self) -> bool:
        return self.is_active and self.deadline < timezone.localdate(clock.now())

    def after_window(self, today: date) -> tuple[date, date] | None:
        """The after window: as set, else from the pilot start or the first day of Do, to
        today; None before the change started (or when it starts in the future)."""
        start = self.after_start or self.pilot_start or self.do_started_on
        if start is None:
            return None
        end = self.after_end or today
        if end < start:
            return None
        return start, end


class PlanNumberCounter(models.Model):
    """Last plan number handed out per year (see numbering)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class PlanAction(models.Model):
    """One measure of a plan (措施), with who answers for it and when it is due."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("title"), max_length=200)
    team = models.ForeignKey(
        Team,
        verbose_name=_("responsible team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.ON_SCHEDULE
    )
    # When the plan's owner was told of the delay: once per delay (replanning clears it).
    delay_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["plan", "planned_start", "id"]
        indexes = [
            models.Index(
                fields=["planned_end"],
                condition=Q(status=ActionStatus.ON_SCHEDULE),
                name="action_due",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_ACTION_STATUSES


class PlanActionNote(models.Model):
    """A problem met while carrying out an action; notes are only ever added."""

    action = models.ForeignKey(PlanAction, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("action note")
        verbose_name_plural = _("action notes")
        ordering = ["action", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]
