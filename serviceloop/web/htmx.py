from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from serviceloop.accounts.models import User


class HtmxRequest(HttpRequest):
    """What the views see (for type checking): django-htmx's details, a signed-in user."""

    htmx: HtmxDetails
    user: User
