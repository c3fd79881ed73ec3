"""Who sees which items, the register's filters and its counts per status."""

from datetime import datetime, timedelta

import pytest
from django.http import Http404

from serviceloop.accounts.choices import Role
from serviceloop.core.errors import ValidationFailed
from serviceloop.feedback import queries
from serviceloop.feedback.choices import Source
from serviceloop.feedback.queries import FeedbackFilter
from serviceloop.feedback.services import (
    change_feedback_status,
    classify_feedback,
    register_feedback,
)
from tests.builders import make_category, make_ticket, make_user

from .conftest import SHANGHAI
from .given import customer_item, staff_item


def numbers(items) -> set[str]:
    return {item.number for item in items}


@pytest.fixture
def register(agent, teammate, outsider, specialist, customer_user, other_customer_user, partner,
             team, other_team):  # fmt: skip
    """One item of each kind, named by who should see it."""
    billing_ticket = make_ticket(outsider, description="Invoice wrong", team=other_team.code)
    support_ticket = make_ticket(agent, description="Parcel late", team=team.code)
    return {
        "team": staff_item(specialist, classification={"team": team.code}),
        "linked": staff_item(specialist, tickets=[support_ticket], classification={"team": ""}),
        "own": staff_item(agent, classification=None),
        "anonymous_teammate": staff_item(teammate, anonymous=True),
        "billing": staff_item(outsider, tickets=[billing_ticket]),
        "customer": customer_item(customer_user),
        "other_customer": customer_item(other_customer_user),
        "partner": register_feedback(
            source=Source.PARTNER, text="Slots", actor=partner, organisation=partner.organisation
        ),
    }


def test_agents_see_their_teams_items_and_their_own(register, agent, outsider):
    mine = numbers(queries.feedback_visible_to(agent))
    theirs = numbers(queries.feedback_visible_to(outsider))

    assert mine == numbers(register[k] for k in ("team", "linked", "own"))
    assert theirs == numbers([register["billing"]])


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN,
                                  Role.ANALYST])  # fmt: skip
def test_managers_and_analysts_see_everything(register, role):
    assert numbers(queries.feedback_visible_to(make_user(role))) == numbers(register.values())


def test_customers_and_partners_see_only_their_own(register, customer_user, partner):
    assert numbers(queries.feedback_visible_to(customer_user)) == {register["customer"].number}
    assert numbers(queries.feedback_visible_to(partner)) == {register["partner"].number}


def test_an_item_outside_ones_scope_is_not_found(register, customer_user):
    assert queries.get_feedback_for(customer_user, register["customer"].number.lower())
    with pytest.raises(Http404):
        queries.get_feedback_for(customer_user, register["other_customer"].number)


def test_a_deactivated_user_sees_nothing(register, specialist):
    specialist.is_active = False
    assert not queries.feedback_visible_to(specialist).exists()


# --- filters -------------------------------------------------------------------------------


def found(user, **filters) -> set[str]:
    return numbers(
        queries.filter_feedback(queries.feedback_visible_to(user), FeedbackFilter(**filters))
    )


def test_it_filters_by_each_classification(specialist, agent, team, other_team):
    delivery = make_category("delivery-x", team=team)
    late = make_category("late-x", parent=delivery)
    gap = staff_item(agent, title="门店排队太久")
    classify_feedback(
        item=gap, actor=specialist, type="process_gap", stage="intake", nature="efficiency",
        urgency="high", team=team.code, category=late.code,
    )  # fmt: skip
    cost = staff_item(agent, title="Too many couriers")
    classify_feedback(
        item=cost, actor=specialist, type="resource_shortage", stage="handling", nature="cost",
        urgency="low", team=other_team.code,
    )  # fmt: skip
    rejected = staff_item(agent, title="Nothing to see", anonymous=True)
    change_feedback_status(item=rejected, actor=specialist, status="rejected", reason="Duplicate")

    assert found(specialist, type=("process_gap",)) == {gap.number}
    assert found(specialist, type=("none",)) == {rejected.number}
    assert found(specialist, stage=("handling", "intake")) == {gap.number, cost.number}
    assert found(specialist, nature=("cost",)) == {cost.number}
    assert found(specialist, urgency=("high",)) == {gap.number}
    assert found(specialist, status=("rejected",)) == {rejected.number}
    assert found(specialist, source=("staff",)) == {gap.number, cost.number, rejected.number}
    assert found(specialist, team=other_team.code) == {cost.number}
    assert found(specialist, category=delivery.code) == {gap.number}  # with its children
    assert found(specialist, q="排队") == {gap.number}
    assert found(specialist, q="COURIERS") == {cost.number}
    assert found(specialist, q=gap.number.lower()) == {gap.number}


def test_it_filters_by_the_date_range(specialist, clock):
    monday = staff_item(specialist)
    clock.move_to(datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI))
    friday = staff_item(specialist)

    assert found(specialist, created_after=datetime(2026, 11, 26, tzinfo=SHANGHAI)) == {
        friday.number
    }
    assert found(specialist, created_before=datetime(2026, 11, 26, tzinfo=SHANGHAI)) == {
        monday.number
    }


def test_unknown_codes_are_named(specialist):
    with pytest.raises(ValidationFailed) as refused:
        found(specialist, type=("bad",), status=("open",), team="nowhere", category="nothing")

    assert set(refused.value.errors) == {"type", "status", "team", "category"}


def test_it_counts_per_status_without_the_status_filter(specialist, agent):
    for _ in range(2):
        staff_item(agent)
    done = staff_item(agent)
    change_feedback_status(item=done, actor=specialist, status="done")
    items = queries.filter_feedback(
        queries.feedback_visible_to(specialist),
        FeedbackFilter(status=("done",)),
        with_status=False,
    )

    assert queries.status_counts(items) == {
        "new": 2, "accepted": 0, "planned": 0, "done": 1, "rejected": 0,
    }  # fmt: skip


def test_counting_is_one_query(specialist, agent, django_assert_num_queries):
    staff_item(agent)
    with django_assert_num_queries(1):
        queries.status_counts(queries.feedback_visible_to(specialist))


def test_days_are_read_in_the_company_zone(specialist, clock):
    clock.move_to(datetime(2026, 11, 25, 23, 30, tzinfo=SHANGHAI))  # 15:30 UTC
    late = staff_item(specialist)
    clock.shift(timedelta(hours=1))

    assert late.number == "FB-20261125-0001"
    assert staff_item(specialist).number == "FB-20261126-0001"
