"""Steps the browser tests share."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def log_in(page: Page, site: str, username: str, password: str) -> None:
    """Fill in and submit the login form as a person would."""
    page.goto(f"{site}/accounts/login/")
    expect(page.get_by_role("heading", name="用户登录")).to_be_visible()
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
