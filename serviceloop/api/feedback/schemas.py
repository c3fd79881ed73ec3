"""Request and response schemas of the feedback register and of staff surveys."""

from datetime import date, datetime
from typing import Literal

from django.conf import settings
from ninja import Field

from serviceloop.feedback import queries
from serviceloop.feedback.choices import (
    FeedbackStatus,
    FeedbackType,
    FeedbackUrgency,
    Nature,
    QuestionKind,
    Source,
    Stage,
)

from ..common import (
    CodeName,
    CustomerRef,
    Id,
    In,
    Moment,
    OrganisationRef,
    Out,
    PageOut,
    QueryIn,
    UserRef,
)


class FeedbackIn(In):
    text: str = Field(..., min_length=1, max_length=20_000)
    title: str = Field("", max_length=200, description="Defaults to the text's first line")
    anonymous: bool = Field(False, description="Staff only: no reference to you is stored")
    tickets: list[str] = Field([], max_length=50, description="Numbers of related tickets")
    source: Literal["customer", "partner", "staff"] | None = Field(
        None,
        description=(
            "Staff only, to record what a customer (customer_id) or a partner "
            "(organisation_id) said; customers and partners always send their own"
        ),
    )
    customer_id: Id | None = None
    organisation_id: Id | None = None
    type: str = Field("", max_length=20, description="Managers: process_gap, ...")
    urgency: str = Field("", max_length=10, description="Managers: high, medium, low")
    stage: str = Field("", max_length=10, description="Managers: intake, handling, follow_up")
    nature: str = Field("", max_length=10, description="Managers: efficiency, quality, cost")
    category: str = Field("", max_length=64, description="Managers: category code")
    team: str = Field("", max_length=50, description="Managers: team code")


class ClassifyIn(In):
    """Fields left out stay as they are; "" clears one (not urgency)."""

    type: str = Field(None, max_length=20)  # type: ignore[assignment]
    urgency: str = Field(None, max_length=10)  # type: ignore[assignment]
    stage: str = Field(None, max_length=10)  # type: ignore[assignment]
    nature: str = Field(None, max_length=10)  # type: ignore[assignment]
    category: str = Field(None, max_length=64, description="Category code")  # type: ignore[assignment]
    team: str = Field(None, max_length=50, description="Team code")  # type: ignore[assignment]


class BulkClassifyIn(ClassifyIn):
    ids: list[Id] = Field(..., min_length=1, max_length=200)
    status: FeedbackStatus | None = None
    reason: str = Field("", max_length=2_000, description="Required to reject")


class StatusIn(In):
    status: FeedbackStatus
    reason: str = Field("", max_length=2_000, description="Required to reject")


class TicketsIn(In):
    numbers: list[str] = Field(..., min_length=1, max_length=50)


class FeedbackOut(Out):
    id: int
    number: str
    source: Source
    title: str
    text: str
    type: FeedbackType | None
    urgency: FeedbackUrgency | None
    stage: Stage | None
    nature: Nature | None
    status: FeedbackStatus
    rejection_reason: str
    category: CodeName | None
    team: CodeName | None
    tickets: list[str]
    customer: CustomerRef | None
    organisation: OrganisationRef | None
    anonymous: bool
    submitted_by: UserRef | None
    classified_by: UserRef | None
    created_at: datetime
    updated_at: datetime
    classified_at: datetime | None


class FeedbackList(PageOut):
    items: list[FeedbackOut]
    counts: dict[str, int] = Field(description="Per status, under every other filter")


class BulkOut(Out):
    items: list[FeedbackOut]


class FeedbackQuery(QueryIn):
    source: list[str] = []
    type: list[str] = Field([], description='Codes; "none" for not yet classified')
    stage: list[str] = Field([], description='Codes; "none" for not yet classified')
    nature: list[str] = Field([], description='Codes; "none" for not yet classified')
    urgency: list[str] = []
    status: list[str] = []
    team: str | None = Field(None, description="Team code")
    category: str | None = Field(None, description="Category code (includes subcategories)")
    created_after: Moment | None = None
    created_before: Moment | None = None
    q: str = Field("", max_length=200, description="Words of the title or text, or a number")
    cursor: str | None = None
    limit: int = Field(settings.API_PAGE_SIZE, ge=1, le=settings.API_MAX_PAGE_SIZE)

    def feedback_filter(self) -> queries.FeedbackFilter:
        values = self.model_dump(exclude={"cursor", "limit", "format"})
        for name in ("source", "type", "stage", "nature", "urgency", "status"):
            values[name] = tuple(values[name])
        return queries.FeedbackFilter(**values)


class ExportQuery(FeedbackQuery):
    format: Literal["csv", "xlsx"] = "csv"


# --- staff surveys -------------------------------------------------------------------------


class QuestionIn(In):
    key: str = Field("", max_length=50, description="Default q1, q2, ...")
    text_en: str = Field("", max_length=500)
    text_zh: str = Field("", max_length=500)
    kind: QuestionKind


class QuestionOut(Out):
    key: str
    text: str = Field(description="In the language of the request")
    text_en: str
    text_zh: str
    kind: QuestionKind


class StaffSurveyIn(In):
    title: str = Field(..., min_length=1, max_length=200)
    team: str = Field(..., max_length=50, description="Team code")
    questions: list[QuestionIn] = Field(..., min_length=1, max_length=30)
    opens_at: Moment
    closes_at: Moment


class MyInvitation(Out):
    invited: bool
    answered: bool


class StaffSurveyOut(Out):
    id: int
    title: str
    team: CodeName
    questions: list[QuestionOut]
    opens_at: datetime
    closes_at: datetime
    sent_at: datetime | None
    is_open: bool
    invited: int | None = Field(description="Readers of results only")
    answered: int | None = Field(description="Readers of results only")
    me: MyInvitation


class SentOut(Out):
    invited: int = Field(description="Members invited now (newcomers when sent again)")


class AnswerIn(In):
    answers: dict[str, int | str] = Field(
        ..., description="Question key -> 1..5 (scale) or text (optional)"
    )


class AnsweredOut(Out):
    survey: int
    answered_on: date


class TextAnswerOut(Out):
    answer_id: str
    text: str
    feedback: str | None = Field(description="The feedback item made of it, if any")


class QuestionResultOut(Out):
    key: str
    text: str
    kind: QuestionKind
    answered: int
    mean: float | None
    distribution: dict[str, int]
    texts: list[TextAnswerOut]


class StaffSurveyResultsOut(Out):
    answers: int
    questions: list[QuestionResultOut]


class ToFeedbackIn(In):
    question: str = Field(..., max_length=50, description="Key of a text question")
