"""Signing in through the login page, as a person would (the users of tests.builders)."""

from playwright.sync_api import Page

PASSWORD = "a long test password 42"  # tests.builders.make_user


def sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)
