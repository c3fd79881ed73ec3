"""A fresh ticket for watching time do its work: `serviceloop demo --live-ticket` (which
`make run` calls on every start) opens a critical request of the demo customer, assigned to
agent1. The shipped "urgent" SLA policy promises a first response within 10 minutes of
calendar time: the ticket page counts down, turns amber at 75 %, red at the breach, and the
worker's escalation sweep tells the assignee, then the supervisor, while the customer's
acknowledgement mail shows in the server log (or the SMTP server of EMAIL_HOST)."""

from django.db import transaction
from django.utils import timezone

from serviceloop.accounts.models import User
from serviceloop.customers.models import Customer
from serviceloop.tickets.models import Ticket
from serviceloop.tickets.services import TicketDraft, create_ticket

from .company import CUSTOMER_LOGIN

ASSIGNEE = "agent1"
DESCRIPTION = (
    "我们的冷链货物显示已签收，但仓库没有收到，货物需要在今天下午冷藏。请马上回电。\n"
    "Our cold-chain shipment shows as delivered but the warehouse never received it; it must "
    "be refrigerated this afternoon. Please call back at once. ({stamp})"
)


@transaction.atomic
def open_live_ticket() -> Ticket:
    """Open the live demo ticket (needs the demo company) and return it."""
    agent = User.objects.get(username=ASSIGNEE)
    customer = Customer.objects.get(user__username=CUSTOMER_LOGIN.username)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    intake = create_ticket(
        actor=agent,
        draft=TicketDraft(
            subject=f"冷链货物丢失 Cold-chain shipment missing ({stamp})",
            description=DESCRIPTION.format(stamp=stamp),
            kind="complaint",
            urgency="critical",
            channel="email",
            category="logistics-lost",
            assignee=agent.pk,
            customer_id=customer.pk,
        ),
    )
    return intake.ticket
