"""Feedback pages (/desk/feedback/, /desk/staff-surveys/, /portal/feedback/)."""

from .register import portal_urlpatterns as portal_urlpatterns
from .register import urlpatterns as urlpatterns
