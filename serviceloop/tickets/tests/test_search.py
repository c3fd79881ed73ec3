import pytest
from django.db import connection

from serviceloop.tickets import search, services
from serviceloop.tickets.models import Ticket
from tests.builders import make_ticket


def test_it_indexes_words_and_chinese_character_pairs():
    assert search.document("Parcel LOST", "快递没到") == "parcel lost 快递 递没 没到"
    assert search.document("ＡＢＣ１２３") == "abc123", "full-width folded by NFKC"
    assert search.document("退") == "退"


def test_it_reads_queries_as_prefix_words_and_character_pairs():
    assert search.query_terms("Refun 快递") == [("refun", True), ("快递", False)]
    assert search.query_terms("!!!") == []


def _found(q: str) -> set[str]:
    return {t.subject for t in search.matching(Ticket.objects.all(), q)}


@pytest.fixture
def tickets(agent, category):
    make_ticket(agent, subject="快递一直没有送到", description="订单 A1001 的快递一直没有送到")
    make_ticket(agent, subject="Refund for order", description="I want a refund for my order")
    make_ticket(agent, subject="发票抬头错误", description="invoice title wrong")


def test_it_finds_chinese_words_inside_sentences(tickets):
    assert _found("快递") == {"快递一直没有送到"}
    assert _found("没有送到") == {"快递一直没有送到"}
    assert _found("发票") == {"发票抬头错误"}
    assert _found("送快") == set(), "character pairs must really be adjacent"


def test_it_finds_english_words_by_prefix_and_requires_every_word(tickets):
    assert _found("refun") == {"Refund for order"}
    assert _found("refund order") == {"Refund for order"}
    assert _found("refund invoice") == set()
    assert _found("a1001") == {"快递一直没有送到"}


def test_it_follows_edits(tickets, agent):
    ticket = Ticket.objects.get(subject="Refund for order")
    services.update_ticket_details(
        ticket=ticket, actor=agent, changes={"subject": "Broken screen", "description": "cracked"}
    )
    assert _found("refund") == set()
    assert _found("cracked") == {"Broken screen"}


@pytest.mark.django_db
def test_the_database_index_is_in_place():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_search'")
            assert "gin" in cursor.fetchone()[0]
        else:
            cursor.execute("DROP TRIGGER tickets_ticket_fts_update")
            search.ensure_sqlite_index()
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {row[0] for row in cursor.fetchall()}
            assert {"tickets_ticket_fts_insert", "tickets_ticket_fts_update",
                    "tickets_ticket_fts_delete"} <= names  # fmt: skip
