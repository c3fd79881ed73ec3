"""A client generated from the served OpenAPI document (openapi-python-client, offline: it
reads the document from a file and needs nothing from the network) works the ticket loop
against a live server with an agent's token: it creates a ticket, replies to the customer
and resolves the ticket, each answer read into the generated models. The client is made at
test time in a temporary folder, never committed."""

import importlib
import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.accounts.services import issue_token
from serviceloop.tickets.models import Interaction, Ticket
from tests.builders import make_category, make_team, make_user

PACKAGE = "serviceloop_client"

pytestmark = pytest.mark.django_db(transaction=True)


def generated_client(document: bytes, folder: Path) -> ModuleType:
    """The client package generated from `document`, imported from `folder`."""
    (folder / "openapi.json").write_bytes(document)
    (folder / "config.yml").write_text("post_hooks: []\n")  # no ruff run over the output
    subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(folder / "openapi.json"), "--config", str(folder / "config.yml"),
            "--meta", "none", "--output-path", str(folder / PACKAGE), "--fail-on-warning",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))


@pytest.fixture(scope="module")
def client_package(live_server, tmp_path_factory):
    """Generated once for the module, from the document the live server serves."""
    with urllib.request.urlopen(f"{live_server.url}/api/v1/openapi.json") as answer:  # noqa: S310
        document = answer.read()
    assert json.loads(document)["paths"]
    package = generated_client(document, tmp_path_factory.mktemp("client"))
    yield package
    for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
        del sys.modules[name]


def test_a_generated_client_creates_replies_to_and_resolves_a_ticket(live_server, client_package):
    # given an agent of the team that handles deliveries, with a token
    support = make_team("support", default=True)
    make_category("delivery", team=support)
    agent = make_user(Role.AGENT, username="wang.fang", teams=[support])
    _token, secret = issue_token(user=agent, name="generated client", actor=agent)
    tickets = importlib.import_module(f"{PACKAGE}.api.tickets")
    models = importlib.import_module(f"{PACKAGE}.models")
    client = client_package.AuthenticatedClient(base_url=live_server.url, token=secret)

    # when the agent records a customer's request
    create = importlib.import_module(tickets.__name__ + ".serviceloop_api_tickets_create_ticket")
    created = create.sync_detailed(
        client=client,
        body=models.TicketIn(
            description="The parcel of order SF1024 has not arrived",
            category="delivery",
            channel=models.Channel("phone"),
            customer=models.CustomerIdentityIn(email="li.wei@example.com", name="Li Wei"),
        ),
    )
    # then it is created, and read back as the generated TicketCreated
    assert created.status_code == 201, created.content
    ticket = created.parsed
    assert isinstance(ticket, models.TicketCreated)
    assert (ticket.status.value, ticket.kind.value, ticket.duplicate) == ("new", "inquiry", False)

    # when the agent replies by e-mail
    reply = importlib.import_module(tickets.__name__ + ".serviceloop_api_tickets_add_interaction")
    body = models.ServiceloopApiTicketsAddInteractionJsonInteractionIn(
        content="The courier has the parcel; it arrives tomorrow before noon.",
        channel=models.ServiceloopApiTicketsAddInteractionJsonInteractionInChannel("email"),
    )
    replied = reply.sync_detailed(ticket.number, client=client, body=body)
    assert replied.status_code == 201, replied.content
    assert isinstance(replied.parsed, models.InteractionOut)

    # and resolves the ticket, naming the version it read
    transition = importlib.import_module(tickets.__name__ + ".serviceloop_api_tickets_transition")
    current = importlib.import_module(tickets.__name__ + ".serviceloop_api_tickets_get_ticket")
    read = current.sync_detailed(ticket.number, client=client)
    assert read.status_code == 200
    resolved = transition.sync_detailed(
        ticket.number,
        client=client,
        body=models.TransitionIn(
            to=models.Status("resolved"), resolution="Delivered on the next day."
        ),
        if_match=read.headers["ETag"],
    )

    # then the ticket is resolved, with the reply as its first response
    assert resolved.status_code == 200, resolved.content
    assert resolved.parsed.status.value == "resolved"
    stored = Ticket.objects.get(number=ticket.number)
    assert (stored.status, stored.resolution) == ("resolved", "Delivered on the next day.")
    assert stored.first_response_at is not None
    assert Interaction.objects.filter(
        ticket=stored, content__startswith="The courier has the parcel"
    ).exists()


def test_the_generated_client_reads_a_refusal_as_the_published_problem(live_server, client_package):
    # given an agent's client
    support = make_team("support", default=True)
    agent = make_user(Role.AGENT, username="wang.fang", teams=[support])
    _token, secret = issue_token(user=agent, name="generated client", actor=agent)
    client = client_package.AuthenticatedClient(base_url=live_server.url, token=secret)
    models = importlib.import_module(f"{PACKAGE}.models")
    get = importlib.import_module(f"{PACKAGE}.api.tickets.serviceloop_api_tickets_get_ticket")

    # when it asks for a ticket that is not there
    answer = get.sync_detailed("CS-20260101-000001", client=client)

    # then the answer is the generated Problem, not an unexpected status
    assert answer.status_code == 404
    assert isinstance(answer.parsed, models.Problem)
    assert (answer.parsed.status, answer.parsed.code) == (404, "not_found")
