from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Customer company")
    PARTNER = "partner", _("Partner")


class ContactKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class Verification(models.TextChoices):
    """How we know a contact is the customer's own: the only proofs we accept."""

    LINK = "link", _("Its owner followed a link we sent to it")
    STAFF = "staff", _("Confirmed by staff")
