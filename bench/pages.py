"""The web pages of issue 3, timed like the API reads: the agent's queue page, the agent's
ticket page (a ticket with 20 interactions) and the customer's portal ticket page, as HTML
through a signed-in session (the round trip on loopback: an upper bound of server time)."""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from .latency import Client, Latency, measure
from .reference import BENCH_AGENT, BENCH_TEAM

BENCH_CUSTOMER = "bench-customer"
PORTAL_SAMPLE = 20


@dataclass(frozen=True)
class WebSessions:
    agent_cookie: str
    customer_cookie: str
    session_keys: tuple[str, ...]
    portal_numbers: list[str]


def _session_for(username: str) -> str:
    """A signed-in session of `username`, as Django's login() would store it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from serviceloop.accounts.models import User

    user = User.objects.get(username=username)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def _portal_customer(detail_numbers: list[str]) -> tuple[str, list[str]]:
    """The portal login of the customer behind the first ticket with 20 interactions (made
    once, like a customer signing up), and that customer's tickets to open."""
    from serviceloop.accounts.choices import Role
    from serviceloop.accounts.models import User
    from serviceloop.customers.models import Customer
    from serviceloop.tickets.models import Ticket

    user = User.objects.filter(username=BENCH_CUSTOMER).first()
    if user is None:
        customer = Customer.objects.get(tickets__number=detail_numbers[0])
        user = User.objects.create_user(
            username=BENCH_CUSTOMER, password=None, role=Role.CUSTOMER, full_name=customer.name
        )
        Customer.objects.filter(pk=customer.pk).update(user=user)
    numbers = list(
        Ticket.objects.filter(customer__user=user, merged_into__isnull=True)
        .order_by("-created_at")
        .values_list("number", flat=True)[:PORTAL_SAMPLE]
    )
    return BENCH_CUSTOMER, numbers


def open_sessions(detail_numbers: list[str]) -> WebSessions:
    from django.conf import settings

    customer, portal_numbers = _portal_customer(detail_numbers)
    agent_key, customer_key = _session_for(BENCH_AGENT), _session_for(customer)
    name = settings.SESSION_COOKIE_NAME
    return WebSessions(
        agent_cookie=f"{name}={agent_key}",
        customer_cookie=f"{name}={customer_key}",
        session_keys=(agent_key, customer_key),
        portal_numbers=portal_numbers,
    )


def close_sessions(sessions: WebSessions) -> None:
    from django.conf import settings

    engine = import_module(settings.SESSION_ENGINE)
    for key in sessions.session_keys:
        engine.SessionStore(session_key=key).delete()


def queue_page_path(team: str = BENCH_TEAM) -> str:
    """The team's open tickets, newest first (the API queue benchmark's list), with the
    page's counts of every built-in view and the saved views around it."""
    return f"/desk/?view=all&team={team}&status=open"


def _html_check(marker: bytes) -> Callable[[bytes], None]:
    def check(body: bytes) -> None:
        if marker not in body:
            raise RuntimeError(f"the page does not contain {marker!r}: {body[:200]!r}")

    return check


def measure_pages(
    host: str,
    port: int,
    sessions: WebSessions,
    detail_numbers: list[str],
    *,
    runs: int,
    per_run: int,
    log: Callable[[str], None],
) -> tuple[Latency, Latency, Latency]:
    """(e) queue page, (f) ticket page, (g) portal ticket page."""
    html = {"Accept": "text/html", "Accept-Language": "zh-hans"}
    agent = Client(host, port, headers={**html, "Cookie": sessions.agent_cookie})
    customer = Client(host, port, headers={**html, "Cookie": sessions.customer_cookie})
    try:
        queue = measure(
            agent, "(e) queue page (HTML)", [queue_page_path()],
            runs=runs, per_run=per_run, warmup=40, check=_html_check(b"data-sl-row"), log=log,
        )  # fmt: skip
        ticket = measure(
            agent, "(f) ticket page (HTML), 20 interactions",
            [f"/desk/tickets/{number}/" for number in detail_numbers],
            runs=runs, per_run=per_run, warmup=len(detail_numbers) + 20,
            check=_html_check(b"sl-timeline"), log=log,
        )  # fmt: skip
        portal = measure(
            customer, "(g) portal ticket page (HTML)",
            [f"/portal/tickets/{number}/" for number in sessions.portal_numbers],
            runs=runs, per_run=per_run, warmup=len(sessions.portal_numbers) + 20,
            check=_html_check(b"sl-timeline"), log=log,
        )  # fmt: skip
    finally:
        agent.close()
        customer.close()
    return queue, ticket, portal
