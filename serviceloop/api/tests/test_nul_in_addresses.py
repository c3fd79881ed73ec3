"""A NUL character in the path or the query string is refused before any view runs: a
problem+json 400 under /api/, a plain 400 for the pages; never a 500."""

import pytest
from django.test import Client

from tests.builders import Api


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tickets?q=%00",
        "/api/v1/tickets?status=open%00",
        "/api/v1/tickets/CS-2026%00/",
        "/api/v1/tickets/CS-2026%00/interactions",
        "/api/v1/customers?q=a%00b",
        "/api/v1/analytics/tickets?channel=%00",
        "/api/v1/feedback?q=%00",
        "/api/v1/audit?action=%00",
        "/api/v1/improvement/plans?q=%00",
        "/api/v1/follow-ups?%00=1",
    ],
)
def test_the_api_refuses_a_nul_in_the_address(admin_user, url):
    response = Api(admin_user).get(url)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "The address contains a NUL character (U+0000)."


@pytest.mark.parametrize(
    "url",
    [
        "/desk/?q=%00",
        "/desk/tickets/CS%00/",
        "/desk/analytics/tickets/?channel=%00",
        "/desk/feedback/?q=%00",
        "/portal/track/?number=CS%00&contact=a",
    ],
)
def test_the_pages_refuse_a_nul_in_the_address(admin_user, url):
    client = Client()
    client.force_login(admin_user)
    response = client.get(url, headers={"accept-language": "zh-hans"})
    assert response.status_code == 400
    assert response.content.decode() == "网址中含有空字符（U+0000）。"
