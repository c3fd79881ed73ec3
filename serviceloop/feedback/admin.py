from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import FeedbackItem, StaffSurvey


class _ReadOnly[M: Model](admin.ModelAdmin[M]):
    """For looking things up: changes go through the desk (and its audited use cases)."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeedbackItem)
class FeedbackItemAdmin(_ReadOnly[FeedbackItem]):
    list_display = ["number", "source", "title", "type", "stage", "nature", "urgency", "status"]
    list_filter = ["source", "type", "stage", "nature", "urgency", "status"]
    search_fields = ["number", "title"]
    date_hierarchy = "created_at"
    raw_id_fields = ["tickets", "customer", "organisation", "submitted_by", "classified_by"]


@admin.register(StaffSurvey)
class StaffSurveyAdmin(_ReadOnly[StaffSurvey]):
    list_display = ["title", "team", "opens_at", "closes_at", "sent_at"]
    list_filter = ["team"]
