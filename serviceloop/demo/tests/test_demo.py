"""`serviceloop demo`: a small demo company, made through the real use cases, looks like a
real one — every role, teams, categories, customers, and tickets with a realistic life.

The class below loads the demo once (rolled back when the class is done) and looks at it
from several sides; the tests after it load their own."""

import io
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import Team, User
from serviceloop.analytics import queries
from serviceloop.analytics.models import DailyRollup, TicketFact
from serviceloop.analytics.scope import Scope, Window
from serviceloop.audit.models import AuditEvent
from serviceloop.customers.models import Customer, CustomerContact, Organisation
from serviceloop.demo import seeder
from serviceloop.tickets.choices import Channel, CommitmentStatus, Emotion, Kind, Status, Urgency
from serviceloop.tickets.models import CannedReply, Category, Commitment, Interaction, Ticket

SMALL = ("--tickets", "150", "--customers", "40")
QUICK_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = (
        User, Team, Category, Customer, CustomerContact, Organisation, Ticket, Interaction,
        Commitment, AuditEvent,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The small demo, loaded once for the class inside a transaction rolled back after it
    (each test adds its own savepoint, so the tests do not see each other's changes)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=QUICK_HASHER):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            started = timezone.now()
            with pytest.MonkeyPatch.context() as env:
                env.delenv("HOST", raising=False)
                env.delenv("PORT", raising=False)
                output = run_demo(*SMALL)
            yield {"output": output, "started": started, "finished": timezone.now()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestASmallDemo:
    def test_it_creates_users_of_every_role_with_the_demo_password(self):
        users = User.objects.filter(username__in=seeder.DEMO_USERNAMES)
        assert {user.role for user in users} == set(Role.values)
        assert all(user.check_password(seeder.DEMO_PASSWORD) for user in users)
        agents = users.filter(role=Role.AGENT)
        assert 6 <= agents.count() <= 12
        assert all(agent.teams.exists() for agent in agents)
        assert all(agent.full_name for agent in agents)

    def test_the_customer_and_partner_logins_are_linked(self):
        customer = User.objects.get(username="customer")
        assert Customer.objects.get(user=customer).tier is not None
        partner = User.objects.get(username="partner")
        assert partner.organisation.kind == "partner"
        assert Ticket.objects.filter(submitter_organisation=partner.organisation).exists()
        assert Ticket.objects.filter(submitter=customer).exists()

    def test_it_offers_canned_replies_in_both_languages_with_placeholders(self):
        replies = CannedReply.objects.filter(is_active=True)
        assert set(replies.values_list("language", flat=True)) == {"en", "zh-hans"}
        assert all("{ticket_number}" in reply.body for reply in replies)
        assert replies.filter(team__isnull=False).exists()

    def test_it_sets_up_teams_with_one_default_and_their_staff(self):
        teams = Team.objects.all()
        assert 3 <= teams.count() <= 5
        assert teams.filter(is_default=True).count() == 1
        for team in teams:
            roles = set(team.members.values_list("role", flat=True))
            assert {Role.SUPERVISOR, Role.AGENT} <= roles, team.code
            assert team.name_zh
            assert team.name_en
            assert team.manager.role == Role.MANAGER

    def test_it_builds_a_two_level_category_tree_with_a_team_per_branch(self):
        top = Category.objects.filter(parent=None)
        assert top.count() >= 5
        for branch in top:
            assert branch.team is not None
            assert branch.children.count() >= 2
        assert not Category.objects.filter(parent__parent__isnull=False).exists()
        assert Category.objects.filter(code="logistics-delay", parent__code="logistics").exists()

    def test_it_creates_customers_in_both_languages_with_contacts(self):
        customers = Customer.objects.all()
        assert customers.count() == 40
        assert {"en", "zh-hans"} <= set(customers.values_list("language", flat=True))
        assert customers.filter(external_id__isnull=False).exists()
        assert len(set(customers.values_list("tier__code", flat=True))) == 3
        assert customers.filter(organisation__kind="company").exists()
        assert CustomerContact.objects.filter(kind="phone", value__startswith="+861").exists()
        assert CustomerContact.objects.filter(kind="email").exists()
        assert not customers.filter(contacts=None, external_id=None).exists()

    def test_it_spreads_the_tickets_over_the_last_90_days(self, demo):
        tickets = Ticket.objects.all()
        assert tickets.count() >= 150
        created = sorted(tickets.values_list("created_at", flat=True))
        assert created[0] >= demo["started"] - timedelta(days=90)
        assert created[-1] <= demo["started"]
        assert len({timezone.localdate(moment) for moment in created}) >= 50
        for number, moment in tickets.values_list("number", "created_at"):
            assert number.split("-")[1] == f"{timezone.localdate(moment):%Y%m%d}"

    def test_it_never_stamps_a_time_in_the_future(self, demo):
        latest = demo["finished"]
        assert not Ticket.objects.filter(updated_at__gt=latest).exists()
        assert not Interaction.objects.filter(occurred_at__gt=latest).exists()
        assert not AuditEvent.objects.filter(occurred_at__gt=latest).exists()

    def test_it_mixes_kinds_channels_urgencies_and_statuses(self):
        tickets = Ticket.objects.all()
        kinds = Counter(tickets.values_list("kind", flat=True))
        assert set(kinds) == set(Kind.values)
        assert kinds.most_common(1)[0][0] == Kind.INQUIRY
        assert 0.1 <= kinds[Kind.COMPLAINT] / tickets.count() <= 0.35
        assert len(set(tickets.values_list("channel", flat=True))) >= 6
        assert Channel.API in set(tickets.values_list("channel", flat=True))
        assert {Urgency.HIGH, Urgency.MEDIUM, Urgency.LOW} <= set(
            tickets.values_list("urgency", flat=True)
        )
        assert set(tickets.values_list("status", flat=True)) == set(Status.values)

    def test_older_tickets_are_mostly_done_and_recent_ones_open(self, demo):
        month_ago = demo["started"] - timedelta(days=30)
        old = Ticket.objects.filter(created_at__lt=month_ago)
        done = old.filter(status__in=[Status.RESOLVED, Status.CLOSED]).count()
        assert done / old.count() > 0.85
        week_ago = demo["started"] - timedelta(days=7)
        recent = Ticket.objects.filter(created_at__gte=week_ago)
        assert recent.exclude(status__in=[Status.RESOLVED, Status.CLOSED]).exists()

    def test_resolved_tickets_have_a_resolution(self):
        solved = Ticket.objects.filter(status__in=[Status.RESOLVED, Status.CLOSED])
        assert not solved.filter(merged_into=None, resolution="").exists()
        assert not solved.filter(merged_into=None, resolved_at=None).exists()

    def test_some_tickets_have_commitments_in_every_status(self):
        statuses = set(Commitment.objects.values_list("status", flat=True))
        assert statuses == set(CommitmentStatus.values)
        renegotiated = Commitment.objects.filter(status=CommitmentStatus.RENEGOTIATED)
        assert all(old.replacement and old.reason for old in renegotiated)

    def test_some_tickets_were_reopened_and_some_merged(self):
        assert Ticket.objects.filter(reopen_count__gt=0).exists()
        assert AuditEvent.objects.filter(action="ticket.reopened").exists()
        merged = Ticket.objects.filter(merged_into__isnull=False)
        assert merged.exists()
        assert all(t.customer_id == t.merged_into.customer_id for t in merged)

    def test_conversations_have_customer_emotions_and_internal_notes(self):
        interactions = Interaction.objects.all()
        per_ticket = Counter(interactions.values_list("ticket_id", flat=True))
        assert sum(per_ticket.values()) / Ticket.objects.count() >= 2
        assert max(per_ticket.values()) >= 5
        assert set(interactions.values_list("emotion", flat=True)) >= set(Emotion.values)
        assert interactions.filter(is_internal=True).exists()
        assert interactions.filter(direction="inbound").exists()
        assert len(set(interactions.values_list("channel", flat=True))) >= 5

    def test_first_responses_come_after_creation(self):
        answered = Ticket.objects.exclude(first_response_at=None)
        assert answered.count() >= 0.9 * Ticket.objects.count()
        assert all(t.first_response_at >= t.created_at for t in answered)

    def test_the_analytics_hold_every_ticket_and_a_real_pareto(self):
        assert TicketFact.objects.count() == Ticket.objects.count()
        assert sum(DailyRollup.objects.values_list("tickets", flat=True)) == Ticket.objects.count()
        days = TicketFact.objects.order_by("day").values_list("day", flat=True)
        window = Window(days.first(), days.last())
        bars = queries.dashboard(Scope(), window, queries.Visibility(teams=None)).categories
        assert len(bars) >= 5
        vital = [bar for bar in bars if bar.vital]
        assert 0 < len(vital) < len(bars)  # a few categories make up 80 %

    def test_every_ticket_has_its_audit_trail(self):
        tickets = Ticket.objects.all()
        assert not tickets.exclude(pk__in=AuditEvent.objects.values("ticket_id")).exists()
        created = dict(
            AuditEvent.objects.filter(action="ticket.created").values_list(
                "ticket_id", "occurred_at"
            )
        )
        assert all(created[t.pk] == t.created_at for t in tickets)

    def test_it_prints_progress_the_logins_and_the_urls(self, demo):
        output = demo["output"]
        assert "Replaying 150 tickets" in output
        for username in seeder.DEMO_USERNAMES:
            assert f"  {username} " in output
        assert seeder.DEMO_PASSWORD in output
        assert "http://127.0.0.1:8000/api/v1/docs" in output
        assert "http://127.0.0.1:8000/admin/" in output

    def test_a_second_run_with_if_empty_adds_nothing_and_prints_the_logins(self):
        before = row_counts()
        output = run_demo("--if-empty", *SMALL)
        assert row_counts() == before
        assert "already there" in output
        assert "agent1" in output
        assert seeder.DEMO_PASSWORD in output

    def test_it_prints_the_address_the_server_will_listen_on(self, monkeypatch):
        monkeypatch.setenv("HOST", "127.0.0.2")
        monkeypatch.setenv("PORT", "8123")
        output = run_demo("--if-empty", *SMALL)
        assert "http://127.0.0.2:8123/api/v1/docs" in output
        assert "http://127.0.0.2:8123/admin/" in output

    def test_a_second_run_without_if_empty_refuses(self):
        before = row_counts()
        with pytest.raises(CommandError, match="already loaded"):
            run_demo(*SMALL)
        assert row_counts() == before


def subjects_of_a_run(*args: str) -> list[str]:
    """Load a demo, read its ticket subjects, and roll it back."""
    with transaction.atomic():
        run_demo(*args)
        subjects = sorted(Ticket.objects.values_list("subject", flat=True))
        transaction.set_rollback(True)
    return subjects


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_tickets(settings):
    settings.PASSWORD_HASHERS = QUICK_HASHER
    small = ("--tickets", "60", "--customers", "20")
    with time_machine.travel(timezone.now(), tick=False):
        first = subjects_of_a_run(*small, "--seed", "7")
        again = subjects_of_a_run(*small, "--seed", "7")
        other = subjects_of_a_run(*small, "--seed", "8")
    assert first == again
    assert len(first) >= 60
    assert other != first


@pytest.mark.django_db
def test_if_empty_loads_the_demo_into_an_empty_database(settings):
    settings.PASSWORD_HASHERS = QUICK_HASHER
    output = run_demo("--if-empty", "--tickets", "5", "--customers", "3", "--days", "2")
    assert "Loaded" in output
    assert seeder.demo_present()
    assert Ticket.objects.count() >= 5
