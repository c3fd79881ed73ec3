"""Account use cases: API tokens, personal preferences, teams and their members."""

import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed

from . import events, tokens
from .choices import Role
from .models import PersonalToken, Team, TeamMembership, User


@transaction.atomic
def issue_token(*, user: User, name: str, actor: User | None) -> tuple[PersonalToken, str]:
    """Create an API token for `user`; returns it with its secret, which is shown only now."""
    name = name.strip()
    if not name:
        raise DomainError(_("This field is required."), field="name")
    if len(name) > 100:
        raise DomainError(_("Use at most 100 characters."), field="name")
    secret = tokens.new_secret()
    token = PersonalToken.objects.create(
        user=user, name=name, key_hash=tokens.digest(secret), prefix=secret[:8]
    )
    audit.record(
        actor=actor, action=events.TOKEN_ISSUED, target=token, after={"user": user.pk, "name": name}
    )
    return token, secret


@transaction.atomic
def revoke_token(*, token: PersonalToken, actor: User | None) -> PersonalToken:
    """Stop a token from working, for good."""
    token = PersonalToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise Conflict(_("This token is already revoked."))
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor, action=events.TOKEN_REVOKED, target=token, after={"user": token.user_id}
    )
    return token


@transaction.atomic
def update_preferences(
    *, user: User, language: str | None = None, time_zone: str | None = None
) -> User:
    """The user's own language ("" follows the browser) and time zone ("" the company's)."""
    errors = {}
    fields = []
    if language is not None:
        if language not in ("", "en", "zh-hans"):
            errors["language"] = _("Choose a valid value.")
        user.language = language
        fields.append("language")
    if time_zone is not None:
        if time_zone:
            try:
                ZoneInfo(time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                errors["time_zone"] = _("This is not a known time zone.")
        user.time_zone = time_zone
        fields.append("time_zone")
    if errors:
        raise ValidationFailed(errors)
    if fields:
        user.save(update_fields=fields)
    return user


TEAM_FIELDS = ("name_en", "name_zh", "manager", "is_default", "is_active")
_TEAM_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise NotPermitted(_("Only administrators can change the configuration."))


def _team_values(values: Mapping[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for name in ("name_en", "name_zh"):
        if name in values:
            text = str(values[name] or "").strip()
            if not text:
                errors[name] = _("This field is required.")
            elif len(text) > 100:
                errors[name] = _("Use at most 100 characters.")
            resolved[name] = text
    if "manager" in values:
        manager = None
        if values["manager"] is not None:
            manager = User.objects.filter(pk=values["manager"], is_active=True).first()
            if manager is None or manager.role not in (Role.MANAGER, Role.ADMIN):
                errors["manager"] = _("Choose an active user with the manager role.")
        resolved["manager"] = manager
    for name in ("is_default", "is_active"):
        if name in values:
            resolved[name] = bool(values[name])
    return resolved


def _save_team(team: Team, resolved: Mapping[str, Any], *, creating: bool) -> None:
    if resolved.get("is_default"):
        # One default team: taking the flag takes it from the team that had it.
        Team.objects.filter(is_default=True).exclude(pk=team.pk).update(is_default=False)
    for name, value in resolved.items():
        setattr(team, name, value)
    team.save() if creating else team.save(update_fields=list(resolved))


@transaction.atomic
def create_team(*, actor: User, code: str, values: Mapping[str, Any]) -> Team:
    _require_admin(actor)
    errors: dict[str, Any] = {}
    if not _TEAM_CODE.fullmatch(code):
        errors["code"] = _("Use lower-case letters, digits and hyphens.")
    elif Team.objects.filter(code=code).exists():
        errors["code"] = _("Another team has this code.")
    resolved = _team_values({"name_en": "", "name_zh": "", **values}, errors)
    if errors:
        raise ValidationFailed(errors)
    team = Team(code=code)
    _save_team(team, resolved, creating=True)
    audit.record(
        actor=actor, action=events.TEAM_CREATED, target=team,
        after={"code": code, **audit.snapshot(team, TEAM_FIELDS)},
    )  # fmt: skip
    return team


@transaction.atomic
def update_team(*, team: Team, actor: User, changes: Mapping[str, Any]) -> Team:
    _require_admin(actor)
    unknown = set(changes) - set(TEAM_FIELDS)
    if unknown:
        raise ValueError(f"not team fields: {sorted(unknown)}")
    errors: dict[str, Any] = {}
    resolved = _team_values(changes, errors)
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(team, resolved)
    after = {**before, **{k: getattr(v, "pk", v) for k, v in resolved.items()}}
    before, after = audit.changed(before, after)
    if after:
        _save_team(team, {k: resolved[k] for k in after}, creating=False)
        audit.record(
            actor=actor, action=events.TEAM_UPDATED, target=team, before=before, after=after
        )
    return team


@transaction.atomic
def add_member(*, team: Team, user: User, actor: User) -> TeamMembership:
    _require_admin(actor)
    if not user.is_staff_member:
        raise DomainError(_("Only staff can join a team."), field="user")
    membership, created = TeamMembership.objects.get_or_create(team=team, user=user)
    if created:
        audit.record(
            actor=actor, action=events.TEAM_MEMBER_ADDED, target=team, after={"user": user.pk}
        )
    return membership


@transaction.atomic
def remove_member(*, team: Team, user: User, actor: User) -> None:
    _require_admin(actor)
    deleted, _rows = TeamMembership.objects.filter(team=team, user=user).delete()
    if deleted:
        audit.record(
            actor=actor, action=events.TEAM_MEMBER_REMOVED, target=team, before={"user": user.pk}
        )
