"""Pages load nothing from outside the server: no CDN, no fonts, no analytics (the government network is closed)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from jixiao.demo.city import DEMO_PASSWORD
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob"} or parts.hostname in LOCAL_HOSTS


def test_pages_request_only_the_server_itself(page: Page, site):
    requested: list[str] = []

    def record(request: Request) -> None:
        requested.append(request.url)

    page.on("request", record)

    log_in(page, site, "perf_admin", DEMO_PASSWORD)
    expect(page.locator("#unit-chart canvas")).to_be_visible()
    page.wait_for_load_state("networkidle")

    page.goto(f"{site}/orgs/units/")
    expect(page.locator(".page-title")).to_have_text("单位")
    page.wait_for_load_state("networkidle")

    page.goto(f"{site}/api/v1/docs")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("绩效 Jixiao API")
    page.wait_for_load_state("networkidle")

    assert [url for url in requested if not _is_local(url)] == []
    assert any(url.endswith("/static/vendor/echarts/echarts.min.js") for url in requested)
    assert any(url.endswith("/api/v1/openapi.json") for url in requested)
