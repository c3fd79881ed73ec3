"""POST /api/v1/tickets/batch: up to 1,000 tickets in one request, one result per item, in
order; per-item idempotency keys and the duplicate guard work as for single tickets."""

from serviceloop.tickets.models import IdempotencyKey, Ticket


def item(n, **fields):
    return {
        "description": f"Parcel {n} has not arrived",
        "customer": {"email": f"buyer{n % 50}@example.com"},
        **fields,
    }


def test_it_creates_a_thousand_tickets_in_one_request(partner_api, partner):
    # given a partner pushing a day's worth of requests
    items = [item(n, order_ref=f"SF{n:05d}") for n in range(1000)]
    # when it sends them in one batch
    response = partner_api.post("tickets/batch", {"items": items})
    # then every one is created, each with its own number
    assert response.status_code == 207, response.content[:2000]
    result = response.json()
    assert (result["created"], result["duplicates"], result["failed"]) == (1000, 0, 0)
    assert [r["index"] for r in result["results"]] == list(range(1000))
    assert {r["outcome"] for r in result["results"]} == {"created"}
    assert {r["status"] for r in result["results"]} == {201}
    numbers = [r["number"] for r in result["results"]]
    assert len(set(numbers)) == 1000
    assert Ticket.objects.count() == 1000
    assert set(Ticket.objects.values_list("number", flat=True)) == set(numbers)
    # in the order given
    stored = dict(Ticket.objects.values_list("number", "order_ref"))
    assert [stored[number] for number in numbers] == [f"SF{n:05d}" for n in range(1000)]
    assert set(Ticket.objects.values_list("submitter_organisation", flat=True)) == {
        partner.organisation_id
    }


def test_it_replays_items_sent_again_with_their_idempotency_keys(partner_api):
    # given a batch whose items carry keys
    items = [item(n, idempotency_key=f"partner-run-7-{n}") for n in range(5)]
    first = partner_api.post("tickets/batch", {"items": items})
    assert first.status_code == 207, first.content
    assert first.json()["created"] == 5
    # when the partner sends the batch again (its connection dropped before the answer)
    again = partner_api.post("tickets/batch", {"items": items})
    # then each item is answered with its first ticket and nothing new is stored
    assert again.status_code == 207, again.content
    result = again.json()
    assert (result["created"], result["duplicates"], result["failed"]) == (0, 5, 0)
    assert [r["outcome"] for r in result["results"]] == ["replayed"] * 5
    assert [r["number"] for r in result["results"]] == [
        r["number"] for r in first.json()["results"]
    ]
    assert [r["status"] for r in result["results"]] == [200] * 5
    assert Ticket.objects.count() == 5
    assert IdempotencyKey.objects.count() == 5


def test_it_answers_a_mixed_batch_item_by_item_in_order(partner_api, category):
    # given a ticket sent earlier with a key
    earlier = partner_api.post("tickets/batch", {"items": [item(1, idempotency_key="k-1")]})
    earlier_number = earlier.json()["results"][0]["number"]
    # when a batch mixes new, broken, repeated and retried items
    items = [
        item(2, category="delivery"),  # 0 created
        {"customer": {"email": "buyer@example.com"}},  # 1 no description
        item(2, category="delivery"),  # 2 the same text as item 0: a duplicate
        item(1, idempotency_key="k-1"),  # 3 a retry of the earlier request
        item(3, category="no-such-category"),  # 4 unknown category
        item(4, urgency="whenever"),  # 5 not an urgency
        item(1, description="Other text", idempotency_key="k-1"),  # 6 key reused
        item(5),  # 7 created
    ]
    response = partner_api.post("tickets/batch", {"items": items})
    # then there is one result per item, in order
    assert response.status_code == 207, response.content
    result = response.json()
    results = result["results"]
    assert [r["index"] for r in results] == list(range(8))
    assert [r["outcome"] for r in results] == [
        "created", "error", "duplicate", "replayed", "error", "error", "error", "created",
    ]  # fmt: skip
    assert (result["created"], result["duplicates"], result["failed"]) == (2, 2, 4)
    assert results[2]["number"] == results[0]["number"]
    assert results[3]["number"] == earlier_number
    assert [r["status"] for r in results] == [201, 422, 200, 200, 422, 422, 422, 201]
    fields = [{e["field"] for e in r["errors"]} for r in results]
    assert fields[1] == {"description"}
    assert fields[4] == {"category"}
    assert fields[5] == {"urgency"}
    assert fields[6] == {"idempotency_key"}  # in a batch the key is a field of the item
    assert all(r["detail"] for r in results if r["outcome"] == "error")
    assert all(r["number"] is None for r in results if r["outcome"] == "error")
    # and only the two new tickets were stored, besides the earlier one
    assert Ticket.objects.count() == 3


def test_a_batch_of_refused_items_is_still_answered_item_by_item(partner_api):
    # given a batch none of whose items can become a ticket
    items = [{"customer": {"email": "buyer@example.com"}}, item(1, kind="rant")]
    # when it is sent
    response = partner_api.post("tickets/batch", {"items": items})
    # then the answer is the per-item results (207), not an error for the whole request
    assert response.status_code == 207, response.content
    assert response["Content-Type"].startswith("application/json")
    result = response.json()
    assert (result["created"], result["duplicates"], result["failed"]) == (0, 0, 2)
    assert [r["status"] for r in result["results"]] == [422, 422]
    assert Ticket.objects.count() == 0
