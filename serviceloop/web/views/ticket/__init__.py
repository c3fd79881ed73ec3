"""The agent's ticket page (desk:ticket) and its htmx endpoints."""

from .page import urlpatterns as urlpatterns
