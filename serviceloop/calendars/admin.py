from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from serviceloop.audit.admin_mixins import AuditedAdminMixin

from .models import BusinessCalendar, CalendarDate, CalendarTeam, WorkingPeriod


class CalendarForm(forms.ModelForm[BusinessCalendar]):
    class Meta:
        model = BusinessCalendar
        fields = ["code", "name_en", "name_zh", "time_zone", "holiday_region", "is_default"]

    def clean_time_zone(self) -> str:
        zone = str(self.cleaned_data["time_zone"]).strip()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(_("This is not a known time zone.")) from None
        return zone


class PeriodInline(admin.TabularInline[WorkingPeriod, BusinessCalendar]):
    model = WorkingPeriod
    extra = 1


class DateInline(admin.TabularInline[CalendarDate, BusinessCalendar]):
    model = CalendarDate
    extra = 1


class TeamInline(admin.TabularInline[CalendarTeam, BusinessCalendar]):
    model = CalendarTeam
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedAdminMixin[BusinessCalendar]):
    form = CalendarForm
    list_display = ["code", "name_en", "name_zh", "time_zone", "holiday_region", "is_default"]
    search_fields = ["code", "name_en", "name_zh"]
    inlines = [TeamInline, PeriodInline, DateInline]
    audit_name = "calendar"
    audit_fields = ("code", "name_en", "name_zh", "time_zone", "holiday_region", "is_default")
    audit_inlines: dict[str, Any] = {
        "calendarteam": ("team", ("team",)),
        "workingperiod": ("period", ("weekday", "starts", "ends")),
        "calendardate": ("date", ("date", "kind", "hours_of", "name")),
    }
