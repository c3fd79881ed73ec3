"""classify_feedback, change_feedback_status, bulk_classify, link_tickets and unlink_ticket."""

import pytest

from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import DomainError, NotPermitted, ValidationFailed
from serviceloop.feedback.models import FeedbackItem
from serviceloop.feedback.services import (
    bulk_classify,
    change_feedback_status,
    classify_feedback,
    link_tickets,
    unlink_ticket,
)
from tests.builders import make_ticket

from .given import staff_item, stored_state


def actions(item: FeedbackItem) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="feedbackitem", target_id=str(item.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- classify ------------------------------------------------------------------------------


def test_it_classifies_and_stamps_who_and_when(specialist, agent, team, category):
    item = staff_item(agent)

    classify_feedback(
        item=item,
        actor=specialist,
        type="resource_shortage",
        stage="handling",
        nature="efficiency",
        urgency="high",
        team=team.code,
        category=category.code,
    )

    item.refresh_from_db()
    assert (item.type, item.stage, item.nature, item.urgency) == (
        "resource_shortage", "handling", "efficiency", "high",
    )  # fmt: skip
    assert (item.team, item.category) == (team, category)
    assert item.classified_by == specialist
    assert item.classified_at is not None
    assert item.is_classified
    event = AuditEvent.objects.get(action="feedback.classified")
    assert event.actor_id == specialist.pk
    assert event.before == {
        "type": "", "stage": "", "nature": "", "urgency": "medium", "team": None, "category": None,
    }  # fmt: skip
    assert event.after["team"] == team.pk


def test_an_unchanged_classification_records_nothing(specialist, agent):
    item = staff_item(agent)
    classify_feedback(item=item, actor=specialist, type="experience")

    classify_feedback(item=item, actor=specialist, type="experience")

    assert actions(item) == ["feedback.registered", "feedback.classified"]


def test_blank_clears_but_urgency_cannot_be_blank(specialist, agent):
    item = staff_item(agent)
    classify_feedback(item=item, actor=specialist, type="experience")

    classify_feedback(item=item, actor=specialist, type="")
    with pytest.raises(ValidationFailed) as refused:
        classify_feedback(item=item, actor=specialist, urgency="", nature="bad", colour="red")

    item.refresh_from_db()
    assert item.type == ""
    assert set(refused.value.errors) == {"urgency", "nature", "colour"}
    assert item.urgency == "medium"


@pytest.mark.parametrize("role", ["agent", "analyst", "customer_user"])
def test_only_managers_classify(request, agent, role):
    item = staff_item(agent)
    before = stored_state()

    with pytest.raises(NotPermitted):
        classify_feedback(item=item, actor=request.getfixturevalue(role), type="experience")

    assert stored_state() == before


# --- status --------------------------------------------------------------------------------


def test_rejecting_needs_a_reason(specialist, agent):
    item = staff_item(agent)
    before = stored_state()

    with pytest.raises(DomainError) as refused:
        change_feedback_status(item=item, actor=specialist, status="rejected", reason="  ")

    assert refused.value.field == "reason"
    assert stored_state() == before


def test_the_reason_of_a_rejection_is_kept_and_cleared_on_reconsidering(specialist, agent):
    item = staff_item(agent)

    change_feedback_status(
        item=item, actor=specialist, status="rejected", reason="已有同类优化方案"
    )
    item.refresh_from_db()
    assert (item.status, item.rejection_reason) == ("rejected", "已有同类优化方案")

    change_feedback_status(item=item, actor=specialist, status="accepted", reason="Reconsidered")
    item.refresh_from_db()
    assert (item.status, item.rejection_reason) == ("accepted", "")
    events = AuditEvent.objects.filter(action="feedback.status_changed").order_by("id")
    assert [(e.before["status"], e.after["status"], e.note) for e in events] == [
        ("new", "rejected", "已有同类优化方案"),
        ("rejected", "accepted", "Reconsidered"),
    ]


def test_an_unknown_status_is_refused(specialist, agent):
    with pytest.raises(ValidationFailed) as refused:
        change_feedback_status(item=staff_item(agent), actor=specialist, status="closed")

    assert set(refused.value.errors) == {"status"}


# --- bulk ----------------------------------------------------------------------------------


def test_bulk_classify_changes_every_item_and_audits_each(specialist, agent):
    items = [staff_item(agent) for _ in range(3)]

    bulk_classify(
        ids=[item.pk for item in items],
        actor=specialist,
        type="process_gap",
        stage="intake",
        status="accepted",
    )

    rows = FeedbackItem.objects.order_by("pk").values_list("type", "stage", "status")
    assert list(rows) == [("process_gap", "intake", "accepted")] * 3
    assert [actions(item) for item in items] == [
        ["feedback.registered", "feedback.classified", "feedback.status_changed"]
    ] * 3


def test_one_unknown_id_changes_nothing(specialist, agent):
    items = [staff_item(agent) for _ in range(2)]
    before = stored_state()

    with pytest.raises(ValidationFailed) as refused:
        bulk_classify(ids=[items[0].pk, 999_999, items[1].pk], actor=specialist, type="process_gap")

    assert set(refused.value.errors) == {"ids"}
    assert "999999" in str(refused.value.errors["ids"])
    assert stored_state() == before


def test_one_bad_value_changes_nothing(specialist, agent):
    items = [staff_item(agent) for _ in range(2)]
    before = stored_state()

    with pytest.raises(ValidationFailed) as refused:
        bulk_classify(ids=[i.pk for i in items], actor=specialist, type="process_gap", stage="x")
    with pytest.raises(DomainError) as no_reason:
        bulk_classify(ids=[i.pk for i in items], actor=specialist, status="rejected")

    assert set(refused.value.errors) == {"stage"}
    assert no_reason.value.field == "reason"
    assert stored_state() == before


def test_bulk_needs_items_and_something_to_set(specialist, agent):
    item = staff_item(agent)

    with pytest.raises(ValidationFailed) as no_items:
        bulk_classify(ids=[], actor=specialist, type="experience")
    with pytest.raises(DomainError) as nothing:
        bulk_classify(ids=[item.pk], actor=specialist)

    assert set(no_items.value.errors) == {"ids"}
    assert nothing.value.field is None


def test_bulk_is_for_managers(agent):
    item = staff_item(agent)

    with pytest.raises(NotPermitted):
        bulk_classify(ids=[item.pk], actor=agent, type="experience")


# --- tickets -------------------------------------------------------------------------------


def test_it_links_tickets_by_number_once(specialist, agent):
    item = staff_item(agent)
    first, second = make_ticket(agent), make_ticket(agent)

    link_tickets(item=item, actor=specialist, numbers=[first.number.lower(), " "])
    link_tickets(item=item, actor=specialist, numbers=[first.number, second.number])

    assert set(item.tickets.all()) == {first, second}
    events = AuditEvent.objects.filter(action="feedback.tickets_linked").order_by("id")
    assert [event.after["tickets"] for event in events] == [[first.number], [second.number]]


def test_it_refuses_unknown_numbers_and_links_none_of_them(specialist, agent):
    item = staff_item(agent)
    known = make_ticket(agent)
    before = stored_state()

    with pytest.raises(ValidationFailed) as refused:
        link_tickets(item=item, actor=specialist, numbers=[known.number, "CS-20200101-000001"])

    assert "CS-20200101-000001" in str(refused.value.errors["numbers"])
    assert stored_state() == before


def test_it_unlinks_a_ticket(specialist, agent):
    ticket = make_ticket(agent)
    item = staff_item(agent, tickets=[ticket])

    unlink_ticket(item=item, actor=specialist, number=ticket.number)

    assert not item.tickets.exists()
    assert actions(item)[-1] == "feedback.ticket_unlinked"
