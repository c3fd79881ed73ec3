"""Root-cause analyses (根因分析): start, 5-Why chain, fishbone causes, evidence, conclude."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import User
from serviceloop.analytics.scope import Window
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import Conflict, DomainError, ValidationFailed
from serviceloop.tickets.models import Category

from .. import events
from ..choices import AnalysisStatus, CauseCategory
from ..models import AnalysisWhy, FishboneCause, RootCauseAnalysis
from ..permissions import require_manager
from .common import (
    MAX_TITLE,
    Errors,
    clean_owner,
    clean_scope,
    clean_text,
    find_feedback,
    find_tickets,
    raise_if,
)

ANALYSIS_FIELDS = ("title", "problem", "category", "owner", "status", "conclusions")
MAX_WHYS = 20
MAX_CAUSES = 60


@dataclass(frozen=True, kw_only=True)
class AnalysisDraft:
    """What starts an analysis. The starting point is any of: a category, ticket numbers,
    feedback item numbers, or the dashboard's filters and dates (a Pareto bar)."""

    title: str
    problem: str
    category: int | None = None
    tickets: Sequence[str] = ()
    feedback_items: Sequence[str] = ()
    scope: Mapping[str, Any] | None = None
    start: date | None = None
    end: date | None = None
    owner: int | None = None


def _category(errors: Errors, category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        errors["category"] = _("Choose from the list.")
    return category


def _lock(analysis: RootCauseAnalysis) -> RootCauseAnalysis:
    return RootCauseAnalysis.objects.select_for_update().get(pk=analysis.pk)


def _editable(analysis: RootCauseAnalysis, actor: User) -> RootCauseAnalysis:
    """The analysis locked for a change; a concluded one must be reopened first."""
    require_manager(actor)
    locked = _lock(analysis)
    if locked.status == AnalysisStatus.CONCLUDED:
        raise Conflict(_("This analysis is concluded; reopen it to change it."))
    return locked


def _touch(analysis: RootCauseAnalysis) -> None:
    analysis.updated_at = clock.now()
    analysis.save(update_fields=["updated_at"])


# The event of a part of an analysis changed, by the part's name.
_PART_UPDATED = {"why": events.ANALYSIS_WHY_UPDATED, "cause": events.ANALYSIS_CAUSE_UPDATED}


def _update_part(
    analysis: RootCauseAnalysis,
    part: AnalysisWhy | FishboneCause,
    name: Literal["why", "cause"],
    values: dict[str, Any],
    actor: User,
) -> None:
    """Save a why's or a cause's new values; when any changed, the analysis is touched
    and the audit records `analysis.<name>_updated` with what changed."""
    before = {field: getattr(part, field) for field in values}
    for field, value in values.items():
        setattr(part, field, value)
    part.save(update_fields=list(values))
    before, after = audit.changed(before, values)
    if after:
        _touch(analysis)
        audit.record(
            actor=actor,
            action=_PART_UPDATED[name],
            target=analysis,
            before={name: part.pk, **before},
            after={name: part.pk, **after},
        )


@transaction.atomic
def start_analysis(*, actor: User, draft: AnalysisDraft) -> RootCauseAnalysis:
    """Open a draft analysis from its starting point; the owner defaults to the actor."""
    require_manager(actor)
    errors: Errors = {}
    title = clean_text(errors, "title", draft.title, limit=MAX_TITLE)
    problem = clean_text(errors, "problem", draft.problem)
    category = _category(errors, draft.category)
    owner = clean_owner(errors, "owner", draft.owner, actor)
    tickets = find_tickets(errors, "tickets", actor, draft.tickets)
    items = find_feedback(errors, "feedback_items", draft.feedback_items)
    origin: dict[str, Any] = {}
    if draft.scope or draft.start or draft.end:
        scope = clean_scope(errors, "scope", draft.scope)
        try:
            window = Window.checked(draft.start, draft.end)
        except ValidationFailed as error:
            errors.update(error.errors)
        else:
            origin = {
                "scope": scope.to_dict(),
                "start": window.start.isoformat(),
                "end": window.end.isoformat(),
            }
    raise_if(errors)
    now = clock.now()
    analysis = RootCauseAnalysis.objects.create(
        title=title,
        problem=problem,
        category=category,
        origin=origin,
        owner=owner,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    analysis.tickets.add(*tickets)
    analysis.feedback_items.add(*items)
    audit.record(
        actor=actor,
        action=events.ANALYSIS_STARTED,
        target=analysis,
        after={
            **audit.snapshot(analysis, ANALYSIS_FIELDS),
            "origin": origin,
            "tickets": sorted(t.number for t in tickets),
            "feedback_items": sorted(i.number for i in items),
        },
    )
    return analysis


@transaction.atomic
def update_analysis(
    *,
    analysis: RootCauseAnalysis,
    actor: User,
    title: str,
    problem: str,
    category: int | None,
    owner: int | None,
) -> RootCauseAnalysis:
    """Change the title, problem statement, starting category or owner of a draft."""
    locked = _editable(analysis, actor)
    errors: Errors = {}
    new_title = clean_text(errors, "title", title, limit=MAX_TITLE)
    new_problem = clean_text(errors, "problem", problem)
    new_category = _category(errors, category)
    new_owner = clean_owner(errors, "owner", owner, actor) if owner is not None else locked.owner
    raise_if(errors)
    before = audit.snapshot(locked, ANALYSIS_FIELDS)
    locked.title, locked.problem = new_title, new_problem
    locked.category, locked.owner = new_category, new_owner
    locked.updated_at = clock.now()
    locked.save(update_fields=["title", "problem", "category", "owner", "updated_at"])
    before, after = audit.changed(before, audit.snapshot(locked, ANALYSIS_FIELDS))
    if after:
        audit.record(
            actor=actor, action=events.ANALYSIS_UPDATED, target=locked, before=before, after=after
        )
    return locked


# --- the 5-Why chain ------------------------------------------------------------------


def _why_texts(question: str, answer: str) -> tuple[str, str]:
    errors: Errors = {}
    question = clean_text(errors, "question", question, limit=2000)
    answer = clean_text(errors, "answer", answer, required=False, limit=2000)
    raise_if(errors)
    return question, answer


@transaction.atomic
def add_why(
    *, analysis: RootCauseAnalysis, actor: User, question: str, answer: str = ""
) -> AnalysisWhy:
    """Append the next "why?" (and, when known, its answer) to the chain."""
    locked = _editable(analysis, actor)
    question, answer = _why_texts(question, answer)
    count = locked.whys.count()
    if count >= MAX_WHYS:
        raise DomainError(_("An analysis has at most 20 whys."), field="question")
    why = AnalysisWhy.objects.create(
        analysis=locked, position=count + 1, question=question, answer=answer
    )
    _touch(locked)
    audit.record(
        actor=actor,
        action=events.ANALYSIS_WHY_ADDED,
        target=locked,
        after={"why": why.pk, "position": why.position, "question": question, "answer": answer},
    )
    return why


@transaction.atomic
def update_why(*, why: AnalysisWhy, actor: User, question: str, answer: str) -> AnalysisWhy:
    locked = _editable(why.analysis, actor)
    question, answer = _why_texts(question, answer)
    why = AnalysisWhy.objects.get(pk=why.pk, analysis=locked)
    _update_part(locked, why, "why", {"question": question, "answer": answer}, actor)
    return why


@transaction.atomic
def remove_why(*, why: AnalysisWhy, actor: User) -> None:
    """Take a step out of the chain; the ones after it move up."""
    locked = _editable(why.analysis, actor)
    why = AnalysisWhy.objects.get(pk=why.pk, analysis=locked)
    removed = {"why": why.pk, "position": why.position, "question": why.question}
    why.delete()
    for position, step in enumerate(locked.whys.order_by("position", "id"), start=1):
        if step.position != position:
            step.position = position
            step.save(update_fields=["position"])
    _touch(locked)
    audit.record(actor=actor, action=events.ANALYSIS_WHY_REMOVED, target=locked, before=removed)


# --- the fishbone ---------------------------------------------------------------------


def _cause_values(category: str, text: str) -> tuple[str, str]:
    errors: Errors = {}
    if category not in CauseCategory.values:
        errors["category"] = _("Choose from the list.")
    text = clean_text(errors, "text", text, limit=2000)
    raise_if(errors)
    return category, text


@transaction.atomic
def add_cause(
    *,
    analysis: RootCauseAnalysis,
    actor: User,
    category: str,
    text: str,
    is_root_cause: bool = False,
) -> FishboneCause:
    """Put a cause on one bone of the fishbone (people, method, machine, material,
    environment, measurement), marked as a root cause or not."""
    locked = _editable(analysis, actor)
    category, text = _cause_values(category, text)
    if locked.causes.count() >= MAX_CAUSES:
        raise DomainError(_("An analysis has at most 60 causes."), field="text")
    cause = FishboneCause.objects.create(
        analysis=locked,
        category=category,
        text=text,
        is_root_cause=is_root_cause,
        created_at=clock.now(),
    )
    _touch(locked)
    audit.record(
        actor=actor,
        action=events.ANALYSIS_CAUSE_ADDED,
        target=locked,
        after={
            "cause": cause.pk,
            "category": category,
            "text": text,
            "is_root_cause": is_root_cause,
        },
    )
    return cause


@transaction.atomic
def update_cause(
    *, cause: FishboneCause, actor: User, category: str, text: str, is_root_cause: bool
) -> FishboneCause:
    locked = _editable(cause.analysis, actor)
    category, text = _cause_values(category, text)
    cause = FishboneCause.objects.get(pk=cause.pk, analysis=locked)
    values = {"category": category, "text": text, "is_root_cause": is_root_cause}
    _update_part(locked, cause, "cause", values, actor)
    return cause


@transaction.atomic
def remove_cause(*, cause: FishboneCause, actor: User) -> None:
    locked = _editable(cause.analysis, actor)
    cause = FishboneCause.objects.get(pk=cause.pk, analysis=locked)
    removed = {"cause": cause.pk, "category": cause.category, "text": cause.text}
    cause.delete()
    _touch(locked)
    audit.record(actor=actor, action=events.ANALYSIS_CAUSE_REMOVED, target=locked, before=removed)


# --- evidence -------------------------------------------------------------------------


@transaction.atomic
def link_evidence(
    *,
    analysis: RootCauseAnalysis,
    actor: User,
    tickets: Sequence[str] = (),
    feedback_items: Sequence[str] = (),
) -> RootCauseAnalysis:
    """Link tickets (that the actor sees) and feedback items, by number, as evidence.
    Already linked ones are left as they are; an unknown number links nothing at all."""
    locked = _editable(analysis, actor)
    errors: Errors = {}
    found_tickets = find_tickets(errors, "tickets", actor, tickets)
    found_items = find_feedback(errors, "feedback_items", feedback_items)
    if not errors and not found_tickets and not found_items:
        errors["tickets"] = _("Give at least one ticket or feedback number.")
    raise_if(errors)
    known_tickets = set(locked.tickets.values_list("pk", flat=True))
    known_items = set(locked.feedback_items.values_list("pk", flat=True))
    new_tickets = [t for t in found_tickets if t.pk not in known_tickets]
    new_items = [i for i in found_items if i.pk not in known_items]
    locked.tickets.add(*new_tickets)
    locked.feedback_items.add(*new_items)
    if new_tickets or new_items:
        _touch(locked)
        audit.record(
            actor=actor,
            action=events.ANALYSIS_EVIDENCE_LINKED,
            target=locked,
            after={
                "tickets": sorted(t.number for t in new_tickets),
                "feedback_items": sorted(i.number for i in new_items),
            },
        )
    return locked


@transaction.atomic
def unlink_evidence(
    *,
    analysis: RootCauseAnalysis,
    actor: User,
    tickets: Sequence[str] = (),
    feedback_items: Sequence[str] = (),
) -> RootCauseAnalysis:
    """Remove linked tickets and feedback items (by number; unlinked ones are ignored)."""
    locked = _editable(analysis, actor)
    ticket_numbers = {str(n).strip().upper() for n in tickets}
    item_numbers = {str(n).strip().upper() for n in feedback_items}
    gone_tickets = list(locked.tickets.filter(number__in=ticket_numbers))
    gone_items = list(locked.feedback_items.filter(number__in=item_numbers))
    locked.tickets.remove(*gone_tickets)
    locked.feedback_items.remove(*gone_items)
    if gone_tickets or gone_items:
        _touch(locked)
        audit.record(
            actor=actor,
            action=events.ANALYSIS_EVIDENCE_UNLINKED,
            target=locked,
            before={
                "tickets": sorted(t.number for t in gone_tickets),
                "feedback_items": sorted(i.number for i in gone_items),
            },
        )
    return locked


# --- concluding -----------------------------------------------------------------------


@transaction.atomic
def conclude_analysis(
    *, analysis: RootCauseAnalysis, actor: User, conclusions: str
) -> RootCauseAnalysis:
    """Write the conclusions and close the analysis for changes. An analysis concludes on
    something: at least one answered why or one cause marked as a root cause."""
    locked = _editable(analysis, actor)
    errors: Errors = {}
    text = clean_text(errors, "conclusions", conclusions)
    raise_if(errors)
    answered = locked.whys.exclude(answer="").exists()
    if not answered and not locked.causes.filter(is_root_cause=True).exists():
        raise DomainError(
            _("Answer at least one why or mark a cause as a root cause before concluding."),
            field="conclusions",
        )
    before = audit.snapshot(locked, ["status", "conclusions"])
    now = clock.now()
    locked.status, locked.conclusions = AnalysisStatus.CONCLUDED, text
    locked.concluded_at = locked.updated_at = now
    locked.save(update_fields=["status", "conclusions", "concluded_at", "updated_at"])
    before, after = audit.changed(before, audit.snapshot(locked, ["status", "conclusions"]))
    audit.record(
        actor=actor, action=events.ANALYSIS_CONCLUDED, target=locked, before=before, after=after
    )
    return locked


@transaction.atomic
def reopen_analysis(*, analysis: RootCauseAnalysis, actor: User) -> RootCauseAnalysis:
    """Back to draft, to change a concluded analysis (its conclusions stay as a start)."""
    require_manager(actor)
    locked = _lock(analysis)
    if locked.status != AnalysisStatus.CONCLUDED:
        raise Conflict(_("This analysis is not concluded."))
    locked.status, locked.concluded_at = AnalysisStatus.DRAFT, None
    locked.updated_at = clock.now()
    locked.save(update_fields=["status", "concluded_at", "updated_at"])
    audit.record(
        actor=actor,
        action=events.ANALYSIS_REOPENED,
        target=locked,
        before={"status": AnalysisStatus.CONCLUDED},
        after={"status": AnalysisStatus.DRAFT},
    )
    return locked


@transaction.atomic
def delete_analysis(*, analysis: RootCauseAnalysis, actor: User) -> None:
    """Remove a draft that no plan refers to (a mistake); the audit trail keeps its record."""
    locked = _editable(analysis, actor)
    if locked.plans.exists():
        raise Conflict(_("An improvement plan refers to this analysis; it cannot be deleted."))
    audit.record(
        actor=actor,
        action=events.ANALYSIS_DELETED,
        target=locked,
        before=audit.snapshot(locked, ANALYSIS_FIELDS),
    )
    locked.delete()
