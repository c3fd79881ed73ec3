"""The WSGI application a gunicorn worker loads: ready to serve, with the URLconf imported
and what was loaded frozen out of the garbage collector's way (serviceloop/wsgi.py)."""

import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import gc, sys
import serviceloop.wsgi as wsgi
assert callable(wsgi.application)
assert "serviceloop.urls" in sys.modules and "serviceloop.api.api" in sys.modules
print(gc.get_freeze_count())
"""


def test_a_worker_loads_the_urlconf_and_freezes_what_it_loaded(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "serviceloop.settings",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip().splitlines()[-1]) > 10_000
