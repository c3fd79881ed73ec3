"""core.rows' inserts without the ORM's compilation: the row they write is the one the ORM
writes, with the model's own signals and field preparation."""

from datetime import UTC, datetime

import pytest
from django.db.models.signals import post_save, pre_save

from serviceloop.analytics.models import StaleTicket
from serviceloop.core import rows
from serviceloop.sla.models import TicketClock
from tests.builders import make_ticket


def saved(instance):
    """The instance's row as the ORM reads it back, as {column attname: value}."""
    fresh = type(instance).objects.get(pk=instance.pk)
    return {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}


@pytest.fixture
def ticket(agent):
    ticket = make_ticket(agent)
    TicketClock.objects.filter(ticket=ticket).delete()  # the one its creation started
    return ticket


def test_insert_new_writes_what_save_writes(ticket, agent):
    due = datetime(2031, 3, 4, 2, 0, tzinfo=UTC)
    by_orm = TicketClock(ticket=ticket, resolution_due=due, paused_minutes=1.5)
    by_orm.save(force_insert=True)
    expected = saved(by_orm)
    by_orm.delete()

    clock = TicketClock(ticket=ticket, resolution_due=due, paused_minutes=1.5)
    rows.insert_new(clock)

    assert not clock._state.adding
    assert saved(clock) == expected


def test_insert_new_sends_the_model_signals_and_sets_the_new_id(db):
    heard = []

    def pre(sender, instance, **kwargs):
        heard.append(("pre_save", instance.pk, kwargs["raw"], kwargs["update_fields"]))

    def post(sender, instance, created, **kwargs):
        heard.append(("post_save", instance.pk, created))

    from serviceloop.customers.models import Customer

    pre_save.connect(pre, sender=Customer)
    post_save.connect(post, sender=Customer)
    try:
        customer = Customer(name="Li Wei")
        rows.insert_new(customer)
    finally:
        pre_save.disconnect(pre, sender=Customer)
        post_save.disconnect(post, sender=Customer)

    assert customer.pk is not None
    assert customer.created_at is not None  # the field's own pre_save: auto_now_add
    assert heard == [("pre_save", None, False, None), ("post_save", customer.pk, True)]
    assert Customer.objects.get(pk=customer.pk).name == "Li Wei"


def test_insert_new_refuses_a_value_the_database_would_compute(ticket):
    from django.db.models import Value

    with pytest.raises(TypeError):
        rows.insert_new(TicketClock(ticket=ticket, paused_minutes=Value(1.0)))


def test_insert_ignoring_skips_a_row_that_is_there(ticket):
    rows.insert_ignoring(StaleTicket, {"ticket_id": ticket.pk})
    rows.insert_ignoring(StaleTicket, {"ticket_id": ticket.pk})

    assert list(StaleTicket.objects.values_list("ticket_id", flat=True)) == [ticket.pk]
