"""Request and response schemas of root-cause analyses."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from ninja import Field

from serviceloop.improvement.choices import AnalysisStatus, CauseCategory

from ..common import CodeName, Id, In, Out, PageOut, QueryIn, UserRef
from .plan_schemas import Scope


class WhyOut(Out):
    id: int
    position: int
    question: str
    answer: str


class CauseOut(Out):
    id: int
    category: CauseCategory
    text: str
    is_root_cause: bool


class EvidenceOut(Out):
    linked_tickets: int
    linked_open_tickets: int
    category_tickets: int | None = Field(description="In the category (and below), last days")
    category_days: int
    linked_feedback: int
    feedback_by_status: dict[str, int]


class AnalysisOut(Out):
    id: int
    title: str
    problem: str
    category: CodeName | None
    origin: dict[str, Any] = Field(description="Dashboard filters and dates it started from")
    status: AnalysisStatus
    owner: UserRef | None
    conclusions: str
    whys: list[WhyOut]
    causes: list[CauseOut]
    tickets: list[str] = Field(description="Linked tickets you see")
    feedback_items: list[str]
    evidence: EvidenceOut
    plans: list[str]
    created_at: datetime
    updated_at: datetime
    concluded_at: datetime | None


class AnalysisSummary(Out):
    id: int
    title: str
    category: CodeName | None
    status: AnalysisStatus
    owner: UserRef | None
    updated_at: datetime


class AnalysisList(PageOut):
    items: list[AnalysisSummary]


class AnalysisQuery(QueryIn):
    status: AnalysisStatus | None = None
    cursor: str | None = None
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)


class AnalysisIn(In):
    title: str = Field(..., max_length=200)
    problem: str = Field(..., max_length=20_000)
    category: Id | None = Field(None, description="Category id")
    tickets: list[str] = Field(default_factory=list, max_length=500)
    feedback_items: list[str] = Field(default_factory=list, max_length=500)
    scope: Scope | None = Field(None, description="Dashboard filters it starts from")
    start: date | None = None
    end: date | None = None
    owner: Id | None = None


class AnalysisPatch(In):
    title: str = Field(None, max_length=200)  # type: ignore[assignment]
    problem: str = Field(None, max_length=20_000)  # type: ignore[assignment]
    category: Id | None = None
    owner: Id = None  # type: ignore[assignment]


class WhyIn(In):
    question: str = Field(..., max_length=2000)
    answer: str = Field("", max_length=2000)


class CauseIn(In):
    category: CauseCategory
    text: str = Field(..., max_length=2000)
    is_root_cause: bool = False


class EvidenceIn(In):
    tickets: list[str] = Field(default_factory=list, max_length=500)
    feedback_items: list[str] = Field(default_factory=list, max_length=500)


class ConcludeIn(In):
    conclusions: str = Field(..., max_length=20_000)
