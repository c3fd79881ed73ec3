"""/api/v1/me and /api/v1/tokens: who am I, my preferences, my API tokens."""

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Field, Router, Status

from serviceloop.accounts import services
from serviceloop.accounts.models import PersonalToken
from serviceloop.routing import queries as routing_queries
from serviceloop.routing import services as routing

from .common import CodeName, Id, In, Out, actor

router = Router(tags=["account"])


class MeOut(Out):
    id: int
    username: str
    name: str
    email: str
    role: str
    language: str
    time_zone: str
    organisation: str | None
    teams: list[CodeName]
    away: bool = Field(description="New tickets are not routed to me (staff who work tickets)")


class MePatch(In):
    """Fields left out stay as they are; null only where the type allows it."""

    language: Literal["", "en", "zh-hans"] = None  # type: ignore[assignment]
    time_zone: str = Field(None, max_length=64)  # type: ignore[assignment]
    away: bool = Field(None, description="Only staff who work tickets")  # type: ignore[assignment]


class TokenOut(Out):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown this once only")


class TokenIn(In):
    name: str = Field(..., min_length=1, max_length=100)


def _me(request: HttpRequest) -> dict[str, Any]:
    user = actor(request)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.display_name,
        "email": user.email,
        "role": user.role,
        "language": user.language,
        "time_zone": user.time_zone,
        "organisation": user.organisation.name if user.organisation else None,
        "teams": [{"code": t.code, "name": t.name} for t in user.teams.all()],
        "away": user.works_tickets and routing_queries.is_away(user),
    }


def token_out(token: PersonalToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> dict[str, Any]:
    return _me(request)


@router.patch("/me", response=MeOut, summary="Change my language, time zone or presence")
def update_me(request: HttpRequest, payload: MePatch) -> dict[str, Any]:
    changes = payload.model_dump(exclude_unset=True)
    away = changes.pop("away", None)
    user = actor(request)
    with transaction.atomic():  # all of the changes or none
        services.update_preferences(user=user, **changes)
        if away is not None:
            routing.set_away(user=user, away=away)
    return _me(request)


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [token_out(t) for t in actor(request).tokens.all()]


@router.post("/tokens", response={201: TokenCreated}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    user = actor(request)
    token, secret = services.issue_token(user=user, name=payload.name, actor=user)
    return Status(201, {**token_out(token), "token": secret})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: Id) -> dict[str, Any]:
    user = actor(request)
    token = user.tokens.filter(pk=token_id).first()
    if token is None:
        raise Http404("token")
    return token_out(services.revoke_token(token=token, actor=user))
