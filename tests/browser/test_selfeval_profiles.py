"""预算绩效管理处 adds a scoring profile in the browser, starting from a copy of a shipped one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from jixiao.demo.city import DEMO_PASSWORD
from jixiao.selfeval.models import ScoringProfileRecord
from tests.browser.helpers import log_in
from tests.selfeval_web.factories import seed_shipped_profiles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_perf_admin_copies_a_shipped_profile_and_saves_a_custom_one(page: Page, site, screenshot_dir):
    seed_shipped_profiles()
    log_in(page, site, "perf_admin", DEMO_PASSWORD)
    page.locator("#main-nav").get_by_role("link", name="评分方案").click()
    expect(page.locator("#profiles")).to_contain_text("湖北省项目支出绩效自评")
    page.screenshot(path=screenshot_dir / "selfeval-profiles.png", full_page=True)

    page.locator("#profiles tr", has_text="湖北省").get_by_role("link", name="复制为新方案").click()
    expect(page.locator("input[name=name]")).to_have_value("湖北省项目支出绩效自评(副本)")
    page.locator("input[name=code]").fill("hubei-2023")
    page.locator("input[name=execution_weight]").fill("25")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#profile-errors")).to_contain_text("预算执行分值 25 与指标总分 80 之和为 105,应为 100")

    page.locator("input[name=indicator_total]").fill("75")
    page.locator("input[name=allocation_weight_0]").fill("75")
    page.screenshot(path=screenshot_dir / "selfeval-profile-form.png", full_page=True)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#execution-weight")).to_have_text("25")
    expect(page.locator(".page-body")).to_contain_text("已新增评分方案")
    assert ScoringProfileRecord.objects.get(code="hubei-2023").profile().tiers[1].default == 65
