"""The ticket page (desk:ticket), and rendering it: the whole page, or parts one after the
other for htmx (the first is the swap target, the others swap out-of-band)."""

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from serviceloop.tickets import queries
from serviceloop.tickets.models import Ticket

from ...access import staff_view
from ...forms.ticket import ComposerForm
from ...htmx import HtmxRequest
from .panels import actions_context, composer_context, customer_context, timeline_context


def _page_context(
    request: HtmxRequest,
    ticket: Ticket,
    *,
    bound: tuple[str, forms.Form] | None = None,
    composer: ComposerForm | None = None,
    conflict: str = "",
) -> dict[str, Any]:
    context: dict[str, Any] = {"ticket": ticket, "can_work": request.user.works_tickets}
    context.update(timeline_context(request, ticket))
    context.update(customer_context(request, ticket))
    if request.user.works_tickets:
        context.update(composer_context(request, ticket, composer))
        context.update(actions_context(request, ticket, bound=bound, conflict=conflict))
    return context


def render_page(
    request: HtmxRequest, ticket: Ticket, *, status: int = 200, **parts: Any
) -> HttpResponse:
    return render(
        request, "desk/ticket.html", _page_context(request, ticket, **parts), status=status
    )


def render_fragments(request: HtmxRequest, *parts: tuple[str, dict[str, Any]]) -> str:
    """Render templates one after the other; the first is the swap target's new content,
    the others carry hx-swap-oob (`oob` in their context)."""
    html = []
    for index, (template, context) in enumerate(parts):
        html.append(render_to_string(template, {**context, "oob": index > 0}, request))
    return "".join(html)


@require_GET
@staff_view
def ticket_page(request: HtmxRequest, number: str) -> HttpResponse:
    """The whole page; an htmx GET (the conflict message's reload button) gets the
    workspace alone."""
    ticket = queries.get_ticket_for(request.user, number)
    context = _page_context(request, ticket)
    if request.htmx:
        return render(request, "desk/ticket.html#workspace", context)
    return render(request, "desk/ticket.html", context)
