"""sign_up_customer and activate_customer: an inactive login until the e-mailed link is
followed; then the login is linked to the customer record of that address (or a new one).
Nothing tells a stranger whether an address is known."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from serviceloop.accounts.choices import Role
from serviceloop.accounts.models import User
from serviceloop.audit.models import AuditEvent
from serviceloop.core.errors import Conflict, DomainError, ValidationFailed
from serviceloop.customers.models import Customer, CustomerContact
from serviceloop.customers.registration import (
    activate_customer,
    sign_up_customer,
    user_for_activation_link,
)
from tests.builders import make_customer, make_user

PASSWORD = "correct horse battery 9"
SITE = "https://help.example.com"


@pytest.fixture
def mails(db):
    return mail.outbox


def sign_up(email="Mei.Lin@Example.COM", **values):
    """Sign up, and send the mail it leaves for after the commit."""
    values = {"name": "林美", "password": PASSWORD, "language": "zh-hans", **values}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return sign_up_customer(email=email, site=SITE, **values)


def link_parts(message) -> dict[str, str]:
    found = re.search(r"https://help\.example\.com/portal/activate/([^/]+)/([^/]+)/", message.body)
    assert found, message.body
    return {"uidb64": found.group(1), "token": found.group(2)}


def customer_rows() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
        "contacts": CustomerContact.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


# --- sign-up -------------------------------------------------------------------------------


def test_it_makes_an_inactive_customer_login_named_by_the_address(db, mails):
    user = sign_up()

    assert user is not None
    assert (user.username, user.email) == ("mei.lin@example.com", "mei.lin@example.com")
    assert (user.role, user.is_active, user.full_name, user.language) == (
        Role.CUSTOMER, False, "林美", "zh-hans",
    )  # fmt: skip
    assert user.check_password(PASSWORD)
    assert not Customer.objects.filter(user=user).exists()  # only once the address is proven
    event = AuditEvent.objects.get(action="customer.signed_up")
    assert event.target_id == str(user.pk)


def test_it_mails_the_activation_link_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sign_up_customer(
            name="林美", email="mei.lin@example.com", password=PASSWORD, language="en", site=SITE
        )
    assert mail.outbox == []  # nothing leaves before the sign-up is stored
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mei.lin@example.com"]
    assert link_parts(mail.outbox[0])


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"email": "no-at-sign"}, "email"),
        ({"password": "1234"}, "password"),
        ({"password": "mei.lin@example.com"}, "password"),  # like the user name
        ({"language": "fr"}, "language"),
    ],
)
def test_it_refuses_bad_input_on_its_field_and_stores_nothing(db, mails, values, field):
    before = customer_rows()
    with pytest.raises(ValidationFailed) as refused:
        sign_up(**values)
    assert field in refused.value.errors
    assert customer_rows() == before
    assert mails == []


def test_a_known_login_gets_a_note_instead_of_a_second_account(customer_contact_login, mails):
    user_count = User.objects.count()

    assert sign_up(email="li.wei@example.com", language="en") is None

    assert User.objects.count() == user_count
    assert len(mails) == 1
    assert mails[0].to == ["li.wei@example.com"]
    assert "/portal/activate/" not in mails[0].body
    assert f"{SITE}/password/reset/" in mails[0].body


@pytest.fixture
def customer_contact_login(team):
    """li.wei: a customer login (user name li.wei) whose customer record has the address."""
    return make_user(Role.CUSTOMER, username="li.wei")


def test_a_second_sign_up_while_pending_resends_the_link_and_changes_nothing(db, mails):
    first = sign_up()
    again = sign_up(name="Someone Else", password="another secret 77", language="en")

    assert again is not None
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.check_password(PASSWORD)  # a stranger cannot set the password
    assert again.full_name == "林美"
    assert len(mails) == 2
    assert link_parts(mails[0]) == link_parts(mails[1])
    assert AuditEvent.objects.filter(action="customer.activation_resent").count() == 1


def test_the_mail_speaks_the_chosen_language(db, mails):
    sign_up(language="zh-hans")
    sign_up(email="en@example.com", language="en")
    chinese, english = mails
    assert "年" in chinese.body  # the expiry date in the Chinese format
    assert "年" not in english.body


# --- activation ----------------------------------------------------------------------------


def test_activation_links_the_customer_who_already_has_the_address(agent, mails):
    earlier = make_customer("Mei (phone)", email="mei.lin@example.com")
    sign_up()

    user = activate_customer(**link_parts(mails[0]))

    assert user.is_active
    earlier.refresh_from_db()
    assert earlier.user == user
    assert Customer.objects.count() == 1
    activated = AuditEvent.objects.get(action="customer.activated")
    assert activated.after == {"is_active": True, "customer": earlier.pk, "new_customer": False}
    assert AuditEvent.objects.filter(
        action="customer.login_linked", target_id=str(earlier.pk)
    ).exists()


def test_activation_makes_a_customer_when_the_address_is_new(db, mails):
    sign_up()

    user = activate_customer(**link_parts(mails[0]))

    customer = Customer.objects.get(user=user)
    assert (customer.name, customer.language) == ("林美", "zh-hans")
    contact = customer.contacts.get()
    assert (contact.kind, contact.value, contact.is_primary) == (
        "email", "mei.lin@example.com", True,
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="customer.created").exists()


def test_a_link_works_only_once(db, mails):
    sign_up()
    parts = link_parts(mails[0])
    activate_customer(**parts)
    with pytest.raises(DomainError) as refused:
        activate_customer(**parts)
    assert refused.value.field == "token"
    assert user_for_activation_link(**parts) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: {**p, "token": "abc-123"},
        lambda p: {**p, "uidb64": "MTIzNDU2"},  # another (missing) user id
        lambda p: {**p, "uidb64": "!!!"},
    ],
)
def test_a_forged_link_activates_nothing(db, mails, tamper):
    sign_up()
    with pytest.raises(DomainError):
        activate_customer(**tamper(link_parts(mails[0])))
    assert not User.objects.get(username="mei.lin@example.com").is_active
    assert not Customer.objects.exists()


def test_a_link_expires_after_the_reset_timeout(db, mails, settings):
    sign_up()
    parts = link_parts(mails[0])
    sooner = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT, days=-1)
    with time_machine.travel(sooner, tick=False):
        assert user_for_activation_link(**parts) is not None
    # time_machine's naive now() is UTC, the token's clock local time: a day of margin
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT, days=1)
    with time_machine.travel(later, tick=False):
        assert user_for_activation_link(**parts) is None
        with pytest.raises(DomainError):
            activate_customer(**parts)


def test_a_deactivated_customer_cannot_switch_itself_back_on(db, mails):
    sign_up()
    parts = link_parts(mails[0])
    user = activate_customer(**parts)
    User.objects.filter(pk=user.pk).update(is_active=False)  # an administrator's decision

    assert user_for_activation_link(**parts) is None
    assert sign_up() is None  # a known account: a note, not a link
    assert "/portal/activate/" not in mails[-1].body
    with pytest.raises(DomainError):
        activate_customer(**parts)
    user.refresh_from_db()
    assert not user.is_active


def test_activation_refuses_an_address_whose_customer_got_another_login_meanwhile(agent, mails):
    sign_up()
    other = make_user(Role.CUSTOMER, username="mei-other")
    other.customer.contacts.update(value="mei.lin@example.com")
    before = customer_rows()

    with pytest.raises(Conflict) as refused:
        activate_customer(**link_parts(mails[0]))

    assert refused.value.field == "email"
    assert customer_rows() == before
    assert not User.objects.get(username="mei.lin@example.com").is_active
