"""Filling a 自评表 in the browser: a row saved on change and re-scored in place, a refusal shown in its row, the
funds block with 上年结转资金 re-scoring budget execution on the total."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from jixiao.demo import projects as demo_projects
from jixiao.demo.city import DEMO_PASSWORD
from tests.browser.helpers import log_in
from tests.selfeval_web import factories as f
from tests.selfeval_web.factories import seed_shipped_profiles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _type(page: Page, selector: str, text: str) -> None:
    """Type into a cell and leave it, as a clerk does (the change event posts it)."""
    cell = page.locator(selector)
    cell.fill(text)
    with page.expect_response(lambda r: r.request.method == "POST"):
        cell.press("Tab")


def test_a_unit_fills_rows_and_funds_inline(page: Page, site, screenshot_dir):
    seed_shipped_profiles()
    demo_projects.load()
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    log_in(page, site, "unit_xinzhou", DEMO_PASSWORD)
    page.goto(f"{site}/selfeval/evaluations/{ev.pk}/edit/")
    expect(page.locator("#total")).to_have_text("99.50")

    _type(page, "input[name=actual_1]", "2700")
    row = page.locator("#entry-row-1")
    expect(row).to_contain_text("未保存")
    expect(row).to_contain_text("未达到年度指标值 ≥3000亩,须填写偏差原因分析及改进措施")
    expect(page.locator("#total")).to_have_text("99.50")
    page.screenshot(path=screenshot_dir / "selfeval-sheet-refused-row.png", full_page=True)

    _type(page, "textarea[name=explanation_1]", "汛期推迟施工,次年一季度补足。")
    expect(row).to_contain_text("50 × min(2700 ÷ 3000, 1) = 45.00")
    expect(row).to_contain_text("已保存")
    expect(page.locator("#total")).to_have_text("94.50")

    _type(page, "input[name=carryover_executed]", "0")
    _type(page, "input[name=carryover_annual]", "200000")
    funds = page.locator("#entry-funds")
    expect(funds).to_contain_text("预算执行率 79.17% 低于 90%,须填写偏差原因分析及改进措施")
    _type(page, "textarea[name=budget_explanation]", "结转项目年底才开工。")
    expect(funds).to_contain_text("10 × min(950000 ÷ 1200000, 1) = 7.92")
    expect(page.locator("#total")).to_have_text("92.92")
    page.screenshot(path=screenshot_dir / "selfeval-sheet-inline.png", full_page=True)
