"""tickets_visible_to and get_ticket_for: the one rule of who sees which ticket, for every
role, and a 404 for anything outside it."""

import pytest
from django.http import Http404

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import TeamMembership, User
from serviceloop.customers.models import Customer
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.queries import get_ticket_for, tickets_visible_to
from tests.builders import make_organisation, make_ticket, make_user


@pytest.fixture
def support_ticket(agent, team):
    return make_ticket(agent)


@pytest.fixture
def billing_ticket(outsider, other_team):
    return make_ticket(outsider, team="billing")


def visible(user):
    """What the user sees, by the queryset rule; and, ticket by ticket, get_ticket_for (its
    hand-written SQL spelling of the same rule) must find exactly those."""
    by_queryset = set(tickets_visible_to(user))
    assert {t for t in Ticket.objects.all() if found(user, t.number)} == by_queryset
    return by_queryset


def found(user, number):
    try:
        ticket = get_ticket_for(user, number)
    except Http404:
        return False
    assert ticket.customer_id == ticket.customer.pk
    assert ticket.assignee_id == (ticket.assignee.pk if ticket.assignee else None)
    return True


def refetched(user):
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.SPECIALIST, Role.ANALYST])
def test_these_roles_see_every_ticket(support_ticket, billing_ticket, role):
    assert visible(make_user(role)) == {support_ticket, billing_ticket}


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_agents_and_supervisors_see_their_teams_tickets(team, support_ticket, billing_ticket, role):
    assert visible(make_user(role, teams=[team])) == {support_ticket}


def test_the_owner_and_a_teammate_see_the_ticket_an_outsider_does_not(
    agent, teammate, outsider, support_ticket, billing_ticket
):
    assert get_ticket_for(agent, support_ticket.number) == support_ticket
    assert get_ticket_for(teammate, support_ticket.number) == support_ticket
    with pytest.raises(Http404):
        get_ticket_for(outsider, support_ticket.number)
    assert visible(outsider) == {billing_ticket}


def test_an_agent_of_two_teams_sees_both(agent, other_team, support_ticket, billing_ticket):
    TeamMembership.objects.create(user=agent, team=other_team)
    assert visible(refetched(agent)) == {support_ticket, billing_ticket}


def test_an_agent_without_a_team_sees_nothing(support_ticket):
    assert visible(make_user(Role.AGENT)) == set()


def test_a_transferred_ticket_leaves_the_old_teams_view(agent, other_team, support_ticket):
    from serviceloop.tickets.services import transfer_ticket

    transfer_ticket(ticket=support_ticket, team=other_team, actor=agent)
    assert visible(agent) == set()
    with pytest.raises(Http404):
        get_ticket_for(agent, support_ticket.number)


# --- customers -----------------------------------------------------------------------------


def test_a_customer_sees_only_their_own_tickets(agent, team, billing_ticket):
    li = make_user(Role.CUSTOMER, username="li")
    wang = make_user(Role.CUSTOMER, username="wang")
    mine = make_ticket(li)
    by_agent_for_me = make_ticket(agent, customer_id=li.customer.pk)
    theirs = make_ticket(wang)
    assert visible(li) == {mine, by_agent_for_me}
    assert get_ticket_for(li, mine.number) == mine
    with pytest.raises(Http404):
        get_ticket_for(li, theirs.number)


def test_customers_of_a_sharing_organisation_see_each_others_tickets(team):
    company = make_organisation("ACME", shares=True)
    li = make_user(Role.CUSTOMER, username="li", organisation=company)
    wang = make_user(Role.CUSTOMER, username="wang", organisation=company)
    outside = make_user(Role.CUSTOMER, username="zhao")
    li_ticket, wang_ticket = make_ticket(li), make_ticket(wang)
    make_ticket(outside)
    assert visible(li) == visible(wang) == {li_ticket, wang_ticket}
    assert get_ticket_for(li, wang_ticket.number) == wang_ticket


def test_customers_of_a_private_organisation_see_only_their_own(team):
    company = make_organisation("ACME", shares=False)
    li = make_user(Role.CUSTOMER, username="li", organisation=company)
    wang = make_user(Role.CUSTOMER, username="wang", organisation=company)
    li_ticket, wang_ticket = make_ticket(li), make_ticket(wang)
    assert visible(li) == {li_ticket}
    with pytest.raises(Http404):
        get_ticket_for(li, wang_ticket.number)


def test_a_customer_login_without_a_customer_record_sees_nothing(support_ticket):
    user = make_user(Role.CUSTOMER)
    Customer.objects.filter(user=user).update(user=None)
    assert visible(refetched(user)) == set()


# --- partners ------------------------------------------------------------------------------


def test_a_partner_sees_what_its_organisation_submitted(agent, team):
    courier = make_organisation("Courier", kind="partner")
    first = make_user(Role.PARTNER, username="courier-1", organisation=courier)
    second = make_user(Role.PARTNER, username="courier-2", organisation=courier)
    rival = make_user(Role.PARTNER, username="rival")
    identity = CustomerIdentity(email="buyer@example.com")
    submitted = make_ticket(first, customer=identity, description="Parcel 1")
    by_rival = make_ticket(rival, customer=identity, description="Parcel 2")
    by_agent = make_ticket(agent, customer=identity, description="Parcel 3")
    assert visible(first) == visible(second) == {submitted}
    assert visible(rival) == {by_rival}
    with pytest.raises(Http404):
        get_ticket_for(first, by_agent.number)


def test_a_partner_without_an_organisation_sees_nothing(team):
    partner = make_user(Role.PARTNER)
    make_ticket(partner)
    User.objects.filter(pk=partner.pk).update(organisation=None)
    assert visible(refetched(partner)) == set()


# --- inactive users ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_inactive_users_see_nothing(team, support_ticket, role):
    user = make_user(role, teams=[team])
    if role == Role.CUSTOMER or role == Role.PARTNER:
        make_ticket(user)
    assert visible(user)  # while active they see something
    User.objects.filter(pk=user.pk).update(is_active=False)
    user = refetched(user)
    assert visible(user) == set()
    with pytest.raises(Http404):
        get_ticket_for(user, support_ticket.number)


# --- numbers -------------------------------------------------------------------------------


def test_a_number_is_found_whatever_its_case_and_spacing(agent, support_ticket):
    assert get_ticket_for(agent, f"  {support_ticket.number.lower()} ") == support_ticket


@pytest.mark.parametrize(
    "number",
    ["", " ", "abc", "CS-2026-1", "CS-20261123-1", "CS-20261123-00001x", "1; DROP TABLE x",
     "CS-20261123-000001/../", "%", "CS_20261123_000001"],
)  # fmt: skip
def test_a_malformed_number_is_not_found(admin_user, support_ticket, number):
    with pytest.raises(Http404):
        get_ticket_for(admin_user, number)


def test_a_well_formed_number_nobody_has_is_not_found(admin_user, support_ticket):
    with pytest.raises(Http404):
        get_ticket_for(admin_user, "CS-19990101-999999")
