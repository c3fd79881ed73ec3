"""The customer portal (/portal/): sign-up, my requests, submit one, follow it live, reply,
confirm or reopen; and the public progress check by ticket number and e-mail or phone."""

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from serviceloop.accounts.models import User
from serviceloop.core.errors import DomainError
from serviceloop.core.keyset import paginate
from serviceloop.customers import registration
from serviceloop.satisfaction import queries as satisfaction_queries
from serviceloop.tickets import queries, services, tracking
from serviceloop.tickets.choices import Channel, Status
from serviceloop.tickets.models import Ticket

from ..access import customer_required
from ..forms import apply_errors
from ..forms.portal import ConfirmForm, ReopenForm, ReplyForm, RequestForm, SignUpForm, TrackForm
from ..htmx import HtmxRequest, with_toast
from ..nav import home_url
from .shell import limit_public_form

PAGE_SIZE = 20
POLL_SECONDS = 5


# --- progress steps ------------------------------------------------------------------------

STEPS = (
    (_("Submitted"), (Status.NEW,)),
    (_("In progress"), (Status.IN_PROGRESS, Status.WAITING_CUSTOMER)),
    (_("Resolved"), (Status.RESOLVED,)),
    (_("Closed"), (Status.CLOSED,)),
)


def progress_steps(status: str) -> list[dict[str, Any]]:
    """Submitted → In progress → Resolved → Closed, each done, current or to come."""
    current = next(index for index, (_label, statuses) in enumerate(STEPS) if status in statuses)
    return [
        {
            "label": label,
            "state": "done" if index < current else "current" if index == current else "todo",
        }
        for index, (label, _statuses) in enumerate(STEPS)
    ]


# --- my requests ---------------------------------------------------------------------------


@require_GET
@customer_required
def home(request: HtmxRequest) -> HttpResponse:
    """The customer's requests, newest first, a page at a time (htmx: only the next rows)."""
    tickets = queries.tickets_visible_to(request.user).defer(
        "description", "search_document", "custom_fields"
    )
    try:
        page = paginate(
            tickets,
            fields=("created_at", "id"),
            cursor=request.GET.get("cursor") or None,
            size=PAGE_SIZE,
        )
    except DomainError as error:
        return render(request, "portal/home.html", {"error": error.message}, status=400)
    context = {"tickets": queries.with_reference_data(page.items), "next_cursor": page.next_cursor}
    template = "portal/home.html#rows" if request.htmx else "portal/home.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))  # one URL, two bodies: caches must tell
    return response


# --- submit a request ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@customer_required
def new(request: HtmxRequest) -> HttpResponse:
    user = request.user
    form = RequestForm(request.POST or None, request.FILES or None)
    duplicate: Ticket | None = None
    if request.method == "POST" and form.is_valid():
        try:
            intake = services.submit_ticket(
                actor=user, draft=form.draft(), attachments=form.cleaned_data["attachments"]
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            if not intake.duplicate:
                messages.success(
                    request,
                    _("Thank you. Your request is ticket %(number)s.")
                    % {"number": intake.ticket.number},
                )
                return redirect("portal:ticket", number=intake.ticket.number)
            duplicate = intake.ticket
    status = 422 if form.errors else 200
    return render(request, "portal/new.html", {"form": form, "duplicate": duplicate}, status=status)


# --- one ticket ----------------------------------------------------------------------------


def _ticket_context(user: User, ticket: Ticket) -> dict[str, Any]:
    """Everything the ticket page shows the customer (no internal notes or files: the
    queries leave them out for customers; no team, assignee, urgency or custom fields: the
    templates never show them)."""
    stamp = tracking.progress_stamp(user, ticket.number)  # first: a change meanwhile redraws
    merged_ids = queries.merged_ticket_ids(ticket)
    return {
        "ticket": ticket,
        "stamp": stamp,
        "poll_seconds": POLL_SECONDS,
        "steps": progress_steps(ticket.status),
        "entries": queries.conversation(ticket, user=user, merged_ids=merged_ids),
        "commitments": queries.commitments_of(ticket),
        "attachments": queries.attachments_of(ticket, user=user, merged_ids=merged_ids),
        "follows": ticket.follows,
        "follow_ups": ticket.follow_up_tickets(),
    }


def _ticket_page(
    request: HtmxRequest,
    ticket: Ticket,
    *,
    reply_form: ReplyForm | None = None,
    confirm_form: ConfirmForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _ticket_context(request.user, ticket)
    context |= {
        "reply_form": reply_form or ReplyForm(),
        "confirm_form": confirm_form or ConfirmForm(initial={"version": ticket.version}),
        "reopen_form": reopen_form or ReopenForm(initial={"version": ticket.version}),
        # the rating form, once resolved
        "csat": satisfaction_queries.portal_csat_of(ticket, request.user),
    }
    return render(request, "portal/ticket.html", context, status=status)


@require_GET
@customer_required
def ticket(request: HtmxRequest, number: str) -> HttpResponse:
    found = queries.get_ticket_for(request.user, number)
    return _ticket_page(request, found)


@require_GET
@customer_required
def updates(request: HtmxRequest, number: str) -> HttpResponse:
    """What the ticket page polls: 204 while nothing changed since the stamp it shows, else
    the progress part drawn afresh (status, steps, conversation, commitments, files)."""
    user = request.user
    if tracking.progress_stamp(user, number) == request.GET.get("since"):
        return HttpResponse(status=204)
    found = queries.get_ticket_for(user, number)
    context = _ticket_context(user, found)
    context |= {
        "confirm_form": ConfirmForm(initial={"version": found.version}),
        "reopen_form": ReopenForm(initial={"version": found.version}),
    }
    return render(request, "portal/ticket.html#progress", context)


@require_POST
@customer_required
def reply(request: HtmxRequest, number: str) -> HttpResponse:
    """The customer answers (inbound, web). On a resolved ticket this reopens it (the core's
    rule in add_interaction); on a closed one it opens a new ticket that follows it, and the
    customer is taken there."""
    user = request.user
    found = queries.get_ticket_for(user, number)
    form = ReplyForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            interaction = services.post_interaction(
                ticket=found, actor=user, content=form.cleaned_data["content"], door=Channel.WEB
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            if interaction.ticket_id != found.pk:  # closed: it went to another ticket
                return _moved_on(request, found, interaction.ticket)
            sent = str(_("Your reply is sent."))
            if request.htmx:
                context = {"ticket": found, "reply_form": ReplyForm()}
                response = render(request, "portal/ticket.html#composer", context)
                return with_toast(response, sent, refresh=True)
            messages.success(request, sent)
            return redirect("portal:ticket", number=found.number)
    if request.htmx:
        context = {"ticket": found, "reply_form": form}
        return render(request, "portal/ticket.html#composer", context, status=status)
    return _ticket_page(request, found, reply_form=form, status=status)


def _moved_on(request: HtmxRequest, closed: Ticket, target: Ticket) -> HttpResponse:
    """The reply to a closed request went to the ticket that carries it on: say so there."""
    if target.follows_id == closed.pk:
        text = _("Your request %(old)s was closed; we opened %(new)s for your message.")
    else:
        text = _("Your message was added to %(new)s, which handles request %(old)s.")
    messages.success(request, str(text) % {"old": closed.number, "new": target.number})
    url = reverse("portal:ticket", kwargs={"number": target.number})
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _settle(request: HtmxRequest, number: str, *, to: Status) -> HttpResponse:
    """Confirm (close) or reopen a resolved ticket, as the customer."""
    user = request.user
    found = queries.get_ticket_for(user, number)
    reopening = to == Status.IN_PROGRESS
    form: ConfirmForm = ReopenForm(request.POST) if reopening else ConfirmForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.transition_ticket(
                ticket=found,
                to=to,
                actor=user,
                reason=form.cleaned_data.get("reason", ""),
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            messages.success(
                request,
                _("Your request is reopened. We are on it again.")
                if reopening
                else _("Thank you for confirming. Your request is closed."),
            )
            url = reverse("portal:ticket", kwargs={"number": found.number})
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    forms_by_name: dict[str, Any] = {"reopen_form" if reopening else "confirm_form": form}
    if request.htmx:
        context = {
            "ticket": found,
            "confirm_form": ConfirmForm(initial={"version": found.version}),
            "reopen_form": ReopenForm(initial={"version": found.version}),
            **forms_by_name,
        }
        return render(request, "portal/ticket.html#resolution", context, status=status)
    return _ticket_page(request, found, status=status, **forms_by_name)


@require_POST
@customer_required
def confirm(request: HtmxRequest, number: str) -> HttpResponse:
    return _settle(request, number, to=Status.CLOSED)


@require_POST
@customer_required
def reopen(request: HtmxRequest, number: str) -> HttpResponse:
    return _settle(request, number, to=Status.IN_PROGRESS)


@require_GET
@customer_required
def attachment(request: HtmxRequest, attachment_id: int) -> FileResponse:
    """Download a file of one's own ticket (never an internal one: 404)."""
    found = queries.get_attachment_for(request.user, attachment_id)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.download_name,
        content_type=found.content_type,
    )


# --- sign-up -------------------------------------------------------------------------------


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_http_methods(["GET", "POST"])
@limit_public_form
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    language = get_language() or "en"
    initial = {"language": "zh-hans" if language.startswith("zh") else "en"}
    form = SignUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration.sign_up_customer(
                name=data["name"],
                email=data["email"],
                password=data["password"],
                language=data["language"],
                site=_site(request),
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            # The same answer whether the address was new, pending or known.
            return redirect("portal:signup_sent")
    return render(request, "portal/signup.html", {"form": form}, status=422 if form.errors else 200)


@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/signup_sent.html")


@require_http_methods(["GET", "POST"])
@limit_public_form
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the mail shows a button; the POST activates (mail scanners that open
    links do not activate anything)."""
    error: DomainError | None = None
    if request.method == "POST":
        try:
            registration.activate_customer(uidb64=uidb64, token=token)
        except DomainError as refused:
            error = refused
        else:
            messages.success(
                request, _("Your account is active. Sign in with your e-mail and password.")
            )
            return redirect("login")
    elif registration.user_for_activation_link(uidb64=uidb64, token=token) is None:
        error = DomainError(
            _("This activation link is not valid: it was used already or it expired."),
            field="token",
        )
    status = 200 if error is None else (404 if error.field == "token" else error.status)
    return render(request, "portal/activate.html", {"error": error}, status=status)


# --- the public progress check -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@limit_public_form
def track(request: HttpRequest) -> HttpResponse:
    """No sign-in: ticket number plus the customer's e-mail or phone. Every mismatch gets the
    same "not found" answer."""
    form = TrackForm(request.POST or None)
    progress: tracking.Progress | None = None
    searched = False
    if request.method == "POST" and form.is_valid():
        try:
            progress = tracking.track_ticket(
                number=form.cleaned_data["number"], contact=form.cleaned_data["contact"]
            )
        except DomainError as error:
            apply_errors(form, error)
        else:
            searched = True
    context = {
        "form": form,
        "progress": progress,
        "not_found": searched and progress is None,
        "steps": progress_steps(progress.status) if progress else [],
    }
    return render(request, "portal/track.html", context, status=422 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("new/", new, name="new"),
    path("signup/", signup, name="signup"),
    path("signup/sent/", signup_sent, name="signup_sent"),
    path("activate/<str:uidb64>/<str:token>/", activate, name="activate"),
    path("track/", track, name="track"),
    path("tickets/<str:number>/", ticket, name="ticket"),
    path("tickets/<str:number>/updates/", updates, name="updates"),
    path("tickets/<str:number>/reply/", reply, name="reply"),
    path("tickets/<str:number>/confirm/", confirm, name="confirm"),
    path("tickets/<str:number>/reopen/", reopen, name="reopen"),
    path("files/<int:attachment_id>/", attachment, name="attachment"),
]
