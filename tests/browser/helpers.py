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


def seed_shipped_profiles() -> None:
    """Store the shipped scoring profiles again: migration 0002 seeds them, but a live-server test's flush empties them."""
    from jixiao.selfeval.models import ScoringProfileRecord
    from jixiao.selfeval.profiles import SHIPPED_PROFILE_DATA

    for data in SHIPPED_PROFILE_DATA:
        defaults = {"name": data["name"], "data": data, "builtin": True}
        ScoringProfileRecord.objects.update_or_create(code=data["code"], defaults=defaults)
