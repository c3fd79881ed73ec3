from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext

from .outage import is_outage, unavailable


class RefuseNulCharacters:
    """A NUL character (U+0000, `%00`) in the path or the query string is refused with a
    400 before any view runs: no text the application stores or looks up may hold one
    (PostgreSQL cannot), and a view should not have to guard every parameter. Bodies are
    checked by the API's schemas and the forms."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = gettext("The address contains a NUL character (U+0000).")
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DatabaseUnavailable:
    """A view that cannot reach the database (PostgreSQL restarting, down, refusing
    connections) answers 503 with `Retry-After` instead of a 500 (core.outage.unavailable):
    a short translated page, rewritten to problem+json under /api/ by the API's middleware.
    The next request connects afresh. An outage met outside a view (a middleware reading the
    session) gets the same answer from handler500 (core.health.server_error)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_outage(exception):
            return unavailable(request, exception)
        return None
