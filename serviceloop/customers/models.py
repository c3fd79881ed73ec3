from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from serviceloop.core import clock
from serviceloop.core.models import BilingualName

from .choices import ContactKind, OrganisationKind, Verification


class Organisation(models.Model):
    """A company: a customer's employer (B2B) or a partner that submits tickets (合作方)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.COMPANY
    )
    shares_tickets = models.BooleanField(
        _("members see each other's tickets"),
        default=False,
        help_text=_("Customers of this organisation see all of its tickets, not only their own."),
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomerTier(BilingualName):
    """Service level of a customer (e.g. standard, gold, VIP); SLA policies match on it."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=0, help_text=_("Higher is more important.")
    )

    class Meta:
        verbose_name = _("customer tier")
        verbose_name_plural = _("customer tiers")
        ordering = ["-rank", "code"]


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )
    tier = models.ForeignKey(
        CustomerTier,
        verbose_name=_("tier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
    )
    external_id = models.CharField(
        _("CRM id"), max_length=64, null=True, blank=True, unique=True, default=None
    )
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="customer_name")]

    def __str__(self) -> str:
        return self.name


class CustomerContact(models.Model):
    """One e-mail address or phone number; it identifies exactly one customer.

    A contact someone typed (an agent, a partner, a form) only says where a request came
    from: it is *unverified*. It becomes verified when its owner follows a link we sent to it
    or when staff confirm it with a reason. Only verified contacts sign in to the portal,
    check a ticket's progress, get our messages and can be primary (the one we write to).
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=254)
    is_primary = models.BooleanField(_("primary"), default=False)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_via = models.CharField(
        _("verified by"), max_length=10, choices=Verification.choices, blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verification_note = models.CharField(_("why it was confirmed"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["kind", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value"], name="contact_identifies_one_customer"
            ),
            models.CheckConstraint(
                condition=models.Q(is_primary=False) | models.Q(verified_at__isnull=False),
                name="contact_primary_is_verified",
            ),
        ]

    def __str__(self) -> str:
        return self.value

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
