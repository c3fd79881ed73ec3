"""Why a survey link or an answer is refused; the doors map them (400, 410, 409)."""

from django.utils.translation import gettext_lazy as _

from serviceloop.core.errors import Conflict, DomainError


class BadLink(DomainError):
    """The link was not made by us, was changed, or belongs to another survey (HTTP 400)."""

    status = 400
    code = "bad_link"
    title = _("This survey link is not valid")

    def __init__(self) -> None:
        super().__init__(
            _("This survey link is not valid. Please open the link from our e-mail as it is."),
            field="token",
        )


class SurveyExpired(DomainError):
    """The link's time ran out (HTTP 410)."""

    status = 410
    code = "survey_expired"
    title = _("This survey has expired")

    def __init__(self) -> None:
        super().__init__(
            _("This survey has expired. Thank you all the same for wanting to answer."),
            field="token",
        )


class AnswerLocked(Conflict):
    """The answer was given longer ago than the answer may be changed (HTTP 409)."""

    code = "answer_locked"
    title = _("This answer can no longer be changed")

    def __init__(self) -> None:
        super().__init__(
            _(
                "You answered this survey more than 7 days ago; the answer can no longer be "
                "changed. Thank you for your feedback."
            ),
            field="score",
        )
