"""NPS campaigns: who is drawn (tiers, recent contact, a seeded random share), one survey per
customer, customers without an e-mail address skipped and counted, and the results."""

from datetime import timedelta

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, NotPermitted, ValidationFailed
from serviceloop.customers.models import Customer, CustomerContact, CustomerTier
from serviceloop.satisfaction import queries, services
from serviceloop.satisfaction.models import NpsCampaign, NpsResponse
from tests.builders import make_customer, make_ticket, make_user


@pytest.fixture
def specialist(db):
    return make_user(Role.SPECIALIST, username="specialist")


@pytest.fixture
def tiers(db):
    return {
        code: CustomerTier.objects.create(code=code, name_en=code.title(), name_zh=code, rank=rank)
        for code, rank in (("gold", 2), ("silver", 1))
    }


def customers(count, tier=None, prefix="c"):
    made = [make_customer(f"{prefix}{n}") for n in range(count)]
    if tier is not None:
        Customer.objects.filter(pk__in=[c.pk for c in made]).update(tier=tier)
    return made


def campaign(specialist, **values):
    values.setdefault("name", "Spring survey")
    return services.create_nps_campaign(actor=specialist, **values)


def drawn(specialist, **values):
    return set(services.sample_customers(campaign(specialist, **values)))


def test_it_draws_only_the_chosen_tiers(specialist, tiers):
    gold = customers(4, tiers["gold"], "g")
    customers(3, tiers["silver"], "s")
    customers(3)

    assert drawn(specialist, tiers=["gold"]) == {c.pk for c in gold}
    assert len(drawn(specialist, tiers=["gold", "silver"])) == 7
    assert len(drawn(specialist)) == 10


def test_it_draws_only_customers_with_a_ticket_in_the_last_days(specialist, agent, clock):
    recent, old, never = make_customer("recent"), make_customer("old"), make_customer("never")
    clock.shift(-timedelta(days=40))
    make_ticket(agent, customer_id=old.pk)
    clock.shift(timedelta(days=30))
    make_ticket(agent, customer_id=recent.pk)
    clock.shift(timedelta(days=10))

    assert drawn(specialist, contacted_within_days=30) == {recent.pk}
    assert drawn(specialist, contacted_within_days=45) == {recent.pk, old.pk}
    assert drawn(specialist) == {recent.pk, old.pk, never.pk}


@pytest.mark.parametrize(("count", "percent", "expected"), [(10, 50, 5), (10, 1, 1), (7, 30, 3)])
def test_it_draws_the_percent_rounded_up(specialist, count, percent, expected):
    customers(count)

    assert len(drawn(specialist, percent=percent, seed=3)) == expected


def test_the_same_seed_draws_the_same_customers(specialist):
    everyone = {c.pk for c in customers(20)}

    first = drawn(specialist, percent=25, seed=11)
    again = drawn(specialist, percent=25, seed=11)
    others = [drawn(specialist, percent=25, seed=seed) for seed in (12, 13, 14)]

    assert first == again
    assert first <= everyone
    assert len(first) == 5
    assert any(other != first for other in others)


def test_sending_surveys_each_drawn_customer_once_and_counts_those_without_email(specialist):
    reachable = customers(3)
    by_phone = Customer.objects.create(name="Phone only")
    CustomerContact.objects.create(customer=by_phone, kind="phone", value="+8613800000000")
    round_ = campaign(specialist)

    sent = services.send_nps_campaign(campaign=round_, actor=specialist)

    assert (sent.sampled, sent.skipped_no_email) == (4, 1)
    rows = NpsResponse.objects.filter(campaign=round_)
    assert sorted(rows.values_list("customer_id", flat=True)) == sorted(c.pk for c in reachable)
    response = rows.get(customer=reachable[0])
    assert response.email == reachable[0].contacts.get(kind="email").value
    assert response.expires_at == response.sent_at + timedelta(days=30)
    assert len({row.nonce for row in rows}) == 3
    event = AuditEvent.objects.get(action="nps_campaign.sent", target_id=str(round_.pk))
    assert event.after == {"sampled": 4, "surveyed": 3, "skipped_no_email": 1}


def test_a_customer_with_only_a_login_address_is_surveyed_there(specialist):
    user = make_user(Role.CUSTOMER, username="login-only")
    CustomerContact.objects.filter(customer=user.customer).delete()
    round_ = campaign(specialist)

    services.send_nps_campaign(campaign=round_, actor=specialist)

    assert NpsResponse.objects.get(campaign=round_).email == "login-only@example.com"


def test_a_campaign_is_sent_once(specialist):
    customers(2)
    round_ = campaign(specialist)
    services.send_nps_campaign(campaign=round_, actor=specialist)

    with pytest.raises(Conflict):
        services.send_nps_campaign(campaign=round_, actor=specialist)
    assert NpsResponse.objects.filter(campaign=round_).count() == 2


@pytest.mark.parametrize("role", [Role.AGENT, Role.ANALYST, Role.CUSTOMER, Role.PARTNER])
def test_only_campaign_roles_create_and_send(specialist, role):
    someone = make_user(role)
    with pytest.raises(NotPermitted):
        services.create_nps_campaign(actor=someone, name="Mine")
    round_ = campaign(specialist)
    with pytest.raises(NotPermitted):
        services.send_nps_campaign(campaign=round_, actor=someone)
    assert NpsCampaign.objects.count() == 1
    assert NpsCampaign.objects.get().sent_at is None


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER, Role.ADMIN])
def test_supervisors_managers_and_admins_run_campaigns(db, role):
    boss = make_user(role)
    customers(1)

    sent = services.send_nps_campaign(
        campaign=services.create_nps_campaign(actor=boss, name="Round"), actor=boss
    )
    assert sent.sent_by == boss


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": " "}, "name"),
        ({"percent": 0}, "percent"),
        ({"percent": 101}, "percent"),
        ({"contacted_within_days": 0}, "contacted_within_days"),
        ({"seed": -1}, "seed"),
        ({"tiers": ["platinum"]}, "tiers"),
    ],
)
def test_bad_campaign_input_is_a_field_error_and_stores_nothing(specialist, tiers, values, field):
    values.setdefault("name", "Round")
    with pytest.raises(ValidationFailed) as refused:
        services.create_nps_campaign(actor=specialist, **values)

    assert set(refused.value.errors) == {field}
    assert NpsCampaign.objects.count() == 0


def answered(specialist, scores, extra=0):
    made = customers(len(scores) + extra)
    round_ = campaign(specialist)
    services.send_nps_campaign(campaign=round_, actor=specialist)
    rows = NpsResponse.objects.filter(campaign=round_).order_by("id")
    for response, score in zip(rows, scores, strict=False):
        services.answer_nps(response=response, score=score)
    assert len(made) == rows.count()
    return NpsCampaign.objects.get(pk=round_.pk)


@pytest.mark.parametrize(
    ("scores", "extra", "nps", "rate"),
    [
        ([10, 9, 8, 7, 6, 0], 0, 0.0, 100.0),
        ([10, 10, 3], 1, 33.3, 75.0),
        ([0, 5, 6], 0, -100.0, 100.0),
        ([9], 3, 100.0, 25.0),
    ],
)
def test_the_results_count_promoters_minus_detractors(specialist, scores, extra, nps, rate):
    results = queries.campaign_results(answered(specialist, scores, extra))

    assert results.answered == len(scores)
    assert results.sent == len(scores) + extra
    assert results.promoters == sum(1 for s in scores if s >= 9)
    assert results.detractors == sum(1 for s in scores if s <= 6)
    assert results.passives == sum(1 for s in scores if s in (7, 8))
    assert results.nps == nps
    assert results.response_rate == rate


def test_a_campaign_without_answers_has_no_nps_and_no_division_by_zero(specialist):
    unsent = campaign(specialist)
    results = queries.campaign_results(unsent)
    assert (results.sent, results.answered, results.nps, results.response_rate) == (
        0,
        0,
        None,
        None,
    )

    unanswered = answered(specialist, [], extra=2)
    results = queries.campaign_results(unanswered)
    assert (results.sent, results.nps, results.response_rate) == (2, None, 0.0)


def test_the_list_shows_the_same_results_as_the_campaign(specialist):
    round_ = answered(specialist, [10, 2, 8], extra=1)

    (row,) = queries.campaign_rows(specialist)

    assert queries.results_of_row(row) == queries.campaign_results(round_)


def test_nps_score_alone():
    assert queries.nps_score(promoters=0, detractors=0, answered=0) is None
    assert queries.nps_score(promoters=3, detractors=1, answered=4) == 50.0
