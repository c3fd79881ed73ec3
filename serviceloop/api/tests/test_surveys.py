"""/api/v1/surveys: staff read the CSAT surveys of the tickets they see, a customer only their
own (and answers them), partners nothing; NPS campaigns for the campaign roles."""

import pytest

from serviceloop.customers.models import Customer, CustomerTier
from serviceloop.satisfaction.models import CsatSurvey, NpsCampaign, NpsResponse
from serviceloop.satisfaction.services import answer_csat, answer_nps
from serviceloop.satisfaction.tests import conftest as satisfaction_tests
from serviceloop.satisfaction.tests.conftest import resolve, survey_of
from tests.builders import Api, field_errors, make_customer, make_team, make_ticket, make_user

# The satisfaction tests' fixtures: the frozen clock and the site's settings (autouse), and
# commit callbacks.
clock = satisfaction_tests.clock
site = satisfaction_tests.site
committed = satisfaction_tests.committed

ROLES = ("admin", "supervisor", "manager", "specialist", "agent", "analyst", "customer", "partner")


@pytest.fixture
def users(team):
    return {
        role: make_user(
            role, username=role, teams=[team] if role in ("agent", "supervisor") else []
        )
        for role in ROLES
    }


@pytest.fixture
def own(users, committed):
    """A resolved ticket of the customer user, in the support team."""
    ticket = make_ticket(users["customer"], description="My parcel 42 has not arrived")
    return resolve(ticket, users["agent"], committed)


@pytest.fixture
def foreign(users, committed):
    """Another customer's resolved ticket, in another team."""
    billing = make_team("billing")
    ticket = make_ticket(
        users["admin"], description="Invoice wrong", team="billing",
        customer_id=make_customer("Zhang Wei").pk,
    )  # fmt: skip
    assert ticket.team == billing
    return resolve(ticket, users["admin"], committed)


def numbers(response):
    return [item["ticket"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("role", "status", "sees_foreign"),
    [
        ("admin", 200, True), ("manager", 200, True), ("specialist", 200, True),
        ("analyst", 200, True), ("supervisor", 200, False), ("agent", 200, False),
        ("customer", 403, False), ("partner", 403, False),
    ],
)  # fmt: skip
def test_staff_list_the_surveys_of_the_tickets_they_see(
    users, own, foreign, role, status, sees_foreign
):
    response = Api(users[role]).get("surveys/csat")

    assert response.status_code == status
    if status == 200:
        expected = {own.number, foreign.number} if sees_foreign else {own.number}
        assert set(numbers(response)) == expected


def test_the_list_filters_by_ticket_and_answer(users, own, foreign):
    answer_csat(survey=survey_of(own), score=2, comment="Slow", via="email")
    api = Api(users["admin"])

    assert numbers(api.get("surveys/csat", {"ticket": foreign.number.lower()})) == [foreign.number]
    answered = api.get("surveys/csat", {"answered": "true"}).json()["items"]
    assert [(i["ticket"], i["score"], i["comment"], i["channel"]) for i in answered] == [
        (own.number, 2, "Slow", "email")
    ]
    assert numbers(api.get("surveys/csat", {"answered": "false"})) == [foreign.number]


def test_a_customer_sees_only_their_own_surveys(users, own, foreign):
    response = Api(users["customer"]).get("surveys/mine")

    assert response.status_code == 200
    assert [item["ticket"] for item in response.json()["csat"]] == [own.number]
    assert response.json()["nps"] == []


@pytest.mark.parametrize("role", ["agent", "partner"])
def test_mine_is_for_customers(users, role):
    assert Api(users[role]).get("surveys/mine").status_code == 403


def test_a_customer_answers_their_own_csat(users, own):
    response = Api(users["customer"]).post(f"surveys/csat/{own.number}", {"score": 4})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["score"], body["channel"], body["ticket"]) == (4, "api", own.number)
    assert survey_of(own).score == 4


def test_a_customer_cannot_answer_anothers_survey(users, foreign):
    response = Api(users["customer"]).post(f"surveys/csat/{foreign.number}", {"score": 1})

    assert response.status_code == 404
    assert survey_of(foreign).answered_at is None


@pytest.mark.parametrize("role", ["agent", "admin", "partner"])
def test_only_customers_answer_through_the_api(users, own, role):
    response = Api(users[role]).post(f"surveys/csat/{own.number}", {"score": 1})

    assert response.status_code == 403
    assert survey_of(own).answered_at is None


@pytest.mark.parametrize(
    ("body", "field"), [({"score": 6}, "score"), ({"score": 3, "extra": 1}, "extra")]
)
def test_a_bad_answer_is_a_field_error(users, own, body, field):
    response = Api(users["customer"]).post(f"surveys/csat/{own.number}", body)

    assert response.status_code == 422
    assert field in field_errors(response)
    assert survey_of(own).answered_at is None


def test_an_answer_after_seven_days_is_a_conflict(users, own, clock):
    api = Api(users["customer"])
    api.post(f"surveys/csat/{own.number}", {"score": 4})
    clock.shift(8 * 24 * 3600)

    response = api.post(f"surveys/csat/{own.number}", {"score": 1})

    assert response.status_code == 409
    assert response.json()["code"] == "answer_locked"
    assert survey_of(own).score == 4


# --- NPS campaigns -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "create", "read"),
    [
        ("admin", 201, 200), ("manager", 201, 200), ("supervisor", 201, 200),
        ("specialist", 201, 200), ("analyst", 403, 200), ("agent", 403, 403),
        ("customer", 403, 403), ("partner", 403, 403),
    ],
)  # fmt: skip
def test_campaign_permissions(users, role, create, read):
    api = Api(users[role])

    created = api.post("surveys/nps", {"name": f"By {role}"})
    listed = api.get("surveys/nps")

    assert (created.status_code, listed.status_code) == (create, read)
    assert NpsCampaign.objects.filter(name=f"By {role}").exists() == (create == 201)


def test_a_campaign_is_created_sent_and_read_with_its_results(users, db):
    gold = CustomerTier.objects.create(code="gold", name_en="Gold", name_zh="金卡")
    members = [make_customer(f"Gold {n}").pk for n in range(3)]
    Customer.objects.filter(pk__in=members).update(tier=gold)
    make_customer("Plain")
    api = Api(users["specialist"])

    created = api.post("surveys/nps", {"name": "Gold round", "tiers": ["gold"], "seed": 7})
    assert created.status_code == 201, created.content
    campaign_id = created.json()["id"]
    assert created.json()["tiers"] == ["gold"]
    sent = api.post(f"surveys/nps/{campaign_id}/send")
    again = api.post(f"surveys/nps/{campaign_id}/send")
    answer_nps(response=NpsResponse.objects.filter(campaign_id=campaign_id).first(), score=10)
    read = api.get(f"surveys/nps/{campaign_id}")

    assert sent.status_code == 200
    assert sent.json()["results"]["sampled"] == 3
    assert again.status_code == 409
    results = read.json()["results"]
    assert (results["sent"], results["answered"], results["nps"]) == (3, 1, 100.0)
    assert results["response_rate"] == 33.3
    assert api.get("surveys/nps").json()["items"][0]["results"] == results


def test_an_unknown_tier_is_a_field_error(users):
    response = Api(users["specialist"]).post("surveys/nps", {"name": "X", "tiers": ["vip"]})

    assert response.status_code == 422
    assert "tiers" in field_errors(response)
    assert NpsCampaign.objects.count() == 0


def test_an_unknown_campaign_is_404(users):
    assert Api(users["specialist"]).get("surveys/nps/999").status_code == 404


def test_anonymous_callers_are_asked_to_authenticate(db):
    api = Api(None)
    assert api.get("surveys/csat").status_code == 401
    assert api.post("surveys/csat/CS-20310303-000001", {"score": 1}).status_code == 401
    assert CsatSurvey.objects.count() == 0
