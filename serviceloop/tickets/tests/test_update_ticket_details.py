"""update_ticket_details: subject, description, kind, category, order reference and custom
fields — search kept current, version bumped, only what changed audited, nothing written
when nothing changed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, NotPermitted, StaleVersion, ValidationFailed
from serviceloop.tickets.models import CustomField, Ticket
from serviceloop.tickets.queries import TicketFilter, filter_tickets, tickets_visible_to
from serviceloop.tickets.services import update_ticket_details
from tests.builders import make_category, make_user

from .given import rows, ticket_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def ticket(agent):
    return ticket_in(
        "in_progress", agent=agent, subject="Parcel late", description="The parcel is late",
        order_ref="SO-1",
    )  # fmt: skip


def stored(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def edit(ticket, actor, **changes):
    return update_ticket_details(ticket=ticket, actor=actor, changes=changes)


def found_by(agent, words):
    return set(filter_tickets(tickets_visible_to(agent), TicketFilter(q=words), user=agent))


def test_a_new_subject_is_saved_searchable_versioned_and_audited(ticket, agent):
    version = stored(ticket).version
    edit(ticket, agent, subject="  Parcel damaged  ")
    after = stored(ticket)
    assert after.subject == "Parcel damaged"
    assert after.version == version + 1
    assert "damaged" in after.search_document.split()
    event = AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")
    assert event.action == "ticket.updated"
    assert event.actor == agent
    assert (event.before, event.after) == (
        {"subject": "Parcel late"},
        {"subject": "Parcel damaged"},
    )


def test_search_finds_the_new_words_and_forgets_the_old(ticket, agent):
    assert found_by(agent, "late") == {stored(ticket)}
    edit(ticket, agent, subject="包裹破损", description="Box crushed in transit")
    assert found_by(agent, "crushed") == {stored(ticket)}
    assert found_by(agent, "破损") == {stored(ticket)}
    assert found_by(agent, "late") == set()


def test_a_new_order_reference_is_searchable(ticket, agent):
    edit(ticket, agent, order_ref=" SO-9981 ")
    after = stored(ticket)
    assert after.order_ref == "SO-9981"
    assert "9981" in after.search_document.split()
    assert "1" not in after.search_document.split()


def test_only_the_changed_fields_are_audited(ticket, agent):
    edit(ticket, agent, subject="Parcel late", description="The parcel is lost", kind="complaint")
    event = AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")
    assert event.before == {"description": "The parcel is late", "kind": "inquiry"}
    assert event.after == {"description": "The parcel is lost", "kind": "complaint"}


def test_nothing_is_written_when_nothing_changed(ticket, agent):
    moment = datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)
    untouched = stored(ticket)
    before = rows()
    with time_machine.travel(moment + timedelta(days=1), tick=False):
        edit(
            ticket, agent, subject=" Parcel late ", description="The parcel is late",
            order_ref="SO-1", kind="inquiry", category=None, custom_fields={},
        )  # fmt: skip
    after = stored(ticket)
    assert (after.version, after.updated_at) == (untouched.version, untouched.updated_at)
    assert rows() == before


def test_the_category_is_set_by_code_and_the_team_stays(ticket, agent, team, other_team):
    category = make_category("invoices", team=other_team)
    edit(ticket, agent, category="invoices")
    after = stored(ticket)
    assert after.category == category
    assert after.team == team  # transfers are a use case of their own
    event = AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")
    assert (event.before, event.after) == ({"category": None}, {"category": category.pk})


def test_the_category_can_be_cleared(agent):
    category = make_category("invoices")
    ticket = ticket_in("new", agent=agent, category="invoices")
    assert ticket.category == category
    edit(ticket, agent, category="")
    assert stored(ticket).category is None


def test_it_reports_every_bad_field_at_once_and_stores_nothing(ticket, agent):
    inactive = make_category("old")
    inactive.is_active = False
    inactive.save()
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        edit(
            ticket, agent, subject="  ", description="d" * 20_001, order_ref="o" * 65,
            kind="rant", category="old",
        )  # fmt: skip
    assert set(refused.value.errors) == {"subject", "description", "order_ref", "kind", "category"}
    assert stored(ticket).subject == "Parcel late"
    assert stored(ticket).version == ticket.version
    assert rows() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("subject", ""), ("subject", None), ("description", "  "), ("subject", "s" * 201)],
)
def test_subject_and_description_are_required_and_limited(ticket, agent, field, value):
    with pytest.raises(ValidationFailed) as refused:
        edit(ticket, agent, **{field: value})
    assert list(refused.value.errors) == [field]


def test_the_limits_themselves_are_accepted(ticket, agent):
    edit(ticket, agent, subject="s" * 200, description="d" * 20_000, order_ref="o" * 64)
    after = stored(ticket)
    assert (len(after.subject), len(after.description), len(after.order_ref)) == (200, 20_000, 64)


def test_an_order_reference_may_be_removed(ticket, agent):
    edit(ticket, agent, order_ref="")
    assert stored(ticket).order_ref == ""


def test_other_fields_are_not_details(ticket, agent):
    with pytest.raises(ValueError, match="status"):
        edit(ticket, agent, status="closed")
    assert stored(ticket).status == "in_progress"


# --- custom fields -------------------------------------------------------------------------


@pytest.fixture
def definitions(db):
    CustomField.objects.create(key="units", name_en="Units", name_zh="数量", field_type="integer")
    CustomField.objects.create(key="model", name_en="Model", name_zh="型号", field_type="text")


def test_custom_fields_merge_and_null_removes(agent, definitions):
    ticket = ticket_in("new", agent=agent, custom_fields={"units": 2, "model": "X-1"})
    edit(ticket, agent, custom_fields={"units": 3, "model": None})
    assert stored(ticket).custom_fields == {"units": 3}
    event = AuditEvent.objects.filter(ticket_id=ticket.pk).latest("id")
    assert event.before == {"custom_fields": {"units": 2, "model": "X-1"}}
    assert event.after == {"custom_fields": {"units": 3}}


def test_a_bad_custom_value_is_refused_by_its_key(agent, definitions):
    ticket = ticket_in("new", agent=agent, custom_fields={"units": 2})
    before = rows()
    with pytest.raises(ValidationFailed) as refused:
        edit(ticket, agent, custom_fields={"units": "three", "size": "XL"})
    assert set(refused.value.errors) == {"custom_fields.units", "custom_fields.size"}
    assert stored(ticket).custom_fields == {"units": 2}
    assert rows() == before


def test_a_required_custom_field_cannot_be_removed(agent, definitions):
    CustomField.objects.create(
        key="serial", name_en="Serial", name_zh="序列号", field_type="text", required=True
    )
    ticket = ticket_in("new", agent=agent, custom_fields={"serial": "SN-1"})
    with pytest.raises(ValidationFailed) as refused:
        edit(ticket, agent, custom_fields={"serial": None})
    assert list(refused.value.errors) == ["custom_fields.serial"]
    assert stored(ticket).custom_fields == {"serial": "SN-1"}


def test_the_same_custom_values_change_nothing(agent, definitions):
    ticket = ticket_in("new", agent=agent, custom_fields={"units": 2})
    before = rows()
    edit(ticket, agent, custom_fields={"units": 2})
    assert stored(ticket).version == ticket.version
    assert rows() == before


# --- who and when --------------------------------------------------------------------------


def test_a_closed_ticket_cannot_be_edited(agent):
    ticket = ticket_in("closed", agent=agent)
    before = rows()
    with pytest.raises(Conflict):
        edit(ticket, agent, subject="Changed")
    assert rows() == before


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.ANALYST, Role.CUSTOMER, Role.PARTNER])
def test_read_only_roles_may_not_edit(ticket, team, role):
    user = make_user(role, teams=[team])
    before = rows()
    with pytest.raises(NotPermitted):
        edit(ticket, user, subject="Changed")
    assert stored(ticket).subject == "Parcel late"
    assert rows() == before


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN])
def test_every_role_that_works_tickets_may_edit(ticket, team, role):
    edit(ticket, make_user(role, teams=[team]), subject="Changed")
    assert stored(ticket).subject == "Changed"


def test_an_edit_from_a_stale_version_is_refused(ticket, agent, teammate):
    version = stored(ticket).version
    edit(ticket, teammate, subject="Teammate's subject")
    before = rows()
    with pytest.raises(StaleVersion):
        update_ticket_details(
            ticket=ticket, actor=agent, changes={"subject": "Mine"}, expected_version=version
        )
    assert stored(ticket).subject == "Teammate's subject"
    assert rows() == before
