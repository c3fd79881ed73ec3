"""/api/v1/categories, /teams and /custom-fields: the configuration tickets refer to."""

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Status

from serviceloop.accounts import services as account_services
from serviceloop.accounts.models import Team, User
from serviceloop.accounts.queries import active_user
from serviceloop.core.errors import NotPermitted
from serviceloop.tickets.models import Category, CustomField
from serviceloop.tickets.services import catalog

from .common import Id, In, Out, UserRef, actor, user_ref

router = Router(tags=["configuration"])


class CategoryOut(Out):
    code: str
    name: str
    name_en: str
    name_zh: str
    parent: str | None
    team: str | None
    position: int
    is_active: bool


class CategoryIn(In):
    code: str = Field(..., max_length=64)
    name_en: str = Field(..., min_length=1, max_length=100)
    name_zh: str = Field(..., min_length=1, max_length=100)
    parent: str | None = Field(None, max_length=64)
    team: str | None = Field(None, max_length=50)
    position: int = Field(0, ge=0, le=32767)


class CategoryPatch(In):
    """Fields left out stay as they are; null only where the type allows it."""

    name_en: str = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    name_zh: str = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    parent: str | None = Field(None, max_length=64)
    team: str | None = Field(None, max_length=50)
    position: int = Field(None, ge=0, le=32767)  # type: ignore[assignment]
    is_active: bool = None  # type: ignore[assignment]


class MemberOut(UserRef):
    role: str


class TeamOut(Out):
    code: str
    name: str
    name_en: str
    name_zh: str
    manager: UserRef | None
    is_default: bool
    is_active: bool
    members: list[MemberOut]


class TeamIn(In):
    code: str = Field(..., max_length=50)
    name_en: str = Field(..., min_length=1, max_length=100)
    name_zh: str = Field(..., min_length=1, max_length=100)
    manager: Id | None = None
    is_default: bool = False


class TeamPatch(In):
    """Fields left out stay as they are; null only where the type allows it."""

    name_en: str = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    name_zh: str = Field(None, min_length=1, max_length=100)  # type: ignore[assignment]
    manager: Id | None = None
    is_default: bool = None  # type: ignore[assignment]
    is_active: bool = None  # type: ignore[assignment]


class MemberIn(In):
    user: Id


class CustomFieldOut(Out):
    key: str
    name: str
    field_type: str
    choices: list[Any]
    required: bool


def category_out(category: Category, parent_code: str | None) -> dict[str, Any]:
    return {
        "code": category.code,
        "name": category.name,
        "name_en": category.name_en,
        "name_zh": category.name_zh,
        "parent": parent_code,
        "team": category.team.code if category.team else None,
        "position": category.position,
        "is_active": category.is_active,
    }


def team_out(team: Team) -> dict[str, Any]:
    return {
        "code": team.code,
        "name": team.name,
        "name_en": team.name_en,
        "name_zh": team.name_zh,
        "manager": user_ref(team.manager),
        "is_default": team.is_default,
        "is_active": team.is_active,
        "members": [{**user_ref(m), "role": m.role} for m in team.members.all()],
    }


def _category(code: str) -> Category:
    if "\x00" in code:
        raise Http404("category")
    category = Category.objects.select_related("team", "parent").filter(code=code).first()
    if category is None:
        raise Http404("category")
    return category


def _team(code: str) -> Team:
    if "\x00" in code:
        raise Http404("team")
    team = (
        Team.objects.select_related("manager").prefetch_related("members").filter(code=code).first()
    )
    if team is None:
        raise Http404("team")
    return team


def _require_staff(user: User) -> None:
    if not user.is_staff_member:
        raise NotPermitted(_("Only staff can see the teams."))


@router.get("/categories", response=list[CategoryOut], summary="The category tree, flattened")
def list_categories(request: HttpRequest) -> list[dict[str, Any]]:
    user = actor(request)
    categories = list(Category.objects.select_related("team"))
    codes = {c.pk: c.code for c in categories}
    return [
        category_out(c, codes.get(c.parent_id or 0))
        for c in categories
        if c.is_active or user.is_staff_member
    ]


@router.post("/categories", response={201: CategoryOut}, summary="Add a category (administrators)")
def create_category(request: HttpRequest, payload: CategoryIn) -> Status[dict[str, Any]]:
    values = payload.model_dump(exclude={"code"})
    category = catalog.create_category(actor=actor(request), code=payload.code, values=values)
    category = _category(category.code)
    return Status(201, category_out(category, category.parent.code if category.parent else None))


@router.patch(
    "/categories/{code}", response=CategoryOut, summary="Edit a category (administrators)"
)
def update_category(request: HttpRequest, code: str, payload: CategoryPatch) -> dict[str, Any]:
    category = catalog.update_category(
        category=_category(code),
        actor=actor(request),
        changes=payload.model_dump(exclude_unset=True),
    )
    category = _category(category.code)
    return category_out(category, category.parent.code if category.parent else None)


@router.get("/teams", response=list[TeamOut], summary="Teams and their members (staff)")
def list_teams(request: HttpRequest) -> list[dict[str, Any]]:
    _require_staff(actor(request))
    return [team_out(t) for t in Team.objects.select_related("manager").prefetch_related("members")]


@router.post("/teams", response={201: TeamOut}, summary="Add a team (administrators)")
def create_team(request: HttpRequest, payload: TeamIn) -> Status[dict[str, Any]]:
    team = account_services.create_team(
        actor=actor(request), code=payload.code, values=payload.model_dump(exclude={"code"})
    )
    return Status(201, team_out(_team(team.code)))


@router.patch("/teams/{code}", response=TeamOut, summary="Edit a team (administrators)")
def update_team(request: HttpRequest, code: str, payload: TeamPatch) -> dict[str, Any]:
    account_services.update_team(
        team=_team(code), actor=actor(request), changes=payload.model_dump(exclude_unset=True)
    )
    return team_out(_team(code))


@router.post(
    "/teams/{code}/members", response={201: TeamOut}, summary="Add a member (administrators)"
)
def add_member(request: HttpRequest, code: str, payload: MemberIn) -> Status[dict[str, Any]]:
    user = active_user(payload.user, field="user")
    account_services.add_member(team=_team(code), user=user, actor=actor(request))
    return Status(201, team_out(_team(code)))


@router.delete(
    "/teams/{code}/members/{user_id}", response=TeamOut, summary="Remove a member (administrators)"
)
def remove_member(request: HttpRequest, code: str, user_id: Id) -> dict[str, Any]:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404("user")
    account_services.remove_member(team=_team(code), user=user, actor=actor(request))
    return team_out(_team(code))


@router.get("/custom-fields", response=list[CustomFieldOut], summary="Custom ticket fields")
def list_custom_fields(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "key": f.key,
            "name": f.name,
            "field_type": f.field_type,
            "choices": f.choices,
            "required": f.required,
        }
        for f in CustomField.objects.filter(is_active=True)
    ]
