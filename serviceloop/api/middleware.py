from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .problems import CONTENT_TYPE, problem


class MethodNotAllowedAsProblem:
    """django-ninja answers an unsupported method with a bare HTML 405, core's
    RefuseNulCharacters a bare 400 and core's DatabaseUnavailable a bare 503; under /api/
    every error is problem+json, so rewrite them (keeping the Allow and Retry-After
    headers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code in (400, 405, 503)
            and request.path.startswith("/api/")
            and response.get("Content-Type") != CONTENT_TYPE
        ):
            kept = ("Allow", "Retry-After", "Cache-Control")
            headers = {name: response[name] for name in kept if response.has_header(name)}
            said = response.content.decode(errors="replace") if response.status_code == 400 else ""
            rewritten = problem(
                request, status=response.status_code, headers=headers, detail=said or None
            )
            if getattr(response, "_has_been_logged", False):  # an outage's 503: logged once
                rewritten._has_been_logged = True  # type: ignore[attr-defined]
            return rewritten
        return response
