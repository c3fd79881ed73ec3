"""Starting Django inside the benchmark process, pointed at the benchmark database."""

import os
import sys

from .config import REPO_DIR


def setup_django(database_url: str) -> None:
    """Configure serviceloop for `database_url` (DEBUG off) and run django.setup()."""
    if str(REPO_DIR) not in sys.path:
        sys.path.insert(0, str(REPO_DIR))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serviceloop.settings")
    import django

    django.setup()


def close_django_connections() -> None:
    from django.db import connections

    connections.close_all()
