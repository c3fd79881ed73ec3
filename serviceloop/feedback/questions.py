"""The questions of a staff survey and the answers to them: their shape, checked once here
for every door (desk form, API)."""

import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from serviceloop.core.errors import ValidationFailed
from serviceloop.core.ids import parse_id

from .choices import QuestionKind

MAX_QUESTIONS = 30
MAX_QUESTION_TEXT = 500
MAX_TEXT_ANSWER = 2_000
KEY_PATTERN = re.compile(r"[a-z0-9_]{1,50}")


def localized(text_en: str, text_zh: str) -> str:
    """The text in the active language (the other one when it is empty)."""
    language = get_language() or "en"
    return (text_zh if language.startswith("zh") else text_en) or text_en or text_zh


def question_text(question: Mapping[str, Any]) -> str:
    return localized(str(question.get("text_en", "")), str(question.get("text_zh", "")))


def _problem(number: int, message: Promise) -> Promise:
    return format_lazy(_("Question {number}: {problem}"), number=number, problem=message)


def clean_questions(questions: Any) -> list[dict[str, str]]:
    """The questions in their stored form: each {key, text_en, text_zh, kind}. A missing key
    becomes q1, q2...; a text given in one language only serves both. Raises
    ValidationFailed on "questions" naming the first question at fault."""
    if not isinstance(questions, list) or not questions:
        raise ValidationFailed({"questions": _("Ask at least one question.")})
    if len(questions) > MAX_QUESTIONS:
        raise ValidationFailed({"questions": _("Ask at most 30 questions.")})
    cleaned: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, question in enumerate(questions, start=1):
        if not isinstance(question, Mapping):
            raise ValidationFailed({"questions": _problem(number, _("Enter an object."))})
        key = str(question.get("key") or f"q{number}").strip()
        text_en = str(question.get("text_en") or "").strip()
        text_zh = str(question.get("text_zh") or "").strip()
        kind = str(question.get("kind") or "")
        problem: Promise | None = None
        if not KEY_PATTERN.fullmatch(key):
            problem = _("Keys use lower-case letters, digits and _ (at most 50).")
        elif key in seen:
            problem = _("Another question has the same key.")
        elif not (text_en or text_zh):
            problem = _("Write the question.")
        elif max(len(text_en), len(text_zh)) > MAX_QUESTION_TEXT:
            problem = _("Use at most 500 characters.")
        elif kind not in QuestionKind.values:
            problem = _("Choose the kind: scale_1_5 or text.")
        if problem is not None:
            raise ValidationFailed({"questions": _problem(number, problem)})
        seen.add(key)
        cleaned.append(
            {"key": key, "text_en": text_en or text_zh, "text_zh": text_zh or text_en, "kind": kind}
        )
    return cleaned


def _scale_value(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and (parsed := parse_id(value)) is not None:
        number = parsed
    else:
        return None
    return number if 1 <= number <= 5 else None


def clean_answers(questions: list[dict[str, Any]], answers: Any) -> dict[str, int | str]:
    """The answers as stored: every scale question answered 1..5, text answers optional (at
    most 2,000 characters, blank ones left out). Raises ValidationFailed with one error per
    question at fault, on "answers.<key>"."""
    if not isinstance(answers, Mapping):
        raise ValidationFailed({"answers": _("Enter an object.")})
    errors: dict[str, Promise] = {}
    known = {question["key"] for question in questions}
    for key in answers:
        if key not in known:
            errors[f"answers.{key}"] = _("There is no such question in this survey.")
    cleaned: dict[str, int | str] = {}
    for question in questions:
        key, value = question["key"], answers.get(question["key"])
        if question["kind"] == QuestionKind.SCALE_1_5:
            number = _scale_value(value)
            if number is None:
                errors[f"answers.{key}"] = _("Choose a value from 1 to 5.")
            else:
                cleaned[key] = number
            continue
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            errors[f"answers.{key}"] = _("Enter text.")
        elif len(value) > MAX_TEXT_ANSWER:
            errors[f"answers.{key}"] = _("Use at most 2,000 characters.")
        elif "\x00" in value:
            errors[f"answers.{key}"] = _("The text contains a NUL character (U+0000).")
        elif value.strip():
            cleaned[key] = value.strip()
    if errors:
        raise ValidationFailed(errors)
    return cleaned
