"""Read-only admin views of analyses and plans: they change through the use cases only (so
that every change is audited and checked), the admin is for looking things up."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import ImprovementPlan, PlanAction, RootCauseAnalysis


class ReadOnly[M: Model](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(ReadOnly[ImprovementPlan]):
    list_display = ["code", "title", "metric", "phase", "status", "owner", "deadline"]
    list_filter = ["phase", "status", "metric"]
    list_select_related = ["owner"]
    search_fields = ["code", "title"]


@admin.register(PlanAction)
class PlanActionAdmin(ReadOnly[PlanAction]):
    list_display = ["title", "plan", "team", "person", "planned_end", "status"]
    list_filter = ["status"]
    list_select_related = ["plan", "team", "person"]
    search_fields = ["title", "plan__code"]


@admin.register(RootCauseAnalysis)
class RootCauseAnalysisAdmin(ReadOnly[RootCauseAnalysis]):
    list_display = ["title", "category", "status", "owner", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["category", "owner"]
    search_fields = ["title"]
