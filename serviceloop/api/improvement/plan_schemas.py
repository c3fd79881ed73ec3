"""Request and response schemas of improvement plans, their actions and measured effect."""

from datetime import date, datetime

from django.conf import settings
from ninja import Field

from serviceloop.improvement.choices import ActionStatus, Phase, PlanStatus

from ..common import CodeName, Id, In, Out, PageOut, QueryIn, UserRef, WindowOut

Scope = dict[str, list[int | str]]
SCOPE_HELP = (
    "Filters as lists: teams (ids), categories (ids, with their sub-categories), channels, "
    "kinds (codes), tiers (ids); an empty or missing filter means all"
)


class ProgressOut(Out):
    done: int
    total: int = Field(description="Actions not cancelled")
    delayed: int


class NoteOut(Out):
    id: int
    author: UserRef | None
    text: str
    created_at: datetime


class ActionOut(Out):
    id: int
    title: str
    team: CodeName | None
    person: UserRef | None
    planned_start: date
    planned_end: date
    actual_end: date | None
    status: ActionStatus
    notes: list[NoteOut]
    created_at: datetime
    updated_at: datetime


class PlanOut(Out):
    code: str
    title: str
    problem: str
    metric: str = Field(description="Key of the goal metric (GET /api/v1/analytics/metrics)")
    target: float
    deadline: date
    overdue: bool
    scope: Scope
    scope_text: str
    baseline: WindowOut
    after_start: date | None = Field(description="As set; null: from pilot start or Do phase")
    after_end: date | None = Field(description="As set; null: today")
    after: WindowOut | None = Field(description="The after window in effect today")
    pilot_scope: Scope
    pilot_start: date | None
    phase: Phase
    do_started_on: date | None
    status: PlanStatus
    owner: UserRef | None
    analyses: list[int]
    progress: ProgressOut
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class PlanDetail(PlanOut):
    actions: list[ActionOut]


class PlanList(PageOut):
    items: list[PlanOut]


class PlanQuery(QueryIn):
    status: PlanStatus | None = None
    phase: Phase | None = None
    cursor: str | None = None
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


class PlanIn(In):
    title: str = Field(..., max_length=200)
    problem: str = Field(..., max_length=20_000)
    metric: str = Field(..., max_length=50, description="A plannable metric's key")
    target: float
    deadline: date
    baseline_start: date
    baseline_end: date
    scope: Scope = Field(default_factory=dict, description=SCOPE_HELP)
    after_start: date | None = None
    after_end: date | None = None
    owner: Id | None = Field(None, description="User id; default: you")
    pilot_scope: Scope = Field(default_factory=dict, description=SCOPE_HELP)
    pilot_start: date | None = None
    analyses: list[Id] = Field(default_factory=list, description="Root-cause analysis ids")


class PlanPatch(In):
    """Fields left out stay as they are."""

    title: str = Field(None, max_length=200)  # type: ignore[assignment]
    problem: str = Field(None, max_length=20_000)  # type: ignore[assignment]
    metric: str = Field(None, max_length=50)  # type: ignore[assignment]
    target: float = None  # type: ignore[assignment]
    deadline: date = None  # type: ignore[assignment]
    baseline_start: date = None  # type: ignore[assignment]
    baseline_end: date = None  # type: ignore[assignment]
    scope: Scope = None  # type: ignore[assignment]
    after_start: date | None = None
    after_end: date | None = None
    owner: Id = None  # type: ignore[assignment]
    pilot_scope: Scope = None  # type: ignore[assignment]
    pilot_start: date | None = None
    analyses: list[Id] = None  # type: ignore[assignment]


class PhaseIn(In):
    phase: Phase
    note: str = Field("", max_length=2000)


class PlanStatusIn(In):
    status: PlanStatus
    note: str = Field("", max_length=2000, description="Required to cancel")


class ActionIn(In):
    title: str = Field(..., max_length=200)
    team: Id = Field(description="Responsible team id")
    person: Id | None = Field(None, description="Responsible person (a team member) id")
    planned_start: date
    planned_end: date


class ActionPatch(In):
    title: str = Field(None, max_length=200)  # type: ignore[assignment]
    team: Id = None  # type: ignore[assignment]
    person: Id | None = None
    planned_start: date = None  # type: ignore[assignment]
    planned_end: date = None  # type: ignore[assignment]


class ActionStatusIn(In):
    status: ActionStatus
    actual_end: date | None = Field(None, description="For done; default today")
    note: str = Field("", max_length=2000, description="Added to the notes; required to cancel")


class NoteIn(In):
    text: str = Field(..., max_length=2000)


# --- schemas: effect ------------------------------------------------------------------


class PlanMetricOut(Out):
    key: str
    label: str
    unit: str
    direction: str
    statistic: str


class ComparisonOut(Out):
    before_value: float | None
    after_value: float | None
    change: float | None = Field(description="after − before, in the metric's unit")
    relative_change: float | None = Field(description="change / before (fraction)")
    low: float | None = Field(description="Lower bound of the interval of the change")
    high: float | None
    confidence: float
    n_before: int
    n_after: int
    significant: bool = Field(description="The interval excludes 0")
    method: str
    summary: str = Field(description="In words, with n and the interval")


class DidOut(Out):
    estimate: float | None = Field(description="pilot change − rest change")
    low: float | None
    high: float | None
    confidence: float
    pilot_change: float | None
    rest_change: float | None
    n_pilot_before: int
    n_pilot_after: int
    n_rest_before: int
    n_rest_after: int
    significant: bool
    method: str
    summary: str


class PilotEffectOut(Out):
    pilot: ComparisonOut
    rest: ComparisonOut
    did: DidOut


class EffectOut(Out):
    plan: str
    metric: PlanMetricOut
    baseline: WindowOut
    after: WindowOut | None = Field(description="null: the change has not started")
    target: float
    completion: float | None = Field(description="Target completion (1.0 = met; may exceed 1)")
    overall: ComparisonOut
    pilot: PilotEffectOut | None
