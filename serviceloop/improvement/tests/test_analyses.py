"""Root-cause analyses: starting points, 5-Why chain, fishbone, evidence, concluding."""

from datetime import datetime

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed
from serviceloop.feedback.choices import Source
from serviceloop.feedback.services import change_feedback_status, register_feedback
from serviceloop.improvement import queries, services
from serviceloop.improvement.models import RootCauseAnalysis
from tests.builders import make_category, make_ticket, make_user

from .conftest import SHANGHAI
from .given import days, make_analysis, make_plan, rows


def feedback(actor, text="The tracking page shows yesterday's status"):
    return register_feedback(source=Source.STAFF, actor=actor, text=text)


def test_it_starts_from_a_category(specialist, category):
    analysis = make_analysis(specialist, category=category.pk)
    assert (analysis.category, analysis.status, analysis.owner) == (category, "draft", specialist)
    event = AuditEvent.objects.get(action="analysis.started")
    assert event.after["category"] == category.pk


def test_it_starts_from_tickets_and_feedback_items(specialist, agent):
    tickets = [make_ticket(agent), make_ticket(agent)]
    item = feedback(agent)
    analysis = make_analysis(
        specialist, tickets=[t.number.lower() for t in tickets], feedback_items=[item.number]
    )
    assert set(analysis.tickets.all()) == set(tickets)
    assert list(analysis.feedback_items.all()) == [item]
    event = AuditEvent.objects.get(action="analysis.started")
    assert event.after["tickets"] == sorted(t.number for t in tickets)


def test_it_starts_from_a_pareto_bar_with_the_dashboard_filters(specialist, category, team):
    analysis = make_analysis(
        specialist,
        category=category.pk,
        scope={"teams": [team.pk], "channels": ["phone"]},
        start=days(-30),
        end=days(-1),
    )
    assert analysis.origin == {
        "scope": {"teams": [team.pk], "channels": ["phone"]},
        "start": days(-30).isoformat(),
        "end": days(-1).isoformat(),
    }
    assert analysis.origin_scope.teams == (team.pk,)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": ""}, "title"),
        ({"problem": "  "}, "problem"),
        ({"category": 999_999}, "category"),
        ({"tickets": ["CS-20260101-999999"]}, "tickets"),
        ({"feedback_items": ["FB-20260101-9999"]}, "feedback_items"),
        ({"scope": {"teams": [999_999]}, "start": days(-3), "end": days(-1)}, "scope.teams"),
        ({"scope": {}, "start": days(-1), "end": days(-3)}, "end"),
        ({"start": days(-1)}, "end"),
    ],
)
def test_it_refuses_bad_starting_points_and_stores_nothing(specialist, values, field):
    before = rows()
    with pytest.raises(ValidationFailed) as raised:
        make_analysis(specialist, **values)
    assert field in raised.value.errors
    assert rows() == before


def test_a_supervisor_links_only_tickets_they_see(supervisor, outsider, agent):
    own = make_ticket(agent)
    foreign = make_ticket(outsider, team="billing")
    with pytest.raises(ValidationFailed) as raised:
        make_analysis(supervisor, tickets=[own.number, foreign.number])
    assert foreign.number in str(raised.value.errors["tickets"])
    assert not RootCauseAnalysis.objects.exists()


@pytest.mark.parametrize("role", [Role.AGENT, Role.ANALYST, Role.CUSTOMER])
def test_only_improvement_roles_start_analyses(db, role):
    with pytest.raises(NotPermitted):
        make_analysis(make_user(role))


def test_the_why_chain_keeps_its_order(specialist):
    analysis = make_analysis(specialist)
    first = services.add_why(
        analysis=analysis, actor=specialist, question="Why late?", answer="Hub backlog"
    )
    second = services.add_why(analysis=analysis, actor=specialist, question="Why backlog?")
    third = services.add_why(
        analysis=analysis, actor=specialist, question="Why short?", answer="Rota"
    )
    assert [w.position for w in (first, second, third)] == [1, 2, 3]
    services.update_why(why=second, actor=specialist, question="Why a backlog?", answer="Few staff")
    services.remove_why(why=first, actor=specialist)
    chain = [(w.position, w.question, w.answer) for w in analysis.whys.all()]
    assert chain == [(1, "Why a backlog?", "Few staff"), (2, "Why short?", "Rota")]
    actions = list(
        AuditEvent.objects.filter(target_id=str(analysis.pk)).values_list("action", flat=True)
    )
    assert actions.count("analysis.why_added") == 3
    assert "analysis.why_updated" in actions
    assert "analysis.why_removed" in actions


def test_a_why_needs_its_question(specialist):
    analysis = make_analysis(specialist)
    with pytest.raises(ValidationFailed) as raised:
        services.add_why(analysis=analysis, actor=specialist, question=" ", answer="x")
    assert "question" in raised.value.errors
    assert not analysis.whys.exists()


def test_causes_go_on_the_six_bones(specialist):
    analysis = make_analysis(specialist)
    cause = services.add_cause(
        analysis=analysis, actor=specialist, category="machine", text="Tracking sync runs daily"
    )
    services.update_cause(
        cause=cause, actor=specialist, category="machine", text=cause.text, is_root_cause=True
    )
    cause.refresh_from_db()
    assert cause.is_root_cause
    with pytest.raises(ValidationFailed) as raised:
        services.add_cause(analysis=analysis, actor=specialist, category="money", text="Budget")
    assert "category" in raised.value.errors
    services.remove_cause(cause=cause, actor=specialist)
    assert not analysis.causes.exists()


def test_concluding_needs_conclusions_and_something_found(specialist):
    analysis = make_analysis(specialist)
    with pytest.raises(ValidationFailed):
        services.conclude_analysis(analysis=analysis, actor=specialist, conclusions="")
    services.add_why(analysis=analysis, actor=specialist, question="Why late?")
    with pytest.raises(DomainError) as raised:
        services.conclude_analysis(analysis=analysis, actor=specialist, conclusions="Rota")
    assert raised.value.field == "conclusions"
    services.add_cause(
        analysis=analysis, actor=specialist, category="people", text="Rota", is_root_cause=True
    )
    concluded = services.conclude_analysis(
        analysis=analysis, actor=specialist, conclusions="The hub rota leaves Mondays short."
    )
    assert (concluded.status, concluded.conclusions) == (
        "concluded",
        "The hub rota leaves Mondays short.",
    )
    assert concluded.concluded_at is not None


def test_a_concluded_analysis_changes_only_after_reopening(specialist):
    analysis = make_analysis(specialist)
    services.add_why(analysis=analysis, actor=specialist, question="Why?", answer="Because")
    services.conclude_analysis(analysis=analysis, actor=specialist, conclusions="Found it")
    for change in (
        lambda: services.add_why(analysis=analysis, actor=specialist, question="More?"),
        lambda: services.add_cause(
            analysis=analysis, actor=specialist, category="method", text="x"
        ),
        lambda: services.update_analysis(
            analysis=analysis, actor=specialist, title="T", problem="P", category=None, owner=None
        ),
        lambda: services.conclude_analysis(analysis=analysis, actor=specialist, conclusions="Y"),
    ):
        with pytest.raises(Conflict):
            change()
    reopened = services.reopen_analysis(analysis=analysis, actor=specialist)
    assert (reopened.status, reopened.conclusions) == ("draft", "Found it")
    services.add_why(analysis=analysis, actor=specialist, question="More?")
    with pytest.raises(Conflict):
        services.reopen_analysis(analysis=analysis, actor=specialist)


def test_evidence_links_and_unlinks_by_number(specialist, agent):
    analysis = make_analysis(specialist)
    ticket, item = make_ticket(agent), feedback(agent)
    services.link_evidence(
        analysis=analysis, actor=specialist, tickets=[ticket.number], feedback_items=[item.number]
    )
    services.link_evidence(analysis=analysis, actor=specialist, tickets=[ticket.number])
    assert list(analysis.tickets.all()) == [ticket]
    assert AuditEvent.objects.filter(action="analysis.evidence_linked").count() == 1
    other = make_ticket(agent)
    with pytest.raises(ValidationFailed):
        services.link_evidence(
            analysis=analysis, actor=specialist, tickets=[other.number, "CS-20200101-000001"]
        )
    assert list(analysis.tickets.all()) == [ticket]  # the good number was not linked either
    services.unlink_evidence(
        analysis=analysis, actor=specialist, tickets=[ticket.number], feedback_items=[item.number]
    )
    assert not analysis.tickets.exists()
    assert not analysis.feedback_items.exists()


def test_evidence_counts_are_read_live(specialist, agent, category, working_hours):
    working_hours.move_to(datetime(2026, 7, 1, 10, 0, tzinfo=SHANGHAI))
    make_ticket(agent, category=category.code)  # older than 90 days by the end
    working_hours.move_to(datetime(2026, 11, 1, 10, 0, tzinfo=SHANGHAI))
    recent = [make_ticket(agent, category=category.code) for _ in range(3)]
    child = make_category("late", parent=category)
    make_ticket(agent, category=child.code)
    make_ticket(agent)  # another category
    working_hours.move_to(datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI))
    items = [feedback(agent, f"Item {i}") for i in range(3)]
    change_feedback_status(item=items[0], actor=specialist, status="accepted")
    analysis = make_analysis(
        specialist,
        category=category.pk,
        tickets=[recent[0].number, recent[1].number],
        feedback_items=[i.number for i in items],
    )
    found = queries.evidence(analysis, viewer=specialist)
    assert (found.linked_tickets, found.linked_open_tickets) == (2, 2)
    assert found.category_tickets == 4  # 3 + 1 in the sub-category, in the last 90 days
    by_status = {code: n for code, _label, n in found.feedback_by_status}
    assert (by_status["new"], by_status["accepted"], by_status["done"]) == (2, 1, 0)
    assert found.linked_feedback == 3
    make_ticket(agent, category=category.code)
    assert queries.evidence(analysis, viewer=specialist).category_tickets == 5


def test_evidence_lists_only_the_tickets_the_viewer_sees(specialist, agent, outsider, supervisor):
    own, foreign = make_ticket(agent), make_ticket(outsider, team="billing")
    analysis = make_analysis(specialist, tickets=[own.number, foreign.number])
    assert queries.evidence(analysis, viewer=supervisor).tickets == [own]
    assert queries.evidence(analysis, viewer=supervisor).linked_tickets == 2


def test_a_draft_not_used_by_a_plan_can_be_deleted(specialist):
    lone = make_analysis(specialist)
    services.delete_analysis(analysis=lone, actor=specialist)
    assert not RootCauseAnalysis.objects.filter(pk=lone.pk).exists()
    used = make_analysis(specialist)
    make_plan(specialist, analyses=[used.pk])
    with pytest.raises(Conflict):
        services.delete_analysis(analysis=used, actor=specialist)
