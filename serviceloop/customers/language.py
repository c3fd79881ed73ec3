"""Which language to address a customer in, decided once for mail, routing and the texts
the system writes for them."""

import re

from django.conf import settings

from .models import Customer

# CJK unified ideographs (and extension A, compatibility), CJK punctuation, full-width forms
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
KNOWN = frozenset(code for code, _name in settings.LANGUAGES)


def language_of(customer: Customer, text: str = "") -> str:
    """The customer's own language; else their portal login's; else Simplified Chinese when
    `text` (what they wrote) has Chinese characters; else LANGUAGE_CODE."""
    user = customer.user if customer.user_id else None
    for language in (customer.language, user.language if user else ""):
        if language in KNOWN:
            return language
    if _CJK.search(text):
        return "zh-hans"
    return settings.LANGUAGE_CODE
