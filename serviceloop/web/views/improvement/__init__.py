"""Improvement pages (/desk/improvement/)."""

from .plans import urlpatterns as urlpatterns
