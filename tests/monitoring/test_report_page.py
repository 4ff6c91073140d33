"""The 监控表 page shows the buttons the status and the user allow, the history and the review opinions; the round
page filters its list by status and warning."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from jixiao.monitoring import actions
from jixiao.monitoring.models import MonitoringRound, ReportStatus
from tests.funds.factories import allocate, make_project, pay
from tests.monitoring.factories import open_round, report_of, submitted, with_goal

BUTTONS = {
    "fill": 'id="fill-button"',
    "submit": 'id="submit-button"',
    "review": 'id="review-form"',
    "dispose": 'id="dispose-card"',
}


@pytest.fixture
def report(demo):
    project = make_project("T-PG-1")
    allocate(project, "1000000", dt.date(2023, 2, 1))
    pay(project, "350000", dt.date(2023, 5, 1))
    with_goal(project)
    return report_of(open_round(6), project)


def _buttons(login, username, report) -> set[str]:
    html = login(username).get(f"/monitoring/reports/{report.pk}/").content.decode()
    return {name for name, marker in BUTTONS.items() if marker in html}


def test_buttons_follow_the_status_and_the_user(login, report):
    assert _buttons(login, "unit_xinzhou", report) == {"fill", "submit"}
    assert _buttons(login, "xinzhou_fin", report) == set()

    submitted(report)
    assert _buttons(login, "unit_xinzhou", report) == {"fill"}  # editing withdraws
    assert _buttons(login, "xinzhou_fin", report) == {"review"}
    assert _buttons(login, "agri_div", report) == set()

    actions.do_review_report(report, decision="approve", opinion="", acting_user=None)
    assert _buttons(login, "xinzhou_fin", report) == set()
    assert _buttons(login, "agri_div", report) == {"review"}
    assert _buttons(login, "perf_admin", report) == {"review"}
    assert _buttons(login, "unit_xinzhou", report) == set()
    assert _buttons(login, "inspector", report) == set()


def test_red_report_offers_dispositions_to_finance_managers(login, report):
    actions.do_save_report(report, amounts={"executed": 100000}, acting_user=None)

    assert "dispose" in _buttons(login, "agri_div", report)
    assert "dispose" not in _buttons(login, "xinzhou_fin", report)


def test_review_from_the_page_and_the_opinion_and_history_shown_to_the_unit(login, report):
    submitted(report)

    response = login("xinzhou_fin").post(
        f"/monitoring/reports/{report.pk}/review/", {"decision": "return", "opinion": "执行数与国库支付不符"}
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    html = login("unit_xinzhou").get(f"/monitoring/reports/{report.pk}/").content.decode()
    opinion = re.search(r'id="return-opinion">(.*?)</div></div>', html, re.S)
    assert opinion is not None and "主管部门审核退回(张新洲" in opinion.group(1)
    assert "执行数与国库支付不符" in opinion.group(1)
    events = re.search(r'id="report-events">(.*?)</table>', html, re.S)
    assert events is not None
    rows = [re.sub(r"<[^>]+>", "|", row) for row in re.findall(r"<tr>(.*?)</tr>", events.group(1), re.S)][1:]
    assert [[c for c in row.split("|") if c][1:] for row in rows] == [
        ["系统", "下发", "—", "— → 填报中"],
        ["系统", "提交", "—", "填报中 → 待主管部门审核"],
        ["张新洲", "退回", "主管部门审核", "待主管部门审核 → 已退回", "执行数与国库支付不符"],
    ]


def test_review_page_refuses_the_wrong_step_user_and_explains_a_missing_opinion(login, report):
    submitted(report)

    wrong = login("perf_admin").post(f"/monitoring/reports/{report.pk}/review/", {"decision": "approve"})
    other_district = login("jiangxia_fin").post(f"/monitoring/reports/{report.pk}/review/", {"decision": "approve"})
    missing = login("xinzhou_fin").post(
        f"/monitoring/reports/{report.pk}/review/", {"decision": "return", "opinion": ""}, follow=True
    )

    assert (wrong.status_code, other_district.status_code) == (403, 404)
    assert "退回时必须填写审核意见" in missing.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_round_page_filters_by_status_and_warning(login, report, demo):
    other = make_project("T-PG-2")
    allocate(other, "1000000", dt.date(2023, 2, 1))
    pay(other, "600000", dt.date(2023, 5, 1))  # 60 %: no warning
    with_goal(other)
    monitoring_round = report.round
    second = type(report).objects.create(round=monitoring_round, project=other, annual_budget=1000000, executed=600000)
    actions.refresh_warning(second)
    submitted(report)
    client = login("perf_admin")

    def codes(query: str) -> list[str]:
        html = client.get(f"/monitoring/rounds/{monitoring_round.pk}/?{query}").content.decode()
        return re.findall(r">(T-PG-\d) ", html)

    assert codes("") == ["T-PG-1", "T-PG-2"]
    assert codes("status=submitted") == ["T-PG-1"]
    assert codes("status=draft") == ["T-PG-2"]
    assert codes("level=yellow") == ["T-PG-1"]
    assert codes("level=none") == ["T-PG-2"]
    assert codes("status=submitted&level=none") == []
    assert codes("status=bogus") == ["T-PG-1", "T-PG-2"]  # an unknown filter value is ignored on the page


def test_round_form_explains_inconsistent_thresholds(login, demo):
    post = {"name": "", "year": "2023", "cutoff_month": "6", "deadline": "2023-07-15", "yellow_gap": "30",
            "red_gap": "20", "late_month": "8", "late_rate": "60", "large_budget_wan": "200"}  # fmt: skip

    response = login("perf_admin").post("/monitoring/rounds/new/", post)

    assert response.status_code == 200
    assert "红色预警的百分点不能小于黄色预警的百分点。" in response.content.decode()
    assert not MonitoringRound.objects.filter(year=2023).exists()
