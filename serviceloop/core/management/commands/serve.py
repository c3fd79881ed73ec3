"""`serviceloop serve`: the web server (gunicorn, 2 x cores sync workers by default; with
--threads / WEB_THREADS above 1, gthread workers with that many threads each, which keep
connections alive)."""

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from serviceloop.settings import env_int, env_str


class Command(BaseCommand):
    help = (
        "Run the web server (gunicorn). HOST, PORT, WEB_CONCURRENCY and WEB_THREADS set the "
        "defaults."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        default_bind = f"{env_str('HOST', '127.0.0.1')}:{env_int('PORT', 8000, minimum=1)}"
        parser.add_argument(
            "--bind", default=default_bind, help=f"address (default {default_bind})"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1), minimum=1),
            help="worker processes (default: WEB_CONCURRENCY or 2 x cores)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=env_int("WEB_THREADS", 1, minimum=1),
            help="threads per worker (default: WEB_THREADS or 1, sync workers; above 1, "
            "gthread workers)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "serviceloop.wsgi:application",
            "--bind", options["bind"],
            "--workers", str(options["workers"]),
            "--access-logfile", "-" if options["verbosity"] > 1 else "/dev/null",
            "--graceful-timeout", "10",
        ]  # fmt: skip
        shape = f"{options['workers']} workers"
        if options["threads"] > 1:
            command += ["--worker-class", "gthread", "--threads", str(options["threads"])]
            shape += f" x {options['threads']} threads"
        self.stdout.write(f"serviceloop on http://{options['bind']}/ ({shape})")
        sys.stdout.flush()
        os.execv(sys.executable, command)  # noqa: S606 - replaces this process with gunicorn
