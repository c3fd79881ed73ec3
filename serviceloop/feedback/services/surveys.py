"""Anonymous staff surveys: create, send to a team, answer once, and turn a text answer into
a feedback item. The results are a query (queries.survey_results)."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import STAFF_ROLES
from serviceloop.accounts.models import Team, User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed
from serviceloop.inbox.models import Kind
from serviceloop.inbox.services import notify

from .. import events
from ..choices import QuestionKind, Source
from ..models import FeedbackItem, StaffSurvey, StaffSurveyAnswer, StaffSurveyInvitation
from ..permissions import require_manager, require_survey_manager
from ..queries import survey_results
from ..questions import clean_answers, clean_questions, question_text
from .items import MAX_TITLE, register_feedback

# The inbox notification that invites a member (params: survey id, its title as "text",
# its closing time as "due_at": the placeholders the inbox's sentences already use).
INVITATION_KIND = "staff_survey"


def invitation_kind() -> Kind | None:
    """The inbox's kind for survey invitations, once the inbox has it. The inbox words only
    the kinds it lists (and its API refuses the others), so until then the invitation shows
    in the survey list only, not in the bell."""
    return Kind(INVITATION_KIND) if INVITATION_KIND in Kind.values else None


@transaction.atomic
def create_staff_survey(
    *,
    actor: User,
    title: str,
    team: Team | None,
    questions: Any,
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> StaffSurvey:
    """A survey of `team`'s members, answerable from `opens_at` until `closes_at`. Questions
    are checked by questions.clean_questions. Nobody is asked until send_staff_survey."""
    require_survey_manager(actor)
    errors: dict[str, Promise | str] = {}
    title = title.strip()
    if not title:
        errors["title"] = _("Give the survey a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Use at most 200 characters.")
    if team is None or not team.is_active:
        errors["team"] = _("Choose an active team.")
    try:
        cleaned = clean_questions(questions)
    except ValidationFailed as invalid:
        errors.update(invalid.errors)
    for name, moment in (("opens_at", opens_at), ("closes_at", closes_at)):
        if moment is None:
            errors[name] = _("This field is required.")
        elif timezone.is_naive(moment):
            errors[name] = _("Give the time with its time zone, such as +08:00 or Z.")
    if errors:
        raise ValidationFailed(errors)
    assert team is not None
    assert opens_at is not None
    assert closes_at is not None
    if closes_at <= opens_at:
        raise ValidationFailed({"closes_at": _("The survey must close after it opens.")})
    if closes_at <= clock.now():
        raise ValidationFailed({"closes_at": _("The survey must close in the future.")})
    survey = StaffSurvey.objects.create(
        title=title,
        team=team,
        questions=cleaned,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action=events.STAFF_SURVEY_CREATED,
        target=survey,
        after={
            "title": title,
            "team": team.code,
            "questions": len(cleaned),
            "opens_at": opens_at,
            "closes_at": closes_at,
        },
    )
    return survey


@transaction.atomic
def send_staff_survey(*, survey: StaffSurvey, actor: User) -> list[StaffSurveyInvitation]:
    """Invite the team's current active staff members who are not invited yet, and tell each
    in the inbox (see invitation_kind). Sending again invites only newcomers. Returns the new
    invitations; refused (Conflict) once the survey closed."""
    require_survey_manager(actor)
    survey = StaffSurvey.objects.select_for_update().select_related("team").get(pk=survey.pk)
    now = clock.now()
    if now >= survey.closes_at:
        raise Conflict(_("This survey is closed."))
    invited = set(survey.invitations.values_list("user_id", flat=True))
    members = [
        user
        for user in User.objects.filter(
            memberships__team=survey.team, is_active=True, role__in=STAFF_ROLES
        ).order_by("pk")
        if user.pk not in invited
    ]
    # members invited by the first sending count towards the results' threshold; those
    # invited later do not (models.StaffSurveyInvitation)
    initial = survey.sent_at is None
    invitations = StaffSurveyInvitation.objects.bulk_create(
        [StaffSurveyInvitation(survey=survey, user=user, initial=initial) for user in members]
    )
    if survey.sent_at is None:
        survey.sent_at = now
        survey.save(update_fields=["sent_at"])
    kind = invitation_kind()
    if kind is not None:
        params = {"survey": survey.pk, "text": survey.title, "due_at": survey.closes_at.isoformat()}
        notify(members, kind=kind, params=params)
    audit.record(
        actor=actor,
        action=events.STAFF_SURVEY_SENT,
        target=survey,
        after={"invited": len(invitations), "team": survey.team.code},
    )
    return invitations


def answer_staff_survey(
    *, survey: StaffSurvey, user: User, answers: Mapping[str, Any]
) -> StaffSurveyAnswer:
    """Store `user`'s answers without any reference to them: the answer row has a random key,
    the survey and the day; the invitation only turns to answered.

    Nothing in the database ties the two: the invitation turns to answered in one
    transaction (under a lock, so that it answers once), the answer is stored in another,
    and each rewrites every row of its survey (see _claim and _store). Call it outside a
    transaction: inside one (a test's) the two writes join it. Should the answer fail to be
    stored, the invitation turns back, and the member may answer again.

    Refused: without an invitation (NotPermitted), a second time, before opening or after
    closing (Conflict), answers that do not fit the questions (ValidationFailed per question,
    on "answers.<key>"). Not audited on purpose: an audit event would stamp the time of the
    answer to the minute, and so could tell who answered what.
    """
    invitation = StaffSurveyInvitation.objects.filter(survey=survey, user=user).first()
    if invitation is None:
        raise NotPermitted(_("You were not invited to this survey."))
    if invitation.answered:
        raise Conflict(_("You have answered this survey already."), code="already_answered")
    now = clock.now()
    if now < survey.opens_at:
        raise Conflict(
            format_lazy(
                _("This survey opens on {date}."), date=timezone.localdate(survey.opens_at)
            ),
            code="not_open",
        )
    if now >= survey.closes_at:
        raise Conflict(_("This survey is closed."), code="closed")
    cleaned = clean_answers(survey.questions, answers)
    _claim(survey, invitation, answered=True)
    try:
        return _store(survey, cleaned, answered_on=timezone.localdate(now))
    except BaseException:
        _claim(survey, invitation, answered=False)
        raise


def _claim(survey: StaffSurvey, invitation: StaffSurveyInvitation, *, answered: bool) -> None:
    """Turn `invitation` to answered (or back, after a failed _store) in a transaction of its
    own. The survey's row is locked first, so the answers to one survey take turns; of two
    answers of one member sent at once, the second finds the invitation answered. Every
    invitation of the survey is written, each with the value it has: on PostgreSQL they all
    carry this transaction's row version (xmin), so the versions do not give away who
    answered last, nor in which order (UPDATE moves no row ahead of the others)."""
    with transaction.atomic():
        _lock(survey)
        current = StaffSurveyInvitation.objects.values_list("answered", flat=True)
        if answered and current.get(pk=invitation.pk):
            raise Conflict(_("You have answered this survey already."), code="already_answered")
        StaffSurveyInvitation.objects.filter(survey=survey).update(
            answered=Case(When(pk=invitation.pk, then=Value(answered)), default=F("answered"))
        )


def _store(survey: StaffSurvey, answers: dict[str, Any], *, answered_on: date) -> StaffSurveyAnswer:
    """Store the answer in a transaction of its own (not _claim's) and write every answer of
    the survey again, unchanged: on PostgreSQL they all carry this transaction's row version,
    so the newest cannot be told by its xmin either. The lock on the survey's row keeps the
    rewrite whole when two members answer at once."""
    with transaction.atomic():
        _lock(survey)
        answer = StaffSurveyAnswer.objects.create(
            survey=survey, answers=answers, answered_on=answered_on
        )
        StaffSurveyAnswer.objects.filter(survey=survey).update(answered_on=F("answered_on"))
        return answer


def _lock(survey: StaffSurvey) -> None:
    """Lock the survey's row until the transaction ends (SQLite's IMMEDIATE transactions
    take turns anyway)."""
    StaffSurvey.objects.select_for_update().filter(pk=survey.pk).values_list("pk").get()


@transaction.atomic
def register_feedback_from_staff_survey(
    *, answer: StaffSurveyAnswer, question: str, actor: User
) -> FeedbackItem:
    """Turn the text answer to `question` into an anonymous staff feedback item of the
    survey's team (once per answer and question). Only while the survey's results are shown
    (enough answers). Audited twice: the item registered by nobody (anonymous), and this
    actor taking it from the survey."""
    require_manager(actor)
    survey = answer.survey
    survey_results(survey)  # TooFewAnswers while the texts are not shown
    asked = next((q for q in survey.questions if q["key"] == question), None)
    if asked is None or asked["kind"] != QuestionKind.TEXT:
        raise DomainError(_("Choose a text question of this survey."), field="question")
    text = answer.answers.get(question)
    if not isinstance(text, str) or not text.strip():
        raise DomainError(_("This answer has no text for the question."), field="question")
    existing = FeedbackItem.objects.filter(
        staff_survey_answer=answer, survey_question=question
    ).first()
    if existing is not None:
        raise Conflict(
            format_lazy(
                _("This answer is in the register already: {number}."), number=existing.number
            )
        )
    title = f"{survey.title}: {question_text(asked)}"
    item = register_feedback(
        source=Source.STAFF,
        title=title[: MAX_TITLE - 1] + "…" if len(title) > MAX_TITLE else title,
        text=text,
        actor=None,
        anonymous=True,
        classification={"team": survey.team.code} if survey.team.is_active else None,
    )
    item.staff_survey_answer, item.survey_question = answer, question
    try:
        with transaction.atomic():
            item.save(update_fields=["staff_survey_answer", "survey_question"])
    except IntegrityError:  # the same answer taken at the same moment by someone else
        raise Conflict(_("This answer is in the register already.")) from None
    audit.record(
        actor=actor,
        action=events.FEEDBACK_TAKEN_FROM_STAFF_SURVEY,
        target=item,
        after={"survey": survey.pk, "question": question},
    )
    return item
