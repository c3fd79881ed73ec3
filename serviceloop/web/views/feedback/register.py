"""The feedback register (/desk/feedback/): filters, counts per status, the newest items a
page at a time, bulk classification, and the exports."""

import tempfile
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from serviceloop.core import clock
from serviceloop.core.errors import DomainError, NotPermitted
from serviceloop.core.keyset import Page, paginate
from serviceloop.feedback import exports, queries, services
from serviceloop.feedback.choices import FeedbackStatus
from serviceloop.feedback.models import FeedbackItem
from serviceloop.feedback.permissions import manages_feedback, reads_all_feedback

from ...access import desk_member
from ...forms import apply_errors
from ...forms.feedback import BulkForm, RegisterForm
from ...htmx import HtmxRequest, with_toast

REGISTER = "feedback/register.html"
PAGE_SIZE = 25


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
