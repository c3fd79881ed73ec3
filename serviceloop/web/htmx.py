import json

from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails

from serviceloop.accounts.models import User


class HtmxRequest(HttpRequest):
    """What the views see (for type checking): django-htmx's details, a signed-in user."""

    htmx: HtmxDetails
    user: User


def with_toast(response: HttpResponse, text: str, *, refresh: bool = False) -> HttpResponse:
    """Have the page show `text` as a toast once htmx swapped the response (app.js); with
    `refresh`, the parts that listen for sl-refresh load again."""
    events: dict[str, str] = {"sl:toast": text}
    if refresh:
        events["sl-refresh"] = ""
    # ASCII JSON (the default): header values must be latin-1; htmx decodes the escapes
    response["HX-Trigger"] = json.dumps(events)
    return response
