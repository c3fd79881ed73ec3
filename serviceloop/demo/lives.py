"""When demo requests arrive and how their lives go: the mix of kinds, channels and
urgencies, and the replay of every ticket's life through the use cases, in time order,
with the clock set to each step."""

import random
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from django.utils import timezone

from serviceloop.accounts.models import User
from serviceloop.core import clock
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets import services
from serviceloop.tickets.choices import Channel, Direction, Emotion, Status, Urgency
from serviceloop.tickets.models import Commitment, Ticket

from .company import DEFAULT_TEAM, GROUP_OF, TEAM_OF_GROUP, Client, Company, Progress
from .texts import (
    APOLOGY,
    CHASE,
    CITIES,
    CLOSINGS,
    CMP,
    COURIER,
    DUPLICATE,
    ESCALATION_NOTE,
    FLT,
    FOLLOW_UP,
    GREETINGS,
    INQ,
    KIND_TEXTS,
    MERGE_NOTE,
    MISSED_APOLOGY,
    NO_REPLY,
    PRODUCTS,
    PROGRESS_QUESTIONS,
    PRS,
    REMINDER,
    REQUESTS,
    RESOLUTIONS,
    STAFF_TEXTS,
    SUG,
    TRANSFER_REASON,
    URGENCY_REASON,
    RequestText,
    Say,
)
from .timeline import Story, Timeline

# Shares of the kinds (inquiry most, complaints about a fifth, few praises).
KIND_WEIGHTS: dict[str, float] = {INQ: 46, CMP: 21, FLT: 16, SUG: 10, PRS: 7}
# How often each category comes up.
CATEGORY_WEIGHTS: dict[str, float] = {
    "logistics-delay": 14,
    "logistics-lost": 5,
    "logistics-damaged": 5,
    "logistics-address": 4,
    "quality-defect": 9,
    "quality-not-as-described": 4,
    "quality-missing-parts": 3,
    "billing-double-charge": 3,
    "billing-refund": 7,
    "billing-invoice": 4,
    "account-login": 5,
    "account-personal-data": 3,
    "after-sales-return": 7,
    "after-sales-exchange": 4,
    "after-sales-repair": 8,
}
# A bad patch for the logistics partner: in this share of the history (by position in
# time), delivery delays come up five times as often — the pain point analysts can find.
INCIDENT = (0.55, 0.62)
CHANNEL_WEIGHTS: dict[str, float] = {
    Channel.PHONE: 30,
    Channel.CHAT: 20,
    Channel.WEB: 20,
    Channel.EMAIL: 14,
    Channel.SMS: 4,
    Channel.ONSITE: 3,
}
URGENCY_WEIGHTS: dict[str, dict[str, float]] = {
    CMP: {Urgency.CRITICAL: 6, Urgency.HIGH: 34, Urgency.MEDIUM: 45, Urgency.LOW: 15},
    FLT: {Urgency.CRITICAL: 8, Urgency.HIGH: 30, Urgency.MEDIUM: 47, Urgency.LOW: 15},
    INQ: {Urgency.HIGH: 10, Urgency.MEDIUM: 55, Urgency.LOW: 35},
    SUG: {Urgency.MEDIUM: 25, Urgency.LOW: 75},
    PRS: {Urgency.MEDIUM: 20, Urgency.LOW: 80},
}
# How the customer felt when staff talked to them, by kind; and once the problem was solved.
EMOTION_BY_KIND: dict[str, dict[str, float]] = {
    CMP: {Emotion.ANGRY: 25, Emotion.DISSATISFIED: 55, Emotion.NEUTRAL: 20},
    FLT: {Emotion.ANGRY: 10, Emotion.DISSATISFIED: 40, Emotion.NEUTRAL: 50},
    INQ: {Emotion.DISSATISFIED: 10, Emotion.NEUTRAL: 70, Emotion.SATISFIED: 20},
    SUG: {Emotion.NEUTRAL: 60, Emotion.SATISFIED: 40},
    PRS: {Emotion.SATISFIED: 90, Emotion.NEUTRAL: 10},
}
EMOTION_WHEN_SOLVED: dict[str, float] = {
    Emotion.SATISFIED: 65,
    Emotion.NEUTRAL: 30,
    Emotion.DISSATISFIED: 5,
}
EMOTION_WHEN_WAITING: dict[str, float] = {
    Emotion.NEUTRAL: 60,
    Emotion.DISSATISFIED: 30,
    Emotion.ANGRY: 10,
}
PROMISE_FATES: dict[str, float] = {"kept": 66, "missed": 17, "renegotiated": 17}
# Share of requests answered and resolved in the first contact, by kind.
FIRST_CONTACT_RESOLUTION: dict[str, float] = {INQ: 0.45, PRS: 0.85, SUG: 0.55, CMP: 0.08, FLT: 0.1}
# Two process changes the analytics can find in the history (the demo's improvement plans):
# - the complaint "fast lane" (a named owner and a same-day call back) cut the work left on
#   a complaint to FAST_LANE_FACTOR of what it was. The logistics team piloted it from
#   FAST_LANE_PILOT_DAYS ago; every team works so since FAST_LANE_ROLLOUT_DAYS ago.
# - the billing team pilots answers on first contact for inquiries (a billing FAQ at the
#   agents' side) since FCR_PILOT_DAYS ago: more of its inquiries end at the first answer.
FAST_LANE_PILOT_DAYS, FAST_LANE_ROLLOUT_DAYS, FAST_LANE_FACTOR = 60, 20, 0.4
FCR_PILOT_DAYS, FCR_PILOT_TEAM, FCR_PILOT_GAIN = 21, "billing", 0.3
# How long the work takes after the last step, in hours (low, high), by kind.
HOURS_TO_SOLVE: dict[str, tuple[float, float]] = {
    INQ: (1, 24),
    CMP: (4, 60),
    FLT: (12, 120),
    SUG: (1, 48),
    PRS: (1, 48),
}
FIRST_RESPONSE_MINUTES: dict[str, tuple[float, float]] = {
    Channel.PHONE: (1, 8),
    Channel.ONSITE: (2, 20),
    Channel.CHAT: (1, 12),
    Channel.WEB: (10, 240),
    Channel.EMAIL: (30, 720),
    Channel.SMS: (5, 180),
    Channel.API: (20, 360),
}
# Tickets per hour of the day (local time), relative.
HOURLY = (
    0.15,
    0.08,
    0.05,
    0.04,
    0.04,
    0.08,
    0.2,
    0.45,
    0.8,
    1.0,
    1.1,
    1.0,
    0.7,
    0.8,
    1.0,
    1.0,
    0.95,
    0.85,
    0.7,
    0.65,
    0.6,
    0.45,
    0.35,
    0.25,
)
OPENING, CLOSING = clock_time(8, 30), clock_time(21, 0)  # the service desk's hours, daily
LIVE_CHANNELS = (Channel.PHONE, Channel.CHAT, Channel.ONSITE)  # only while the desk is open


# --- when requests arrive ------------------------------------------------------------------


def creation_times(*, count: int, days: int, now: datetime, rng: random.Random) -> list[datetime]:
    """`count` arrival times over the last `days` days up to `now`, in order: fewer at
    weekends and at night, slowly growing over the period."""
    local_now = timezone.localtime(now)
    first = local_now.date() - timedelta(days=days - 1)
    elapsed_today = (local_now.hour + local_now.minute / 60) / 24
    weights = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        weight = {5: 0.75, 6: 0.6}.get(day.weekday(), 1.0) * (0.85 + 0.3 * offset / days)
        weights.append(weight * (elapsed_today if offset == days - 1 else 1.0))
    total = sum(weights)
    times = []
    for index in range(count):
        target = (index + rng.random()) / count * total
        offset, running = 0, weights[0]
        while running < target and offset < days - 1:
            offset += 1
            running += weights[offset]
        times.append(_moment_in(first + timedelta(days=offset), rng=rng, latest=now))
    return sorted(times)


def _moment_in(day: date, *, rng: random.Random, latest: datetime) -> datetime:
    """A moment of `day` (local time) by the hourly profile, never after `latest`."""
    midnight = datetime.combine(day, clock_time(0), tzinfo=timezone.get_current_timezone())
    moment = midnight
    for _attempt in range(20):
        hour = rng.choices(range(24), weights=HOURLY)[0]
        moment = midnight + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
        if moment < latest:
            return moment
    return min(moment, latest - timedelta(minutes=1))


# --- replaying the tickets' lives ----------------------------------------------------------


@dataclass
class _Plan:
    """Everything one request says and every turn its life will take, drawn before any
    time-dependent choice (so a seed always gives the same texts)."""

    text: RequestText
    client: Client
    language: str  # "zh" or "en"
    values: dict[str, str]  # the placeholders of the texts
    subject: str
    description: str
    channel: str
    urgency: str
    via: str  # "agent", "portal" (the `customer` login) or "partner"
    team: str
    handler: User
    misrouted: bool  # registered for the default team first, then transferred
    first_contact: bool  # resolved right after the first answer
    stuck: bool  # forgotten in the backlog after the first answer
    note: bool
    promise: str  # "" or the commitment's fate: kept, missed, renegotiated
    ask: bool  # ask the customer for details (waiting on the customer)
    no_reply: bool
    updates: int
    chase: bool  # the customer chases, upset: urgency up, maybe to the manager
    escalate: bool
    merge: bool  # the customer reports it again elsewhere; the duplicate is merged
    reopen: bool
    close: bool

    @property
    def kind(self) -> str:
        return self.text.kind

    @property
    def group(self) -> str:
        return GROUP_OF[self.text.category]

    def say(self, rng: random.Random, pool: Sequence[Say], **values: str) -> str:
        """One sentence of `pool` in the ticket's language, filled in."""
        sentence = rng.choice(pool)[0 if self.language == "zh" else 1]
        return sentence.format_map({**self.values, **values})

    def staff(self, rng: random.Random, key: str, **values: str) -> str:
        """What staff write at `key` for this kind of request, else for its category group."""
        pool = KIND_TEXTS.get(self.kind, {}).get(key) or STAFF_TEXTS[self.group][key]
        return self.say(rng, pool, **values)


def _weighted[T: str](rng: random.Random, weights: Mapping[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _raised(urgency: str) -> str:
    order = [Urgency.LOW, Urgency.MEDIUM, Urgency.HIGH, Urgency.CRITICAL]
    return order[min(order.index(Urgency(urgency)) + 1, len(order) - 1)]


def _staff_time(rng: random.Random, moment: datetime) -> datetime:
    """`moment`, or shortly after the next opening when the service desk is closed then."""
    local = timezone.localtime(moment)
    if OPENING <= local.time() < CLOSING:
        return moment
    day = local.date() if local.time() < OPENING else local.date() + timedelta(days=1)
    return datetime.combine(day, OPENING, tzinfo=local.tzinfo) + _minutes(rng, 0, 50)


def _later(rng: random.Random, after: datetime, span: timedelta) -> datetime:
    """When staff act `span` after `after`, within opening hours."""
    return _staff_time(rng, after + span)


class Replay:
    """Plays the lives of all tickets through the use cases, every step in time order.

    Inside a story, `clock.now()` is the moment of the current step.
    """

    def __init__(
        self, *, company: Company, clients: list[Client], seed: int, now: datetime, total: int
    ) -> None:
        self.company = company
        self.login = clients[0]
        self.clients = clients[1:] or clients
        self.with_phone = [client for client in self.clients if client.phone] or self.clients
        self.seed = seed
        self.now = now
        self.total = total
        self.started = 0
        self.front_desk = company.agents[DEFAULT_TEAM]
        self.by_kind: dict[str, list[RequestText]] = {}
        for text in REQUESTS:
            if not text.by_partner:
                self.by_kind.setdefault(text.kind, []).append(text)
        self.partner_texts = [text for text in REQUESTS if text.by_partner]
        self.login_share = max(0.005, 4 / max(total, 1))  # the `customer` login's requests

    def run(self, starts: list[datetime], *, report: Progress) -> None:
        """Play one story per start time; one transaction per BATCH_STEPS steps."""
        timeline = Timeline(self.now)
        for index, start in enumerate(starts):
            timeline.add(start, self._story(index, start))
        marks = [mark for mark in (self.total // 4, self.total // 2, self.total * 3 // 4) if mark]

        def progress() -> None:
            while marks and self.started >= marks[0]:
                report(f"  {marks.pop(0)} of {self.total} tickets…")

        timeline.run(after_batch=progress)

    # what a request says and the turns its life takes

    def _plan(self, rng: random.Random, index: int, start: datetime) -> _Plan:
        via, roll = "agent", rng.random()
        if roll < self.login_share:
            via, client = "portal", self.login
        elif roll < self.login_share + 0.06:
            via, client = "partner", rng.choice(self.with_phone)
        else:  # a few customers write often, most rarely
            client = self.clients[int(len(self.clients) * rng.random() ** 1.6)]
        if via == "partner":
            text = rng.choice(self.partner_texts)
        else:
            candidates = self.by_kind[_weighted(rng, KIND_WEIGHTS)]
            incident = INCIDENT[0] <= index / max(self.total, 1) < INCIDENT[1]
            weights = [
                CATEGORY_WEIGHTS[text.category]
                * (5 if incident and text.category == "logistics-delay" else 1)
                / sum(1 for other in candidates if other.category == text.category)
                for text in candidates
            ]
            text = rng.choices(candidates, weights=weights)[0]
        language = client.language or rng.choice(("zh", "en"))
        zh = language == "zh"
        pick = 0 if zh else 1
        order_day = timezone.localtime(start).date() - timedelta(days=rng.randint(2, 12))
        product = rng.choice([p for p in PRODUCTS if not text.needs or text.needs in p.traits])
        values = {
            "order": f"SO{rng.randint(10**9, 10**10 - 1)}",
            "tracking": f"SD{rng.randint(10**11, 10**12 - 1)}",
            "amount": f"{rng.uniform(39, 6999):,.2f}",
            "days": str(rng.randint(2, 9)),
            "n": str(rng.randint(1000, 9999)),
            "code": f"E{rng.randint(1, 32):02d}",
            "product": product.name[pick],
            "part": rng.choice(product.parts)[pick],
            "city": rng.choice(CITIES)[pick],
            "courier": COURIER[pick],
            "name": client.name,
            "date": f"{order_day.month}月{order_day.day}日" if zh else f"{order_day:%-d %B}",
        }
        said = rng.choice((text.subject, *text.also))[pick]
        subject = said.format_map(values)
        mentions_order = "{order}" in text.body[pick] and "{order}" not in said
        if mentions_order and rng.random() < 0.3:
            subject += f"（订单{values['order']}）" if zh else f" (order {values['order']})"
        description = text.body[pick].format_map(values)
        if via != "partner":
            greeting, closing = rng.choice(GREETINGS)[pick], rng.choice(CLOSINGS)[pick]
            description = greeting + description + closing.format_map(values)
        if "{order}" not in said + text.body[pick]:
            values["order"] = ""  # nothing was ordered: no order number on the ticket
        kind = text.kind
        urgency = _weighted(rng, URGENCY_WEIGHTS[kind])
        if client.tier == "vip" and rng.random() < 0.4:
            urgency = _raised(urgency)
        if urgency == Urgency.CRITICAL:
            subject = ("【紧急】" if zh else "URGENT: ") + subject
        channel = {"portal": Channel.WEB, "partner": Channel.API}.get(via) or _weighted(
            rng, CHANNEL_WEIGHTS
        )
        if channel == Channel.ONSITE and GROUP_OF[text.category] not in ("quality", "after-sales"):
            channel = Channel.PHONE  # the service points only take products in
        team = TEAM_OF_GROUP[GROUP_OF[text.category]]
        light, serious = kind in (PRS, SUG), kind in (CMP, FLT)
        first_contact = rng.random() < FIRST_CONTACT_RESOLUTION[kind] + (
            FCR_PILOT_GAIN if self._in_fcr_pilot(team, kind, start) else 0
        )
        ask = not light and rng.random() < (0.35 if kind == FLT else 0.22)
        chase = serious and rng.random() < 0.18
        promised = not light and rng.random() < (0.32 if serious else 0.14)
        return _Plan(
            text=text,
            client=client,
            language=language,
            values=values,
            subject=subject,
            description=description,
            channel=channel,
            urgency=urgency,
            via=via,
            team=team,
            handler=rng.choice(self.company.agents[team]),
            misrouted=via == "agent" and team != DEFAULT_TEAM and rng.random() < 0.06,
            first_contact=first_contact,
            stuck=not first_contact and rng.random() < 0.03,
            note=rng.random() < (0.1 if first_contact else 0.4),
            promise=_weighted(rng, PROMISE_FATES) if promised else "",
            ask=ask,
            no_reply=ask and rng.random() < 0.15,
            updates=rng.choice((0, 0, 0, 1, 1, 2)),
            chase=chase,
            escalate=chase and rng.random() < 0.3,
            merge=not (light or first_contact) and rng.random() < 0.05,
            reopen=not light and rng.random() < (0.1 if serious else 0.04),
            close=rng.random() < 0.78,
        )

    def _days_ago(self, moment: datetime) -> float:
        return (self.now - moment).total_seconds() / 86400

    def _in_fast_lane(self, plan: _Plan, start: datetime) -> bool:
        if plan.kind != CMP:
            return False
        since = FAST_LANE_PILOT_DAYS if plan.team == "logistics" else FAST_LANE_ROLLOUT_DAYS
        return self._days_ago(start) < since

    def _in_fcr_pilot(self, team: str, kind: str, start: datetime) -> bool:
        return team == FCR_PILOT_TEAM and kind == INQ and self._days_ago(start) < FCR_PILOT_DAYS

    # a ticket's life

    def _story(self, index: int, start: datetime) -> Story:
        """Register the request at `start`, then live through the plan step by step."""
        rng = random.Random(f"{self.seed}:{index}")  # noqa: S311 - demo data, not security
        plan = self._plan(rng, index, start)
        self.started += 1
        company = self.company
        handler, supervisor = plan.handler, company.supervisors[plan.team]
        ticket = self._register(rng, plan, start)
        if ticket is None:
            return
        t = start
        if plan.misrouted:
            yield (t := _later(rng, t, _minutes(rng, 10, 180)))
            team = company.teams[plan.team]
            name = team.name_zh if plan.language == "zh" else team.name_en
            ticket = services.transfer_ticket(
                ticket=ticket,
                team=team,
                actor=company.supervisors[DEFAULT_TEAM],
                reason=plan.say(rng, (TRANSFER_REASON,), team=name),
            )
        if ticket.assignee_id is None:
            yield (t := _later(rng, t, _minutes(rng, 3, 90)))
            ticket = services.assign_ticket(ticket=ticket, assignee=handler, actor=supervisor)

        yield (t := max(t, self._first_response_at(rng, plan, start)))
        first = plan.staff(rng, "first")
        if plan.kind == CMP:
            first += plan.say(rng, (APOLOGY,))
        self._tell(rng, plan, ticket, handler, first, channel=self._reply_channel(rng, plan))
        if plan.first_contact:
            yield clock.now() + _minutes(rng, 1, 15)
            ticket = self._resolve(rng, plan, ticket, handler)
            yield from self._after_resolution(rng, plan, ticket, handler)
            return

        if plan.merge:
            yield from self._duplicate(rng, plan, ticket)
        if plan.note:
            yield _later(rng, clock.now(), _minutes(rng, 5, 240))
            services.add_interaction(
                ticket=ticket,
                actor=handler if rng.random() < 0.7 else supervisor,
                content=plan.staff(rng, "note"),
                is_internal=True,
            )
        if plan.stuck:
            if rng.random() < 0.5:  # something was promised, then forgotten: overdue
                self._promise(rng, plan, ticket, handler)
            return
        if plan.promise:
            yield from self._keep_promise(rng, plan, ticket, handler)
        if plan.ask:
            answered = yield from self._ask(rng, plan, ticket, handler)
            if not answered:
                yield from self._after_resolution(rng, plan, ticket, handler)
                return
        for _update in range(plan.updates):
            if rng.random() < 0.35:  # the customer asks how it is going
                question = plan.say(rng, PROGRESS_QUESTIONS)
                upset = _weighted(rng, EMOTION_WHEN_WAITING)
                yield from self._hear_later(rng, plan, ticket, handler, question, upset, (1, 20))
            yield _later(rng, clock.now(), _hours(rng, 1, 20))
            self._tell(rng, plan, ticket, handler, plan.staff(rng, "update"))
        if plan.chase:
            chase = plan.say(rng, CHASE)
            yield from self._hear_later(rng, plan, ticket, handler, chase, Emotion.ANGRY, (4, 48))
            yield _later(rng, clock.now(), _minutes(rng, 10, 120))
            ticket = services.change_urgency(
                ticket=ticket,
                urgency=_raised(ticket.urgency),
                actor=supervisor,
                reason=plan.say(rng, (URGENCY_REASON,)),
            )
            if plan.escalate:  # managers take escalated work of any team
                ticket = services.assign_ticket(
                    ticket=ticket, assignee=company.manager, actor=supervisor
                )
                services.add_interaction(
                    ticket=ticket,
                    actor=supervisor,
                    content=plan.say(rng, (ESCALATION_NOTE,)),
                    is_internal=True,
                )
                handler = company.manager
        low, high = HOURS_TO_SOLVE[plan.kind]
        if self._in_fast_lane(plan, start):
            low, high = low * FAST_LANE_FACTOR, high * FAST_LANE_FACTOR
        yield _later(rng, clock.now(), _hours(rng, low, high))
        if rng.random() < 0.65:
            self._tell(rng, plan, ticket, handler, plan.staff(rng, "final"), happy=True)
        ticket = self._resolve(rng, plan, ticket, handler)
        yield from self._after_resolution(rng, plan, ticket, handler)

    def _register(self, rng: random.Random, plan: _Plan, start: datetime) -> Ticket | None:
        """create_ticket as the channel would: the customer in the portal, the partner's
        system through the API, or an agent — on a live channel the one who handles it."""
        company = self.company
        local = timezone.localtime(start).time()
        desk_closed = not OPENING <= local < CLOSING
        if plan.via == "agent" and desk_closed and plan.channel in LIVE_CHANNELS:
            plan.channel = rng.choice((Channel.WEB, Channel.EMAIL))
        live = plan.channel in LIVE_CHANNELS
        fields: dict[str, Any] = {}
        if plan.via == "portal":
            submitter = company.customer_user
            fields = {"door": plan.channel}
        elif plan.via == "partner":
            submitter = company.partner
            fields = {
                "door": plan.channel,
                "urgency": plan.urgency,
                "customer": CustomerIdentity(phone=plan.client.phone, name=plan.client.name),
            }
        else:
            fields = {
                "channel": plan.channel,
                "urgency": plan.urgency,
                "customer_id": plan.client.pk,
            }
            if plan.misrouted:
                submitter = rng.choice(self.front_desk)
                fields["team"] = DEFAULT_TEAM
            elif live or rng.random() < 0.6:  # taken on a live channel or from the inbox
                submitter = plan.handler
                fields["assignee"] = plan.handler.pk
            else:  # registered by the front desk for the team's queue
                submitter = rng.choice(self.front_desk)
        intake = services.create_ticket(
            actor=submitter,
            draft=services.TicketDraft(
                description=plan.description,
                subject=plan.subject,
                kind=plan.kind,
                category=plan.text.category,
                order_ref=plan.values["order"],
                **fields,
            ),
        )
        return intake.ticket if intake.created else None

    def _first_response_at(self, rng: random.Random, plan: _Plan, start: datetime) -> datetime:
        """Minutes on live channels, hours by e-mail; now and then much later (the outliers
        SLA reports exist for)."""
        low, high = FIRST_RESPONSE_MINUTES[plan.channel]
        delay = rng.uniform(low, high)
        if plan.urgency in (Urgency.CRITICAL, Urgency.HIGH):
            delay /= 2
        if rng.random() < 0.06:
            delay *= rng.uniform(3, 8)
        return _staff_time(rng, start + timedelta(minutes=delay))

    def _reply_channel(self, rng: random.Random, plan: _Plan) -> str:
        if plan.channel == Channel.API or (plan.channel == Channel.SMS and rng.random() < 0.5):
            return Channel.PHONE  # staff call the recipient back
        return plan.channel

    def _tell(
        self,
        rng: random.Random,
        plan: _Plan,
        ticket: Ticket,
        author: User,
        content: str,
        *,
        channel: str | None = None,
        emotion: str | None = None,
        happy: bool = False,
    ) -> None:
        """Staff talk to the customer (outbound) and note how the customer felt."""
        if channel is None:
            channel = Channel.PHONE if rng.random() < 0.4 else self._reply_channel(rng, plan)
        if emotion is None:
            solved = happy or plan.kind == PRS
            emotion = _weighted(rng, EMOTION_WHEN_SOLVED if solved else EMOTION_BY_KIND[plan.kind])
        services.add_interaction(
            ticket=ticket,
            actor=author,
            content=content,
            channel=channel,
            direction=Direction.OUTBOUND,
            emotion=emotion,
        )

    def _hear_later(
        self,
        rng: random.Random,
        plan: _Plan,
        ticket: Ticket,
        agent: User,
        content: str,
        emotion: str,
        hours: tuple[float, float],
    ) -> Story:
        """The customer gets in touch some `hours` from now; the portal takes it at once, an
        agent records it once the desk is open."""
        at = clock.now() + _hours(rng, *hours)
        yield at if plan.via == "portal" else _staff_time(rng, at)
        self._hear(plan, ticket, agent, content, emotion, at=at)

    def _still(self, ticket: Ticket, status: str) -> bool:
        """Whether `ticket` is (still) in `status`: what a customer's reply does to the
        status is the use case's business, so look rather than assume."""
        return Ticket.objects.filter(pk=ticket.pk, status=status).exists()

    def _hear(
        self, plan: _Plan, ticket: Ticket, agent: User, content: str, emotion: str, *, at: datetime
    ) -> None:
        """The customer writes or calls at `at`: the `customer` login in the portal itself,
        anyone else recorded by `agent` (inbound, with how the customer sounded)."""
        if plan.via == "portal":
            services.add_interaction(
                ticket=ticket, actor=self.company.customer_user, content=content, channel="web"
            )
            return
        # Stories record these only after the first answer: a recorded call counts as a
        # response too (tickets.services.conversation.counts_as_response).
        services.add_interaction(
            ticket=ticket,
            actor=agent,
            content=content,
            channel=Channel.PHONE if plan.channel == Channel.API else plan.channel,
            direction=Direction.INBOUND,
            emotion=emotion,
            occurred_at=at,
        )

    def _resolve(self, rng: random.Random, plan: _Plan, ticket: Ticket, handler: User) -> Ticket:
        pool = (
            plan.text.solved
            or KIND_TEXTS.get(plan.kind, {}).get("resolution")
            or RESOLUTIONS[plan.text.category]
        )
        return services.transition_ticket(
            ticket=ticket, to=Status.RESOLVED, actor=handler, resolution=plan.say(rng, pool)
        )

    def _promise(self, rng: random.Random, plan: _Plan, ticket: Ticket, owner: User) -> Commitment:
        """Promise the customer something, due on the hour within opening hours."""
        hours = rng.choice((24, 48, 72) if plan.group == "after-sales" else (2, 4, 6, 24, 48))
        due = _staff_time(rng, clock.now() + timedelta(hours=hours))
        due = due.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return services.create_commitment(
            ticket=ticket,
            actor=owner,
            owner=owner,
            text=plan.staff(rng, "promise", due=self._due_label(plan, due)),
            due_at=due,
        )

    def _due_label(self, plan: _Plan, due: datetime) -> str:
        local = timezone.localtime(due)
        if plan.language == "zh":
            return f"{local.month}月{local.day}日{local:%H:%M}"
        return f"{local:%-d %b %H:%M}"

    def _keep_promise(
        self, rng: random.Random, plan: _Plan, ticket: Ticket, handler: User
    ) -> Story:
        """Promise something during the first contact, then keep it, miss it, or agree a new
        time with the customer (and then mostly keep that)."""
        yield clock.now() + _minutes(rng, 1, 5)
        commitment = self._promise(rng, plan, ticket, handler)
        fate = plan.promise
        if fate == "renegotiated":
            yield max(clock.now() + _minutes(rng, 10, 30), commitment.due_at - _hours(rng, 0.5, 3))
            new_due = commitment.due_at + timedelta(days=rng.choice((1, 1, 2)))
            reason = plan.staff(rng, "reschedule")
            commitment = services.renegotiate_commitment(
                commitment=commitment,
                actor=handler,
                due_at=new_due,
                reason=reason,
                text=plan.staff(rng, "promise", due=self._due_label(plan, new_due)),
            )
            self._tell(rng, plan, ticket, handler, reason)
            fate = "kept" if rng.random() < 0.8 else "missed"
        if fate == "kept":
            yield max(clock.now() + _minutes(rng, 10, 30), commitment.due_at - _hours(rng, 0.2, 4))
            self._tell(rng, plan, ticket, handler, plan.staff(rng, "update"))
            services.keep_commitment(commitment=commitment, actor=handler)
            return
        yield commitment.due_at + _minutes(rng, 30, 300)
        sweep = rng.random() < 0.5  # the SLA sweep (no actor) or the supervisor notices
        services.miss_commitment(
            commitment=commitment, actor=None if sweep else self.company.supervisors[plan.team]
        )
        yield _later(rng, clock.now(), _minutes(rng, 5, 120))
        upset = rng.choice((Emotion.DISSATISFIED, Emotion.ANGRY))
        self._tell(rng, plan, ticket, handler, plan.say(rng, MISSED_APOLOGY), emotion=upset)

    def _ask(
        self, rng: random.Random, plan: _Plan, ticket: Ticket, handler: User
    ) -> Generator[datetime, None, bool]:
        """Ask the customer for details and wait for them. Returns whether they answered;
        if not, the ticket ends resolved for want of an answer."""
        yield _later(rng, clock.now(), _minutes(rng, 5, 240))
        self._tell(rng, plan, ticket, handler, plan.staff(rng, "ask"), emotion=Emotion.NEUTRAL)
        services.transition_ticket(ticket=ticket, to=Status.WAITING_CUSTOMER, actor=handler)
        if plan.no_reply:
            yield _later(rng, clock.now(), _hours(rng, 30, 60))
            self._tell(rng, plan, ticket, handler, plan.say(rng, REMINDER), emotion=Emotion.NEUTRAL)
            yield _later(rng, clock.now(), _hours(rng, 48, 120))
            services.transition_ticket(
                ticket=ticket,
                to=Status.RESOLVED,
                actor=handler,
                resolution=plan.say(rng, (NO_REPLY,)),
            )
            return False
        answer, emotion = plan.staff(rng, "reply"), _weighted(rng, EMOTION_WHEN_WAITING)
        yield from self._hear_later(rng, plan, ticket, handler, answer, emotion, (0.5, 60))
        if self._still(ticket, Status.WAITING_CUSTOMER):
            services.transition_ticket(ticket=ticket, to=Status.IN_PROGRESS, actor=handler)
        return True

    def _duplicate(self, rng: random.Random, plan: _Plan, original: Ticket) -> Story:
        """The customer reports the same problem again on another channel; the handler
        merges the new ticket into the first."""
        yield clock.now() + _minutes(rng, 20, 600)
        pick = 0 if plan.language == "zh" else 1
        channel = Channel.EMAIL if plan.channel == Channel.PHONE else Channel.PHONE
        duplicate = services.create_ticket(
            actor=rng.choice(self.company.agents[plan.team]),
            draft=services.TicketDraft(
                subject=DUPLICATE[0][pick].format(subject=plan.subject)[:200],
                description=DUPLICATE[1][pick].format_map(plan.values),
                kind=plan.kind,
                channel=channel,
                category=plan.text.category,
                urgency=plan.urgency,
                customer_id=original.customer_id,
                order_ref=plan.values["order"],
            ),
        ).ticket
        yield _later(rng, clock.now(), _minutes(rng, 5, 90))
        services.merge_ticket(
            ticket=duplicate,
            into=original,
            actor=plan.handler,
            note=plan.say(rng, (MERGE_NOTE,), number=original.number),
        )

    def _after_resolution(
        self, rng: random.Random, plan: _Plan, ticket: Ticket, handler: User
    ) -> Story:
        """Sometimes reopened and solved again; mostly confirmed and closed in the end."""
        if plan.reopen:
            reason = plan.staff(rng, "reopen")
            unhappy = Emotion.DISSATISFIED
            yield from self._hear_later(rng, plan, ticket, handler, reason, unhappy, (4, 72))
            if self._still(ticket, Status.RESOLVED):
                services.transition_ticket(
                    ticket=ticket, to=Status.IN_PROGRESS, actor=handler, reason=reason
                )
            yield _later(rng, clock.now(), _hours(rng, 0.5, 24))
            self._tell(rng, plan, ticket, handler, plan.staff(rng, "update"))
            yield _later(rng, clock.now(), _hours(rng, 2, 72))
            ticket = self._resolve(rng, plan, ticket, handler)
        if not plan.close:
            return  # resolved, not yet confirmed
        yield _later(rng, clock.now(), _hours(rng, 18, 96))
        if plan.via == "portal" and rng.random() < 0.7:  # the customer confirms it
            services.transition_ticket(
                ticket=ticket, to=Status.CLOSED, actor=self.company.customer_user
            )
            return
        if rng.random() < 0.55:  # a follow-up call (回访) before closing; else no objection
            follow_up = plan.say(rng, FOLLOW_UP)
            self._tell(rng, plan, ticket, handler, follow_up, channel=Channel.PHONE, happy=True)
        services.transition_ticket(ticket=ticket, to=Status.CLOSED, actor=handler)
