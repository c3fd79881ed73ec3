from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .problems import CONTENT_TYPE, problem


class MethodNotAllowedAsProblem:
    """django-ninja answers an unsupported method with a bare HTML 405, and core's
    RefuseNulCharacters a bare 400; under /api/ every error is problem+json, so rewrite
    them (keeping the Allow header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code in (400, 405)
            and request.path.startswith("/api/")
            and response.get("Content-Type") != CONTENT_TYPE
        ):
            allow = response.get("Allow", "")
            headers = {"Allow": allow} if allow else None
            said = response.content.decode(errors="replace") if response.status_code == 400 else ""
            return problem(
                request, status=response.status_code, headers=headers, detail=said or None
            )
        return response
