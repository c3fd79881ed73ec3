"""Sign-in, the start page, personal preferences and the rate-limit answer."""

from collections.abc import Callable
from typing import Any, Protocol, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from serviceloop.accounts import services as accounts
from serviceloop.accounts.middleware import activate_for
from serviceloop.accounts.models import User
from serviceloop.core.errors import ValidationFailed
from serviceloop.routing import queries as routing_queries
from serviceloop.routing import services as routing

from ..forms import apply_errors
from ..forms.shell import LoginForm, PreferencesForm
from ..htmx import HtmxRequest
from ..nav import home_url


def login_rate(group: str, request: HttpRequest) -> str:
    return settings.LOGIN_RATE


def public_rate(group: str, request: HttpRequest) -> str:
    return settings.PUBLIC_FORM_RATE


class ViewDecorator(Protocol):
    """What django-ratelimit's `ratelimit(...)` gives (the library has no type information):
    a decorator that returns the view it is given, wrapped."""

    def __call__[V: Callable[..., HttpResponse]](self, view: V, /) -> V: ...


# Failed and successful attempts alike count: per address, and per user name tried.
limit_login: list[ViewDecorator] = [
    ratelimit(key="ip", rate=login_rate, method="POST"),
    ratelimit(key="post:username", rate=login_rate, method="POST"),
]
limit_public_form: ViewDecorator = ratelimit(key="ip", rate=public_rate, method="POST")


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Too many attempts: say so, in the user's language, with HTTP 429."""
    return render(request, "web/rate_limited.html", status=429)


def home(request: HttpRequest) -> HttpResponse:
    """Signed in: the user's start page. Otherwise the front door."""
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    return render(request, "web/home.html")


@method_decorator(limit_login, name="post")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # Called for a signed-in user only (just signed in, or redirect_authenticated_user),
        # but a class-based view's request is Django's: its user may be anonymous.
        return home_url(cast(User, self.request.user))

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if user.language:  # the saved language wins from the first page on
            activate_for(self.request, user.language)
        return response


@method_decorator(limit_public_form, name="post")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


@login_required
def preferences(request: HtmxRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST, works_tickets=user.works_tickets)
        if form.is_valid():
            try:
                with transaction.atomic():  # all of the changes or none
                    accounts.update_preferences(
                        user=user,
                        language=form.cleaned_data["language"],
                        time_zone=form.cleaned_data["time_zone"],
                    )
                    if "away" in form.fields:
                        routing.set_away(user=user, away=form.cleaned_data["away"])
            except ValidationFailed as error:
                apply_errors(form, error)
            else:
                if user.language:
                    activate_for(request, user.language)
                messages.success(request, _("Your preferences are saved."))
                return redirect("preferences")
    else:
        initial: dict[str, Any] = {"language": user.language, "time_zone": user.time_zone}
        if user.works_tickets:
            initial["away"] = routing_queries.is_away(user)
        form = PreferencesForm(initial=initial, works_tickets=user.works_tickets)
    return render(request, "web/preferences.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: remembered on the user when signed in, else in a cookie."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.user.is_authenticated:
        accounts.update_preferences(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
