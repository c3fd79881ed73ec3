"""The composer: a reply, an internal note or a logged call or visit, with a promise and
files; and a canned reply put into it."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from serviceloop.core.errors import DomainError
from serviceloop.tickets import queries, services
from serviceloop.tickets.choices import Channel, Direction, Status
from serviceloop.tickets.services import canned

from ...access import staff_view
from ...forms import apply_errors
from ...forms.ticket import ComposerForm
from ...htmx import HtmxRequest, with_toast
from .page import render_fragments, render_page
from .panels import actions_context, composer_context, timeline_context


@require_GET
@staff_view
def canned_reply(request: HtmxRequest, number: str) -> HttpResponse:
    """The composer's text area filled with a canned reply (placeholders resolved)."""
    if not request.user.works_tickets:
        raise PermissionDenied
    ticket = queries.get_ticket_for(request.user, number)
    chosen = request.GET.get("reply", "")
    if not chosen:
        return HttpResponse(status=204)  # "choose a reply" again: keep what is written
    offered = {str(r.pk): r for r in canned.canned_replies_for(user=request.user, ticket=ticket)}
    if chosen not in offered:
        raise Http404("canned reply")
    text = canned.render_canned_reply(offered[chosen], ticket, request.user)
    return render(
        request, "desk/_ticket_content.html", {"composer": ComposerForm(initial={"content": text})}
    )


@require_POST
@staff_view
def compose(request: HtmxRequest, number: str) -> HttpResponse:
    """Post the composer: reply, internal note or logged contact, with promise and files."""
    user = request.user
    ticket = queries.get_ticket_for(user, number)
    form = ComposerForm(request.POST, request.FILES, closed=ticket.status == Status.CLOSED)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        mode = data["mode"]
        try:
            services.post_interaction(
                ticket=ticket,
                actor=user,
                content=data["content"],
                door=Channel.WEB,
                is_internal=mode == "note",
                channel=data["channel"] if mode == "contact" else None,
                direction=data["direction"] if mode == "contact" else Direction.OUTBOUND,
                emotion=data["emotion"],
                commitment_text=data["commitment_text"],
                commitment_due=data["commitment_due"],
                attachments=data["attachments"],
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            if not request.htmx:
                return redirect("desk:ticket", number=ticket.number)
            ticket = queries.get_ticket_for(user, number)  # the reply may have moved its status
            html = render_fragments(
                request,
                ("desk/_ticket_composer.html", composer_context(request, ticket)),
                ("desk/_ticket_timeline.html", timeline_context(request, ticket)),
                ("desk/_ticket_header.html", {"ticket": ticket}),
                ("desk/_ticket_actions.html", actions_context(request, ticket)),
            )
            toast = (
                gettext("Internal note added.")
                if mode == "note"
                else gettext("Saved to the conversation.")
            )
            return with_toast(HttpResponse(html), toast)
    if not request.htmx:
        return render_page(request, ticket, composer=form, status=status)
    return render(
        request,
        "desk/_ticket_composer.html",
        composer_context(request, ticket, form),
        status=status,
    )
