"""`serviceloop createtoken USERNAME`: print a new API token (for scripts and partners)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from serviceloop.accounts.models import User
from serviceloop.accounts.services import issue_token


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {options['username']!r}")
        _token, secret = issue_token(user=user, name=options["name"], actor=None)
        self.stdout.write(secret)
