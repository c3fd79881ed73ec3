"""The bell in the staff header and the notifications page (/desk/notifications/).

The header does not count anything while a page renders (the pages keep their query
budgets): the badge loads itself with htmx once the page is shown, then polls every 30 s,
sending the label it shows, and an unchanged count answers 204 (nothing to swap). The panel
under the bell loads when it is opened. Opening a notification is a POST (it changes the
read mark, so it needs the CSRF token) that marks it read and redirects to its ticket.
"""

import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from serviceloop.core.errors import DomainError
from serviceloop.inbox import queries, services
from serviceloop.inbox.models import Kind

from ..access import desk_member, signed_out_fragment
from ..htmx import HtmxRequest

TEMPLATE = "desk/notifications.html"
BELL_CHANGED = "sl:bell"  # the event that makes the badge ask again at once


def _bell_changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = json.dumps({BELL_CHANGED: True})
    return response


@require_GET
@signed_out_fragment(lambda: HttpResponse(status=204))  # the badge just stays as it is
@desk_member
def bell(request: HtmxRequest) -> HttpResponse:
    """The badge: 204 when it already shows the current label (?shown=), else the badge."""
    label = queries.badge_label(queries.unread_count(request.user))
    if "shown" in request.GET and request.GET["shown"] == label:
        return HttpResponse(status=204)
    return render(request, f"{TEMPLATE}#badge", {"label": label})


@require_GET
@signed_out_fragment(lambda: HttpResponseClientRedirect(reverse(settings.LOGIN_URL)))
@desk_member
def panel(request: HtmxRequest) -> HttpResponse:
    """The dropdown under the bell: the newest notifications and "mark all read"."""
    return render(request, f"{TEMPLATE}#panel", {"items": queries.newest(request.user)})


@require_GET
@desk_member
def notifications(request: HtmxRequest) -> HttpResponse:
    """All of the user's delivered notifications, newest first, in cursor pages; ?unread=1
    keeps the unread ones. An htmx request for the "load more" row gets the next rows."""
    unread_only = request.GET.get("unread") == "1"
    try:
        page = queries.page_of(
            request.user, cursor=request.GET.get("cursor") or None, unread_only=unread_only
        )
    except DomainError as error:  # a cursor that was tampered with
        return HttpResponse(str(error.message), status=400, content_type="text/plain")
    context = {"page": page, "unread_only": unread_only, "unread": "1" if unread_only else ""}
    if request.htmx and request.htmx.target == "sl-more":
        return render(request, f"{TEMPLATE}#rows", context)
    return render(request, TEMPLATE, context)


@require_POST
@desk_member
def open_notification(request: HtmxRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go to its ticket (the list when it has none). Another
    user's notification is not found."""
    notification = queries.get_notification_for(request.user, notification_id)
    if notification is None:
        return HttpResponse(status=404)
    services.mark_read(user=request.user, ids=[notification.pk])
    if notification.ticket is not None:
        return redirect("desk:ticket", notification.ticket.number)
    survey = notification.params.get("survey") if isinstance(notification.params, dict) else None
    if notification.kind == Kind.STAFF_SURVEY and isinstance(survey, int):
        return redirect("desk:staff_survey_answer", survey_id=survey)
    plan = notification.params.get("number") if isinstance(notification.params, dict) else None
    if notification.kind == Kind.PLAN_ACTION_DELAYED and isinstance(plan, str):
        return redirect("desk:improvement_plan", code=plan)
    return redirect("desk:notifications")


@require_POST
@desk_member
def read_all(request: HtmxRequest) -> HttpResponse:
    """Mark every delivered notification read: from the panel (htmx) the panel comes back
    and the badge refreshes; from the page (a plain form) the page reloads."""
    services.mark_all_read(user=request.user)
    if request.htmx and request.htmx.target == "sl-bell-panel":
        context = {"items": queries.newest(request.user)}
        return _bell_changed(render(request, f"{TEMPLATE}#panel", context))
    return redirect(reverse("desk:notifications"))


urlpatterns: list[URLPattern] = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/bell/", bell, name="notifications_bell"),
    path("notifications/panel/", panel, name="notifications_panel"),
    path("notifications/read-all/", read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/open/", open_notification, name="notification_open"),
]
