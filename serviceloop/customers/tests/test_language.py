"""The language a customer is addressed in, one rule for mail, routing and system texts."""

import pytest

from serviceloop.accounts.choices import Role
from serviceloop.customers.language import language_of
from tests.builders import make_customer, make_user

pytestmark = pytest.mark.django_db


def test_the_customers_own_language_comes_first():
    customer = make_customer("Li Wei")
    customer.language = "en"
    assert language_of(customer, "我的包裹没到") == "en"


def test_then_the_portal_logins_language():
    customer = make_customer("李娜")
    customer.user = make_user(Role.CUSTOMER, username="li.na", language="zh-hans")
    assert language_of(customer, "Parcel late") == "zh-hans"


def test_then_chinese_text_then_the_site_language(settings):
    customer = make_customer("Sam")
    assert language_of(customer, "快递还没到，请帮忙查询") == "zh-hans"
    settings.LANGUAGE_CODE = "en"
    assert language_of(customer, "Parcel late") == "en"
    settings.LANGUAGE_CODE = "zh-hans"
    assert language_of(customer) == "zh-hans"
