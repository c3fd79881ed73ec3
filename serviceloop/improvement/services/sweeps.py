"""The periodic sweep of plan actions, run by `serviceloop worker` (see core.schedule)."""

from contextlib import nullcontext
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.batches import skip_locked
from serviceloop.inbox.models import Kind as NotificationKind
from serviceloop.inbox.services import notify

from .. import events
from ..choices import ActionStatus, PlanStatus
from ..models import PlanAction

# The inbox's kind for "an action of your plan is past its planned end"; its sentence reads
# params "number" (the plan's code) and "text" (the action's title).
ACTION_DELAYED_KIND = NotificationKind.PLAN_ACTION_DELAYED


def mark_delayed_actions(*, now: datetime | None = None, batch: int = 200) -> int:
    """Mark delayed every action of an active plan still on schedule after its planned end
    (a local day before today), audited as the system's, and tell the plan's owner, once per
    delay (`delay_notified_at`). Safe in several workers at once: each action is claimed with
    a conditional UPDATE. `now` (aware) replaces the clock. Returns how many were marked."""
    marked = 0
    with clock.frozen_at(now) if now is not None else nullcontext():
        while True:
            taken, claimed = _delay_batch(batch)
            marked += claimed
            if taken < batch:  # nothing due is left, or other workers hold the rest
                return marked


@transaction.atomic
def _delay_batch(batch: int) -> tuple[int, int]:
    now = clock.now()
    today = timezone.localdate(now)
    due = PlanAction.objects.filter(
        status=ActionStatus.ON_SCHEDULE, planned_end__lt=today, plan__status=PlanStatus.ACTIVE
    )  # action_due
    actions = list(
        skip_locked(due.select_related("plan__owner")).order_by("planned_end", "id")[:batch]
    )
    claimed = 0
    for action in actions:
        taken = PlanAction.objects.filter(pk=action.pk, status=ActionStatus.ON_SCHEDULE).update(
            status=ActionStatus.DELAYED, updated_at=now
        )
        if not taken:  # changed by someone meanwhile
            continue
        claimed += 1
        audit.record(
            actor=None,
            action=events.PLAN_ACTION_DELAYED,
            target=action,
            before={"status": ActionStatus.ON_SCHEDULE},
            after={"status": ActionStatus.DELAYED},
            note=f"past its planned end {action.planned_end.isoformat()}",
        )
        if action.delay_notified_at is None:
            PlanAction.objects.filter(pk=action.pk).update(delay_notified_at=now)
            notify(
                [action.plan.owner],
                kind=ACTION_DELAYED_KIND,
                params={
                    "number": action.plan.code,
                    "text": action.title,
                    "plan": action.plan.pk,
                    "action": action.pk,
                    "planned_end": action.planned_end.isoformat(),
                },
            )
    return len(actions), claimed
