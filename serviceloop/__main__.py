"""The `serviceloop` command: Django's management commands plus serve, demo, createtoken."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serviceloop.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["serviceloop", *sys.argv[1:]])


if __name__ == "__main__":
    main()
