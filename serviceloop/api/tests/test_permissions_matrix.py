"""Who may do what through /api/v1: every role against every operation.

The expectations are written out below as tables, independently of the code under test
(serviceloop.accounts.choices and the services are not consulted). A new operation in the
OpenAPI document fails `test_it_covers_every_operation_of_the_openapi_document` until it has
rows here.

Scopes: "own" is an object inside the role's scope (for tickets: of the customer user,
submitted by the partner's organisation, owned by the team of the agent and supervisor);
"foreign" is the same kind of object outside it (another customer's ticket, owned by
billing). Roles that see all tickets see the foreign ticket too. "-" marks operations on no
particular object.
"""

from collections.abc import Callable
from typing import Any

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.customers.models import Organisation
from serviceloop.customers.services import CustomerIdentity
from serviceloop.tickets.models import Interaction
from tests.builders import Api, make_customer, make_ticket, make_user

from .conftest import PROBLEM, Call, World, in_a_day, send, stored_state, text_file

ROLES = ("admin", "supervisor", "manager", "specialist", "agent", "analyst", "customer", "partner")

T = "/api/v1/tickets/{number}"

# fmt: off
# (method, path, scope):                            admin sup  mgr  spec agent anal cust part
MATRIX: dict[tuple[str, str, str], tuple[int, ...]] = {
    ("GET",    "/api/v1/tickets", "-"):               (200, 200, 200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/tickets", "-"):               (201, 201, 201, 403, 201, 403, 201, 201),
    ("POST",   "/api/v1/tickets/batch", "-"):         (207, 207, 207, 403, 207, 403, 207, 207),
    ("GET",    T, "own"):                             (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    T, "foreign"):                         (200, 404, 200, 200, 404, 200, 404, 404),
    ("PATCH",  T, "own"):                             (200, 200, 200, 403, 200, 403, 403, 403),
    ("PATCH",  T, "foreign"):                         (200, 404, 200, 403, 404, 403, 404, 404),
    # a resolved ticket closed: staff close it, the customer confirms it
    ("POST",   T + "/transition", "own"):             (200, 200, 200, 403, 200, 403, 200, 403),
    ("POST",   T + "/transition", "foreign"):         (200, 404, 200, 403, 404, 403, 404, 404),
    ("POST",   T + "/assign", "own"):                 (200, 200, 200, 403, 200, 403, 403, 403),
    ("POST",   T + "/assign", "foreign"):             (200, 404, 200, 403, 404, 403, 404, 404),
    ("POST",   T + "/transfer", "own"):               (200, 200, 200, 403, 200, 403, 403, 403),
    ("POST",   T + "/transfer", "foreign"):           (200, 404, 200, 403, 404, 403, 404, 404),
    ("POST",   T + "/urgency", "own"):                (200, 200, 200, 403, 200, 403, 403, 403),
    ("POST",   T + "/urgency", "foreign"):            (200, 404, 200, 403, 404, 403, 404, 404),
    ("POST",   T + "/merge", "own"):                  (200, 200, 200, 403, 200, 403, 403, 403),
    ("POST",   T + "/merge", "foreign"):              (200, 404, 200, 403, 404, 403, 404, 404),
    ("GET",    T + "/interactions", "own"):           (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    T + "/interactions", "foreign"):       (200, 404, 200, 200, 404, 200, 404, 404),
    ("POST",   T + "/interactions", "own"):           (201, 201, 201, 403, 201, 403, 201, 201),
    ("POST",   T + "/interactions", "foreign"):       (201, 404, 201, 403, 404, 403, 404, 404),
    ("GET",    T + "/commitments", "own"):            (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    T + "/commitments", "foreign"):        (200, 404, 200, 200, 404, 200, 404, 404),
    ("POST",   T + "/commitments", "own"):            (201, 201, 201, 403, 201, 403, 403, 403),
    ("POST",   T + "/commitments", "foreign"):        (201, 404, 201, 403, 404, 403, 404, 404),
    ("GET",    T + "/attachments", "own"):            (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    T + "/attachments", "foreign"):        (200, 404, 200, 200, 404, 200, 404, 404),
    ("POST",   T + "/attachments", "own"):            (201, 201, 201, 403, 201, 403, 201, 201),
    ("POST",   T + "/attachments", "foreign"):        (201, 404, 201, 403, 404, 403, 404, 404),
    ("GET",    T + "/audit", "own"):                  (200, 200, 200, 200, 200, 200, 403, 403),
    ("GET",    T + "/audit", "foreign"):              (200, 404, 200, 200, 404, 200, 404, 404),
    ("PATCH",  "/api/v1/interactions/{interaction_id}", "own"):
                                                      (200, 200, 200, 403, 200, 403, 403, 403),
    ("PATCH",  "/api/v1/interactions/{interaction_id}", "foreign"):
                                                      (200, 404, 200, 403, 404, 403, 404, 404),
    ("POST",   "/api/v1/commitments/{commitment_id}/keep", "own"):
                                                      (200, 200, 200, 403, 200, 403, 403, 403),
    ("POST",   "/api/v1/commitments/{commitment_id}/keep", "foreign"):
                                                      (200, 404, 200, 403, 404, 403, 404, 404),
    ("POST",   "/api/v1/commitments/{commitment_id}/miss", "own"):
                                                      (200, 200, 200, 403, 200, 403, 403, 403),
    ("POST",   "/api/v1/commitments/{commitment_id}/miss", "foreign"):
                                                      (200, 404, 200, 403, 404, 403, 404, 404),
    ("POST",   "/api/v1/commitments/{commitment_id}/renegotiate", "own"):
                                                      (201, 201, 201, 403, 201, 403, 403, 403),
    ("POST",   "/api/v1/commitments/{commitment_id}/renegotiate", "foreign"):
                                                      (201, 404, 201, 403, 404, 403, 404, 404),
    # a public attachment (internal ones: INTERNAL_DOWNLOADS below)
    ("GET",    "/api/v1/attachments/{attachment_id}", "own"):
                                                      (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/attachments/{attachment_id}", "foreign"):
                                                      (200, 404, 200, 200, 404, 200, 404, 404),
    # customers: "own" is the customer user's record, "foreign" another customer's
    ("GET",    "/api/v1/customers", "-"):             (200, 200, 200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/customers", "-"):             (201, 201, 201, 403, 201, 403, 403, 403),
    ("GET",    "/api/v1/customers/{customer_id}", "own"):
                                                      (200, 200, 200, 200, 200, 200, 200, 404),
    ("GET",    "/api/v1/customers/{customer_id}", "foreign"):
                                                      (200, 200, 200, 200, 200, 200, 404, 404),
    ("PATCH",  "/api/v1/customers/{customer_id}", "own"):
                                                      (200, 200, 200, 403, 200, 403, 403, 404),
    ("PATCH",  "/api/v1/customers/{customer_id}", "foreign"):
                                                      (200, 200, 200, 403, 200, 403, 404, 404),
    ("POST",   "/api/v1/customers/{customer_id}/contacts", "own"):
                                                      (201, 201, 201, 403, 201, 403, 403, 404),
    ("POST",   "/api/v1/customers/{customer_id}/contacts", "foreign"):
                                                      (201, 201, 201, 403, 201, 403, 404, 404),
    ("DELETE", "/api/v1/customers/{customer_id}/contacts/{contact_id}", "own"):
                                                      (204, 204, 204, 403, 204, 403, 403, 404),
    ("DELETE", "/api/v1/customers/{customer_id}/contacts/{contact_id}", "foreign"):
                                                      (204, 204, 204, 403, 204, 403, 404, 404),
    ("POST",   "/api/v1/customers/{customer_id}/contacts/{contact_id}/confirm", "own"):
                                                      (200, 200, 200, 403, 200, 403, 403, 404),
    ("POST",   "/api/v1/customers/{customer_id}/contacts/{contact_id}/confirm", "foreign"):
                                                      (200, 200, 200, 403, 200, 403, 404, 404),
    # configuration
    ("GET",    "/api/v1/categories", "-"):            (200, 200, 200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/categories", "-"):            (201, 403, 403, 403, 403, 403, 403, 403),
    ("PATCH",  "/api/v1/categories/{code}", "-"):     (200, 403, 403, 403, 403, 403, 403, 403),
    ("GET",    "/api/v1/teams", "-"):                 (200, 200, 200, 200, 200, 200, 403, 403),
    ("POST",   "/api/v1/teams", "-"):                 (201, 403, 403, 403, 403, 403, 403, 403),
    ("PATCH",  "/api/v1/teams/{code}", "-"):          (200, 403, 403, 403, 403, 403, 403, 403),
    ("POST",   "/api/v1/teams/{code}/members", "-"):  (201, 403, 403, 403, 403, 403, 403, 403),
    ("DELETE", "/api/v1/teams/{code}/members/{user_id}", "-"):
                                                      (200, 403, 403, 403, 403, 403, 403, 403),
    ("GET",    "/api/v1/custom-fields", "-"):         (200, 200, 200, 200, 200, 200, 200, 200),
    # oneself
    ("GET",    "/api/v1/me", "-"):                    (200, 200, 200, 200, 200, 200, 200, 200),
    ("PATCH",  "/api/v1/me", "-"):                    (200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",    "/api/v1/tokens", "-"):                (200, 200, 200, 200, 200, 200, 200, 200),
    ("POST",   "/api/v1/tokens", "-"):                (201, 201, 201, 201, 201, 201, 201, 201),
    ("DELETE", "/api/v1/tokens/{token_id}", "own"):   (200, 200, 200, 200, 200, 200, 200, 200),
    ("DELETE", "/api/v1/tokens/{token_id}", "foreign"):
                                                      (404, 404, 404, 404, 404, 404, 404, 404),
    # the whole audit trail
    ("GET",    "/api/v1/audit", "-"):                 (200, 403, 403, 403, 403, 403, 403, 403),
    # one's own notifications (the bell): staff only; "foreign" is somebody else's
    ("GET",    "/api/v1/notifications", "-"):         (200, 200, 200, 200, 200, 200, 403, 403),
    ("POST",   "/api/v1/notifications/read-all", "-"):
                                                      (200, 200, 200, 200, 200, 200, 403, 403),
    ("POST",   "/api/v1/notifications/{notification_id}/read", "own"):
                                                      (200, 200, 200, 200, 200, 200, 403, 403),
    ("POST",   "/api/v1/notifications/{notification_id}/read", "foreign"):
                                                      (404, 404, 404, 404, 404, 404, 403, 403),
}

# The operations under these prefixes have a table of their own next to their app, with a
# test that it covers every operation of its prefix (and one that anonymous calls get 401).
OWN_TABLES: dict[str, str] = {
    "/api/v1/analytics": "serviceloop/analytics/tests/test_api.py",
    "/api/v1/feedback": "serviceloop/feedback/tests/test_api.py",
    "/api/v1/staff-surveys": "serviceloop/feedback/tests/test_api.py",
    "/api/v1/surveys": "serviceloop/satisfaction/tests/test_api_matrix.py",
    "/api/v1/follow-ups": "serviceloop/satisfaction/tests/test_api_matrix.py",
    "/api/v1/improvement": "serviceloop/improvement/tests/test_api.py",
}

# Without credentials: 401 everywhere but the API's own description.
ANONYMOUS: dict[tuple[str, str], int] = {
    ("GET",    "/api/v1/openapi.json"): 200,
    ("GET",    "/api/v1/docs"): 200,
    ("GET",    "/api/v1/tickets"): 401,
    ("POST",   "/api/v1/tickets"): 401,
    ("POST",   "/api/v1/tickets/batch"): 401,
    ("GET",    T): 401,
    ("PATCH",  T): 401,
    ("POST",   T + "/transition"): 401,
    ("POST",   T + "/assign"): 401,
    ("POST",   T + "/transfer"): 401,
    ("POST",   T + "/urgency"): 401,
    ("POST",   T + "/merge"): 401,
    ("GET",    T + "/interactions"): 401,
    ("POST",   T + "/interactions"): 401,
    ("GET",    T + "/commitments"): 401,
    ("POST",   T + "/commitments"): 401,
    ("GET",    T + "/attachments"): 401,
    ("POST",   T + "/attachments"): 401,
    ("GET",    T + "/audit"): 401,
    ("PATCH",  "/api/v1/interactions/{interaction_id}"): 401,
    ("POST",   "/api/v1/commitments/{commitment_id}/keep"): 401,
    ("POST",   "/api/v1/commitments/{commitment_id}/miss"): 401,
    ("POST",   "/api/v1/commitments/{commitment_id}/renegotiate"): 401,
    ("GET",    "/api/v1/attachments/{attachment_id}"): 401,
    ("GET",    "/api/v1/customers"): 401,
    ("POST",   "/api/v1/customers"): 401,
    ("GET",    "/api/v1/customers/{customer_id}"): 401,
    ("PATCH",  "/api/v1/customers/{customer_id}"): 401,
    ("POST",   "/api/v1/customers/{customer_id}/contacts"): 401,
    ("DELETE", "/api/v1/customers/{customer_id}/contacts/{contact_id}"): 401,
    ("POST",   "/api/v1/customers/{customer_id}/contacts/{contact_id}/confirm"): 401,
    ("GET",    "/api/v1/categories"): 401,
    ("POST",   "/api/v1/categories"): 401,
    ("PATCH",  "/api/v1/categories/{code}"): 401,
    ("GET",    "/api/v1/teams"): 401,
    ("POST",   "/api/v1/teams"): 401,
    ("PATCH",  "/api/v1/teams/{code}"): 401,
    ("POST",   "/api/v1/teams/{code}/members"): 401,
    ("DELETE", "/api/v1/teams/{code}/members/{user_id}"): 401,
    ("GET",    "/api/v1/custom-fields"): 401,
    ("GET",    "/api/v1/me"): 401,
    ("PATCH",  "/api/v1/me"): 401,
    ("GET",    "/api/v1/tokens"): 401,
    ("POST",   "/api/v1/tokens"): 401,
    ("DELETE", "/api/v1/tokens/{token_id}"): 401,
    ("GET",    "/api/v1/audit"): 401,
    ("GET",    "/api/v1/notifications"): 401,
    ("POST",   "/api/v1/notifications/read-all"): 401,
    ("POST",   "/api/v1/notifications/{notification_id}/read"): 401,
}

# A customer may only confirm (close) or reopen (with a reason) a resolved ticket.
# (role, ticket status before, body, expected status, field named in the problem)
TRANSITIONS = [
    ("customer", "resolved", {"to": "closed"}, 200, None),
    ("customer", "resolved", {"to": "in_progress", "reason": "It arrived broken"}, 200, None),
    ("customer", "resolved", {"to": "in_progress"}, 422, "reason"),
    ("customer", "resolved", {"to": "waiting_customer"}, 403, None),
    ("customer", "new", {"to": "in_progress"}, 403, None),
    ("customer", "new", {"to": "waiting_customer"}, 403, None),
    ("customer", "new", {"to": "resolved", "resolution": "Found it myself"}, 403, None),
    ("customer", "new", {"to": "closed"}, 403, None),
    ("partner", "resolved", {"to": "closed"}, 403, None),
    ("partner", "new", {"to": "in_progress"}, 403, None),
    ("specialist", "new", {"to": "in_progress"}, 403, None),
    ("analyst", "resolved", {"to": "closed"}, 403, None),
    ("agent", "new", {"to": "in_progress"}, 200, None),
    ("supervisor", "new", {"to": "waiting_customer"}, 200, None),
    ("agent", "resolved", {"to": "in_progress", "reason": "The customer called again"}, 200, None),
]

# Internal files: "internal" is flagged internal, "note" hangs on an internal note.
#                                                  admin sup  mgr  spec agent anal cust part
INTERNAL_DOWNLOADS: dict[str, tuple[int, ...]] = {
    "internal":                                   (200, 200, 200, 200, 200, 200, 404, 404),
    "note":                                       (200, 200, 200, 200, 200, 200, 404, 404),
}

# Which of the two tickets each role finds in GET /tickets.
LISTED: dict[str, set[str]] = {
    "admin": {"own", "foreign"},
    "supervisor": {"own"},
    "manager": {"own", "foreign"},
    "specialist": {"own", "foreign"},
    "agent": {"own"},
    "analyst": {"own", "foreign"},
    "customer": {"own"},
    "partner": {"own"},
}
# fmt: on


# --- the requests ------------------------------------------------------------------------


def _ticket_body(role: str, text: str = "The parcel of order SF4096 has not arrived") -> dict:
    body: dict[str, Any] = {"description": text, "kind": "complaint", "order_ref": "SF4096"}
    if role != Role.CUSTOMER:  # customers submit for themselves
        body["customer"] = {"email": "li.lei@example.com", "name": "Li Lei"}
    if role not in (Role.CUSTOMER, Role.PARTNER):
        body["channel"] = "phone"
        body["category"] = "delivery"
    return body


def _ticket_path(world: World, scope: str, rest: str = "") -> str:
    return f"/api/v1/tickets/{world.ticket(scope).number}{rest}"


Builder = Callable[[World, str, str], Call]


def _b(method: str, path: str) -> Callable[[Builder], Builder]:
    def register(function: Builder) -> Builder:
        BUILDERS[(method, path)] = function
        return function

    return register


BUILDERS: dict[tuple[str, str], Builder] = {}


@_b("GET", "/api/v1/tickets")
def _list_tickets(world: World, role: str, scope: str) -> Call:
    world.own_ticket, world.foreign_ticket  # noqa: B018
    return Call("GET", "/api/v1/tickets")


@_b("POST", "/api/v1/tickets")
def _create_ticket(world: World, role: str, scope: str) -> Call:
    return Call("POST", "/api/v1/tickets", _ticket_body(role))


@_b("POST", "/api/v1/tickets/batch")
def _create_batch(world: World, role: str, scope: str) -> Call:
    return Call("POST", "/api/v1/tickets/batch", {"items": [_ticket_body(role)]})


@_b("GET", T)
def _get_ticket(world: World, role: str, scope: str) -> Call:
    return Call("GET", _ticket_path(world, scope))


@_b("PATCH", T)
def _update_ticket(world: World, role: str, scope: str) -> Call:
    body = {"subject": "Parcel SF1024 lost", "kind": "complaint"}
    return Call("PATCH", _ticket_path(world, scope), body)


@_b("POST", T + "/transition")
def _transition(world: World, role: str, scope: str) -> Call:
    world.resolved(scope)
    return Call("POST", _ticket_path(world, scope, "/transition"), {"to": "closed"})


@_b("POST", T + "/assign")
def _assign(world: World, role: str, scope: str) -> Call:
    # a manager may own any team's ticket: the same body is valid for both tickets
    body = {"assignee": world.user(Role.MANAGER).pk}
    return Call("POST", _ticket_path(world, scope, "/assign"), body)


@_b("POST", T + "/transfer")
def _transfer(world: World, role: str, scope: str) -> Call:
    body = {"team": world.returns.code, "reason": "Returns handles lost parcels"}
    return Call("POST", _ticket_path(world, scope, "/transfer"), body)


@_b("POST", T + "/urgency")
def _urgency(world: World, role: str, scope: str) -> Call:
    body = {"urgency": "high", "reason": "Third call today"}
    return Call("POST", _ticket_path(world, scope, "/urgency"), body)


@_b("POST", T + "/merge")
def _merge(world: World, role: str, scope: str) -> Call:
    body = {"into": world.twin(scope).number, "note": "Same parcel"}
    return Call("POST", _ticket_path(world, scope, "/merge"), body)


@_b("GET", T + "/interactions")
def _list_interactions(world: World, role: str, scope: str) -> Call:
    world.interaction(scope)
    return Call("GET", _ticket_path(world, scope, "/interactions"))


@_b("POST", T + "/interactions")
def _add_interaction(world: World, role: str, scope: str) -> Call:
    body = {"content": "Any news about my parcel?"}
    return Call("POST", _ticket_path(world, scope, "/interactions"), body)


@_b("GET", T + "/commitments")
def _list_commitments(world: World, role: str, scope: str) -> Call:
    world.commitment(scope)
    return Call("GET", _ticket_path(world, scope, "/commitments"))


@_b("POST", T + "/commitments")
def _add_commitment(world: World, role: str, scope: str) -> Call:
    body = {"text": "We call you back before 10:00 tomorrow", "due_at": in_a_day()}
    return Call("POST", _ticket_path(world, scope, "/commitments"), body)


@_b("GET", T + "/attachments")
def _list_attachments(world: World, role: str, scope: str) -> Call:
    world.attachment(scope)
    return Call("GET", _ticket_path(world, scope, "/attachments"))


@_b("POST", T + "/attachments")
def _add_attachment(world: World, role: str, scope: str) -> Call:
    return Call("POST", _ticket_path(world, scope, "/attachments"), form={"file": text_file()})


@_b("GET", T + "/audit")
def _ticket_audit(world: World, role: str, scope: str) -> Call:
    return Call("GET", _ticket_path(world, scope, "/audit"))


@_b("PATCH", "/api/v1/interactions/{interaction_id}")
def _edit_interaction(world: World, role: str, scope: str) -> Call:
    interaction = world.interaction(scope)  # by the agent on support's ticket
    body = {"content": "Called the customer at 10:05: the parcel is at the depot"}
    return Call("PATCH", f"/api/v1/interactions/{interaction.pk}", body)


@_b("POST", "/api/v1/commitments/{commitment_id}/keep")
def _keep(world: World, role: str, scope: str) -> Call:
    return Call("POST", f"/api/v1/commitments/{world.commitment(scope).pk}/keep")


@_b("POST", "/api/v1/commitments/{commitment_id}/miss")
def _miss(world: World, role: str, scope: str) -> Call:
    return Call("POST", f"/api/v1/commitments/{world.commitment(scope).pk}/miss")


@_b("POST", "/api/v1/commitments/{commitment_id}/renegotiate")
def _renegotiate(world: World, role: str, scope: str) -> Call:
    body = {"due_at": in_a_day(), "reason": "The courier is delayed by snow"}
    return Call("POST", f"/api/v1/commitments/{world.commitment(scope).pk}/renegotiate", body)


@_b("GET", "/api/v1/attachments/{attachment_id}")
def _download(world: World, role: str, scope: str) -> Call:
    return Call("GET", f"/api/v1/attachments/{world.attachment(scope).pk}")


@_b("GET", "/api/v1/customers")
def _list_customers(world: World, role: str, scope: str) -> Call:
    world.own_customer, world.foreign_customer  # noqa: B018
    return Call("GET", "/api/v1/customers")


@_b("POST", "/api/v1/customers")
def _create_customer(world: World, role: str, scope: str) -> Call:
    body = {"name": "Li Lei", "email": "li.lei@example.com", "phone": "+8613800138000"}
    return Call("POST", "/api/v1/customers", body)


@_b("GET", "/api/v1/customers/{customer_id}")
def _get_customer(world: World, role: str, scope: str) -> Call:
    return Call("GET", f"/api/v1/customers/{world.customer_record(scope).pk}")


@_b("PATCH", "/api/v1/customers/{customer_id}")
def _update_customer(world: World, role: str, scope: str) -> Call:
    body = {"notes": "Prefers phone calls after 18:00"}
    return Call("PATCH", f"/api/v1/customers/{world.customer_record(scope).pk}", body)


@_b("POST", "/api/v1/customers/{customer_id}/contacts")
def _add_contact(world: World, role: str, scope: str) -> Call:
    body = {"kind": "phone", "value": "+8613900139000"}
    return Call("POST", f"/api/v1/customers/{world.customer_record(scope).pk}/contacts", body)


@_b("DELETE", "/api/v1/customers/{customer_id}/contacts/{contact_id}")
def _remove_contact(world: World, role: str, scope: str) -> Call:
    customer = world.customer_record(scope)
    contact = customer.contacts.get()
    return Call("DELETE", f"/api/v1/customers/{customer.pk}/contacts/{contact.pk}")


@_b("POST", "/api/v1/customers/{customer_id}/contacts/{contact_id}/confirm")
def _confirm_contact(world: World, role: str, scope: str) -> Call:
    customer = world.customer_record(scope)
    contact = customer.contacts.create(kind="phone", value="+8613900139001")  # unverified
    return Call(
        "POST",
        f"/api/v1/customers/{customer.pk}/contacts/{contact.pk}/confirm",
        {"reason": "checked on the phone"},
    )


@_b("GET", "/api/v1/categories")
def _list_categories(world: World, role: str, scope: str) -> Call:
    return Call("GET", "/api/v1/categories")


@_b("POST", "/api/v1/categories")
def _create_category(world: World, role: str, scope: str) -> Call:
    body = {"code": "refunds", "name_en": "Refunds", "name_zh": "退款", "team": "billing"}
    return Call("POST", "/api/v1/categories", body)


@_b("PATCH", "/api/v1/categories/{code}")
def _update_category(world: World, role: str, scope: str) -> Call:
    return Call("PATCH", "/api/v1/categories/delivery", {"name_en": "Delivery problems"})


@_b("GET", "/api/v1/teams")
def _list_teams(world: World, role: str, scope: str) -> Call:
    return Call("GET", "/api/v1/teams")


@_b("POST", "/api/v1/teams")
def _create_team(world: World, role: str, scope: str) -> Call:
    body = {"code": "vip-care", "name_en": "VIP care", "name_zh": "贵宾服务"}
    return Call("POST", "/api/v1/teams", body)


@_b("PATCH", "/api/v1/teams/{code}")
def _update_team(world: World, role: str, scope: str) -> Call:
    return Call("PATCH", "/api/v1/teams/support", {"name_en": "Customer support"})


@_b("POST", "/api/v1/teams/{code}/members")
def _add_member(world: World, role: str, scope: str) -> Call:
    return Call("POST", "/api/v1/teams/support/members", {"user": world.newcomer.pk})


@_b("DELETE", "/api/v1/teams/{code}/members/{user_id}")
def _remove_member(world: World, role: str, scope: str) -> Call:
    return Call("DELETE", f"/api/v1/teams/support/members/{world.member.pk}")


@_b("GET", "/api/v1/custom-fields")
def _list_custom_fields(world: World, role: str, scope: str) -> Call:
    return Call("GET", "/api/v1/custom-fields")


@_b("GET", "/api/v1/me")
def _me(world: World, role: str, scope: str) -> Call:
    return Call("GET", "/api/v1/me")


@_b("PATCH", "/api/v1/me")
def _update_me(world: World, role: str, scope: str) -> Call:
    return Call("PATCH", "/api/v1/me", {"time_zone": "Asia/Shanghai"})


@_b("GET", "/api/v1/tokens")
def _list_tokens(world: World, role: str, scope: str) -> Call:
    return Call("GET", "/api/v1/tokens")


@_b("POST", "/api/v1/tokens")
def _create_token(world: World, role: str, scope: str) -> Call:
    return Call("POST", "/api/v1/tokens", {"name": "Nightly export"})


@_b("DELETE", "/api/v1/tokens/{token_id}")
def _revoke_token(world: World, role: str, scope: str) -> Call:
    return Call("DELETE", f"/api/v1/tokens/{world.token(scope, role).pk}")


@_b("GET", "/api/v1/audit")
def _audit(world: World, role: str, scope: str) -> Call:
    return Call("GET", "/api/v1/audit")


@_b("GET", "/api/v1/notifications")
def _list_notifications(world: World, role: str, scope: str) -> Call:
    world.notification("own", role), world.notification("foreign", role)
    return Call("GET", "/api/v1/notifications")


@_b("POST", "/api/v1/notifications/read-all")
def _read_all_notifications(world: World, role: str, scope: str) -> Call:
    world.notification("own", role), world.notification("foreign", role)
    return Call("POST", "/api/v1/notifications/read-all")


@_b("POST", "/api/v1/notifications/{notification_id}/read")
def _read_notification(world: World, role: str, scope: str) -> Call:
    return Call("POST", f"/api/v1/notifications/{world.notification(scope, role).pk}/read")


# --- helpers -----------------------------------------------------------------------------


def _cases() -> list[Any]:
    return [
        pytest.param(method, path, scope, role, statuses[i], id=f"{method} {path} {scope} {role}")
        for (method, path, scope), statuses in MATRIX.items()
        for i, role in enumerate(ROLES)
    ]


def _concrete(path: str) -> str:
    """A path template with made-up values (for requests that never reach the object)."""
    values = {
        "{number}": "CS-20260101-000001",
        "{interaction_id}": "1",
        "{commitment_id}": "1",
        "{attachment_id}": "1",
        "{customer_id}": "1",
        "{contact_id}": "1",
        "{code}": "support",
        "{user_id}": "1",
        "{token_id}": "1",
        "{notification_id}": "1",
    }
    for name, value in values.items():
        path = path.replace(name, value)
    return path


def _assert_refused_cleanly(response: Any, expected: int, before: dict[str, Any]) -> None:
    assert response["Content-Type"] == PROBLEM, response.content
    problem = response.json()
    assert problem["status"] == expected
    assert problem["title"]
    assert stored_state() == before, "a refused request changed something"


# --- the matrix --------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "scope", "role", "expected"), _cases())
def test_it_answers_every_role_as_the_table_says(
    world: World, method: str, path: str, scope: str, role: str, expected: int
) -> None:
    # given
    call = BUILDERS[(method, path)](world, role, scope)
    api = world.api(role)
    before = stored_state()

    # when
    response = send(api, call)

    # then
    assert response.status_code == expected, (
        f"{method} {call.path} as {role}: expected {expected}, got {response.status_code}: "
        f"{response.content[:500]!r}"
    )
    if expected >= 400:
        _assert_refused_cleanly(response, expected, before)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [pytest.param(m, p, s, id=f"{m} {p}") for (m, p), s in ANONYMOUS.items()],
)
def test_it_asks_anonymous_callers_to_authenticate(
    world: World, method: str, path: str, expected: int
) -> None:
    # given
    api = world.api(None)
    body = {"description": "Hello"} if method in ("POST", "PATCH") else None
    before = stored_state()

    # when
    response = send(api, Call(method, _concrete(path), body))

    # then
    assert response.status_code == expected, response.content[:500]
    if expected == 401:
        _assert_refused_cleanly(response, 401, before)
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_an_unknown_or_revoked_token_and_a_deactivated_user(world: World) -> None:
    # given
    world.own_ticket  # noqa: B018
    revoked = Api(world.user(Role.AGENT))
    token = world.user(Role.AGENT).tokens.get(name="tests")
    token.revoked_at = token.created_at
    token.save(update_fields=["revoked_at"])
    forged = Api(None)
    forged.headers["Authorization"] = "Bearer sl_not-a-real-token-at-all"
    departed = Api(world.user(Role.SUPERVISOR))
    world.user(Role.SUPERVISOR).is_active = False
    world.user(Role.SUPERVISOR).save(update_fields=["is_active"])

    # when
    responses = [api.get("/api/v1/tickets") for api in (revoked, forged, departed)]

    # then
    assert [r.status_code for r in responses] == [401, 401, 401]
    assert all(r["Content-Type"] == PROBLEM for r in responses)


def test_it_covers_every_operation_of_the_openapi_document(world: World) -> None:
    # given
    response = world.api(None).get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()

    # when
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete", "head", "options")
        and not path.startswith(tuple(OWN_TABLES))
    }

    # then
    in_matrix = {(method, path) for method, path, _scope in MATRIX}
    assert operations - in_matrix == set(), "operations without permission rows in MATRIX"
    assert operations - set(ANONYMOUS) == set(), "operations without a row in ANONYMOUS"
    assert in_matrix - operations == set(), "MATRIX rows for operations that no longer exist"
    assert set(BUILDERS) == in_matrix, "every operation needs a request builder"


# --- rules the matrix cannot show in one cell --------------------------------------------


@pytest.mark.parametrize(
    ("role", "status_before", "body", "expected", "field"),
    [pytest.param(*case, id=f"{case[0]} {case[1]}->{case[2]['to']}") for case in TRANSITIONS],
)
def test_it_lets_a_customer_only_confirm_or_reopen_a_resolved_ticket(
    world: World, role: str, status_before: str, body: dict, expected: int, field: str | None
) -> None:
    # given
    ticket = world.resolved("own") if status_before == "resolved" else world.own_ticket
    api = world.api(role)
    before = stored_state()

    # when
    response = api.post(f"/api/v1/tickets/{ticket.number}/transition", body)

    # then
    assert response.status_code == expected, response.content[:500]
    if expected == 200:
        assert response.json()["status"] == body["to"]
    else:
        _assert_refused_cleanly(response, expected, before)
    if field:
        assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize("kind", list(INTERNAL_DOWNLOADS))
@pytest.mark.parametrize("role", ROLES)
def test_it_hides_internal_files_from_customers_and_partners(
    world: World, role: str, kind: str
) -> None:
    # given
    attachment = world.attachment("own", kind)
    expected = INTERNAL_DOWNLOADS[kind][ROLES.index(role)]

    # when
    download = world.api(role).get(f"/api/v1/attachments/{attachment.pk}")
    listing = world.api(role).get(f"/api/v1/tickets/{world.own_ticket.number}/attachments")

    # then
    assert download.status_code == expected, download.content[:300]
    listed = {item["id"] for item in listing.json()}
    assert (attachment.pk in listed) == (expected == 200)


@pytest.mark.parametrize("role", ROLES)
def test_it_hides_internal_notes_from_customers_and_partners(world: World, role: str) -> None:
    # given
    note = world.interaction("own", internal=True)
    public = world.interaction("own")
    staff = role not in ("customer", "partner")

    api = world.api(role)
    before = stored_state()

    # when
    listing = api.get(f"/api/v1/tickets/{world.own_ticket.number}/interactions")
    edit = api.patch(f"/api/v1/interactions/{note.pk}", {"content": "Changed"})

    # then
    ids = {item["id"] for item in listing.json()}
    assert public.pk in ids
    assert (note.pk in ids) == staff
    if not staff:
        assert edit.status_code == 404, edit.content[:300]
        _assert_refused_cleanly(edit, 404, before)


@pytest.mark.parametrize("role", ["customer", "partner"])
@pytest.mark.parametrize("what", ["interaction", "attachment"])
def test_it_lets_customers_and_partners_add_only_public_entries(
    world: World, role: str, what: str
) -> None:
    # given
    ticket = world.own_ticket
    api = world.api(role)
    before = stored_state()

    # when
    if what == "interaction":
        body = {"content": "Please call me", "is_internal": True}
        response = api.post(f"/api/v1/tickets/{ticket.number}/interactions", body)
    else:
        form = {"file": text_file(), "is_internal": "true"}
        response = send(
            api, Call("POST", f"/api/v1/tickets/{ticket.number}/attachments", form=form)
        )

    # then
    assert response.status_code == 422, response.content[:300]
    assert "is_internal" in {error["field"] for error in response.json()["errors"]}
    _assert_refused_cleanly(response, 422, before)


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_exactly_the_tickets_in_scope(world: World, role: str) -> None:
    # given
    numbers = {"own": world.own_ticket.number, "foreign": world.foreign_ticket.number}

    # when
    response = world.api(role).get("/api/v1/tickets")

    # then
    assert response.status_code == 200
    listed = {item["number"] for item in response.json()["items"]}
    assert listed == {numbers[scope] for scope in LISTED[role]}


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_customers_to_staff_only_and_a_customer_their_own_record(
    world: World, role: str
) -> None:
    # given
    own, foreign = world.own_customer, world.foreign_customer

    # when
    response = world.api(role).get("/api/v1/customers")

    # then
    ids = {item["id"] for item in response.json()["items"]}
    if role == "customer":
        assert ids == {own.pk}
    elif role == "partner":
        assert ids == set()
    else:
        assert {own.pk, foreign.pk} <= ids


def test_it_shows_a_ticket_to_its_team_and_not_to_other_teams(world: World) -> None:
    # given: owner (the agent of support), teammate (support), outsiders (billing)
    ticket = world.own_ticket
    teammate = make_user(Role.AGENT, username="teammate", teams=[world.support])
    outsider = make_user(Role.AGENT, username="outsider", teams=[world.billing])
    outside_supervisor = make_user(Role.SUPERVISOR, username="boss", teams=[world.billing])
    path = f"/api/v1/tickets/{ticket.number}"

    # when
    statuses = {
        name: Api(user).get(path).status_code
        for name, user in [
            ("owner", world.user(Role.AGENT)),
            ("teammate", teammate),
            ("outsider", outsider),
            ("outside supervisor", outside_supervisor),
        ]
    }

    # then
    assert statuses == {"owner": 200, "teammate": 200, "outsider": 404, "outside supervisor": 404}


def test_it_shows_an_organisations_tickets_to_its_members_only_when_it_shares(
    world: World,
) -> None:
    # given
    sharing = Organisation.objects.create(name="Acme Trading", shares_tickets=True)
    private = Organisation.objects.create(name="Quiet Ltd", shares_tickets=False)
    owner = make_user(Role.CUSTOMER, username="li-lei", organisation=sharing)
    colleague = make_user(Role.CUSTOMER, username="han-meimei", organisation=sharing)
    private_owner = make_user(Role.CUSTOMER, username="wang-fang", organisation=private)
    private_colleague = make_user(Role.CUSTOMER, username="zhao-lei", organisation=private)
    outsider = make_user(Role.CUSTOMER, username="lone-buyer")
    shared = make_ticket(owner, description="Our order ACME-7 came incomplete")
    kept = make_ticket(private_owner, description="My order Q-9 came late")

    # when
    def status(user: Any, ticket: Any) -> int:
        return Api(user).get(f"/api/v1/tickets/{ticket.number}").status_code

    # then
    assert status(owner, shared) == 200
    assert status(colleague, shared) == 200
    assert status(outsider, shared) == 404
    assert status(private_owner, kept) == 200
    assert status(private_colleague, kept) == 404
    assert status(colleague, kept) == 404


def test_it_shows_a_partner_what_its_organisation_submitted_and_nothing_else(
    world: World,
) -> None:
    # given
    partner = world.user(Role.PARTNER)
    colleague = make_user(
        Role.PARTNER, username="partner-colleague", organisation=partner.organisation
    )
    other_partner = make_user(Role.PARTNER, username="other-partner")
    submitted = world.own_ticket
    # the same customer's ticket that came in another way
    by_agent = make_ticket(
        world.user(Role.AGENT),
        description="Customer called about a refund",
        customer=CustomerIdentity(email="customer@example.com"),
    )

    # when
    def status(user: Any, ticket: Any) -> int:
        return Api(user).get(f"/api/v1/tickets/{ticket.number}").status_code

    # then
    assert status(partner, submitted) == 200
    assert status(colleague, submitted) == 200
    assert status(other_partner, submitted) == 404
    assert status(partner, by_agent) == 404


def test_it_lets_an_agent_edit_only_their_own_entries(world: World) -> None:
    # given: an interaction the agent recorded
    interaction = world.interaction("own")
    teammate = make_user(Role.AGENT, username="teammate", teams=[world.support])
    outsider = make_user(Role.AGENT, username="outsider", teams=[world.billing])
    path = f"/api/v1/interactions/{interaction.pk}"
    body = {"content": "Called at 10:05 instead"}

    # when
    by_outsider = Api(outsider).patch(path, body)
    by_teammate = Api(teammate).patch(path, body)
    content_after_refusals = Interaction.objects.get(pk=interaction.pk).content
    by_owner = world.api(Role.AGENT).patch(path, body)

    # then
    assert by_outsider.status_code == 404
    assert by_teammate.status_code == 403
    assert content_after_refusals == "We called the courier: your parcel is at the depot"
    assert by_owner.status_code == 200
    assert by_owner.json()["content"] == "Called at 10:05 instead"


def test_it_lets_a_customer_see_only_their_own_customer_record(world: World) -> None:
    # given
    own, other = world.own_customer, make_customer("Someone Else")
    api = world.api(Role.CUSTOMER)

    # when
    mine = api.get(f"/api/v1/customers/{own.pk}")
    theirs = api.get(f"/api/v1/customers/{other.pk}")
    missing = api.get("/api/v1/customers/999999")

    # then
    assert (mine.status_code, theirs.status_code, missing.status_code) == (200, 404, 404)
    assert theirs.json()["detail"] == missing.json()["detail"]  # existence is not confirmed
