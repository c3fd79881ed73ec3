"""Starting points shared by the improvement tests, made through the real use cases."""

from datetime import date, timedelta
from typing import Any

from serviceloop.accounts.models import User
from serviceloop.audit.models import AuditEvent
from serviceloop.improvement import services
from serviceloop.improvement.models import (
    AnalysisWhy,
    FishboneCause,
    ImprovementPlan,
    PlanAction,
    PlanActionNote,
    RootCauseAnalysis,
)

TODAY = date(2026, 11, 25)  # the conftest's Wednesday


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def plan_draft(**values: Any) -> services.PlanDraft:
    defaults: dict[str, Any] = {
        "title": "Answer delivery complaints faster",
        "problem": "Customers wait too long for a first answer about late parcels.",
        "metric": "complaint_rate",
        "target": 10.0,
        "deadline": days(60),
        "baseline_start": days(-60),
        "baseline_end": days(-31),
    }
    return services.PlanDraft(**(defaults | values))


def make_plan(actor: User, **values: Any) -> ImprovementPlan:
    return services.create_plan(actor=actor, draft=plan_draft(**values))


def make_action(plan: ImprovementPlan, actor: User, **values: Any) -> PlanAction:
    defaults: dict[str, Any] = {
        "title": "Script for late-parcel calls",
        "team": plan.teams.first().pk if plan.teams.exists() else None,
        "planned_start": days(-5),
        "planned_end": days(10),
    }
    return services.add_action(
        plan=plan, actor=actor, draft=services.ActionDraft(**(defaults | values))
    )


def make_analysis(actor: User, **values: Any) -> RootCauseAnalysis:
    defaults: dict[str, Any] = {
        "title": "Why are parcels late?",
        "problem": "Delivery complaints doubled in October.",
    }
    return services.start_analysis(actor=actor, draft=services.AnalysisDraft(**(defaults | values)))


def rows() -> dict[str, int]:
    """How many rows each table of the app (and the audit trail) holds."""
    models = (
        ImprovementPlan, PlanAction, PlanActionNote, RootCauseAnalysis, AnalysisWhy,
        FishboneCause, AuditEvent,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}
