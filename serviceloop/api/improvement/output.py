"""Plans, actions, measured effects and analyses as the API shows them."""

from typing import Any

from django.utils import timezone

from serviceloop.accounts.models import User
from serviceloop.analytics import registry
from serviceloop.core import clock
from serviceloop.improvement import display, effect, queries, stats
from serviceloop.improvement.models import ImprovementPlan, PlanAction, RootCauseAnalysis

from ..common import code_name, user_ref


def _window(span: Any) -> dict[str, Any] | None:
    return {"start": span.start, "end": span.end} if span else None


def _after(plan: ImprovementPlan) -> dict[str, Any] | None:
    window = plan.after_window(timezone.localdate(clock.now()))
    return {"start": window[0], "end": window[1]} if window else None


def plan_out(plan: ImprovementPlan) -> dict[str, Any]:
    progress = queries.progress_of(plan)
    return {
        "code": plan.code,
        "title": plan.title,
        "problem": plan.problem,
        "metric": plan.metric,
        "target": plan.target,
        "deadline": plan.deadline,
        "overdue": plan.is_overdue,
        "scope": plan.scope or {},
        "scope_text": plan.scope_value.describe(),
        "baseline": {"start": plan.baseline_start, "end": plan.baseline_end},
        "after_start": plan.after_start,
        "after_end": plan.after_end,
        "after": _after(plan),
        "pilot_scope": plan.pilot_scope or {},
        "pilot_start": plan.pilot_start,
        "phase": plan.phase,
        "do_started_on": plan.do_started_on,
        "status": plan.status,
        "owner": user_ref(plan.owner),
        "analyses": sorted(a.pk for a in plan.analyses.all()),
        "progress": {"done": progress.done, "total": progress.total, "delayed": progress.delayed},
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
        "closed_at": plan.closed_at,
    }


def action_out(action: PlanAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "title": action.title,
        "team": code_name(action.team),
        "person": user_ref(action.person),
        "planned_start": action.planned_start,
        "planned_end": action.planned_end,
        "actual_end": action.actual_end,
        "status": action.status,
        "notes": [
            {"id": n.pk, "author": user_ref(n.author), "text": n.text, "created_at": n.created_at}
            for n in action.notes.select_related("author")
        ],
        "created_at": action.created_at,
        "updated_at": action.updated_at,
    }


def plan_detail(plan: ImprovementPlan) -> dict[str, Any]:
    actions = plan.actions.select_related("team", "person")
    return {**plan_out(plan), "actions": [action_out(a) for a in actions]}


def comparison_out(metric: registry.Metric, comparison: stats.Comparison) -> dict[str, Any]:
    words = display.figure(metric, comparison)
    return {
        "before_value": comparison.before_value,
        "after_value": comparison.after_value,
        "change": comparison.change,
        "relative_change": comparison.relative_change,
        "low": comparison.low,
        "high": comparison.high,
        "confidence": comparison.confidence,
        "n_before": comparison.n_before,
        "n_after": comparison.n_after,
        "significant": comparison.significant,
        "method": comparison.method,
        "summary": (
            f"{words.before} (n = {words.n_before}) → {words.after} (n = {words.n_after}): "
            f"{words.change}, {words.interval}; {words.verdict}"
        ),
    }


def did_out(metric: registry.Metric, did: stats.DifferenceInDifferences) -> dict[str, Any]:
    words = display.did_figure(metric, did)
    return {
        "estimate": did.estimate,
        "low": did.low,
        "high": did.high,
        "confidence": did.confidence,
        "pilot_change": did.pilot_change,
        "rest_change": did.rest_change,
        "n_pilot_before": did.n_pilot_before,
        "n_pilot_after": did.n_pilot_after,
        "n_rest_before": did.n_rest_before,
        "n_rest_after": did.n_rest_after,
        "significant": did.significant,
        "method": did.method,
        "summary": (
            f"{words.estimate}, {words.interval} (n = {', '.join(map(str, words.ns))}); "
            f"{words.verdict}"
        ),
    }


def effect_out(plan: ImprovementPlan, found: effect.PlanEffect) -> dict[str, Any]:
    metric = found.metric
    pilot = None
    if found.pilot is not None:
        pilot = {
            "pilot": comparison_out(metric, found.pilot.pilot),
            "rest": comparison_out(metric, found.pilot.rest),
            "did": did_out(metric, found.pilot.did),
        }
    return {
        "plan": plan.code,
        "metric": {
            "key": metric.key,
            "label": str(metric.label),
            "unit": metric.unit,
            "direction": metric.direction,
            "statistic": metric.statistic,
        },
        "baseline": _window(found.baseline),
        "after": _window(found.after),
        "target": found.target,
        "completion": found.completion,
        "overall": comparison_out(metric, found.overall),
        "pilot": pilot,
    }


def analysis_out(analysis: RootCauseAnalysis, user: User) -> dict[str, Any]:
    evidence = queries.evidence(analysis, viewer=user, limit=500)
    return {
        "id": analysis.pk,
        "title": analysis.title,
        "problem": analysis.problem,
        "category": code_name(analysis.category),
        "origin": analysis.origin or {},
        "status": analysis.status,
        "owner": user_ref(analysis.owner),
        "conclusions": analysis.conclusions,
        "whys": [
            {"id": w.pk, "position": w.position, "question": w.question, "answer": w.answer}
            for w in analysis.whys.all()
        ],
        "causes": [
            {"id": c.pk, "category": c.category, "text": c.text, "is_root_cause": c.is_root_cause}
            for c in analysis.causes.all()
        ],
        "tickets": [t.number for t in evidence.tickets],
        "feedback_items": list(
            analysis.feedback_items.order_by("number").values_list("number", flat=True)
        ),
        "evidence": {
            "linked_tickets": evidence.linked_tickets,
            "linked_open_tickets": evidence.linked_open_tickets,
            "category_tickets": evidence.category_tickets,
            "category_days": evidence.category_days,
            "linked_feedback": evidence.linked_feedback,
            "feedback_by_status": {code: n for code, _label, n in evidence.feedback_by_status},
        },
        "plans": sorted(analysis.plans.values_list("code", flat=True)),
        "created_at": analysis.created_at,
        "updated_at": analysis.updated_at,
        "concluded_at": analysis.concluded_at,
    }
