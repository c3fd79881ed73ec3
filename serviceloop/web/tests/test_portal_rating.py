"""The portal's page of a resolved or closed ticket shows the signed-in customer the rating
form of the ticket's survey; it records through the portal."""

import pytest
from django.urls import reverse

from serviceloop.accounts.choices import Role
from serviceloop.satisfaction.models import CsatSurvey
from serviceloop.satisfaction.tests import conftest as satisfaction_tests
from serviceloop.satisfaction.tests.conftest import resolve, survey_of
from serviceloop.tickets import services as tickets
from serviceloop.web.tests.conftest import signed_in
from tests.builders import make_organisation, make_ticket, make_user

# The satisfaction tests' fixtures: the frozen clock and the site's settings (autouse),
# commit callbacks, and two customers with a portal login.
clock = satisfaction_tests.clock
site = satisfaction_tests.site
committed = satisfaction_tests.committed
customer_user = satisfaction_tests.customer_user
other_customer_user = satisfaction_tests.other_customer_user

HTMX = {"HX-Request": "true"}


@pytest.fixture
def mine(customer_user, agent, committed):
    ticket = make_ticket(customer_user, description="My parcel 42 has not arrived")
    return resolve(ticket, agent, committed)


def page(client, ticket):
    return client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()


def rate_url(ticket):
    return reverse("portal:rate", args=[ticket.number])


def test_the_page_of_a_resolved_ticket_shows_the_rating_form(customer_user, mine):
    html = page(signed_in(customer_user), mine)

    assert 'id="sl-rating"' in html
    assert html.count('name="score"') == 5
    assert rate_url(mine) in html


def test_a_closed_ticket_shows_it_too(customer_user, mine):
    tickets.transition_ticket(ticket=mine, to="closed", actor=customer_user)

    assert 'id="sl-rating"' in page(signed_in(customer_user), mine)


def test_an_open_ticket_shows_no_rating_form(customer_user):
    ticket = make_ticket(customer_user, description="Still waiting")

    assert 'id="sl-rating"' not in page(signed_in(customer_user), ticket)


def test_rating_in_the_portal_records_the_answer(customer_user, mine):
    client = signed_in(customer_user)

    response = client.post(rate_url(mine), {"score": "5", "comment": "Great"}, headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="sl-rating-saved"' in html
    assert 'data-score="5"' in html
    survey = survey_of(mine)
    assert (survey.score, survey.comment, survey.channel) == (5, "Great", "portal")
    assert 'value="5" autocomplete="off" required checked' in page(client, mine)


def test_without_htmx_the_portal_redirects_to_the_ticket(customer_user, mine):
    response = signed_in(customer_user).post(rate_url(mine), {"score": "4"})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", args=[mine.number])
    assert survey_of(mine).score == 4


def test_a_rating_without_a_score_is_refused_on_the_form(customer_user, mine):
    response = signed_in(customer_user).post(rate_url(mine), {"comment": "?"}, headers=HTMX)

    assert response.status_code == 422
    assert 'data-error-for="score"' in response.content.decode()
    assert survey_of(mine).answered_at is None


def test_another_customer_cannot_rate_my_ticket(other_customer_user, mine):
    response = signed_in(other_customer_user).post(rate_url(mine), {"score": "1"})

    assert response.status_code == 404
    assert survey_of(mine).answered_at is None


def test_a_colleague_who_sees_the_ticket_is_not_asked_to_rate_it(agent, committed):
    company = make_organisation("Acme Ltd", shares=True)
    author = make_user(Role.CUSTOMER, username="author", organisation=company)
    colleague = make_user(Role.CUSTOMER, username="colleague", organisation=company)
    ticket = resolve(make_ticket(author, description="Printer jammed"), agent, committed)

    response = signed_in(colleague).get(reverse("portal:ticket", args=[ticket.number]))

    assert response.status_code == 200
    assert 'id="sl-rating"' not in response.content.decode()
    assert 'id="sl-rating"' in page(signed_in(author), ticket)


def test_staff_do_not_rate_in_the_portal(agent, mine):
    response = signed_in(agent).post(rate_url(mine), {"score": "1"})

    assert response.status_code == 302  # to their own start page
    assert survey_of(mine).answered_at is None
    assert CsatSurvey.objects.count() == 1
