"""The feedback register on the desk (/desk/feedback/), staff surveys
(/desk/staff-surveys/), and the customer's feedback page in the portal (/portal/feedback/).

Views parse, call the feedback use cases and render; one URL serves a page and its htmx
fragments (the register's results, its "load more" rows, an item's panels). Refusals of the
use cases come back on the forms (apply_errors); NotPermitted is a 403.
"""

import re
import tempfile
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from serviceloop.accounts.models import User
from serviceloop.audit.models import AuditEvent
from serviceloop.core import clock
from serviceloop.core.errors import DomainError, NotPermitted
from serviceloop.core.keyset import Page, paginate
from serviceloop.customers.models import Customer
from serviceloop.feedback import exports, queries, services
from serviceloop.feedback.choices import FeedbackStatus, Source
from serviceloop.feedback.errors import TooFewAnswers
from serviceloop.feedback.models import FeedbackItem, StaffSurvey
from serviceloop.feedback.permissions import manages_feedback, reads_all_feedback
from serviceloop.feedback.questions import question_text
from serviceloop.tickets.queries import tickets_visible_to
from serviceloop.tickets.reference import catalogue

from ...access import customer_required, desk_member
from ...forms import apply_errors
from ...forms.feedback import (
    BulkForm,
    ClassifyForm,
    CustomerFeedbackForm,
    LinkForm,
    RegisterForm,
    StaffFeedbackForm,
    StatusForm,
    SurveyForm,
    answer_form,
)
from ...htmx import HtmxRequest, with_toast

REGISTER = "feedback/register.html"
ITEM = "feedback/item.html"
PAGE_SIZE = 25
NUMBERS = re.compile(r"[\s,;，；]+")


# --- the register --------------------------------------------------------------------------


def _register_context(request: HtmxRequest, data: QueryDict, cursor: str | None) -> dict[str, Any]:
    """The filter form and, when valid, the page of items, the counts per status."""
    user = request.user
    form = RegisterForm(data)
    page: Page[FeedbackItem] | None = None
    counts: dict[str, int] = {}
    query = ""
    if form.is_valid():
        query = form.query_string()
        visible = queries.feedback_visible_to(user)
        try:
            items = queries.filter_feedback(visible, form.feedback_filter())
            counts = queries.status_counts(
                queries.filter_feedback(visible, form.feedback_filter(with_status=False))
            )
            page = paginate(
                items.select_related(*queries.LIST_RELATED),
                fields=("created_at", "id"),
                cursor=cursor,
                size=PAGE_SIZE,
            )
        except DomainError as error:
            apply_errors(form, error)
    current = form.cleaned_data.get("status", "") if form.is_bound else ""
    tabs = [
        {
            "code": "",
            "label": _("All"),
            "count": sum(counts.values()),
            "active": not current,
            "query": form.query_string(status="") if page is not None else "",
        }
    ] + [
        {
            "code": status.value,
            "label": status.label,
            "count": counts.get(status.value, 0),
            "active": current == status.value,
            "query": form.query_string(status=status.value) if page is not None else "",
        }
        for status in FeedbackStatus
    ]
    return {
        "form": form,
        "page": page,
        "query": query,
        "tabs": tabs,
        "cursor": cursor,
        "filtered": page is not None and form.is_filtered,
        "manages": manages_feedback(user),
        "exports": reads_all_feedback(user),
        "columns": 10 + manages_feedback(user),
        "bulk_form": BulkForm(),
    }


@require_GET
@desk_member
def register(request: HtmxRequest) -> HttpResponse:
    """The register: filters, counts per status, the newest items a page at a time."""
    context = _register_context(request, request.GET, request.GET.get("cursor") or None)
    status = 200 if context["page"] is not None else 422
    if request.htmx and request.htmx.target == "sl-more" and status == 200:
        return render(request, f"{REGISTER}#rows", context)
    if request.htmx and request.htmx.target == "sl-results":
        response = render(request, f"{REGISTER}#results", context, status=status)
        if status == 200:
            url = reverse("desk:feedback")
            response["HX-Push-Url"] = f"{url}?{context['query']}" if context["query"] else url
        return response
    return render(request, REGISTER, context, status=status)


@require_POST
@desk_member
def bulk(request: HtmxRequest) -> HttpResponse:
    """Classify the checked items in one go (all or nothing), then show the results of the
    filters the change was made from."""
    user = request.user
    form = BulkForm(request.POST)
    changed: list[FeedbackItem] | None = None
    if form.is_valid():
        try:
            changed = services.bulk_classify(
                ids=form.cleaned_data["ids"],
                actor=user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                **form.changes(),
            )
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            apply_errors(form, error)
    context = _register_context(request, QueryDict(form.data.get("query", "")), None)
    context.update(bulk_form=form, changed=changed)
    status = 200 if changed is not None else 422
    template = f"{REGISTER}#results" if request.htmx else REGISTER
    response = render(request, template, context, status=status)
    if changed:
        count = len(changed)
        text = ngettext("%(n)d item changed.", "%(n)d items changed.", count) % {"n": count}
        with_toast(response, text)
    return response


@require_GET
@desk_member
def export(request: HtmxRequest) -> HttpResponseBase:
    """The filtered register as ?format=csv (streamed) or xlsx (built in a temporary file,
    then streamed). For the register's readers."""
    user = request.user
    if not reads_all_feedback(user):
        raise PermissionDenied
    fmt = request.GET.get("format", "csv")
    form = RegisterForm(request.GET)
    if fmt not in exports.FORMATS or not form.is_valid():
        return HttpResponse(
            str(_("These filters are not valid; apply them again and export.")),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        items = queries.filter_feedback(queries.feedback_visible_to(user), form.feedback_filter())
    except DomainError as error:
        return HttpResponse(str(error.message), status=400, content_type="text/plain")
    data = exports.Export(items)
    name = exports.filename(fmt, clock.now())
    if fmt == "csv":
        streamed = StreamingHttpResponse(
            exports.csv_lines(data), content_type=exports.content_type("csv")
        )
        streamed["Content-Disposition"] = f'attachment; filename="{name}"'
        return streamed
    destination = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes (and so removes) it
    exports.write_xlsx(data, destination)
    destination.seek(0)
    return FileResponse(
        destination, as_attachment=True, filename=name, content_type=exports.content_type("xlsx")
    )


# --- sending feedback as staff -------------------------------------------------------------


def _numbers(value: str) -> list[str]:
    return [number for number in NUMBERS.split(value.strip()) if number]


@require_http_methods(["GET", "POST"])
@desk_member
def new(request: HtmxRequest) -> HttpResponse:
    user = request.user
    form = StaffFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.register_feedback(
                source=Source.STAFF,
                title=data["title"],
                text=data["text"],
                actor=user,
                anonymous=data["anonymous"],
                tickets=queries.tickets_numbered(user, _numbers(data["tickets"]), field="tickets"),
            )
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you. Your feedback is %(number)s.") % {"number": item.number},
            )
            if queries.feedback_visible_to(user).filter(pk=item.pk).exists():
                return redirect("desk:feedback_item", number=item.number)
            return redirect("desk:feedback")
    status = 422 if form.errors else 200
    return render(request, "feedback/new.html", {"form": form}, status=status)


# --- one item ------------------------------------------------------------------------------


HISTORY = {
    "feedback.registered": _("registered"),
    "feedback.classified": _("classified"),
    "feedback.status_changed": _("status changed to “%(status)s”"),
    "feedback.tickets_linked": _("tickets linked: %(tickets)s"),
    "feedback.ticket_unlinked": _("ticket unlinked: %(tickets)s"),
    "feedback.taken_from_staff_survey": _("taken from a staff survey"),
}


def _history(item: FeedbackItem) -> list[dict[str, Any]]:
    """The item's audit trail as sentences: who (nobody for anonymous feedback), what."""
    events = AuditEvent.objects.filter(target_type="feedbackitem", target_id=str(item.pk)).order_by(
        "occurred_at", "id"
    )
    statuses = dict(FeedbackStatus.choices)
    entries = []
    for event in events:
        after, before = event.after or {}, event.before or {}
        if event.actor_id is not None:
            who = event.actor_label
        else:
            who = str(_("Anonymous") if after.get("anonymous") else _("The system"))
        values = {
            "status": statuses.get(after.get("status", ""), after.get("status", "")),
            "tickets": ", ".join(after.get("tickets") or before.get("tickets") or []),
        }
        template = HISTORY.get(event.action)
        what = str(template) % values if template else event.action
        entries.append({"event": event, "who": who, "what": what})
    return entries


def _item_context(user: User, item: FeedbackItem, **forms_: forms.Form) -> dict[str, Any]:
    context = {
        "item": item,
        "tickets": list(item.tickets.order_by("-created_at")),
        "history": _history(item),
        "manages": manages_feedback(user),
        "classify_form": ClassifyForm.of(item),
        "status_form": StatusForm(initial={"status": item.status}),
        "link_form": LinkForm(),
    }
    context.update(forms_)
    return context


def _item_page(
    request: HtmxRequest, item: FeedbackItem, *, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    """The item page, or only its panels for htmx (the forms post back into them)."""
    item = queries.get_feedback_for(request.user, item.number)  # fresh, with its relations
    context = _item_context(request.user, item, **forms_)
    template = f"{ITEM}#panels" if request.htmx else ITEM
    return render(request, template, context, status=status)


@require_GET
@desk_member
def item(request: HtmxRequest, number: str) -> HttpResponse:
    return _item_page(request, queries.get_feedback_for(request.user, number))


def _change(
    request: HtmxRequest, number: str, form: forms.Form, name: str, call: Any, done: str
) -> HttpResponse:
    """Run `call(item, form.cleaned_data)` and answer with the panels: the toast `done`, or
    the form with its errors (422)."""
    user = request.user
    found = queries.get_feedback_for(user, number)
    if form.is_valid():
        try:
            call(found, user, form.cleaned_data)
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            apply_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, done)
                return redirect("desk:feedback_item", number=found.number)
            return with_toast(_item_page(request, found), done)
    return _item_page(request, found, status=422, **{name: form})


@require_POST
@desk_member
def classify(request: HtmxRequest, number: str) -> HttpResponse:
    def call(item: FeedbackItem, user: User, data: dict[str, Any]) -> None:
        services.classify_feedback(item=item, actor=user, **data)

    form = ClassifyForm(request.POST)
    return _change(request, number, form, "classify_form", call, str(_("Classification saved.")))


@require_POST
@desk_member
def change_status(request: HtmxRequest, number: str) -> HttpResponse:
    def call(item: FeedbackItem, user: User, data: dict[str, Any]) -> None:
        services.change_feedback_status(
            item=item, actor=user, status=data["status"], reason=data["reason"]
        )

    form = StatusForm(request.POST)
    return _change(request, number, form, "status_form", call, str(_("Status changed.")))


@require_POST
@desk_member
def link(request: HtmxRequest, number: str) -> HttpResponse:
    def call(item: FeedbackItem, user: User, data: dict[str, Any]) -> None:
        services.link_tickets(item=item, actor=user, numbers=_numbers(data["numbers"]))

    form = LinkForm(request.POST)
    return _change(request, number, form, "link_form", call, str(_("Tickets linked.")))


@require_POST
@desk_member
def unlink(request: HtmxRequest, number: str, ticket_number: str) -> HttpResponse:
    def call(item: FeedbackItem, user: User, data: dict[str, Any]) -> None:
        services.unlink_ticket(item=item, actor=user, number=ticket_number)

    form = forms.Form(request.POST)
    return _change(request, number, form, "unlink_form", call, str(_("Ticket unlinked.")))


# --- staff surveys -------------------------------------------------------------------------


def _survey_rows(user: User) -> list[dict[str, Any]]:
    surveys = list(queries.surveys_visible_to(user)[:200])
    invited, answered = queries.invited_survey_ids(user), queries.answered_survey_ids(user)
    now = clock.now()
    return [
        {
            "survey": survey,
            "open": survey.is_open_at(now),
            "invited": survey.pk in invited,
            "answered": survey.pk in answered,
            "participation": queries.participation(survey) if reads_all_feedback(user) else None,
        }
        for survey in surveys
    ]


@require_GET
@desk_member
def surveys(request: HtmxRequest) -> HttpResponse:
    user = request.user
    context = {"rows": _survey_rows(user), "manages": manages_feedback(user)}
    return render(request, "feedback/surveys.html", context)


@require_http_methods(["GET", "POST"])
@desk_member
def survey_new(request: HtmxRequest) -> HttpResponse:
    user = request.user
    if not manages_feedback(user):
        raise PermissionDenied
    now = timezone.localtime(clock.now()).replace(second=0, microsecond=0)
    form = SurveyForm(
        request.POST or None,
        initial={"opens_at": now, "closes_at": now + timedelta(days=14)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.create_staff_survey(
                actor=user,
                title=data["title"],
                team=catalogue().teams.get(data["team"]),
                questions=data["questions"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Survey created. Send it to invite the team."))
            return redirect("desk:staff_survey", survey_id=survey.pk)
    status = 422 if form.errors else 200
    return render(request, "feedback/survey_new.html", {"form": form}, status=status)


def _survey_page(request: HtmxRequest, survey: StaffSurvey, *, status: int = 200) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "survey": survey,
        "questions": [{**q, "text": question_text(q)} for q in survey.questions],
        "open": survey.is_open_at(clock.now()),
        "invitation": queries.invitation_of(survey, user),
        "manages": manages_feedback(user),
        "reads": reads_all_feedback(user),
        "participation": None,
        "results": None,
        "withheld": None,
    }
    if context["reads"]:
        context["participation"] = queries.participation(survey)
        try:
            context["results"] = queries.survey_results(survey)
        except TooFewAnswers as withheld:
            context["withheld"] = withheld
    return render(request, "feedback/survey.html", context, status=status)


@require_GET
@desk_member
def survey(request: HtmxRequest, survey_id: int) -> HttpResponse:
    return _survey_page(request, queries.get_survey_for(request.user, survey_id))


@require_POST
@desk_member
def survey_send(request: HtmxRequest, survey_id: int) -> HttpResponse:
    user = request.user
    found = queries.get_survey_for(user, survey_id)
    try:
        invited = services.send_staff_survey(survey=found, actor=user)
    except NotPermitted:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        count = len(invited)
        messages.success(
            request,
            ngettext("%(n)d member invited.", "%(n)d members invited.", count) % {"n": count},
        )
    return redirect("desk:staff_survey", survey_id=found.pk)


@require_http_methods(["GET", "POST"])
@desk_member
def survey_answer(request: HtmxRequest, survey_id: int) -> HttpResponse:
    """The invitee's form. Answered once, stored without their name."""
    user = request.user
    found = queries.get_survey_for(user, survey_id)
    invitation = queries.invitation_of(found, user)
    if invitation is None:
        raise Http404("invitation")
    form = answer_form(found, request.POST or None)
    status = 200
    if request.method == "POST" and not invitation.answered and form.is_valid():
        answers = {
            name.removeprefix("answers."): value for name, value in form.cleaned_data.items()
        }
        try:
            services.answer_staff_survey(survey=found, user=user, answers=answers)
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            messages.success(request, _("Thank you. Your answers are stored without your name."))
            return redirect("desk:staff_surveys")
    if form.errors and status == 200:
        status = 422
    context = {
        "survey": found,
        "form": form,
        "answered": invitation.answered,
        "open": found.is_open_at(clock.now()),
    }
    return render(request, "feedback/survey_answer.html", context, status=status)


@require_POST
@desk_member
def survey_to_feedback(request: HtmxRequest, survey_id: int, answer_id: str) -> HttpResponse:
    """Turn one text answer into an anonymous feedback item."""
    user = request.user
    found = queries.get_survey_for(user, survey_id)
    answer = queries.get_survey_answer(found, answer_id)
    try:
        made = services.register_feedback_from_staff_survey(
            answer=answer, question=request.POST.get("question", ""), actor=user
        )
    except NotPermitted:
        raise PermissionDenied from None
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The answer is now feedback item %(number)s.") % {"number": made.number},
        )
    return redirect("desk:staff_survey", survey_id=found.pk)


# --- the customer's page in the portal -----------------------------------------------------


@require_http_methods(["GET", "POST"])
@customer_required
def portal_feedback(request: HtmxRequest) -> HttpResponse:
    """The customer's feedback: the form, and what they sent with its status."""
    user = request.user
    customer = Customer.objects.filter(user=user).first()
    mine = tickets_visible_to(user).filter(customer=customer).order_by("-created_at")[:50]
    choices = [(t.number, f"{t.number} · {t.subject}") for t in mine]
    form = CustomerFeedbackForm(request.POST or None, tickets=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if customer is None:
                raise DomainError(_("Your login has no customer record."))
            tickets = (
                queries.tickets_numbered(user, [data["ticket"]], field="ticket")
                if data["ticket"]
                else []
            )
            sent = services.register_feedback(
                source=Source.CUSTOMER,
                title=data["title"],
                text=data["text"],
                actor=user,
                customer=customer,
                tickets=tickets,
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you for your feedback. Its number is %(number)s.")
                % {"number": sent.number},
            )
            return redirect("portal:feedback")
    items = list(queries.feedback_visible_to(user)[:100])
    status = 422 if form.errors else 200
    return render(request, "portal/feedback.html", {"form": form, "items": items}, status=status)


urlpatterns: list[URLPattern] = [
    path("feedback/", register, name="feedback"),
    path("feedback/new/", new, name="feedback_new"),
    path("feedback/bulk/", bulk, name="feedback_bulk"),
    path("feedback/export/", export, name="feedback_export"),
    path("feedback/<str:number>/", item, name="feedback_item"),
    path("feedback/<str:number>/classify/", classify, name="feedback_classify"),
    path("feedback/<str:number>/status/", change_status, name="feedback_status"),
    path("feedback/<str:number>/tickets/", link, name="feedback_link"),
    path(
        "feedback/<str:number>/tickets/<str:ticket_number>/unlink/",
        unlink,
        name="feedback_unlink",
    ),
    path("staff-surveys/", surveys, name="staff_surveys"),
    path("staff-surveys/new/", survey_new, name="staff_survey_new"),
    path("staff-surveys/<int:survey_id>/", survey, name="staff_survey"),
    path("staff-surveys/<int:survey_id>/send/", survey_send, name="staff_survey_send"),
    path("staff-surveys/<int:survey_id>/answer/", survey_answer, name="staff_survey_answer"),
    path(
        "staff-surveys/<int:survey_id>/answers/<str:answer_id>/feedback/",
        survey_to_feedback,
        name="staff_survey_to_feedback",
    ),
]

portal_urlpatterns: list[URLPattern] = [
    path("feedback/", portal_feedback, name="feedback"),
]
