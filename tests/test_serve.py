"""`serviceloop serve` starts gunicorn with sync workers, or gthread workers when asked for
threads (--threads, WEB_THREADS)."""

import os

import pytest
from django.core.management import call_command


@pytest.fixture
def started(monkeypatch):
    commands: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, command: commands.append(command))
    return commands


def test_it_runs_sync_workers_by_default(started, monkeypatch):
    monkeypatch.delenv("WEB_THREADS", raising=False)
    call_command("serve", "--workers", "3")

    (command,) = started
    assert command[command.index("--workers") + 1] == "3"
    assert "--worker-class" not in command
    assert "--threads" not in command


def test_threads_make_gthread_workers(started, monkeypatch):
    monkeypatch.setenv("WEB_THREADS", "4")
    call_command("serve", "--workers", "2")

    (command,) = started
    assert command[command.index("--worker-class") + 1] == "gthread"
    assert command[command.index("--threads") + 1] == "4"
