"""`serviceloop demo`: load the bilingual demo company and print its logins."""

import unicodedata
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from serviceloop.demo import company, live, seeder
from serviceloop.settings import env_int, env_str

URLS = (
    ("Sign in (staff and customers)", "/login/"),
    ("Customer portal", "/portal/"),
    ("Check progress without an account", "/portal/track/"),
    ("API documentation", "/api/v1/docs"),
    ("Administration", "/admin/"),
)


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _positive(value: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise ArgumentTypeError(f"expected a whole number of 1 or more, got {value!r}")
    return int(value)


class Command(BaseCommand):
    help = (
        "Load a demo company (teams, categories, staff of every role, customers and a few "
        "thousand Chinese and English tickets replayed over the last days) and print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing but print the logins when the demo is already loaded",
        )
        parser.add_argument("--tickets", type=int, default=3000, help="requests (default 3000)")
        parser.add_argument(
            "--customers", type=_positive, default=300, help="customers (default 300)"
        )
        parser.add_argument(
            "--days", type=_positive, default=90, help="days of history (default 90)"
        )
        parser.add_argument(
            "--seed", type=int, default=42, help="random seed: same seed, same data (default 42)"
        )
        parser.add_argument(
            "--live-ticket",
            action="store_true",
            help="also open a fresh critical ticket whose 10-minute SLA runs out while you watch",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tickets"] < 0:
            raise CommandError("--tickets must be 0 or more")
        if seeder.demo_present():
            if not options["if_empty"]:
                raise CommandError(
                    "The demo is already loaded (its logins exist). Use --if-empty to just "
                    "print them, or start from an empty database."
                )
            self.stdout.write("The demo data is already there; nothing was added.")
        else:
            summary = seeder.seed_demo(
                tickets=options["tickets"],
                customers=options["customers"],
                days=options["days"],
                seed=options["seed"],
                progress=self.stdout.write,
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {summary.tickets} tickets, {summary.interactions} interactions, "
                    f"{summary.commitments} commitments and {summary.customers} customers "
                    f"in {summary.seconds:.1f} s."
                )
            )
        self._print_logins()
        if options["live_ticket"]:
            self._open_live_ticket()

    def _open_live_ticket(self) -> None:
        ticket = live.open_live_ticket()
        base = f"http://{env_str('HOST', '127.0.0.1')}:{env_int('PORT', 8000, minimum=1)}"
        self.stdout.write("")
        self.stdout.write(
            f"Live SLA demo: ticket {ticket.number} (critical, first response due in 10 "
            f"minutes) is assigned to {live.ASSIGNEE}. Sign in as {live.ASSIGNEE} or supervisor "
            f"and watch it count down, turn amber, red and escalate: "
            f"{base}/desk/tickets/{ticket.number}/"
        )

    def _print_logins(self) -> None:
        rows = [("username", "role", "team", "password")]
        rows += [
            (login.username, login.role, login.team or "-", login.password)
            for login in seeder.demo_logins()
        ]
        widths = [max(_width(row[column]) for row in rows) for column in range(3)]
        self.stdout.write("")
        self.stdout.write(f"Demo logins (every password is {company.DEMO_PASSWORD}):")
        for number, row in enumerate(rows):
            cells = [_pad(cell, width) for cell, width in zip(row, widths, strict=False)]
            line = "  " + "  ".join([*cells, row[3]])
            self.stdout.write(self.style.MIGRATE_HEADING(line) if number == 0 else line)
        self.stdout.write("")
        # where `serviceloop serve` will listen (make run passes the same HOST and PORT)
        base = f"http://{env_str('HOST', '127.0.0.1')}:{env_int('PORT', 8000, minimum=1)}"
        for label, path in URLS:
            self.stdout.write(f"{label}: {base}{path}")
