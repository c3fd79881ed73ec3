"""The WSGI application `serviceloop serve` runs in each gunicorn worker.

A worker loads it once and serves requests with it for its whole life, so two things are
done here rather than during requests:

- the URLconf is imported (and with it every view and the API's schemas), not by the
  worker's first request;
- what is loaded by then (Django, the apps, the models, the URLconf: some hundred thousand
  objects that live as long as the process) is moved out of the cyclic garbage
  collector's sight (`gc.freeze`). Otherwise each of its full collections walks them all:
  ~90 ms on the two-core reference machine, about once every 500 ticket creations, a
  pause that lands on one request.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serviceloop.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports the URLconf now
gc.collect()
gc.freeze()
