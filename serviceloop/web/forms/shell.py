"""Sign-in and personal preferences."""

from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import set_choices


class LoginForm(AuthenticationForm):
    """Customers sign in with their e-mail address, whatever its case; staff user names are
    taken as they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail or user name")

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"]).strip()
        return username.lower() if "@" in username else username


def _time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [("", _("Company default (%(zone)s)") % {"zone": settings.TIME_ZONE})] + [
        (z, z) for z in zones
    ]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Follow the browser")), ("en", "English"), ("zh-hans", "简体中文")],
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=())
    away = forms.BooleanField(
        label=_("Away"),
        required=False,
        help_text=_("New tickets are not assigned to you automatically while you are away."),
    )

    def __init__(self, *args: Any, works_tickets: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "time_zone", _time_zone_choices())
        if not works_tickets:  # only those who work tickets are routed to
            del self.fields["away"]
