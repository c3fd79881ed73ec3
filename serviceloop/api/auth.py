"""API authentication: personal tokens (Authorization: Bearer) or the browser session."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from serviceloop.accounts.middleware import activate_for
from serviceloop.accounts.models import User
from serviceloop.accounts.tokens import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            if user.language:
                activate_for(request, user.language)
        return user


class Session(SessionAuth):
    """Django's session; unsafe methods also need the CSRF token (X-CSRFToken header)."""

    def authenticate(self, request: HttpRequest, key: Any) -> User | None:
        user = request.user
        return user if isinstance(user, User) and user.is_active else None
