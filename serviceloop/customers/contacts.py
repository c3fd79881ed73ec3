"""Reading e-mail addresses and phone numbers the same way on every channel."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from serviceloop.core.errors import DomainError


def normalise_email(value: str, *, field: str = "email") -> str:
    email = value.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), field=field) from None
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}".lower()


def normalise_phone(value: str, *, field: str = "phone") -> str:
    """E.164 form (+8613800138000); numbers without a country code are read in PHONE_REGION."""
    try:
        number = phonenumbers.parse(value.strip(), settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise DomainError(_("Enter a valid phone number."), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
