"""/healthz answers while the process runs, without the database; /readyz answers 200 when
the database and the task queue answer, else 503 with Retry-After. Errors that say the
database cannot be reached are told from the others (core.outage.is_outage)."""

import logging

import pytest
from django.db import DatabaseError, connection
from django.test import Client

from serviceloop.core.outage import Backoff, is_outage
from tests.outages import database_down

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def configured_db_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_healthz_answers_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_while_the_database_is_down():
    with database_down():
        response = Client().get("/healthz")

    assert response.status_code == 200


def test_readyz_answers_200_when_the_database_and_the_queue_answer(configured_db_queue):
    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "queue": "ok"}}
    assert not response.has_header("Retry-After")


def test_readyz_answers_503_with_retry_after_while_the_database_is_down(
    configured_db_queue, caplog
):
    with caplog.at_level(logging.WARNING), database_down():
        response = Client().get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unreachable", "queue": "unreachable"},
    }
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "logged as an error"
    assert Client().get("/readyz").status_code == 200, "the next probe reconnects"


def test_readyz_answers_503_when_redis_of_the_queue_is_down(settings):
    from tests.pgcluster import free_port

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{free_port()}/0"}}

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "queue": "unreachable"}


def _error_of(statement: str) -> DatabaseError:
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError as error:
        return error
    raise AssertionError(f"{statement!r} did not fail")


def test_an_unreachable_database_is_an_outage():
    with database_down():
        error = _error_of("SELECT 1")

    assert is_outage(error)


def test_a_wrong_statement_is_no_outage():
    assert not is_outage(_error_of("SELECT * FROM no_such_table"))
    assert not is_outage(ValueError("not a database error"))


@pytest.mark.postgres
def test_a_statement_cancelled_by_its_timeout_is_no_outage():
    """PostgreSQL's statement timeout is an OperationalError too, but no outage: a 500."""
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL: run it with make test-postgres")
    error = _error_of("SET statement_timeout = 1; SELECT pg_sleep(1)")

    assert type(error).__name__ == "OperationalError"
    assert not is_outage(error)


def test_the_backoff_doubles_from_half_a_second_up_to_five():
    backoff = Backoff()

    assert [backoff.next() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    backoff.reset()
    assert backoff.next() == 0.5
