"""Who may open which page: the web's permission decorators.

Each view says who it is for with one of these; those who may not are answered as the pages
always answered them (sign in first, off to their own start page, or 403). Finer rules (this
ticket, this plan) stay with the queries and services: 404 outside the user's scope.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.improvement.permissions import (
    manages_improvement,
    reads_all_improvement,
    uses_improvement,
)
from serviceloop.tickets.board import may_use_board

from .htmx import HtmxRequest
from .nav import home_url

View = Callable[..., HttpResponseBase]


def desk_member(view: View) -> View:
    """Staff only: anonymous users sign in, customers go to their portal, partners get 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HtmxRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.role == Role.CUSTOMER:
            return redirect(home_url(user))
        if not user.is_staff_member:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def staff_view(view: View) -> View:
    """Signed-in staff only: a customer is sent to the portal's page of the same ticket,
    other roles are refused."""

    @login_required
    @wraps(view)
    def wrapper(request: HtmxRequest, number: str, **kwargs: Any) -> HttpResponseBase:
        if request.user.role == Role.CUSTOMER:
            return redirect("portal:ticket", number=number)
        if not request.user.is_staff_member:
            raise PermissionDenied
        return view(request, number, **kwargs)

    return wrapper


def works_tickets(view: View) -> View:
    """Signed in, with a role that works tickets; others get 403."""

    @login_required
    @wraps(view)
    def guarded(request: HtmxRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.works_tickets:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


def _guard(allowed: Callable[[User], bool]) -> Callable[[View], View]:
    """Signed in, and `allowed(user)`; others get 403."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HtmxRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


board_user = _guard(may_use_board)  # the supervisor board
plan_reader = _guard(uses_improvement)  # improvement plans and their board
analysis_reader = _guard(reads_all_improvement)  # root-cause analyses
improvement_manager = _guard(manages_improvement)  # every change to plans and analyses


def customer_required(view: View) -> View:
    """Signed-in customers only: others sign in first; staff go to their own start page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.role != Role.CUSTOMER:
            if user.is_staff_member:
                return redirect(home_url(user))
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def signed_out_fragment(answer: Callable[[], HttpResponse]) -> Callable[[View], View]:
    """An htmx request of a browser whose session ended gets `answer()` instead of the
    sign-in page (which htmx would otherwise swap into the header)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HtmxRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.htmx and not request.user.is_authenticated:
                return answer()
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
