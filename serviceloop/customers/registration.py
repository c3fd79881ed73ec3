"""Customers signing up for the portal: an inactive login, a link by e-mail, activation.

The e-mail address is the user name (lower case). An address is only trusted once its owner
followed the link sent to it; then, and only then, the login is linked to the customer
record whose *verified* contact the address is (staff confirmed it: earlier phone or e-mail
tickets appear in the portal), or a new customer record is made. An address that someone
else typed on a customer record (an agent, a partner) links to nothing.

Nobody can learn through sign-up whether an address is known: every sign-up with valid
input gets the same answer and the same work (the password is hashed in every case); the
owner of the address receives either the activation link or a note that the account exists.
"""

from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.functional import Promise
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.audit import services as audit
from serviceloop.core import clock
from serviceloop.core.errors import DomainError, ValidationFailed

from . import events
from .choices import ContactKind
from .contacts import normalise_email
from .models import Customer
from .services import customer_for_verified_email

PORTAL_LANGUAGES = ("en", "zh-hans")
MAX_NAME = 150  # User.full_name
MAX_EMAIL = 150  # User.username


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Signed, expiring (PASSWORD_RESET_TIMEOUT) activation tokens. The hash covers the
    active flag, so a link stops working once it has been used."""

    key_salt = "serviceloop.customers.registration.ActivationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{timestamp}{user.email}"


activation_tokens = ActivationTokenGenerator()


def _check(*, name: str, email: str, password: str, language: str) -> tuple[str, str]:
    """The cleaned (name, e-mail), or ValidationFailed naming each bad field."""
    errors: dict[str, Promise | str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Use at most 150 characters.")
    try:
        email = normalise_email(email)
    except DomainError as error:
        errors["email"] = error.message
    else:
        if len(email) > MAX_EMAIL:
            errors["email"] = _("Use at most 150 characters.")
    if language not in PORTAL_LANGUAGES:
        errors["language"] = _("Choose a valid value.")
    try:
        validate_password(password, User(username=email, email=email, full_name=name))
    except ValidationError as error:
        errors["password"] = " ".join(str(message) for message in error.messages)
    if errors:
        raise ValidationFailed(errors)
    return name, email


def _existing_account(email: str) -> User | None:
    """The login of this address: by user name, or the login of the customer whose e-mail
    contact it is."""
    user = User.objects.filter(username=email).first()
    if user is None:
        user = User.objects.filter(
            customer__contacts__kind=ContactKind.EMAIL,
            customer__contacts__value=email,
            customer__contacts__verified_at__isnull=False,
        ).first()
    return user


def is_pending(user: User) -> bool:
    """A customer sign-up not yet activated (a deactivated account is not pending: it has its
    customer record, so an old link cannot switch it back on)."""
    return (
        user.role == Role.CUSTOMER
        and not user.is_active
        and not Customer.objects.filter(user=user).exists()
    )


def _mail(*, user: User, to: str, template: str, language: str, context: dict[str, Any]) -> None:
    """Render the mail in `language` now, send it once the transaction commits (a failed
    delivery is logged; the person can sign up again to get a new link)."""
    with translation.override(language):
        values = {"user": user, **context}
        subject = render_to_string(f"portal/mail/{template}_subject.txt", values)
        body = render_to_string(f"portal/mail/{template}.txt", values)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    transaction.on_commit(partial(message.send), robust=True)


def _mail_link(user: User, *, site: str) -> None:
    _mail(
        user=user,
        to=user.email,
        template="activation",
        language=user.language or settings.LANGUAGE_CODE,
        context={
            "site": site,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": activation_tokens.make_token(user),
            "expires": clock.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
        },
    )


@transaction.atomic
def sign_up_customer(
    *, name: str, email: str, password: str, language: str, site: str
) -> User | None:
    """Register a customer login for `email`, inactive until the link mailed to it is followed.

    `site` is the scheme and host the links in the mail start with ("https://help.example").
    - A new address: an inactive customer user (user name = the address) and the link.
    - A sign-up still waiting for activation: the same link again; nothing else changes (a
      stranger cannot replace the password of someone's pending sign-up).
    - An address with a login already: a note to the address that the account exists.
    Returns the pending user, or None when the address has a login already; the caller must
    answer the same in every case. Raises ValidationFailed for bad input (name, email,
    password, language). Audit: customer.signed_up or customer.activation_resent.
    """
    name, email = _check(name=name, email=email, password=password, language=language)
    hashed = make_password(password)  # on every path: the answer time tells nothing
    known = _existing_account(email)
    if known is None:
        user = User(
            username=email,
            email=email,
            full_name=name,
            language=language,
            role=Role.CUSTOMER,
            is_active=False,
            password=hashed,
            date_joined=clock.now(),
        )
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same address signed up at the same moment
            known = User.objects.get(username=email)
        else:
            audit.record(
                actor=user,
                action=events.CUSTOMER_SIGNED_UP,
                target=user,
                after={"email": email, "language": language},
            )
            _mail_link(user, site=site)
            return user
    if is_pending(known):
        audit.record(actor=None, action=events.CUSTOMER_ACTIVATION_RESENT, target=known)
        _mail_link(known, site=site)
        return known
    _mail(
        user=known,
        to=email,
        template="already_registered",
        language=known.language or language,
        context={"site": site},
    )
    return None


def user_for_activation_link(*, uidb64: str, token: str) -> User | None:
    """The pending sign-up this link activates, or None when the link is not valid (forged,
    expired, already used)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None or not activation_tokens.check_token(user, token) or not is_pending(user):
        return None
    return user


@transaction.atomic
def activate_customer(*, uidb64: str, token: str) -> User:
    """Follow an activation link: the login becomes active and is linked to the customer
    record whose verified contact its e-mail address is (made when there is none; see
    `customer_for_verified_email`).

    Raises DomainError (field "token") when the link is not valid, Conflict when the address
    belongs to a customer who has another login meanwhile. Audit: customer.activated, and
    customer.created / customer.login_linked for the customer record.
    """
    found = user_for_activation_link(uidb64=uidb64, token=token)
    if found is None:
        raise DomainError(
            _("This activation link is not valid: it was used already or it expired."),
            field="token",
            code="invalid_link",
        )
    user = User.objects.select_for_update().get(pk=found.pk)
    if not is_pending(user):  # a second click that raced the first
        raise DomainError(
            _("This activation link is not valid: it was used already or it expired."),
            field="token",
            code="invalid_link",
        )
    customer, created = customer_for_verified_email(user=user, email=user.email)
    customer.user = user
    customer.language = customer.language or user.language
    customer.updated_at = clock.now()
    customer.save(update_fields=["user", "language", "updated_at"])
    audit.record(
        actor=user, action=events.CUSTOMER_LOGIN_LINKED, target=customer, after={"user": user.pk}
    )
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(
        actor=user,
        action=events.CUSTOMER_ACTIVATED,
        target=user,
        before={"is_active": False},
        after={"is_active": True, "customer": customer.pk, "new_customer": created},
    )
    return user
