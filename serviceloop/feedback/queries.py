"""Read side of feedback: who sees which items, the register's filters and counts, staff
surveys and their results."""

import secrets
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, TeamMembership, User
from serviceloop.core.errors import ValidationFailed
from serviceloop.customers.models import Customer
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.queries import category_and_descendants, tickets_visible_to

from .choices import (
    FeedbackStatus,
    FeedbackType,
    FeedbackUrgency,
    Nature,
    QuestionKind,
    Source,
    Stage,
)
from .errors import TooFewAnswers
from .models import FeedbackItem, StaffSurvey, StaffSurveyAnswer, StaffSurveyInvitation
from .permissions import reads_all_feedback
from .questions import localized

LIST_RELATED = ("team", "category", "customer", "organisation", "submitted_by")
UNCLASSIFIED = "none"  # the filter value of type, stage and nature for "not yet classified"


def feedback_visible_to(user: User) -> QuerySet[FeedbackItem]:
    """The one rule of feedback visibility, used by the register, the pages, the API and
    the exports.

    Specialists, supervisors, managers, admins and analysts see every item; agents the items
    of their teams, those linked to a ticket of their teams and their own (named) ones;
    customers what was registered for their customer record; partners their organisation's.
    """
    items = FeedbackItem.objects.all()
    if not user.is_active:
        return items.none()
    if reads_all_feedback(user):
        return items
    if user.role == Role.AGENT:
        teams = TeamMembership.objects.filter(user_id=user.pk).values("team_id")
        linked = FeedbackItem.tickets.through.objects.filter(
            feedbackitem_id=OuterRef("pk"), ticket__team_id__in=teams
        )
        return items.filter(Q(team_id__in=teams) | Q(Exists(linked)) | Q(submitted_by=user))
    if user.role == Role.CUSTOMER:
        customer_id = Customer.objects.filter(user=user).values_list("id", flat=True).first()
        return items.none() if customer_id is None else items.filter(customer_id=customer_id)
    if user.role == Role.PARTNER and user.organisation_id:
        return items.filter(organisation_id=user.organisation_id)
    return items.none()


def tickets_numbered(user: User, numbers: Iterable[str], *, field: str) -> list[Ticket]:
    """The tickets with these numbers in the user's scope, in the order given (repeats and
    blanks dropped); ValidationFailed on `field` naming the numbers not found."""
    wanted = list(dict.fromkeys(n.strip().upper() for n in numbers if n and n.strip()))
    found = {t.number: t for t in tickets_visible_to(user).filter(number__in=wanted)}
    missing = [number for number in wanted if number not in found]
    if missing:
        raise ValidationFailed(
            {
                field: format_lazy(
                    _("There is no ticket with the number {numbers} in your scope."),
                    numbers=", ".join(missing),
                )
            }
        )
    return [found[number] for number in wanted]


def get_feedback_for(user: User, number: str) -> FeedbackItem:
    """The item with this number in the user's scope, with what its page shows, else 404
    (never 403: a number outside one's scope is not confirmed to exist)."""
    item = (
        feedback_visible_to(user)
        .filter(number=number.strip().upper())
        .select_related(*LIST_RELATED, "classified_by")
        .first()
    )
    if item is None:
        raise Http404("feedback")
    return item


@dataclass(frozen=True, kw_only=True)
class FeedbackFilter:
    """The register's filters. type, stage and nature accept "none" for not yet classified;
    team and category are codes (a category includes its subcategories)."""

    source: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    nature: tuple[str, ...] = ()
    urgency: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    team: str | None = None
    category: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    q: str = ""


_CHOICES: dict[str, list[str]] = {
    "source": Source.values,
    "type": [*FeedbackType.values, UNCLASSIFIED],
    "stage": [*Stage.values, UNCLASSIFIED],
    "nature": [*Nature.values, UNCLASSIFIED],
    "urgency": FeedbackUrgency.values,
    "status": FeedbackStatus.values,
}


def filter_feedback(
    items: QuerySet[FeedbackItem], filters: FeedbackFilter, *, with_status: bool = True
) -> QuerySet[FeedbackItem]:
    """Apply `filters` (without the status filter when `with_status` is false: the counts
    per status are of everything else the filters keep). Unknown codes raise
    ValidationFailed naming the filter."""
    errors: dict[str, Any] = {}
    condition = Q()
    for name, allowed in _CHOICES.items():
        values: tuple[str, ...] = getattr(filters, name)
        if any(value not in allowed for value in values):
            errors[name] = _("Choose valid values.")
        if not values or (name == "status" and not with_status):
            continue
        wanted = ["" if value == UNCLASSIFIED else value for value in values]
        condition &= Q(**{f"{name}__in": sorted(set(wanted))})
    if filters.team:
        team_id = Team.objects.filter(code=filters.team).values_list("id", flat=True).first()
        if team_id is None:
            errors["team"] = _("There is no team with this code.")
        condition &= Q(team_id=team_id)
    if filters.category:
        ids = category_and_descendants(filters.category)
        if not ids:
            errors["category"] = _("There is no category with this code.")
        condition &= Q(category_id__in=ids)
    if filters.created_after:
        condition &= Q(created_at__gte=filters.created_after)
    if filters.created_before:
        condition &= Q(created_at__lt=filters.created_before)
    if errors:
        raise ValidationFailed(errors)
    q = filters.q.strip()
    if q:
        if q.upper().startswith("FB-"):
            condition &= Q(number=q.upper())
        else:
            condition &= Q(title__icontains=q) | Q(text__icontains=q)
    return items.filter(condition)


def status_counts(items: QuerySet[FeedbackItem]) -> dict[str, int]:
    """How many of `items` are in each status (every status present, maybe 0), one query."""
    counts = dict.fromkeys(FeedbackStatus.values, 0)
    for row in items.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


# --- staff surveys -------------------------------------------------------------------------


def min_answers() -> int:
    """STAFF_SURVEY_MIN_ANSWERS (default 5), read at call time."""
    return int(settings.STAFF_SURVEY_MIN_ANSWERS)


def surveys_visible_to(user: User) -> QuerySet[StaffSurvey]:
    """Readers of the register see every survey; other staff the surveys they were invited
    to; customers and partners none."""
    surveys = StaffSurvey.objects.select_related("team")
    if not user.is_active or not user.is_staff_member:
        return surveys.none()
    if reads_all_feedback(user):
        return surveys
    return surveys.filter(invitations__user=user)


def get_survey_for(user: User, survey_id: int) -> StaffSurvey:
    survey = surveys_visible_to(user).filter(pk=survey_id).first()
    if survey is None:
        raise Http404("staff survey")
    return survey


def get_survey_answer(survey: StaffSurvey, answer_id: str) -> StaffSurveyAnswer:
    """One answer of the survey by its random key, else 404."""
    try:
        key = uuid.UUID(str(answer_id))
    except ValueError:
        raise Http404("staff survey answer") from None
    answer = (
        StaffSurveyAnswer.objects.filter(survey=survey, pk=key).select_related("survey").first()
    )
    if answer is None:
        raise Http404("staff survey answer")
    return answer


def invitation_of(survey: StaffSurvey, user: User) -> StaffSurveyInvitation | None:
    return StaffSurveyInvitation.objects.filter(survey=survey, user=user).first()


def answered_survey_ids(user: User) -> set[int]:
    return set(
        StaffSurveyInvitation.objects.filter(user=user, answered=True).values_list(
            "survey_id", flat=True
        )
    )


def invited_survey_ids(user: User) -> set[int]:
    return set(StaffSurveyInvitation.objects.filter(user=user).values_list("survey_id", flat=True))


@dataclass(frozen=True)
class Participation:
    invited: int
    answered: int


def participation(survey: StaffSurvey) -> Participation:
    """How many were invited and how many answered (one query)."""
    counts = survey.invitations.aggregate(
        invited=Count("id"), answered=Count("id", filter=Q(answered=True))
    )
    return Participation(invited=counts["invited"], answered=counts["answered"])


@dataclass(frozen=True)
class TextAnswer:
    answer_id: str  # the answer's random key: reveals nothing of who or when
    text: str
    in_register: str | None  # the number of the feedback item made of it, if any


@dataclass
class QuestionResult:
    key: str
    text_en: str
    text_zh: str
    kind: str
    answered: int = 0
    mean: float | None = None
    distribution: dict[int, int] = field(default_factory=dict)  # 1..5 -> how many
    texts: list[TextAnswer] = field(default_factory=list)

    @property
    def text(self) -> str:
        return localized(self.text_en, self.text_zh)


@dataclass(frozen=True)
class SurveyResults:
    answers: int
    questions: list[QuestionResult]


def counted_answers(survey: StaffSurvey) -> int:
    """How many of the members invited when `survey` was first sent have answered: what its
    results' threshold counts (survey_results)."""
    return StaffSurveyInvitation.objects.filter(survey=survey, initial=True, answered=True).count()


def survey_results(survey: StaffSurvey) -> SurveyResults:
    """Per scale question the mean and the distribution 1..5, per text question the texts in
    a random order. Raises TooFewAnswers below STAFF_SURVEY_MIN_ANSWERS answers: with fewer,
    an answer could be told apart.

    Only the members invited when the survey was first sent count towards that threshold
    (StaffSurveyInvitation.initial): someone who adds members to the team afterwards and
    answers in their names cannot make two real answers look like five."""
    needed = min_answers()
    rows = list(StaffSurveyAnswer.objects.filter(survey=survey).values_list("id", "answers"))
    counted = min(len(rows), counted_answers(survey))
    if counted < needed:
        raise TooFewAnswers(answers=counted, needed=needed)
    promoted = {
        (str(answer_id), question): number
        for answer_id, question, number in FeedbackItem.objects.filter(
            staff_survey_answer__survey=survey
        ).values_list("staff_survey_answer_id", "survey_question", "number")
    }
    results = []
    for question in survey.questions:
        key, kind = question["key"], question["kind"]
        result = QuestionResult(
            key=key, text_en=question["text_en"], text_zh=question["text_zh"], kind=kind
        )
        if kind == QuestionKind.SCALE_1_5:
            values = [a[key] for _id, a in rows if isinstance(a.get(key), int)]
            counts = Counter(values)
            result.answered = len(values)
            result.distribution = {value: counts.get(value, 0) for value in range(1, 6)}
            result.mean = round(sum(values) / len(values), 2) if values else None
        else:
            texts = [
                TextAnswer(str(answer_id), a[key], promoted.get((str(answer_id), key)))
                for answer_id, a in rows
                if isinstance(a.get(key), str) and a[key]
            ]
            secrets.SystemRandom().shuffle(texts)  # never the order of answering
            result.answered = len(texts)
            result.texts = texts
        results.append(result)
    return SurveyResults(answers=len(rows), questions=results)
