"""Business calendars (工作日历): when a team, or an agent on a shift, works — time zone,
working periods per weekday, public holidays and make-up working days (调休). Business time
(`business_time`) counts in them; SLA targets, routing's shifts and the staff inbox use it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team
from serviceloop.core.models import BilingualName


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class HolidayRegion(models.TextChoices):
    NONE = "", _("None (only the dates below)")
    CHINA = "CN", _("Mainland China (public holidays and make-up working days)")


class BusinessCalendar(BilingualName):
    """When a team works: its time zone, working periods per weekday, public holidays and
    make-up working days. Business-time targets of SLA policies count in it."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    holiday_region = models.CharField(
        _("public holidays"), max_length=2, choices=HolidayRegion.choices, blank=True
    )
    is_default = models.BooleanField(
        _("default calendar"), default=False, help_text=_("Used by teams that have none.")
    )
    teams = models.ManyToManyField(
        Team,
        verbose_name=_("teams"),
        through="CalendarTeam",
        related_name="business_calendars",
        blank=True,
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"
            )
        ]


class CalendarTeam(models.Model):
    """A team keeps the hours of one calendar."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE)
    team = models.OneToOneField(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="calendar_link"
    )

    class Meta:
        verbose_name = _("team of the calendar")
        verbose_name_plural = _("teams of the calendar")

    def __str__(self) -> str:
        return str(self.team)


class WorkingPeriod(models.Model):
    """One stretch of working time on a weekday, e.g. Monday 09:00-12:00 (a lunch break is
    the gap between two periods)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="period_ends_after_it_starts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self) -> None:
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValidationError({"ends": _("The period must end after it starts.")})


class DateKind(models.TextChoices):
    HOLIDAY = "holiday", _("Closed (holiday)")
    WORKDAY = "workday", _("Working day (make-up day)")


class CalendarDate(models.Model):
    """A date that breaks the weekly pattern: closed, or worked with a weekday's hours."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DateKind.choices)
    hours_of = models.PositiveSmallIntegerField(
        _("with the hours of"),
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text=_("For working days: whose working periods apply."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("special date")
        verbose_name_plural = _("special dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="one_entry_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
