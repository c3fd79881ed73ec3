"""register_feedback: the one door every kind of feedback comes in through."""

from datetime import timedelta

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import NotPermitted, ValidationFailed
from serviceloop.feedback.choices import FeedbackStatus, Source
from serviceloop.feedback.models import FeedbackItem
from serviceloop.feedback.services import register_feedback
from tests.builders import at_once, make_category, make_customer, make_ticket, make_user

from .given import customer_item, mentions, staff_item, stored_state


def test_it_numbers_items_per_day_from_one(agent, clock):
    first, second = staff_item(agent), staff_item(agent)
    clock.shift(timedelta(days=1))
    next_day = staff_item(agent)

    assert (first.number, second.number) == ("FB-20261125-0001", "FB-20261125-0002")
    assert next_day.number == "FB-20261126-0001"


def test_an_anonymous_staff_item_stores_no_reference_to_its_author(agent):
    # when
    item = staff_item(agent, title="Night shift is understaffed", anonymous=True)

    # then: not on the row...
    row = FeedbackItem.objects.filter(pk=item.pk).values().get()
    assert row["submitted_by_id"] is None
    assert row["classified_by_id"] is None
    assert agent.pk not in [value for key, value in row.items() if key.endswith("_id")]
    assert item.is_anonymous
    # ... nor in the audit trail
    events = list(AuditEvent.objects.all())
    assert [event.action for event in events] == ["feedback.registered"]
    assert events[0].actor_id is None
    assert not any(mentions(agent, event) for event in events)
    assert events[0].after["anonymous"] is True


def test_a_named_staff_item_keeps_its_author(agent):
    item = staff_item(agent)

    event = AuditEvent.objects.get(action="feedback.registered")
    assert item.submitted_by == agent
    assert event.actor_id == agent.pk
    assert (item.source, item.status, item.type) == (Source.STAFF, FeedbackStatus.NEW, "")


def test_the_title_defaults_to_the_first_line_of_the_text(agent):
    item = staff_item(agent, text="  退货流程太复杂\n客户需要填三张表  ")

    assert item.title == "退货流程太复杂"
    assert item.text == "退货流程太复杂\n客户需要填三张表"


def test_a_customer_sends_feedback_about_their_own_ticket(customer_user, category):
    ticket = make_ticket(customer_user, description="My parcel is late", category=category.code)

    item = customer_item(customer_user, tickets=[ticket])

    assert item.customer == customer_user.customer
    assert item.submitted_by == customer_user
    assert list(item.tickets.all()) == [ticket]
    assert (item.team_id, item.category_id) == (ticket.team_id, ticket.category_id)


def test_a_customer_cannot_link_another_customers_ticket(customer_user, other_customer_user):
    others = make_ticket(other_customer_user, description="Bob's parcel")
    before = stored_state()

    with pytest.raises(ValidationFailed) as refused:
        customer_item(customer_user, tickets=[others])

    assert set(refused.value.errors) == {"tickets"}
    assert stored_state() == before


def test_a_customer_cannot_send_feedback_for_another_customer(customer_user, other_customer_user):
    before = stored_state()

    with pytest.raises(NotPermitted):
        register_feedback(
            source=Source.CUSTOMER,
            text="Pretending to be Bob",
            actor=customer_user,
            customer=other_customer_user.customer,
        )

    assert stored_state() == before


def test_a_partner_sends_feedback_of_their_organisation(partner):
    item = register_feedback(
        source=Source.PARTNER,
        text="Pickup slots are announced too late",
        actor=partner,
        organisation=partner.organisation,
    )

    assert (item.organisation, item.submitted_by) == (partner.organisation, partner)


@pytest.mark.parametrize(
    ("source", "role"),
    [("partner", Role.CUSTOMER), ("customer", Role.PARTNER), ("staff", Role.CUSTOMER)],
)
def test_a_door_is_closed_to_other_roles(db, source, role):
    user = make_user(role)
    customer = getattr(user, "customer", None) or make_customer()
    before = stored_state()

    with pytest.raises(NotPermitted):
        register_feedback(
            source=source,
            text="Through the wrong door",
            actor=user,
            customer=customer,
            organisation=user.organisation or customer.organisation,
        )

    assert stored_state() == before


def test_survey_comments_need_no_user(db):
    customer = make_customer("王女士")

    item = register_feedback(
        source=Source.SURVEY, text="回访电话很及时", actor=None, customer=customer
    )

    assert (item.source, item.submitted_by, item.customer) == (Source.SURVEY, None, customer)
    assert AuditEvent.objects.get(action="feedback.registered").actor_id is None


def test_only_staff_feedback_can_be_anonymous(customer_user):
    with pytest.raises(ValidationFailed) as refused:
        customer_item(customer_user, anonymous=True)

    assert set(refused.value.errors) == {"anonymous"}
    assert not FeedbackItem.objects.exists()


def test_it_names_every_bad_field_at_once(agent):
    before = stored_state()

    with pytest.raises(ValidationFailed) as refused:
        register_feedback(
            source=Source.STAFF, title="x" * 201, text="   ", actor=agent, anonymous=False
        )

    assert set(refused.value.errors) == {"title", "text"}
    assert stored_state() == before


def test_managers_may_classify_when_registering_and_agents_may_not(agent, specialist):
    item = staff_item(specialist, classification={"type": "process_gap", "urgency": "high"})

    assert (item.type, item.urgency, item.classified_by) == ("process_gap", "high", specialist)
    assert item.classified_at is not None
    with pytest.raises(NotPermitted):
        staff_item(agent, classification={"type": "process_gap"})


def test_a_bad_classification_is_named_by_field(specialist):
    with pytest.raises(ValidationFailed) as refused:
        staff_item(specialist, classification={"type": "bad", "category": "nowhere"})

    assert set(refused.value.errors) == {"type", "category"}


def test_the_category_and_team_of_the_classification_win_over_the_tickets(specialist, agent):
    ticket = make_ticket(agent, description="Parcel late")
    billing = make_category("billing")

    item = staff_item(specialist, tickets=[ticket], classification={"category": billing.code})

    assert item.category == billing
    assert item.team_id == ticket.team_id
    assert item.classified_at is None  # a category alone is routing, not a judgement


def test_registrations_at_the_same_moment_get_distinct_numbers(transactional_db):
    author = make_user(Role.AGENT, username="busy")

    def register(i: int) -> list[str]:
        return [staff_item(author).number for _ in range(3)]

    numbers = [number for batch in at_once(register, 4) for number in batch]

    assert sorted(numbers) == [f"FB-20261125-{n:04d}" for n in range(1, 13)]


def test_a_text_of_invisible_characters_is_no_text(agent):
    before = stored_state()
    with pytest.raises(ValidationFailed) as refused:
        staff_item(agent, text="\u200b\u200d\ufeff \u2060")
    assert set(refused.value.errors) == {"text"}
    assert stored_state() == before


def test_the_title_is_the_first_line_one_can_see(agent):
    item = staff_item(agent, title="\u200b ", text="\u200b\ufeffThe form asks twice\nfor the order")
    assert item.title == "The form asks twice"
