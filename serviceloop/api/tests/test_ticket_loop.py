"""The loop through the API: a customer's message to a closed ticket opens a linked ticket,
a staff reply to it is still refused (the pages: serviceloop/web/tests/test_ticket_loop.py)."""

from serviceloop.tickets.models import Ticket
from serviceloop.tickets.tests import given as tickets_given
from serviceloop.tickets.tests.given import rows, ticket_in
from tests.builders import Api

# The loop's fixtures: the clock a day before the promise is due (autouse), and a customer
# with a portal login.
frozen_clock = tickets_given.frozen_clock
customer_user = tickets_given.customer_user


def test_the_api_records_a_customer_message_to_a_closed_ticket_on_a_new_one(agent, customer_user):
    old = ticket_in("closed", agent=agent, customer_id=customer_user.customer.pk)
    api = Api(customer_user)

    response = api.post(f"tickets/{old.number}/interactions", {"content": "Hello again"})

    assert response.status_code == 201
    new = Ticket.objects.get(follows=old)
    assert response.json()["ticket"] == new.number
    detail = api.get(f"tickets/{new.number}").json()
    assert (detail["follows"], detail["follow_ups"]) == (old.number, [])
    assert api.get(f"tickets/{old.number}").json()["follow_ups"] == [new.number]


def test_the_api_still_refuses_a_staff_reply_to_a_closed_ticket(agent):
    old = ticket_in("closed", agent=agent)
    api = Api(agent)
    before = rows()
    response = api.post(f"tickets/{old.number}/interactions", {"content": "Hello?"})
    assert response.status_code == 409
    assert rows() == before
