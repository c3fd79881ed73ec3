"""Refusals particular to feedback and staff surveys."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from serviceloop.core.errors import Conflict


class TooFewAnswers(Conflict):
    """Staff survey results are withheld until enough people answered (HTTP 409), so that
    no answer can be told apart."""

    code = "too_few_answers"
    title = _("Not enough answers yet")

    def __init__(self, *, answers: int, needed: int) -> None:
        super().__init__(
            format_lazy(
                _("The results appear after {needed} answers (now {answers})."),
                needed=needed,
                answers=answers,
            ),
            answers=answers,
            needed=needed,
        )
        self.answers = answers
        self.needed = needed
