"""Writing the audit trail. Call `record` inside the transaction of the change it describes."""

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from serviceloop.core import clock
from serviceloop.core.rows import insert_row

from .models import AuditEvent
from .signals import committed, recorded


def jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    """Datetimes, decimals, enums and lazy strings as JSON values."""
    result: dict[str, Any] = json.loads(json.dumps(dict(values), cls=DjangoJSONEncoder))
    return result


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` (foreign keys as their ids)."""
    return {
        name: getattr(instance, getattr(instance._meta.get_field(name), "attname", name))
        for name in fields
    }


def changed(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the fields whose value differs."""
    keys = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One audit event to append (see `record`); `record_all` appends many at once."""

    actor: AbstractBaseUser | None
    action: str
    target: models.Model
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    note: str = ""

    def values(self) -> dict[str, Any]:
        target, actor = self.target, self.actor
        ticket_id = getattr(target, "ticket_id", None)
        if target._meta.label == "tickets.Ticket":
            ticket_id = target.pk
        return {
            "occurred_at": clock.now(),
            "actor_id": actor.pk if actor else None,
            "actor_label": actor.get_username() if actor else "system",
            "action": self.action,
            "target_type": target._meta.model_name or "",
            "target_id": str(target.pk),
            "ticket_id": ticket_id,
            "before": jsonable(self.before or {}),
            "after": jsonable(self.after or {}),
            "note": self.note,
        }


def record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit event about `target`. `actor` None means the system itself."""
    values = Entry(
        actor=actor, action=action, target=target, before=before, after=after, note=note
    ).values()
    # every change writes one of these: insert without the ORM's per-call compilation
    event = AuditEvent(**values)
    event.pk = insert_row(AuditEvent, values)
    event._state.adding = False
    _publish([event])
    return event


def record_all(entries: Iterable[Entry]) -> list[AuditEvent]:
    """Append several audit events with one statement (sweeps acting on a batch)."""
    events = AuditEvent.objects.bulk_create([AuditEvent(**entry.values()) for entry in entries])
    _publish(events)
    return events


_unpublished: ContextVar[bool] = ContextVar("unpublished", default=False)


@contextmanager
def unpublished() -> Iterator[None]:
    """Inside, changes are audited but send no `committed` signal: history being replayed
    (the demo seeder) must not mail customers, ring staff bells or call webhooks."""
    token = _unpublished.set(True)
    try:
        yield
    finally:
        _unpublished.reset(token)


def _publish(events: list[AuditEvent]) -> None:
    """Send `recorded` for each event now, inside the change's transaction, and `committed`
    once it commits (decisions 0010 and 0016)."""
    if _unpublished.get():
        return
    if recorded.has_listeners(AuditEvent):
        for event in events:
            recorded.send(sender=AuditEvent, event=event)
    if committed.has_listeners(AuditEvent):
        for event in events:
            transaction.on_commit(partial(committed.send_robust, sender=AuditEvent, event=event))
