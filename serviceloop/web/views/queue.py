"""The agent queue (/desk/): built-in views with their counts, filters and search, sorting,
cursor pages, saved views and bulk actions.

One URL serves the page and its fragments: an htmx request aimed at the results
(`#sl-results`) gets only them, one aimed at the "load more" row (`#sl-more`) only the next
rows. The reads are desk.queue; the writes tickets.services.saved_views and .bulk.
"""

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from serviceloop.accounts.models import User
from serviceloop.core.errors import DomainError, NotPermitted
from serviceloop.core.keyset import Page
from serviceloop.desk import queue as desk_queue
from serviceloop.tickets.choices import Channel, Urgency
from serviceloop.tickets.models import SavedView, Ticket
from serviceloop.tickets.reference import catalogue
from serviceloop.tickets.services import bulk as bulk_services
from serviceloop.tickets.services import saved_views as saved_view_services

from ..access import desk_member
from ..forms import apply_errors
from ..forms.queue import BulkForm, QueueForm, SaveViewForm
from ..htmx import HtmxRequest, with_toast

TEMPLATE = "desk/queue.html"


def _bind(data: QueryDict, user: User, people: list[User]) -> QueueForm:
    """The filter form for `data`, with the user's default view and the view's sort."""
    data = data.copy()
    view = data.get("view") or desk_queue.default_view(user)
    data["view"] = view
    if not data.get("sort") and view in desk_queue.VIEW_BY_CODE:
        data["sort"] = desk_queue.VIEW_BY_CODE[view].sort
    return QueueForm(data, people=people)


# --- rendering -----------------------------------------------------------------------------


def _count_label(count: int) -> str:
    cap = desk_queue.COUNT_CAP
    return f"{cap - 1}+" if count >= cap else str(count)


def _sidebar(user: User, current_view: str, current_query: str) -> dict[str, Any]:
    """The left column: built-in views with counts (one query), saved views (one query)."""
    counts = desk_queue.view_counts(user)
    saved = list(SavedView.objects.filter(user=user))
    return {
        "views": [
            {
                "code": view.code,
                "label": view.label,
                "count": _count_label(counts[view.code]),
                "active": view.code == current_view
                and not any(s.query == current_query for s in saved),
            }
            for view in desk_queue.VIEWS
        ],
        "saved_views": [{"view": s, "active": s.query == current_query} for s in saved],
    }


def _results(request: HtmxRequest, data: QueryDict, *, cursor: str | None) -> dict[str, Any]:
    """The filter form and, when it is valid, the page of tickets it asks for."""
    user = request.user
    people = desk_queue.people_for(user)
    form = _bind(data, user, people)
    page: Page[Ticket] | None = None
    query = ""
    if form.is_valid():
        query = form.query_string()
        try:
            page = desk_queue.queue_page(
                user,
                view=form.cleaned_data["view"],
                filters=form.ticket_filter(),
                sort=form.cleaned_data["sort"],
                cursor=cursor,
            )
        except DomainError as error:  # a filter naming nothing, a cursor not ours
            apply_errors(form, error)
        else:
            channels = dict(Channel.choices)  # get_channel_display translates every label
            for ticket in page.items:  # the label rides on the row for the template
                ticket.channel_label = channels.get(ticket.channel, ticket.channel)  # type: ignore[attr-defined]
    view_code = form.cleaned_data.get("view") or desk_queue.default_view(user)
    return {
        "form": form,
        "page": page,
        "query": query,
        "view": desk_queue.VIEW_BY_CODE[view_code],
        "cursor": cursor,
        "filtered": page is not None and form.is_filtered,
        "people": people,
        "teams": sorted(catalogue().teams.values(), key=lambda team: team.name),
        "urgencies": Urgency.choices,
        "works_tickets": user.works_tickets,
        "columns": 12 + user.works_tickets + (view_code == "commitments"),
        "save_form": SaveViewForm(initial={"query": query}),
    }


def _page(
    request: HtmxRequest, context: dict[str, Any], *, status: int | None = None
) -> HttpResponse:
    """The whole page: results, filter bar and the left column."""
    user = request.user
    context.update(_sidebar(user, context["view"].code, context["query"]))
    if status is None:
        status = 200 if context["page"] is not None else 422
    return render(request, TEMPLATE, context, status=status)


def _current_view(request: HtmxRequest, user: User) -> tuple[str, str]:
    """The view and canonical query of the queue page an htmx request comes from."""
    current = urlsplit(request.htmx.current_url or "") if request.htmx else None
    if current is None or current.path != reverse("desk:queue"):
        return "", ""
    form = _bind(QueryDict(current.query), user, desk_queue.people_for(user))
    if not form.is_valid():
        return "", ""
    return form.cleaned_data["view"], form.query_string()


# --- views ---------------------------------------------------------------------------------


@require_GET
@desk_member
def queue(request: HtmxRequest) -> HttpResponse:
    context = _results(request, request.GET, cursor=request.GET.get("cursor") or None)
    status = 200 if context["page"] is not None else 422
    if request.htmx and request.htmx.target == "sl-more" and status == 200:
        return render(request, f"{TEMPLATE}#rows", context)
    if request.htmx and request.htmx.target == "sl-results":
        response = render(request, f"{TEMPLATE}#results", context, status=status)
        if status == 200:  # the address bar shows the filters as a link would carry them
            response["HX-Push-Url"] = _queue_url(context["query"])
        return response
    return _page(request, context, status=status)


def _queue_url(query: str) -> str:
    return f"{reverse('desk:queue')}?{query}" if query else reverse("desk:queue")


@require_POST
@desk_member
def save_view(request: HtmxRequest) -> HttpResponse:
    """Save the filters of the results shown (the form's `query`) under a name."""
    user = request.user
    form = SaveViewForm(request.POST)
    form.is_valid()
    # Only what the filter form accepts is saved, in its canonical spelling.
    filters = _bind(
        QueryDict(form.cleaned_data.get("query", "")), user, desk_queue.people_for(user)
    )
    query = filters.query_string() if filters.is_valid() else ""
    try:
        if not query:
            raise DomainError(_("These filters are not valid; apply them again and save."))
        saved = saved_view_services.save_view(
            actor=user, name=form.cleaned_data.get("name", ""), query=query
        )
    except NotPermitted:
        raise PermissionDenied from None
    except DomainError as error:
        apply_errors(form, error)
        if request.htmx:
            context = {"save_form": form, "query": query or form.cleaned_data.get("query", "")}
            return render(request, f"{TEMPLATE}#save_form", context, status=422)
        context = _results(request, QueryDict(query), cursor=None)
        context["save_form"] = form
        return _page(request, context, status=422)
    text = str(_("View “%(name)s” saved.") % {"name": saved.name})
    if not request.htmx:
        messages.success(request, text)
        return redirect(_queue_url(saved.query))
    context = {"save_form": SaveViewForm(initial={"query": query}), "query": query}
    context.update(_sidebar(user, filters.cleaned_data["view"], query))
    context["oob"] = True
    return with_toast(render(request, f"{TEMPLATE}#saved", context), text)


@require_POST
@desk_member
def delete_view(request: HtmxRequest, view_id: int) -> HttpResponse:
    user = request.user
    saved = get_object_or_404(SavedView, pk=view_id, user=user)  # others' views: 404
    saved_view_services.delete_view(actor=user, view=saved)
    text = str(_("View “%(name)s” deleted.") % {"name": saved.name})
    if not request.htmx:
        messages.success(request, text)
        return redirect("desk:queue")
    view, query = _current_view(request, user)
    context = _sidebar(user, current_view=view, current_query=query)
    return with_toast(render(request, f"{TEMPLATE}#sidebar", context), text)


@require_POST
@desk_member
def bulk(request: HtmxRequest) -> HttpResponse:
    """Apply one change to the selected tickets; show what happened to each, then the
    results of the filters the change was made from."""
    user = request.user
    form = BulkForm(request.POST)
    outcomes: list[bulk_services.BulkOutcome] | None = None
    if form.is_valid():
        try:
            outcomes = bulk_services.bulk_change(
                actor=user,
                numbers=form.cleaned_data["numbers"],
                action=form.cleaned_data["action"],
                value=form.value(),
            )
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            apply_errors(form, error)
    context = _results(request, QueryDict(form.data.get("query", "")), cursor=None)
    changed = sum(outcome.changed for outcome in outcomes or [])
    context.update(
        bulk_form=form,
        outcomes=outcomes,
        changed=changed,
        unchanged=sum(not o.changed and not o.error for o in outcomes or []),
        failed=[o for o in outcomes or [] if o.error],
    )
    status = 200 if outcomes is not None else 422
    if not request.htmx:
        return _page(request, context, status=status)
    context.update(_sidebar(user, context["view"].code, context["query"]), oob=True)
    response = render(request, f"{TEMPLATE}#results", context, status=status)
    if changed:
        text = ngettext("%(n)d ticket changed.", "%(n)d tickets changed.", changed) % {"n": changed}
        with_toast(response, text)
    return response


urlpatterns: list[URLPattern] = [
    path("", queue, name="queue"),
    path("queue/views/", save_view, name="queue_save_view"),
    path("queue/views/<int:view_id>/delete/", delete_view, name="queue_delete_view"),
    path("queue/bulk/", bulk, name="queue_bulk"),
]
