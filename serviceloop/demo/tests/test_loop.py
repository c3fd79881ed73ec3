"""`serviceloop demo` closes the loop: after the tickets' history, customers rate them, some
are called back, an NPS campaign goes out, the feedback register fills, the logistics team
answers a staff survey, a root-cause analysis explains the slow logistics complaints, and
the improvement plans measure the process changes the replay simulates.

The class loads one demo of the default size (what `make run` loads), at a fixed moment so
that it is the same demo every time, rolled back after it, and looks at it from several
sides. Its effects are the replay's (lives.FAST_LANE_*, lives.FCR_PILOT_*): with fewer
tickets they drown in the noise."""

import io
import random
from collections import Counter
from datetime import datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from serviceloop.audit.models import AuditEvent
from serviceloop.demo import loop
from serviceloop.demo.lives import FAST_LANE_PILOT_DAYS, FAST_LANE_ROLLOUT_DAYS
from serviceloop.feedback.choices import FeedbackStatus, Source
from serviceloop.feedback.models import FeedbackItem, StaffSurvey
from serviceloop.feedback.queries import survey_results
from serviceloop.followups.choices import FollowUpStatus, Outcome, Reason
from serviceloop.followups.models import FollowUp
from serviceloop.improvement.choices import ActionStatus, AnalysisStatus, Phase, PlanStatus
from serviceloop.improvement.effect import plan_effect
from serviceloop.improvement.models import ImprovementPlan, RootCauseAnalysis
from serviceloop.inbox.models import Kind, Notification
from serviceloop.satisfaction.choices import MailStatus
from serviceloop.satisfaction.models import CsatSurvey, NpsCampaign, NpsResponse
from serviceloop.satisfaction.queries import campaign_results
from serviceloop.tickets.choices import Kind as TicketKind
from serviceloop.tickets.choices import Status
from serviceloop.tickets.models import Ticket

AT = datetime(2026, 11, 26, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the demo's "now"
QUICK_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the class inside a transaction rolled back after it, with
    the callbacks the history would leave for after its commit."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=QUICK_HASHER),
        time_machine.travel(AT, tick=False),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            mail.outbox = []
            started = timezone.now()
            connection = transaction.get_connection()
            callbacks_before = len(connection.run_on_commit)
            output = run_demo()
            yield {
                "output": output,
                "started": started,
                "finished": timezone.now(),
                "callbacks": connection.run_on_commit[callbacks_before:],
                "mails": list(mail.outbox),
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def plan_titled(prefix: str) -> ImprovementPlan:
    return ImprovementPlan.objects.get(title__startswith=prefix)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestTheLoopOfTheDemo:
    # satisfaction

    def test_customers_rate_most_solved_tickets_and_some_comment(self):
        solved = Ticket.objects.filter(
            status__in=[Status.RESOLVED, Status.CLOSED], merged_into=None
        ).count()
        surveys = CsatSurvey.objects.all()
        asked = surveys.exclude(sent_at=None)
        answered = surveys.exclude(score=None)
        assert asked.count() >= 0.9 * solved
        assert 0.45 <= answered.count() / asked.count() <= 0.75
        assert len(set(answered.values_list("score", flat=True))) == 5
        assert set(answered.values_list("channel", flat=True)) == {"email", "portal"}
        for survey in answered.select_related("ticket"):
            assert survey.ticket.resolved_at <= survey.sent_at <= survey.answered_at

    def test_comments_are_in_the_register_linked_to_their_ticket(self):
        commented = CsatSurvey.objects.exclude(comment="").select_related("feedback_item", "ticket")
        assert commented.count() >= 20
        for survey in commented:
            item = survey.feedback_item
            assert item is not None
            assert item.source == Source.SURVEY
            assert item.text == survey.comment
            assert list(item.tickets.values_list("pk", flat=True)) == [survey.ticket_id]
            assert chinese(survey.comment) == chinese(survey.ticket.subject)
        assert 0 < sum(chinese(survey.comment) for survey in commented) < commented.count()

    def test_complaints_are_rated_higher_in_the_fast_lane(self, demo):
        started = demo["started"]
        complaints = CsatSurvey.objects.filter(ticket__kind=TicketKind.COMPLAINT).exclude(
            score=None
        )
        before = complaints.filter(
            ticket__created_at__lt=started - timedelta(days=FAST_LANE_PILOT_DAYS)
        )
        pilot = complaints.filter(
            ticket__team__code="logistics",
            ticket__created_at__gte=started - timedelta(days=FAST_LANE_PILOT_DAYS),
        )
        rolled_out = complaints.filter(
            ticket__created_at__gte=started - timedelta(days=FAST_LANE_ROLLOUT_DAYS)
        )
        assert before.count() >= 20
        before_mean = mean(before.values_list("score", flat=True))
        assert mean(pilot.values_list("score", flat=True)) > before_mean + 0.3
        assert mean(rolled_out.values_list("score", flat=True)) > before_mean

    # follow-ups

    def test_resolutions_and_low_scores_get_follow_ups_mostly_recorded(self, demo):
        follow_ups = FollowUp.objects.all()
        reasons = set(follow_ups.values_list("reason", flat=True))
        assert {Reason.COMPLAINT, Reason.LOW_CSAT, Reason.LOW_NPS} <= reasons
        done = follow_ups.filter(status=FollowUpStatus.DONE)
        assert done.count() > follow_ups.filter(status=FollowUpStatus.OPEN).count() > 0
        assert set(done.values_list("outcome", flat=True)) == {Outcome.SOLVED}  # none reopened
        assert done.exclude(satisfaction=None).count() >= 0.7 * done.count()
        assert not done.filter(notes="").exists()
        assert all(f.created_at <= f.done_at <= demo["finished"] for f in done)
        low = FollowUp.objects.filter(reason=Reason.LOW_CSAT).select_related("csat_survey")
        assert all(f.csat_survey.score <= 2 for f in low)

    def test_only_recent_follow_ups_are_still_open_a_few_overdue(self, demo):
        open_ = FollowUp.objects.filter(status=FollowUpStatus.OPEN)
        assert not open_.filter(due_at__lt=demo["started"] - timedelta(days=2)).exists()
        assert open_.filter(due_at__lt=demo["started"]).exists()
        assert open_.filter(due_at__gt=demo["started"]).exists()

    # NPS

    def test_an_nps_campaign_was_sent_answered_and_has_a_score(self, demo):
        campaign = NpsCampaign.objects.get()
        assert campaign.created_by.username == "specialist"
        age = demo["started"] - campaign.sent_at
        assert timedelta(days=34) < age < timedelta(days=36)
        assert campaign.percent == 30
        assert campaign.contacted_within_days == 90
        assert not campaign.tiers.exists()
        results = campaign_results(campaign)
        assert results.sent > 0
        assert results.mailed == results.sent  # none left for the worker to mail now
        assert 0.25 <= results.answered / results.sent <= 0.65
        assert results.nps is not None
        assert results.promoters
        assert results.detractors
        answers = NpsResponse.objects.exclude(score=None)
        assert all(campaign.sent_at < a.answered_at <= campaign.sent_at + timedelta(days=14)
                   for a in answers)  # fmt: skip
        assert answers.exclude(reason="").exists()
        assert not NpsResponse.objects.exclude(mail_status=MailStatus.SENT).exists()

    # the feedback register

    def test_the_register_holds_feedback_from_every_door_in_every_status(self):
        items = FeedbackItem.objects.exclude(source=Source.SURVEY)
        assert items.count() >= 40
        assert set(items.values_list("source", flat=True)) == {
            Source.CUSTOMER, Source.PARTNER, Source.STAFF
        }  # fmt: skip
        assert set(items.values_list("status", flat=True)) == set(FeedbackStatus.values)
        assert items.filter(submitted_by__username="customer").exists()
        assert items.filter(source=Source.CUSTOMER, submitted_by=None).exists()  # the system door
        assert items.filter(submitted_by__username="partner", organisation__kind="partner").exists()
        classified = [item for item in items if item.is_classified]
        assert len(classified) >= 0.75 * items.count()
        assert items.filter(tickets__isnull=False).distinct().count() >= 5
        languages = Counter(chinese(item.text) for item in items)
        assert languages[True]
        assert languages[False]

    def test_rejected_feedback_says_why_and_progress_is_audited(self):
        rejected = FeedbackItem.objects.filter(status=FeedbackStatus.REJECTED)
        assert rejected.exists()
        assert not rejected.filter(rejection_reason="").exists()
        done = FeedbackItem.objects.filter(status=FeedbackStatus.DONE).first()
        path = AuditEvent.objects.filter(
            action="feedback.status_changed", target_id=str(done.pk)
        ).order_by("occurred_at", "id")
        assert [event.after["status"] for event in path] == ["accepted", "planned", "done"]

    def test_anonymous_staff_feedback_names_nobody(self):
        anonymous = FeedbackItem.objects.filter(source=Source.STAFF, submitted_by=None)
        assert anonymous.count() >= 3
        registered = AuditEvent.objects.filter(
            action="feedback.registered", target_id__in=[str(pk) for pk in anonymous.values_list(
                "pk", flat=True
            )]
        )  # fmt: skip
        assert registered.count() == anonymous.count()
        assert not registered.filter(actor__isnull=False).exists()
        assert FeedbackItem.objects.filter(source=Source.STAFF, submitted_by__isnull=False).exists()

    # the staff survey

    def test_the_logistics_team_answered_its_climate_survey(self, demo):
        survey = StaffSurvey.objects.get()
        assert "Team climate Q" in survey.title
        assert survey.team.code == "logistics"
        assert survey.team.members.count() >= 5
        assert timedelta(days=9) < demo["started"] - survey.sent_at < timedelta(days=11)
        results = survey_results(survey)  # raises below the minimum of answers
        assert results.answers >= 5
        kinds = {question.kind for question in results.questions}
        assert kinds == {"scale_1_5", "text"}
        assert all(q.mean for q in results.questions if q.kind == "scale_1_5")
        invitations = survey.invitations.all()
        assert invitations.filter(answered=False).count() == 1  # one may still answer
        taken = FeedbackItem.objects.filter(staff_survey_answer__survey=survey)
        assert taken.exists()
        assert not taken.filter(submitted_by__isnull=False).exists()
        bells = Notification.objects.filter(kind=Kind.STAFF_SURVEY)
        assert bells.count() == invitations.count()
        assert bells.filter(read_at=None).count() == 1

    # root causes and plans

    def test_the_analysis_found_why_logistics_complaints_took_long(self, demo):
        analysis = RootCauseAnalysis.objects.get()
        assert analysis.status == AnalysisStatus.CONCLUDED
        assert analysis.conclusions
        assert analysis.owner.username == "specialist"
        assert analysis.category.code == "logistics-delay"
        assert timedelta(days=64) < demo["started"] - analysis.created_at < timedelta(days=66)
        whys = list(analysis.whys.order_by("position"))
        assert len(whys) == 5
        assert all(why.answer for why in whys)
        assert analysis.causes.values("category").distinct().count() >= 4
        assert analysis.causes.filter(is_root_cause=True).count() == 1
        tickets = analysis.tickets.all()
        assert 5 <= tickets.count() <= 20  # the latest 20 (fewer in a small demo)
        assert not tickets.exclude(category__code="logistics-delay", kind="complaint").exists()
        assert all(ticket.created_at < analysis.created_at for ticket in tickets)
        evidence = analysis.feedback_items.all()
        assert 4 <= evidence.count() <= 6
        assert all(item.created_at < analysis.concluded_at for item in evidence)

    def test_the_fast_lane_plan_measured_its_effect_and_was_completed(self):
        plan = plan_titled("投诉快速通道")
        assert plan.status == PlanStatus.COMPLETED
        assert plan.phase == Phase.ACT
        phases = AuditEvent.objects.filter(action="plan.phase_changed", target_id=str(plan.pk))
        assert [e.after["phase"] for e in phases.order_by("occurred_at")] == ["do", "check", "act"]
        assert plan.analyses.filter(status=AnalysisStatus.CONCLUDED).exists()
        assert plan.owner.username == "supervisor"
        actions = plan.actions.all()
        assert actions.count() == 4
        assert not actions.exclude(status=ActionStatus.DONE).exists()
        assert all(a.actual_end and a.person and a.team for a in actions)
        effect = plan_effect(plan)
        overall = effect.overall
        assert overall.after_value < overall.before_value
        assert overall.n_before > 30
        assert overall.n_after > 30
        assert plan.target == pytest.approx(0.6 * overall.before_value, abs=1)
        assert effect.completion is not None
        assert effect.completion > 0
        pilot = effect.pilot
        assert pilot.pilot.high < 0  # the pilot's own change: its interval excludes 0
        assert pilot.did.estimate < 0
        assert pilot.did.high < 0  # the pilot against the rest of the complaints, too
        assert min(pilot.did.n_pilot_before, pilot.did.n_pilot_after) >= 10
        assert min(pilot.did.n_rest_before, pilot.did.n_rest_after) >= 10

    def test_the_billing_pilot_is_running_and_one_action_is_delayed(self, demo):
        plan = plan_titled("账务咨询首次解决")
        assert plan.status == PlanStatus.ACTIVE
        assert plan.phase == Phase.DO
        assert plan.deadline > timezone.localdate(demo["started"])
        effect = plan_effect(plan)
        assert plan.target == pytest.approx(min(100, effect.overall.before_value + 15), abs=0.1)
        assert effect.pilot.did.estimate > 0
        assert effect.pilot.did.low > 0
        assert effect.pilot.did.n_pilot_after > 0
        statuses = Counter(plan.actions.values_list("status", flat=True))
        assert statuses == {ActionStatus.DONE: 1, ActionStatus.ON_SCHEDULE: 1,
                            ActionStatus.DELAYED: 1}  # fmt: skip
        delayed = plan.actions.get(status=ActionStatus.DELAYED)
        assert delayed.planned_end < timezone.localdate(demo["started"])
        bell = Notification.objects.get(kind=Kind.PLAN_ACTION_DELAYED)
        assert bell.recipient == plan.owner

    def test_a_plan_is_still_in_the_plan_phase_without_an_after_window(self):
        plan = plan_titled("减少物流重复投诉")
        assert plan.phase == Phase.PLAN
        assert plan.owner.username == "specialist"
        assert plan_effect(plan).after is None

    # history stays history

    def test_nothing_is_stamped_in_the_future(self, demo):
        latest = demo["finished"]
        assert not AuditEvent.objects.filter(occurred_at__gt=latest).exists()
        assert not CsatSurvey.objects.filter(answered_at__gt=latest).exists()
        assert not FeedbackItem.objects.filter(updated_at__gt=latest).exists()
        assert not FollowUp.objects.filter(done_at__gt=latest).exists()
        assert not ImprovementPlan.objects.filter(updated_at__gt=latest).exists()

    def test_history_mails_nobody_and_enqueues_nothing(self, demo):
        assert demo["mails"] == []
        assert demo["callbacks"] == []
        kinds = set(Notification.objects.values_list("kind", flat=True))
        assert kinds == {Kind.STAFF_SURVEY, Kind.PLAN_ACTION_DELAYED}

    def test_it_reports_its_progress(self, demo):
        assert "Surveying satisfaction" in demo["output"]
        assert "Running the improvement plans" in demo["output"]


@pytest.mark.django_db
def test_a_tiny_demo_leaves_the_loop_out(settings):
    settings.PASSWORD_HASHERS = QUICK_HASHER
    output = run_demo("--tickets", str(loop.LOOP_MIN_TICKETS // 2), "--customers", "10")
    assert "left out" in output
    assert not CsatSurvey.objects.exists()
    assert not FeedbackItem.objects.exists()
    assert not ImprovementPlan.objects.exists()
    assert not Notification.objects.exists()


class Draws(random.Random):
    """Chance that always draws `value` (and the first choice)."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value

    def choice(self, seq):  # type: ignore[no-untyped-def]
        return seq[0]


def score_after(hours: float, *, angry: bool = False, reopened: int = 0, draw: float = 0.99):
    created = timezone.now()
    ticket = Ticket(created_at=created, resolved_at=created + timedelta(hours=hours),
                    reopen_count=reopened)  # fmt: skip
    return loop.csat_score(ticket, angry=angry, rng=Draws(draw))


def test_the_score_follows_the_handling_time():
    assert [score_after(h) for h in (1, 30, 100, 200, 300)] == [5, 4, 3, 2, 1]


def test_a_reopen_or_an_angry_customer_costs_a_point_but_never_below_one():
    assert score_after(1, angry=True) == 4
    assert score_after(30, reopened=1) == 3
    assert score_after(300, angry=True, reopened=2) == 1


def test_some_scores_are_one_off_either_way():
    assert score_after(100, draw=0.0) == 2  # noise, and the first choice is -1
    assert score_after(1, draw=0.0) == 4
