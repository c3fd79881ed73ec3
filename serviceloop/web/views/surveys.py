"""Satisfaction surveys on the web.

- The pages of the survey links in customers' mails (/surveys/...), no sign-in: the signed
  token in the URL is the key (satisfaction.links). A one-click CSAT link records its score
  at once and offers a comment; the NPS link shows the 0-10 form. Forged or changed links
  get 400, expired ones 410, and nothing is stored.
- The rating form on the portal's page of a resolved or closed ticket (/portal/...).
- The NPS campaigns of the desk (/desk/surveys/): list, create, results, send.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serviceloop.accounts.middleware import activate_for
from serviceloop.accounts.models import User
from serviceloop.core.errors import DomainError, NotPermitted
from serviceloop.customers.language import language_of
from serviceloop.customers.models import Customer
from serviceloop.satisfaction import links, queries, services
from serviceloop.satisfaction.choices import CSAT_SCORES, NPS_SCORES, AnswerChannel
from serviceloop.satisfaction.models import CsatSurvey, NpsCampaign
from serviceloop.satisfaction.permissions import CAMPAIGN_ROLES

from ..access import customer_required, desk_member
from ..forms import apply_errors
from ..forms.surveys import CampaignForm, CsatForm, NpsForm
from ..htmx import HtmxRequest

# What each CSAT score means, shown beside the number.
CSAT_LABELS = {
    1: _("Very dissatisfied"),
    2: _("Dissatisfied"),
    3: _("Neutral"),
    4: _("Satisfied"),
    5: _("Very satisfied"),
}


def _scale(selected: int | None) -> list[dict[str, Any]]:
    return [
        {"score": score, "label": CSAT_LABELS[score], "checked": score == selected}
        for score in CSAT_SCORES
    ]


# --- the pages of the survey links ---------------------------------------------------------


def _speak_to(request: HttpRequest, customer: Customer, text: str = "") -> None:
    """A survey page speaks the customer's language (the one of their mail), unless the
    visitor chose one: the language switch's cookie, or a signed-in user's setting."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    user = request.user
    if isinstance(user, User) and user.language:
        return
    activate_for(request, language_of(customer, text))


def _link_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A forged, changed or expired link: say so (400 / 410); nothing was stored."""
    return render(request, "surveys/link_error.html", {"error": error}, status=error.status)


def _csat_page(
    request: HttpRequest,
    survey: CsatSurvey,
    token: str,
    *,
    form: CsatForm | None = None,
    error: DomainError | None = None,
    just_rated: bool = False,
    status: int = 200,
) -> HttpResponse:
    form = form or CsatForm(initial={"comment": survey.comment})
    context = {
        "survey": survey,
        "ticket": survey.ticket,
        "token": token,
        "form": form,
        "scale": _scale(form["score"].value() or survey.score),
        "error": error,
        "just_rated": just_rated,
    }
    return render(request, "surveys/csat.html", context, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
def csat_rate(request: HttpRequest, token: str, score: int) -> HttpResponse:
    """A one-click link of the CSAT mail. The GET stores nothing: mail scanners open every
    link of a message, and would answer 1 to 5 in turn. It shows the rating chosen and a
    form that the browser sends at once (app.js; without script, one more click); the
    POST records `score` (or changes the answer within 7 days), then thanks and offers a
    comment."""
    try:
        survey = links.csat_survey_for(token)
    except DomainError as error:
        return _link_error(request, error)
    _speak_to(request, survey.customer, f"{survey.ticket.subject}\n{survey.ticket.description}")
    if score not in CSAT_SCORES:  # an edited link: the survey's own form
        return _csat_page(request, survey, token)
    if request.method == "GET":
        refusal = survey.refusal()
        if refusal is not None:
            return _csat_page(request, survey, token, error=refusal, status=refusal.status)
        context = {
            "survey": survey, "ticket": survey.ticket, "score": score, "label": CSAT_LABELS[score]
        }  # fmt: skip
        return render(request, "surveys/csat_confirm.html", context)
    try:
        survey = services.answer_csat(survey=survey, score=score, via=AnswerChannel.EMAIL)
    except DomainError as error:
        return _csat_page(request, survey, token, error=error, status=error.status)
    return _csat_page(request, survey, token, just_rated=True)


@require_http_methods(["GET", "POST"])
@never_cache
def csat(request: HttpRequest, token: str) -> HttpResponse:
    """The survey's page: the five answers and a comment; the form changes the answer."""
    try:
        survey = links.csat_survey_for(token)
    except DomainError as error:
        return _link_error(request, error)
    _speak_to(request, survey.customer, f"{survey.ticket.subject}\n{survey.ticket.description}")
    if request.method != "POST":
        return _csat_page(request, survey, token)
    form = CsatForm(request.POST)
    if form.is_valid():
        try:
            services.answer_csat(
                survey=survey,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                via=AnswerChannel.EMAIL,
            )
        except DomainError as error:
            apply_errors(form, error)
            return _csat_page(request, survey, token, form=form, status=error.status)
        messages.success(request, _("Thank you! Your answer is saved."))
        return redirect("surveys:csat", token)
    return _csat_page(request, survey, token, form=form, status=422)


@require_http_methods(["GET", "POST"])
@never_cache
def nps(request: HttpRequest, token: str) -> HttpResponse:
    """The 0-10 form of an NPS survey, with a reason; answering again within 7 days
    changes the answer."""
    try:
        response = links.nps_response_for(token)
    except DomainError as error:
        return _link_error(request, error)
    _speak_to(request, response.customer)
    form = NpsForm(
        request.POST or None, initial={"score": response.score, "reason": response.reason}
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.answer_nps(
                    response=response,
                    score=form.cleaned_data["score"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                apply_errors(form, error)
                status = error.status
            else:
                messages.success(request, _("Thank you! Your answer is saved."))
                return redirect("surveys:nps", token)
    selected = form["score"].value()
    context = {
        "response": response,
        "form": form,
        "scores": [{"score": s, "checked": str(s) == str(selected)} for s in NPS_SCORES],
    }
    return render(request, "surveys/nps.html", context, status=status)


# --- the portal's rating form --------------------------------------------------------------


@require_POST
@customer_required
def portal_rate(request: HtmxRequest, number: str) -> HttpResponse:
    """The signed-in customer rates their resolved or closed ticket (the same survey as the
    mail's links)."""
    survey = queries.get_own_csat(request.user, number)
    form = CsatForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            survey = services.answer_csat(
                survey=survey,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                via=AnswerChannel.PORTAL,
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            if not request.htmx:
                messages.success(request, _("Thank you! Your answer is saved."))
                return redirect("portal:ticket", number=survey.ticket.number)
            context = rating_context(survey, saved=True)
            return render(request, "surveys/_rating.html", context)
    if not request.htmx:
        for problem in [*form.non_field_errors(), *form.errors.get("score", [])]:
            messages.error(request, problem)
        return redirect("portal:ticket", number=survey.ticket.number)
    context = rating_context(survey, form=form)
    return render(request, "surveys/_rating.html", context, status=status)


def rating_context(
    survey: CsatSurvey, *, form: CsatForm | None = None, saved: bool = False
) -> dict[str, Any]:
    """What surveys/_rating.html (the portal's rating card) needs."""
    form = form or CsatForm(initial={"comment": survey.comment})
    return {
        "survey": survey,
        "rating_form": form,
        "scale": _scale(form["score"].value() or survey.score),
        "saved": saved,
    }


# --- NPS campaigns on the desk -------------------------------------------------------------


def _campaign_rows(user: User) -> QuerySet[NpsCampaign]:
    try:
        return queries.campaign_rows(user)
    except NotPermitted:
        raise PermissionDenied from None


@require_http_methods(["GET", "POST"])
@desk_member
def campaigns(request: HtmxRequest) -> HttpResponse:
    """The NPS campaigns with their response rate and NPS; the form to create one."""
    rows = _campaign_rows(request.user)
    may_run = request.user.role in CAMPAIGN_ROLES
    form = CampaignForm(request.POST or None) if may_run else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                campaign = services.create_nps_campaign(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The campaign is ready. Check it, then send it."))
                return redirect("desk:nps_campaign", campaign.pk)
    items = [{"campaign": row, "results": queries.results_of_row(row)} for row in rows[:100]]
    status = 422 if form is not None and form.errors else 200
    context = {"campaigns": items, "form": form, "may_run": may_run}
    return render(request, "surveys/campaigns.html", context, status=status)


def _get_campaign(user: User, campaign_id: int) -> NpsCampaign:
    try:
        return queries.get_campaign_for(user, campaign_id)
    except NotPermitted:
        raise PermissionDenied from None


@require_GET
@desk_member
def campaign(request: HtmxRequest, campaign_id: int) -> HttpResponse:
    """One campaign: who it samples, and its results."""
    found = _get_campaign(request.user, campaign_id)
    context = {
        "campaign": found,
        "results": queries.campaign_results(found),
        "may_run": request.user.role in CAMPAIGN_ROLES,
    }
    return render(request, "surveys/campaign.html", context)


@require_POST
@desk_member
def send_campaign(request: HtmxRequest, campaign_id: int) -> HttpResponse:
    found = _get_campaign(request.user, campaign_id)
    try:
        sent = services.send_nps_campaign(campaign=found, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        count = sent.sampled - sent.skipped_no_email
        text = ngettext(
            "Sent to %(count)s customer (%(skipped)s without an e-mail address skipped).",
            "Sent to %(count)s customers (%(skipped)s without an e-mail address skipped).",
            count,
        )
        messages.success(request, text % {"count": count, "skipped": sent.skipped_no_email})
    return redirect("desk:nps_campaign", found.pk)


# The links in customers' mails (namespace "surveys"); satisfaction.links reverses them.
public_urlpatterns: list[URLPattern] = [
    path("csat/<str:token>/", csat, name="csat"),
    path("csat/<str:token>/<int:score>/", csat_rate, name="csat_rate"),
    path("nps/<str:token>/", nps, name="nps"),
]

# Under /portal/ (namespace "portal").
portal_urlpatterns: list[URLPattern] = [
    path("tickets/<str:number>/rating/", portal_rate, name="rate"),
]

# Under /desk/ (namespace "desk").
urlpatterns: list[URLPattern] = [
    path("surveys/", campaigns, name="nps_campaigns"),
    path("surveys/<int:campaign_id>/", campaign, name="nps_campaign"),
    path("surveys/<int:campaign_id>/send/", send_campaign, name="nps_campaign_send"),
]
