"""GET /api/v1/audit: administrators search the whole trail; it pages like every list; and
the API has no way to change it."""

import json
from datetime import UTC, datetime, timedelta

import time_machine
from django.test import Client

from serviceloop.audit.models import AuditEvent
from serviceloop.audit.tests import given as audit_given
from tests.builders import Api, make_customer, make_ticket

event = audit_given.event  # a ticket's "ticket.created" event (the audit tests' fixture)


def test_it_lets_an_administrator_search_the_trail(admin_api, agent, admin_user):
    # given a ticket and a customer change, on two days
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=UTC), tick=False):
        ticket = make_ticket(agent, description="Parcel lost")
    with time_machine.travel(datetime(2026, 11, 3, 9, 0, tzinfo=UTC), tick=False):
        customer = make_customer("Chen Jing")
        assert admin_api.patch(f"customers/{customer.pk}", {"notes": "VIP"}).status_code == 200
    # then the administrator finds events by action, object, actor and time
    by_action = admin_api.get("audit", {"action": "ticket.created"})
    assert by_action.status_code == 200, by_action.content
    assert [e["target_id"] for e in by_action.json()["items"]] == [str(ticket.pk)]
    event = by_action.json()["items"][0]
    assert (event["actor"], event["actor_id"], event["target_type"]) == (
        "agent", agent.pk, "ticket",
    )  # fmt: skip
    assert event["after"]["number"] == ticket.number

    by_target = admin_api.get("audit", {"target_type": "customer", "target_id": customer.pk})
    assert [e["action"] for e in by_target.json()["items"]] == ["customer.updated"]
    by_actor = admin_api.get("audit", {"actor": admin_user.pk})
    assert {e["action"] for e in by_actor.json()["items"]} == {"customer.updated"}
    window = {
        "after": datetime(2026, 11, 3, tzinfo=UTC).isoformat(),
        "before": datetime(2026, 11, 4, tzinfo=UTC).isoformat(),
    }
    on_the_day = admin_api.get("audit", window).json()["items"]
    assert {e["action"] for e in on_the_day} == {"customer.updated"}


def test_it_pages_through_the_trail_newest_first(admin_api, agent):
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) as traveller:
        for n in range(7):
            make_ticket(agent, description=f"Parcel {n} lost")
            traveller.shift(timedelta(minutes=1))
    expected = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True))
    seen, params = [], {"limit": 3}
    while True:
        page = admin_api.get("audit", params).json()
        seen.extend(e["id"] for e in page["items"])
        if not page["next_cursor"]:
            break
        params = {"limit": 3, "cursor": page["next_cursor"]}
    assert seen == expected


def test_the_api_has_no_way_to_change_the_audit_trail(event, admin_user):
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    for path, operations in schema["paths"].items():
        if "audit" in path:
            assert set(operations) == {"get"}, f"{path} offers {sorted(operations)}"
    api = Api(admin_user)
    for method in ("post", "patch", "delete"):
        response = getattr(api, method)(f"audit/{event.pk}")
        assert response.status_code in (404, 405)
    assert AuditEvent.objects.get(pk=event.pk).action == "ticket.created"
