"""A web worker's memory: loading every page and API route must not load the heavy
libraries that only a PDF report (reportlab), a workbook (xlsxwriter) or a mean's confidence
interval (scipy) need. Each of them would add 10-70 MB to every gunicorn worker (the
bench's target (d) is 150 MB a worker)."""

import os
import subprocess
import sys

LOAD_THE_SITE = """
import django, sys
django.setup()
from django.urls import get_resolver
resolver = get_resolver()
resolver.url_patterns
from serviceloop.api.api import api
api.get_openapi_schema()
heavy = ("scipy", "reportlab", "xlsxwriter")
print(" ".join(name for name in heavy if name in sys.modules))
"""


def test_loading_the_site_loads_no_heavy_library():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "serviceloop.settings"}
    loaded = subprocess.run(
        [sys.executable, "-c", LOAD_THE_SITE], env=env, capture_output=True, text=True, check=True
    ).stdout.split()

    assert loaded == []


def test_the_check_itself_sees_a_heavy_library_when_one_is_loaded():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "serviceloop.settings"}
    script = LOAD_THE_SITE.replace("django.setup()", "django.setup(); import xlsxwriter")
    loaded = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()

    assert loaded == ["xlsxwriter"]
