from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import CsatSurvey, NpsCampaign, NpsResponse


class ReadOnly[M: Model](admin.ModelAdmin[M]):
    """Surveys are made and answered through the use cases alone (audited there); the admin
    shows them, for finding out what a customer was asked and answered."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CsatSurvey)
class CsatSurveyAdmin(ReadOnly[CsatSurvey]):
    list_display = ["ticket", "customer", "sent_at", "score", "channel", "answered_at"]
    list_filter = ["score", "channel"]
    list_select_related = ["ticket", "customer"]
    search_fields = ["ticket__number", "customer__name"]
    raw_id_fields = ["ticket", "customer"]
    date_hierarchy = "created_at"
    exclude = ["nonce"]


@admin.register(NpsCampaign)
class NpsCampaignAdmin(ReadOnly[NpsCampaign]):
    list_display = ["name", "percent", "seed", "sent_at", "sampled", "skipped_no_email"]
    search_fields = ["name"]


@admin.register(NpsResponse)
class NpsResponseAdmin(ReadOnly[NpsResponse]):
    list_display = ["campaign", "customer", "email", "mail_status", "score", "answered_at"]
    list_filter = ["mail_status", "campaign"]
    list_select_related = ["campaign", "customer"]
    search_fields = ["customer__name", "email"]
    raw_id_fields = ["customer"]
    exclude = ["nonce"]
