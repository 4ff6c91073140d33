"""Monitoring through the API and pages, and the 监控表 / summary workbooks opened with python-calamine."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from python_calamine import CalamineWorkbook

from jixiao.monitoring.models import MonitoringRound
from tests.funds.factories import allocate, jiangxia_project, make_project, pay
from tests.monitoring.factories import open_round, report_of, with_goal


@pytest.fixture
def report(demo):
    project = make_project("T-MAP-1")
    allocate(project, "1000000", dt.date(2023, 2, 1))
    pay(project, "350000", dt.date(2023, 5, 1))  # 35 %: below 序时进度 50 − 10, yellow
    with_goal(project)
    return report_of(open_round(6), project)


def _put(client, report, body, headers):
    url = f"/api/v1/projects/{report.project_id}/monitoring/{report.round_id}"
    return client.put(url, data=body, content_type="application/json", **headers)


def test_unit_fills_through_the_api(client, api_token, report):
    line = report.lines.first()
    body = {
        "expected_annual": "950000",
        "indicators": [
            {
                "id": line.pk,
                "progress": "完成 1800 亩",
                "likelihood": "possible",
                "cause": "management",
                "measures": "增加作业面",
            }
        ],
    }

    response = _put(client, report, body, api_token("unit_xinzhou"))

    data = response.json()
    assert response.status_code == 200
    assert (data["rate"], data["warning_level"], data["expected_annual"]) == (35.0, "yellow", "950000.00")
    assert [w["code"] for w in data["warnings"]] == ["W01", "W02"]
    assert data["indicators"][0]["cause"] == "management"


def test_missing_measures_are_a_422_in_chinese(client, api_token, report):
    line = report.lines.first()
    body = {"indicators": [{"id": line.pk, "likelihood": "impossible", "cause": "funding"}]}

    response = _put(client, report, body, api_token("unit_xinzhou"))

    assert response.status_code == 422
    assert "必须填写完善措施" in response.json()["message"]


@pytest.mark.parametrize("username, status", [("perf_admin", 403), ("jiangxia_fin", 403), ("dept_agri", 404)])
def test_put_outside_fill_scope(client, api_token, report, username, status):
    assert _put(client, report, {"executed": "1"}, api_token(username)).status_code == status


def test_round_create_by_api_limits_to_the_managers_scope(client, api_token, demo):
    make_project("T-MAP-XZ")  # managed by 农业农村处
    jiangxia_project("T-MAP-JX")  # no managing division
    body = {"name": "农业农村处 2023 监控", "year": 2023, "cutoff_month": 7, "deadline": "2023-08-15"}

    response = client.post(
        "/api/v1/monitoring/rounds", data=body, content_type="application/json", **api_token("agri_div")
    )

    assert response.status_code == 201 and response.json()["thresholds"]["yellow_gap"] == 10
    codes = MonitoringRound.objects.get(pk=response.json()["id"]).reports.values_list("project__code", flat=True)
    assert list(codes) == ["T-MAP-XZ"]


def test_round_page_has_charts_and_summaries(login, report):
    response = login("xinzhou_fin").get(f"/monitoring/rounds/{report.round_id}/")

    html = response.content.decode()
    charts = [json.loads(response.context[name]) for name in ("level_chart", "district_chart")]
    assert charts[0] == {"type": "pie", "labels": ["无预警", "黄色预警", "红色预警"], "values": [0, 1, 0]}
    assert charts[1] == {"type": "bar", "labels": ["新洲区"], "values": [35.0]}
    assert "T-MAP-1" in html and "按区汇总" in html


def test_fill_page_reports_missing_cause(login, report):
    line = report.lines.first()
    post = {"annual_budget": "1000000", "executed": "350000", "expected_annual": "1000000",
            f"line-{line.pk}-likelihood": "possible", f"line-{line.pk}-measures": "加快"}  # fmt: skip

    response = login("unit_xinzhou").post(f"/monitoring/reports/{report.pk}/edit/", post)

    assert response.status_code == 200
    assert "必须选择偏差原因" in response.content.decode()


def test_report_workbook_in_the_hubei_layout(login, report):
    line = report.lines.first()
    line.progress, line.likelihood, line.cause, line.measures = "完成 1800 亩", "possible", "management", "增加作业面"
    line.save()

    response = login("unit_xinzhou").get(f"/monitoring/reports/{report.pk}/export/")

    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("监控表").to_python()
    assert rows[0][0] == "2023年度项目支出绩效目标执行监控表(1–6月)"
    assert rows[3][2:6] == ["年初预算数", "1–6月执行数", "执行率(%)", "全年预计执行数"]
    assert rows[4][2:6] == [1000000.0, 350000.0, 35.0, 1000000.0]
    assert rows[5] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值",
        "执行情况",
        "完成目标可能性",
        "原因分析",
        "完善措施",
    ]
    assert rows[6] == [
        "产出指标",
        "数量指标",
        "新增灌溉面积",
        "≥3000亩",
        "完成 1800 亩",
        "有可能",
        "项目管理",
        "增加作业面",
    ]


def test_summary_workbook(login, report):
    response = login("perf_admin").get(f"/monitoring/rounds/{report.round_id}/export/")

    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["监控汇总", "按主管部门", "按区"]
    first = book.get_sheet_by_name("监控汇总").to_python()[1]
    assert first[0] == "T-MAP-1" and first[4:9] == [1000000.0, 350000.0, 35.0, 1000000.0, "黄色预警"]
    assert book.get_sheet_by_name("按区").to_python()[1] == ["新洲区", 1.0, 0.0, 1.0, 1000000.0, 350000.0, 35.0]


def test_round_create_page_opens_a_round_with_custom_thresholds(login, demo):
    make_project("T-MAP-PG")
    post = {"name": "", "year": "2023", "cutoff_month": "8", "deadline": "2023-09-10", "yellow_gap": "5",
            "red_gap": "15", "late_month": "8", "late_rate": "60", "large_budget_wan": "200"}  # fmt: skip

    response = login("perf_admin").post("/monitoring/rounds/new/", post)

    monitoring_round = MonitoringRound.objects.get(name="2023年1–8月绩效运行监控")
    assert response.status_code == 302
    assert monitoring_round.thresholds == {
        "yellow_gap": 5,
        "red_gap": 15,
        "late_month": 8,
        "late_rate": 60,
        "large_budget_wan": 200,
    }
    assert monitoring_round.reports.filter(project__code="T-MAP-PG").exists()


def test_builtin_roles_hold_the_new_permissions(demo):
    def perms(username):
        return demo[username].perm_codes()

    assert {"funds.manage", "monitoring.manage"} <= perms("perf_admin") and {
        "funds.manage",
        "monitoring.manage",
    } <= perms("agri_div")
    assert "funds.manage" in perms("xinzhou_fin") and "monitoring.manage" not in perms("xinzhou_fin")
    assert "monitoring.fill" in perms("unit_xinzhou") and "monitoring.fill" in perms("dept_agri")
    assert not {"funds.manage", "monitoring.fill", "monitoring.manage"} & perms("inspector")
    reviewers = {
        u: {p for p in perms(u) if p.startswith("monitoring.review")}
        for u in ("perf_admin", "agri_div", "xinzhou_fin", "jiangxia_fin", "dept_agri", "unit_xinzhou", "inspector")
    }
    assert reviewers == {
        "perf_admin": {"monitoring.review_finance"},
        "agri_div": {"monitoring.review_finance"},
        "xinzhou_fin": {"monitoring.review_dept"},
        "jiangxia_fin": {"monitoring.review_dept"},
        "dept_agri": {"monitoring.review_dept"},
        "unit_xinzhou": set(),
        "inspector": set(),
    }


def test_save_and_submit_keeps_the_save_when_submission_is_incomplete(login, report):
    first, second = report.lines.all()
    post = {"executed": "360000", f"line-{first.pk}-likelihood": "sure", "submit": "1"}

    response = login("unit_xinzhou").post(f"/monitoring/reports/{report.pk}/edit/", post)

    html = response.content.decode()
    assert "已保存,但还不能提交" in html and "第 2 项指标“受益群众满意度”:请选择完成目标可能性" in html
    report.refresh_from_db()
    assert (report.executed, report.status) == (360000, "draft")
