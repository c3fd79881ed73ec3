"""The second half of the demo's service loop, played after the tickets' history: customers
rate their resolved tickets (CSAT) and some are called back (follow-ups), an NPS campaign
goes out, customers, the partner and staff fill the feedback register, the logistics team
answers a staff survey, a specialist finds why logistics complaints took so long, and the
improvement plans that followed are run, piloted and measured.

As in the replay (lives.py), everything goes through the use cases, each step with the
clock set to the moment it happened (never after `now`), all steps of all stories in time
order, inside `audit.unpublished()`: history mails nobody and enqueues nothing. What the
worker would have done after a change committed (schedule a CSAT survey and open a
follow-up when a ticket is resolved or a score is low, mail an NPS campaign) is done here at
that moment.

The numbers are true: scores follow how long each ticket really took, so the complaint
fast lane the replay simulates (lives.FAST_LANE_*) shows in CSAT too, and the plans measure
the effects the replay put into the tickets (lives.FAST_LANE_*, lives.FCR_PILOT_*).
"""

import random
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from django.db.models import Q
from django.utils import timezone

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.analytics import registry
from serviceloop.analytics import services as analytics
from serviceloop.analytics.scope import Scope
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.customers.models import Customer
from serviceloop.feedback import services as feedback
from serviceloop.feedback.choices import Source
from serviceloop.feedback.models import StaffSurvey, StaffSurveyAnswer
from serviceloop.feedback.queries import min_answers
from serviceloop.followups import services as followups
from serviceloop.followups.choices import Outcome
from serviceloop.followups.models import FollowUp
from serviceloop.improvement import services as improvement
from serviceloop.improvement.choices import ActionStatus, Phase, PlanStatus
from serviceloop.improvement.models import ImprovementPlan, PlanAction, RootCauseAnalysis
from serviceloop.inbox import services as inbox
from serviceloop.satisfaction import services as satisfaction
from serviceloop.satisfaction.choices import AnswerChannel, MailStatus
from serviceloop.satisfaction.models import NpsResponse
from serviceloop.tickets.choices import Emotion, Kind, Status
from serviceloop.tickets.models import Category, Interaction, Ticket

from .company import GROUP_OF, TEAM_OF_GROUP, Company, Progress
from .lives import CLOSING, OPENING
from .loop_texts import (
    ACCEPTED,
    ANALYSIS_CONCLUSIONS,
    ANALYSIS_PROBLEM,
    ANALYSIS_TITLE,
    ANONYMOUS,
    CAUSES,
    CSAT_COMMENTS,
    DONE,
    FAST_LANE_ACTIONS,
    FAST_LANE_NOTES,
    FAST_LANE_PROBLEM,
    FAST_LANE_TITLE,
    FCR_ACTIONS,
    FCR_NOTES,
    FCR_PROBLEM,
    FCR_TITLE,
    FEEDBACK,
    FOLLOW_UP_NOTES,
    LOGIN,
    LOW_SCORE_NOTES,
    NEW,
    NPS_REASONS,
    PARTNER,
    PLANNED,
    REJECTED,
    REPEAT_ACTIONS,
    REPEAT_PROBLEM,
    REPEAT_TITLE,
    STAFF_IDEAS,
    STAFF_OBSTACLES,
    STAFF_QUESTIONS,
    WHYS,
    ActionSpec,
    FeedbackSpec,
    nps_campaign_name,
    staff_survey_title,
)
from .loop_texts import CUSTOMER as FROM_CUSTOMER
from .texts import Say
from .timeline import Story, Timeline

# Fewer tickets than this leave nothing true to find: the loop is left out (a tiny demo, a
# quick test), and so are its staff-survey and plan notifications.
LOOP_MIN_TICKETS = 100
CSAT_ANSWER_SHARE, CSAT_COMMENT_SHARE, CSAT_NOISE_SHARE = 0.6, 0.2, 0.3
# Handling time (wall clock, hours) below which a customer gives 5, 4, 3, 2; else 1.
CSAT_BY_HOURS: tuple[tuple[float, int], ...] = ((24, 5), (72, 4), (144, 3), (240, 2))
NPS_ANSWER_SHARE, NPS_REASON_SHARE, NPS_ANSWER_DAYS = 0.45, 0.4, 14
NPS_MEAN_BY_TIER = {"vip": 9.3, "gold": 8.6, "standard": 8.0}  # VIP customers are happier
RECORDED_BEFORE = timedelta(days=1)  # follow-ups due before now minus this are recorded
TICKETS_LOOKED_AT = timedelta(days=30)  # feedback links tickets of the month before it
# The statuses a feedback item passes through to its last one, and the days each step
# takes after the one before (classification first, 0.2 to 2.5 days after registering).
STATUS_PATHS: dict[str, tuple[str, ...]] = {
    NEW: (),
    ACCEPTED: (ACCEPTED,),
    PLANNED: (ACCEPTED, PLANNED),
    DONE: (ACCEPTED, PLANNED, DONE),
    REJECTED: (REJECTED,),
}
DAYS_BEFORE: dict[str, tuple[float, float]] = {
    ACCEPTED: (0.3, 2),
    PLANNED: (2, 6),
    DONE: (5, 20),
    REJECTED: (0.5, 3),
}
SOLVED_TICKETS = (Status.RESOLVED, Status.CLOSED)
CJK = re.compile(r"[\u4e00-\u9fff]")


def seed_loop(company: Company, now: datetime, rng: random.Random, report: Progress) -> bool:
    """Play the loop's history (see the module) up to `now`: the surveys, follow-ups,
    feedback and the analysis, then the analytics are computed (the plans read their
    baselines from them), then the plans' history. Precondition: the tickets were
    replayed. Returns whether it was played; if not, the analytics are not computed."""
    if Ticket.objects.count() < LOOP_MIN_TICKETS:
        report("Too little history for surveys, feedback and improvement plans: left out.")
        return False
    loop = _Loop(company=company, now=now, seed=rng.getrandbits(32))
    with audit.unpublished():
        report("Surveying satisfaction, calling back, collecting feedback, analysing…")
        loop.play_feedback()
        report("Computing the analytics…")  # unpublished: nothing was marked stale
        analytics.rebuild()
        report("Running the improvement plans…")
        loop.play_plans()
    return True


def _once(step: Callable[[], object]) -> Story:
    """A story of one step."""
    step()
    yield from ()


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _on_duty(rng: random.Random, moment: datetime) -> datetime:
    """`moment`, or shortly after the next opening when the service desk is closed then."""
    local = timezone.localtime(moment)
    if OPENING <= local.time() < CLOSING:
        return moment
    day = local.date() if local.time() < OPENING else local.date() + timedelta(days=1)
    return datetime.combine(day, OPENING, tzinfo=local.tzinfo) + timedelta(
        minutes=rng.uniform(0, 50)
    )


def _pick(language: str, say: Say) -> str:
    return say[0] if language == "zh" else say[1]


def _language_of_ticket(ticket: Ticket) -> str:
    return "zh" if CJK.search(ticket.subject) else "en"


def csat_score(ticket: Ticket, *, angry: bool, rng: random.Random) -> int:
    """How the customer rates a ticket: by its wall-clock handling time, one lower when it
    was reopened or they were angry, ±1 now and then, within 1..5."""
    assert ticket.resolved_at is not None
    hours = (ticket.resolved_at - ticket.created_at).total_seconds() / 3600
    score = next((value for limit, value in CSAT_BY_HOURS if hours < limit), 1)
    if ticket.reopen_count or angry:
        score -= 1
    if rng.random() < CSAT_NOISE_SHARE:
        score += rng.choice((-1, 1))
    return min(5, max(1, score))


def _band(score: int) -> str:
    return "low" if score <= 2 else "middle" if score == 3 else "high"


def metric_value(key: str, scope: dict[str, Any], start: date, end: date) -> float | None:
    """A plannable metric over the tickets created in the window: what a plan's baseline
    reads (improvement.effect does the same)."""
    return registry.metric(key).value(registry.sample(key, Scope.from_dict(scope), start, end))


class _Loop:
    """The stories of the loop, sharing what later ones need (the evidence, the analysis)."""

    def __init__(self, *, company: Company, now: datetime, seed: int) -> None:
        self.company = company
        self.now = now
        self.today = timezone.localdate(now)
        self.seed = seed
        self.timeline = Timeline(now)
        self.users = {user.username: user for user in User.objects.order_by("pk")}
        self.specialist = self.users["specialist"]
        self.supervisor_of = {
            team.pk: company.supervisors[code] for code, team in company.teams.items()
        }
        self.login_customer = Customer.objects.get(user=company.customer_user)
        self.evidence: list[str] = []  # feedback numbers the analysis links
        self.analysis: RootCauseAnalysis | None = None

    # time and chance

    def rng(self, *key: object) -> random.Random:
        """A generator of its own per story: the same seed tells the same stories. A key
        never holds a row's id: PostgreSQL does not give ids back when a transaction rolls
        back, so the ids of the same demo differ from one database to the next."""
        return random.Random(":".join(map(str, (self.seed, *key))))  # noqa: S311 - demo data

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def at(self, days_ago: float, hour: int = 10, minute: int = 0) -> datetime:
        """`hour`:`minute` local time `days_ago` days ago, not later than just before now."""
        moment = datetime.combine(
            self.day(int(days_ago)),
            clock_time(hour, minute),
            tzinfo=timezone.get_current_timezone(),
        )
        return min(moment, self.now - timedelta(minutes=5))

    def play_feedback(self) -> None:
        add = self.timeline.add
        self._add_csat_stories()
        add(self.at(35, 10, 20), self._nps())
        for index, spec in enumerate(FEEDBACK):
            rng = self.rng("feedback", index)
            hour = (
                rng.randint(8, 20) if spec.source in (LOGIN, FROM_CUSTOMER) else rng.randint(9, 17)
            )
            add(self.at(spec.days_ago, hour, rng.randint(0, 59)), self._feedback(spec, rng))
        add(self.at(10, 9, 30), self._staff_survey())
        add(self.at(65, 10, 15), self._analysis())
        self.timeline.run()

    def play_plans(self) -> None:
        """After the analytics: plans read their baselines from the facts."""
        add = self.timeline.add
        add(self.at(61, 11), self._fast_lane_plan())
        add(self.at(22, 15), self._fcr_plan())
        add(self.at(3, 10, 30), self._repeat_plan())
        self.timeline.run()

    # 1-2. CSAT surveys and the follow-ups of resolutions and low scores

    def _add_csat_stories(self) -> None:
        angry = set(
            Interaction.objects.filter(emotion=Emotion.ANGRY).values_list("ticket_id", flat=True)
        )
        tickets = (
            Ticket.objects.filter(
                status__in=SOLVED_TICKETS, merged_into=None, resolved_at__isnull=False
            )
            .select_related("customer")
            .order_by("resolved_at", "pk")
        )
        for ticket in tickets:
            assert ticket.resolved_at is not None
            self.timeline.add(ticket.resolved_at, self._csat(ticket, angry=ticket.pk in angry))

    def _csat(self, ticket: Ticket, *, angry: bool) -> Story:
        """Resolved: the survey is scheduled and the rule may want a follow-up; an hour later
        the customer is asked, and most answer within hours or days."""
        rng = self.rng("csat", ticket.created_at.isoformat(), ticket.subject)
        language = _language_of_ticket(ticket)
        score = csat_score(ticket, angry=angry, rng=rng)
        answers = rng.random() < CSAT_ANSWER_SHARE
        delay = _hours(rng, 0.2, 6) if rng.random() < 0.6 else _hours(rng, 6, 72)
        comment = ""
        if rng.random() < CSAT_COMMENT_SHARE:
            comment = _pick(language, rng.choice(CSAT_COMMENTS[_band(score)]))
        portal = ticket.customer.user_id is not None and rng.random() < 0.6
        via = AnswerChannel.PORTAL if portal else AnswerChannel.EMAIL
        if ticket.status == Status.RESOLVED:  # a closed ticket was resolved before: no rule
            satisfaction.schedule_csat(ticket=ticket)
            opened = followups.open_follow_up_after_resolution(ticket=ticket)
            self._follow_up(opened, language=language, satisfied=score, notes=FOLLOW_UP_NOTES)
        yield clock.now() + satisfaction.request_delay()
        survey = satisfaction.request_csat(ticket=ticket)
        if not answers or survey.sent_at is None:
            return
        yield clock.now() + delay
        survey = satisfaction.answer_csat(survey=survey, score=score, comment=comment, via=via)
        if survey.is_low:
            low = followups.open_low_score_follow_up(csat_survey=survey)
            better = min(5, score + rng.choice((1, 1, 2)))
            self._follow_up(low, language=language, satisfied=better, notes=LOW_SCORE_NOTES)

    def _follow_up(
        self, follow_up: FollowUp | None, *, language: str, satisfied: int, notes: Sequence[Say]
    ) -> None:
        """Call back and record it (solved) when it was due before now minus a day; the
        recent ones stay open, some of them overdue."""
        if follow_up is None or follow_up.due_at >= self.now - RECORDED_BEFORE:
            return
        rng = self.rng(
            "follow-up", follow_up.reason, follow_up.created_at.isoformat(), follow_up.customer.name
        )
        if rng.random() < 0.12:  # called back late
            at = follow_up.due_at + _hours(rng, 1, 20)
        else:
            at = follow_up.created_at + _hours(rng, 2, 40)
        asked = rng.random() < 0.85
        note = _pick(language, rng.choice(notes))
        actor = (
            follow_up.assignee
            or self.supervisor_of.get(follow_up.team_id or 0)
            or self.company.manager
        )

        def record() -> None:
            followups.record_follow_up(
                follow_up=follow_up,
                actor=actor,
                outcome=Outcome.SOLVED,
                satisfaction=satisfied if asked else None,
                notes=note,
            )

        self.timeline.add(_on_duty(rng, at), _once(record))

    # 3. NPS

    def _nps(self) -> Story:
        """A campaign by the specialist: all tiers, contacted within 90 days, 30 %; sent and
        mailed the same morning, answered over the next two weeks."""
        rng = self.rng("nps")
        local = timezone.localtime(clock.now())
        campaign = satisfaction.create_nps_campaign(
            actor=self.specialist,
            name=nps_campaign_name(local.year, local.month, f"{local:%B}"),
            contacted_within_days=90,
            percent=30,
            seed=rng.randrange(2**31 - 1),
        )
        yield clock.now() + timedelta(minutes=rng.uniform(10, 40))
        campaign = satisfaction.send_nps_campaign(campaign=campaign, actor=self.specialist)
        # The mails went out that morning: history, so nobody is mailed now.
        now = clock.now()
        NpsResponse.objects.filter(campaign=campaign, mail_status=MailStatus.QUEUED).update(
            mail_status=MailStatus.SENT, mail_attempts=1, last_attempt_at=now, mailed_at=now
        )
        since = clock.now() - timedelta(days=60)
        complained = set(
            Ticket.objects.filter(kind=Kind.COMPLAINT, created_at__gte=since).values_list(
                "customer_id", flat=True
            )
        )
        responses = NpsResponse.objects.filter(campaign=campaign).select_related(
            "customer__tier", "customer__user"
        )
        for index, response in enumerate(responses.order_by("pk")):
            answer_rng = self.rng("nps", index)
            if answer_rng.random() >= NPS_ANSWER_SHARE:
                continue
            at = clock.now() + timedelta(days=NPS_ANSWER_DAYS * answer_rng.random() ** 2)
            unhappy = response.customer_id in complained
            self.timeline.add(at, self._nps_answer(response, answer_rng, unhappy=unhappy))

    def _nps_answer(self, response: NpsResponse, rng: random.Random, *, unhappy: bool) -> Story:
        tier = response.customer.tier
        mean = NPS_MEAN_BY_TIER[tier.code if tier else "standard"] - 1.0 * unhappy
        score = min(10, max(0, round(rng.gauss(mean, 1.7))))
        group = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        language = "zh" if response.language.startswith("zh") else "en"
        reason = ""
        if rng.random() < NPS_REASON_SHARE:
            reason = _pick(language, rng.choice(NPS_REASONS[group]))
        response = satisfaction.answer_nps(response=response, score=score, reason=reason)
        if response.is_low:
            low = followups.open_low_score_follow_up(nps_response=response)
            better = rng.choice((2, 3, 3, 4))
            self._follow_up(low, language=language, satisfied=better, notes=LOW_SCORE_NOTES)
        yield from ()

    # 4. the feedback register

    def _feedback(self, spec: FeedbackSpec, rng: random.Random) -> Story:
        """Registered through its door, classified by the specialist (with example tickets),
        then accepted, planned and done, or rejected with the reason."""
        title, text = _pick(spec.language, spec.title), _pick(spec.language, spec.text)
        company = self.company
        staff = [user for user in self.users.values() if user.role in (Role.AGENT, Role.SUPERVISOR)]
        if spec.source == LOGIN:
            customer = self.login_customer
            tickets = self._tickets_of(spec.category, customer=customer, count=1)
            item = feedback.register_feedback(
                source=Source.CUSTOMER, title=title, text=text, actor=company.customer_user,
                customer=customer, tickets=tickets,
            )  # fmt: skip
        elif spec.source == FROM_CUSTOMER:  # by e-mail or phone: the system registers it
            customer, tickets = self._customer_for(spec, rng)
            item = feedback.register_feedback(
                source=Source.CUSTOMER, title=title, text=text, actor=None, customer=customer,
                tickets=tickets[: spec.links],
            )  # fmt: skip
        elif spec.source == PARTNER:
            item = feedback.register_feedback(
                source=Source.PARTNER, title=title, text=text, actor=company.partner,
                organisation=company.partner.organisation,
            )  # fmt: skip
        else:
            anonymous = spec.source == ANONYMOUS
            author = rng.choice(staff) if anonymous else self.users[spec.source]
            item = feedback.register_feedback(
                source=Source.STAFF, title=title, text=text, actor=author, anonymous=anonymous
            )
        if spec.evidence:
            self.evidence.append(item.number)
        if not spec.type:
            return
        started = clock.now()
        steps = [rng.uniform(0.2, 2.5)]
        path = STATUS_PATHS[spec.status]
        for status in path:
            steps.append(steps[-1] + rng.uniform(*DAYS_BEFORE[status]))
        room = (self.now - timedelta(hours=2) - started).total_seconds() / 86400
        squeeze = min(1.0, room / steps[-1]) if steps[-1] > 0 else 1.0
        moments = [_on_duty(rng, started + timedelta(days=days * squeeze)) for days in steps]
        yield moments[0]
        classification: dict[str, str] = {
            "type": spec.type, "stage": spec.stage, "nature": spec.nature, "urgency": spec.urgency
        }  # fmt: skip
        if spec.category and item.category_id is None:
            classification["category"] = spec.category
        if spec.category and item.team_id is None:
            classification["team"] = TEAM_OF_GROUP[GROUP_OF.get(spec.category, spec.category)]
        item = feedback.classify_feedback(item=item, actor=self.specialist, **classification)
        if spec.links and not item.tickets.exists():
            numbers = [
                ticket.number for ticket in self._tickets_of(spec.category, count=spec.links)
            ]
            if numbers:
                item = feedback.link_tickets(item=item, actor=self.specialist, numbers=numbers)
        for status, moment in zip(path, moments[1:], strict=True):
            yield moment
            reason = _pick(spec.language, spec.reason) if status == REJECTED else ""
            item = feedback.change_feedback_status(
                item=item, actor=self.specialist, status=status, reason=reason
            )

    def _tickets_of(
        self, category: str, *, customer: Customer | None = None, count: int
    ) -> list[Ticket]:
        """The latest `count` tickets of `category` (and its sub-categories) created before
        now, complaints first."""
        if not category or count <= 0:
            return []
        now = clock.now()
        tickets = Ticket.objects.filter(
            Q(category__code=category) | Q(category__parent__code=category),
            created_at__lt=now,
            created_at__gte=now - TICKETS_LOOKED_AT,
            merged_into=None,
        )
        if customer is not None:
            tickets = tickets.filter(customer=customer)
        ordered = sorted(
            tickets.order_by("-created_at")[: count * 4],
            key=lambda ticket: (ticket.kind != Kind.COMPLAINT, -ticket.created_at.timestamp()),
        )
        return ordered[:count]

    def _customer_for(
        self, spec: FeedbackSpec, rng: random.Random
    ) -> tuple[Customer, list[Ticket]]:
        """A customer writing in the item's language: one with a recent ticket about it
        (that ticket to link), else anybody."""
        wanted = "zh-hans" if spec.language == "zh" else "en"
        for ticket in self._tickets_of(spec.category, count=8):
            if ticket.customer.language == wanted and ticket.customer_id != self.login_customer.pk:
                return ticket.customer, [ticket]
        candidates = list(Customer.objects.filter(language=wanted).order_by("pk")[:200])
        return rng.choice(candidates or [self.login_customer]), []

    # 5. the staff survey

    def _staff_survey(self) -> Story:
        """The logistics team's climate survey, sent ten days ago; all but one answer, and
        the specialist takes two text answers into the register."""
        rng = self.rng("staff-survey")
        opened = clock.now()
        quarter = (timezone.localtime(opened).month - 1) // 3 + 1
        survey = feedback.create_staff_survey(
            actor=self.specialist,
            title=staff_survey_title(quarter),
            team=self.company.teams["logistics"],
            questions=STAFF_QUESTIONS,
            opens_at=opened,
            closes_at=self.now + timedelta(days=4),
        )
        invited = sorted(
            (invitation.user for invitation in feedback.send_staff_survey(
                survey=survey, actor=self.specialist
            )),
            key=lambda user: user.pk,
        )  # fmt: skip
        answering = invited[:-1] if len(invited) > min_answers() else invited
        obstacles = rng.sample(STAFF_OBSTACLES, len(STAFF_OBSTACLES))
        ideas = rng.sample(STAFF_IDEAS, len(STAFF_IDEAS))
        for number, member in enumerate(answering):
            answers: dict[str, int | str] = {
                "roles": rng.choice((3, 4, 4, 5, 5)),
                "support": rng.choice((3, 4, 4, 5)),
                "workload": rng.choice((2, 2, 3, 3, 4)),
                "supervisor": rng.choice((3, 4, 4, 5)),
            }
            if number < len(obstacles) and rng.random() < 0.8:
                answers["obstacle"] = obstacles[number]
            if number < len(ideas) and rng.random() < 0.7:
                answers["idea"] = ideas[number]
            at = _on_duty(rng, opened + timedelta(days=rng.uniform(0.05, 7.5)))
            self.timeline.add(at, self._answer_survey(survey, member, answers))
        yield self.at(1, 15)
        self._take_into_register(survey, rng)

    def _answer_survey(self, survey: StaffSurvey, member: User, answers: dict[str, Any]) -> Story:
        inbox.mark_all_read(user=member)  # the invitation in the bell led them here
        feedback.answer_staff_survey(survey=survey, user=member, answers=answers)
        yield from ()

    def _take_into_register(self, survey: StaffSurvey, rng: random.Random) -> None:
        answers = list(StaffSurveyAnswer.objects.filter(survey=survey))
        if len(answers) < min_answers():
            return
        # sorted by text: the keys are random, and nothing else may tell the answers apart
        texts = sorted(
            (answer for answer in answers if answer.answers.get("obstacle")),
            key=lambda answer: str(answer.answers["obstacle"]),
        )
        for answer in rng.sample(texts, min(2, len(texts))):
            item = feedback.register_feedback_from_staff_survey(
                answer=answer, question="obstacle", actor=self.specialist
            )
            feedback.classify_feedback(
                item=item, actor=self.specialist, type="process_gap", stage="handling",
                nature="efficiency", urgency="medium",
            )  # fmt: skip

    # 6. the root-cause analysis

    def _analysis(self) -> Story:
        """Started from the delivery-delay complaints, five whys, the fishbone, evidence,
        concluded three days later."""
        delay = Category.objects.get(code="logistics-delay")
        numbers = list(
            Ticket.objects.filter(
                category=delay, kind=Kind.COMPLAINT, merged_into=None, created_at__lt=clock.now()
            )
            .order_by("-created_at")
            .values_list("number", flat=True)[:20]
        )
        analysis = improvement.start_analysis(
            actor=self.specialist,
            draft=improvement.AnalysisDraft(
                title=ANALYSIS_TITLE,
                problem=ANALYSIS_PROBLEM,
                category=delay.pk,
                tickets=numbers,
                scope={"categories": [delay.pk], "kinds": [Kind.COMPLAINT]},
                start=self.day(89),
                end=self.day(66),
            ),
        )
        self.analysis = analysis
        for number, (question, answer) in enumerate(WHYS):
            yield self.at(65 - number // 2, 14 + number % 2 * 2)
            improvement.add_why(analysis=analysis, actor=self.specialist, question=question,
                                answer=answer)  # fmt: skip
        yield self.at(63, 16, 30)
        if self.evidence:
            improvement.link_evidence(
                analysis=analysis, actor=self.specialist, feedback_items=self.evidence
            )
        for category, text, root in CAUSES:
            improvement.add_cause(analysis=analysis, actor=self.specialist, category=category,
                                  text=text, is_root_cause=root)  # fmt: skip
        yield self.at(62, 16)
        self.analysis = improvement.conclude_analysis(
            analysis=analysis, actor=self.specialist, conclusions=ANALYSIS_CONCLUSIONS
        )

    # 7. the improvement plans

    def _add_actions(
        self, plan: ImprovementPlan, actor: User, specs: Sequence[ActionSpec]
    ) -> list[PlanAction]:
        return [
            improvement.add_action(
                plan=plan,
                actor=actor,
                draft=improvement.ActionDraft(
                    title=spec.title,
                    team=self.company.teams[spec.team].pk,
                    person=self.users[spec.person].pk,
                    planned_start=self.day(spec.planned[0]),
                    planned_end=self.day(spec.planned[1]),
                ),
            )
            for spec in specs
        ]

    def _finish_actions(
        self, plan_actions: list[PlanAction], specs: Sequence[ActionSpec], actor: User
    ) -> Story:
        """Mark the actions done on their days, the earliest first."""
        done = [
            (spec.done, spec.note, action)
            for spec, action in zip(specs, plan_actions, strict=True)
            if spec.done is not None
        ]
        for days_ago, note, action in sorted(done, key=lambda row: -row[0]):
            yield self.at(days_ago, 17)
            improvement.set_action_status(
                action=action, actor=actor, status=ActionStatus.DONE,
                actual_end=self.day(days_ago), note=note,
            )  # fmt: skip

    def _fast_lane_plan(self) -> Story:
        """The completed plan: complaints' handling time, piloted by logistics from 60 days
        ago, checked after the pilot, rolled out to every team 20 days ago, completed."""
        scope = {"kinds": [Kind.COMPLAINT]}
        baseline = metric_value("handling_median", scope, self.day(89), self.day(61))
        if baseline is None:
            return
        owner = self.company.supervisors["logistics"]
        plan = improvement.create_plan(
            actor=self.specialist,
            draft=improvement.PlanDraft(
                title=FAST_LANE_TITLE,
                problem=FAST_LANE_PROBLEM,
                metric="handling_median",
                target=float(round(baseline * 0.6)),
                deadline=self.day(21),
                baseline_start=self.day(89),
                baseline_end=self.day(61),
                scope=scope,
                after_start=self.day(59),
                after_end=self.day(21),
                owner=owner.pk,
                pilot_scope={"teams": [self.company.teams["logistics"].pk]},
                pilot_start=self.day(60),
                analyses=[self.analysis.pk] if self.analysis else [],
            ),
        )
        actions = self._add_actions(plan, owner, FAST_LANE_ACTIONS)
        yield self.at(60, 9)
        improvement.change_phase(plan=plan, actor=owner, phase=Phase.DO,
                                 note=FAST_LANE_NOTES["do"])  # fmt: skip
        yield from self._finish_actions(actions, FAST_LANE_ACTIONS, owner)
        yield self.at(21, 17, 30)
        improvement.change_phase(plan=plan, actor=owner, phase=Phase.CHECK,
                                 note=FAST_LANE_NOTES["check"])  # fmt: skip
        yield self.at(20, 10)
        improvement.change_phase(plan=plan, actor=owner, phase=Phase.ACT,
                                 note=FAST_LANE_NOTES["act"])  # fmt: skip
        yield self.at(19, 16)
        improvement.change_plan_status(plan=plan, actor=owner, status=PlanStatus.COMPLETED,
                                       note=FAST_LANE_NOTES["completed"])  # fmt: skip

    def _fcr_plan(self) -> Story:
        """The running pilot: billing answers inquiries at first contact since 21 days ago;
        one action done, one on schedule, one past its end (the sweep marks it delayed)."""
        scope = {"kinds": [Kind.INQUIRY]}
        baseline = metric_value("fcr_rate", scope, self.day(60), self.day(22))
        if baseline is None:
            return
        owner = self.company.supervisors["billing"]
        plan = improvement.create_plan(
            actor=self.specialist,
            draft=improvement.PlanDraft(
                title=FCR_TITLE,
                problem=FCR_PROBLEM,
                metric="fcr_rate",
                target=min(100.0, round(baseline + 15, 1)),
                deadline=self.today + timedelta(days=30),
                baseline_start=self.day(60),
                baseline_end=self.day(22),
                scope=scope,
                owner=owner.pk,
                pilot_scope={"teams": [self.company.teams["billing"].pk]},
                pilot_start=self.day(21),
            ),
        )
        actions = self._add_actions(plan, owner, FCR_ACTIONS)
        yield self.at(21, 9)
        improvement.change_phase(plan=plan, actor=owner, phase=Phase.DO, note=FCR_NOTES["do"])
        yield from self._finish_actions(actions, FCR_ACTIONS, owner)
        overdue = max(spec.planned[1] for spec in FCR_ACTIONS if spec.done is None)
        yield self.at(overdue - 1, 2)  # the worker's sweep, the night after the planned end
        improvement.mark_delayed_actions()

    def _repeat_plan(self) -> Story:
        """A plan still in the Plan phase: repeat logistics complaints, no after window."""
        logistics = Category.objects.get(code="logistics")
        scope = {"categories": [logistics.pk]}
        baseline = metric_value("repeat_complaint_rate", scope, self.day(63), self.day(4))
        if baseline is None:
            return
        plan = improvement.create_plan(
            actor=self.specialist,
            draft=improvement.PlanDraft(
                title=REPEAT_TITLE,
                problem=REPEAT_PROBLEM,
                metric="repeat_complaint_rate",
                target=round(baseline / 2, 1),
                deadline=self.today + timedelta(days=60),
                baseline_start=self.day(63),
                baseline_end=self.day(4),
                scope=scope,
                owner=self.specialist.pk,
            ),
        )
        self._add_actions(plan, self.specialist, REPEAT_ACTIONS)
        yield from ()
