"""Turning a stored MailTemplate into the text a customer reads.

Templates are Django templates kept in the database and edited by administrators, who are
trusted; still, the engine below has no template folders, so `{% include %}` and
`{% extends %}` find nothing. Mails are text/plain: no HTML escaping. Dates render in the
customer's time zone and in the format of the mail's language.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils import timezone, translation

from .models import MailTemplate

ENGINE = Engine(
    dirs=[],
    app_dirs=False,
    autoescape=False,
    libraries={
        "i18n": "django.templatetags.i18n",
        "l10n": "django.templatetags.l10n",
        "tz": "django.templatetags.tz",
    },
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    return ENGINE.from_string(source)


def syntax_error(source: str) -> str | None:
    """Why `source` is not a valid template, or None."""
    try:
        _compiled(source)
    except TemplateSyntaxError as error:
        return str(error)
    return None


SUBJECT_LIMIT = 250


def _one_line(text: str, limit: int | None = None) -> str:
    line = " ".join(text.split())
    if limit is not None and len(line) > limit:
        line = line[: limit - 1] + "…"
    return line


def render(
    template: MailTemplate, context: Mapping[str, Any], *, language: str, zone: ZoneInfo
) -> Rendered:
    """Subject (one line), body and SMS text of `template` filled with `context`."""
    with translation.override(language), timezone.override(zone):
        values = Context(dict(context), autoescape=False)
        subject = _one_line(_compiled(template.subject).render(values), SUBJECT_LIMIT)
        body = _compiled(template.body).render(values).strip() + "\n"
        sms = _one_line(_compiled(template.sms or template.subject).render(values))
    return Rendered(subject=subject, body=body, sms=sms)
