import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from serviceloop.analytics import services


class Command(BaseCommand):
    help = "Keep the analytics current: `rebuild` computes every fact and rollup again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "refresh"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        started = time.monotonic()
        rebuild = action == "rebuild"
        count = services.rebuild() if rebuild else services.refresh_stale(limit=10**9)
        seconds = time.monotonic() - started
        self.stdout.write(f"{action}: {count} tickets in {seconds:.1f} s")
