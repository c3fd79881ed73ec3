from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .nav import active_item, menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu of the signed-in user, built from the role alone (no query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    items = menu_for(user)
    active = active_item(items, request.path)
    return {
        "menu": [
            {"url": reverse(i.url_name), "label": i.label, "active": i is active} for i in items
        ]
    }
