"""Logging in through the browser: the dashboard in Chinese, data scope, wrong passwords, forced password change."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from jixiao.accounts.actions import do_create_user
from jixiao.demo.city import DEMO_PASSWORD
from jixiao.orgs.models import Region, Unit
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_finance_sees_dashboard_and_not_another_district(page: Page, site, screenshot_dir):
    # Looked up before the browser starts: the live server shares the in-memory test database's connection.
    xinzhou = Region.objects.get(code="420117").pk
    jiangxia_pages = [
        f"/orgs/regions/{Region.objects.get(code='420115').pk}/",
        f"/orgs/units/{Unit.objects.get(code='420115-CZJ').pk}/",
    ]

    log_in(page, site, "xinzhou_fin", DEMO_PASSWORD)

    expect(page.locator(".page-title")).to_have_text("工作台")
    expect(page.locator("#current-user")).to_have_text("张新洲(xinzhou_fin)")
    expect(page.locator("#my-roles")).to_have_text("区财政局")
    nav = page.locator("#main-nav")
    expect(nav.get_by_role("link", name="行政区划")).to_be_visible()
    expect(nav.get_by_role("link", name="单位")).to_be_visible()
    expect(nav.get_by_role("link", name="审计日志")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "xinzhou_fin-dashboard.png", full_page=True)

    own = page.goto(f"{site}/orgs/regions/{xinzhou}/")
    assert own is not None and own.status == 200
    expect(page.locator(".page-body")).to_contain_text("新洲区")

    for path in jiangxia_pages:
        refused = page.goto(site + path)
        assert refused is not None and refused.status == 404, path
        expect(page.locator(".page-title")).to_have_text("未找到")
        expect(page.locator("#error-message")).to_have_text("页面不存在,或您无权查看该数据。")
        expect(page.locator(".page-body")).not_to_contain_text("江夏")
    page.screenshot(path=screenshot_dir / "xinzhou_fin-jiangxia-refused.png", full_page=True)


def test_wrong_password_shows_chinese_error(page: Page, site, screenshot_dir):
    log_in(page, site, "xinzhou_fin", "Wrong@Pass2026")

    assert page.url == f"{site}/accounts/login/"
    expect(page.locator("#login-error")).to_have_text("用户名或密码错误。")
    expect(page.locator("#id_username")).to_have_value("xinzhou_fin")
    expect(page.locator("#main-nav")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "login-wrong-password.png")


def test_first_login_must_change_password_then_reaches_dashboard(page: Page, site):
    do_create_user(
        username="new_clerk",
        full_name="钱新人",
        unit=Unit.objects.get(code="420117-U2"),
        password="Initial#2026pw",
        must_change_password=True,
        acting_user=None,
    )

    log_in(page, site, "new_clerk", "Initial#2026pw")
    expect(page).to_have_url(f"{site}/accounts/password/")
    expect(page.locator(".page-title")).to_have_text("修改密码")
    expect(page.locator(".alert-warning")).to_contain_text("请先修改密码")

    page.goto(f"{site}/orgs/units/")
    expect(page).to_have_url(f"{site}/accounts/password/")

    page.locator("#id_old_password").fill("Initial#2026pw")
    page.locator("#id_new_password").fill("Changed#2026pw")
    page.locator("#id_new_password2").fill("Changed#2026pw")
    with page.expect_navigation():
        page.get_by_role("button", name="保存新密码").click()

    expect(page).to_have_url(f"{site}/")
    expect(page.locator(".page-title")).to_have_text("工作台")
    expect(page.get_by_role("alert")).to_have_text("密码已修改。")
    page.goto(f"{site}/orgs/units/")
    expect(page).to_have_url(f"{site}/orgs/units/")
