"""The desk's NPS campaigns (/desk/surveys/): the list with results, the create form, the
campaign page with its send button; only for the campaign roles (analysts read)."""

import pytest
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.satisfaction.models import NpsCampaign, NpsResponse
from serviceloop.satisfaction.services import answer_nps, create_nps_campaign
from serviceloop.satisfaction.tests import conftest as satisfaction_tests
from serviceloop.web.tests.conftest import signed_in
from tests.builders import make_customer, make_user

# The satisfaction tests' autouse fixtures: the frozen clock and the site's settings.
clock = satisfaction_tests.clock
site = satisfaction_tests.site

LIST = reverse("desk:nps_campaigns")


@pytest.fixture
def specialist(db):
    return make_user(Role.SPECIALIST, username="specialist")


def test_a_specialist_creates_a_campaign_on_the_desk(specialist):
    client = signed_in(specialist)
    assert 'id="sl-campaign-form"' in client.get(LIST).content.decode()

    response = client.post(LIST, {"name": "Spring", "percent": "50", "seed": "4"})

    campaign = NpsCampaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:nps_campaign", args=[campaign.pk])
    assert (campaign.name, campaign.percent, campaign.seed, campaign.created_by) == (
        "Spring", 50, 4, specialist,
    )  # fmt: skip


def test_bad_input_stays_on_the_form(specialist):
    response = signed_in(specialist).post(LIST, {"name": "", "percent": "0"})

    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-error-for="name"' in html
    assert 'data-error-for="percent"' in html
    assert NpsCampaign.objects.count() == 0


def test_sending_from_the_campaign_page_and_reading_the_results(specialist):
    for n in range(4):
        make_customer(f"Customer {n}")
    campaign = create_nps_campaign(actor=specialist, name="Spring", seed=2)
    client = signed_in(specialist)
    page = client.get(reverse("desk:nps_campaign", args=[campaign.pk])).content.decode()
    assert 'id="sl-campaign-send"' in page

    sent = client.post(reverse("desk:nps_campaign_send", args=[campaign.pk]))
    for response, score in zip(NpsResponse.objects.order_by("id"), (10, 9, 3), strict=False):
        answer_nps(response=response, score=score)
    page = client.get(sent["Location"]).content.decode()

    assert sent.status_code == 302
    assert 'id="sl-campaign-sent"' in page
    assert 'id="sl-campaign-send"' not in page
    assert 'data-result="answered">3<' in page
    assert 'data-result="nps">33.3<' in page
    assert 'data-result="response_rate">75.0 %<' in page
    listing = client.get(LIST).content.decode()
    assert 'data-nps="33.3"' in listing


def test_sending_twice_says_it_was_sent_already(specialist):
    make_customer("Only one")
    campaign = create_nps_campaign(actor=specialist, name="Spring")
    client = signed_in(specialist)
    client.post(reverse("desk:nps_campaign_send", args=[campaign.pk]))

    again = client.post(reverse("desk:nps_campaign_send", args=[campaign.pk]), follow=True)

    assert "This campaign was sent already." in again.content.decode()
    assert NpsResponse.objects.count() == 1


def test_an_analyst_reads_but_cannot_create_or_send(specialist):
    campaign = create_nps_campaign(actor=specialist, name="Spring")
    client = signed_in(make_user(Role.ANALYST))

    assert client.get(LIST).status_code == 200
    assert 'id="sl-campaign-form"' not in client.get(LIST).content.decode()
    assert client.post(LIST, {"name": "Mine", "percent": "10"}).status_code == 403
    page = client.get(reverse("desk:nps_campaign", args=[campaign.pk])).content.decode()
    assert 'id="sl-campaign-send"' not in page
    client.post(reverse("desk:nps_campaign_send", args=[campaign.pk]))
    assert NpsCampaign.objects.get().sent_at is None


def test_an_agent_has_no_campaign_pages(agent, specialist):
    campaign = create_nps_campaign(actor=specialist, name="Spring")
    client = signed_in(agent)

    assert client.get(LIST).status_code == 403
    assert client.get(reverse("desk:nps_campaign", args=[campaign.pk])).status_code == 403


def test_the_menu_offers_surveys_to_campaign_roles(specialist, agent):
    assert LIST in signed_in(specialist).get(LIST).content.decode()
    assert f'href="{LIST}"' not in signed_in(agent).get(reverse("desk:queue")).content.decode()
