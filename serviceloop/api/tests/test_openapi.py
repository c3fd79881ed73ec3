"""The OpenAPI document is strict JSON that every client can load: no key twice in an
object (Swagger UI's YAML parser refuses the whole document otherwise)."""

import json

from django.test import Client


def test_no_object_of_the_document_repeats_a_key(db):
    body = Client().get("/api/v1/openapi.json").content
    repeated: list[str] = []

    def keep(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _value in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(body, object_pairs_hook=keep)
    assert repeated == []
