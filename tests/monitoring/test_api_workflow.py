"""The 监控表 workflow through /api/v1: submit, review per step, hold, adjustment, the round summary and list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jixiao.funds.models import PaymentHold
from jixiao.monitoring import actions
from jixiao.monitoring.models import MonitoringReport, ReportStatus
from tests.funds.factories import allocate, jiangxia_project, make_project, pay
from tests.monitoring.factories import fill_all_sure, open_round, report_of, submitted, with_goal


@pytest.fixture
def report(demo):
    """A yellow 新洲 report (35 % at 1–6月), two indicator lines, with the unit."""
    project = make_project("T-AW-1")
    allocate(project, "1000000", dt.date(2023, 2, 1))
    pay(project, "350000", dt.date(2023, 5, 1))
    with_goal(project)
    return report_of(open_round(6), project)


def _post(client, report, verb, headers, body=None):
    url = f"/api/v1/projects/{report.project_id}/monitoring/{report.round_id}/{verb}"
    return client.post(url, data=body or {}, content_type="application/json", **headers)


def test_submit_then_both_reviews_through_the_api(client, api_token, report):
    fill_all_sure(report)

    submit = _post(client, report, "submit", api_token("unit_xinzhou"))
    dept = _post(client, report, "review", api_token("xinzhou_fin"), {"decision": "approve", "opinion": "属实"})
    finance = _post(client, report, "review", api_token("agri_div"), {"decision": "approve"})

    assert [r.status_code for r in (submit, dept, finance)] == [200, 200, 200]
    assert (submit.json()["status"], submit.json()["status_label"], submit.json()["review_step"]) == (
        "submitted",
        "待主管部门审核",
        "dept",
    )
    assert (dept.json()["status"], dept.json()["review_step"]) == ("finance_review", "finance")
    data = finance.json()
    assert (data["status"], data["status_label"], data["review_step"]) == ("approved", "审核通过", None)
    assert [
        (e["kind"], e["kind_label"], e["step"], e["from_status"], e["to_status"], e["actor"], e["opinion"])
        for e in data["events"]
    ] == [
        ("open", "下发", "", "", "draft", "系统", ""),
        ("submit", "提交", "", "draft", "submitted", "赵仓埠", ""),
        ("approve", "审核通过", "dept", "submitted", "finance_review", "张新洲", "属实"),
        ("approve", "审核通过", "finance", "finance_review", "approved", "李农财", ""),
    ]
    assert set(data) >= {"id", "project_code", "project_name", "department", "unit", "rate", "warnings", "indicators"}


def test_return_without_opinion_is_422_and_wrong_step_user_is_403(client, api_token, report):
    submitted(report)

    missing = _post(client, report, "review", api_token("xinzhou_fin"), {"decision": "return", "opinion": ""})
    finance_too_early = _post(client, report, "review", api_token("perf_admin"), {"decision": "approve"})
    other_district = _post(client, report, "review", api_token("jiangxia_fin"), {"decision": "approve"})

    assert (missing.status_code, missing.json()["message"]) == (422, "退回时必须填写审核意见。")
    assert finance_too_early.status_code == 403
    assert other_district.status_code == 404  # 江夏 cannot even see a 新洲 project
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_review_outside_the_review_steps_is_409(client, api_token, report):
    response = _post(client, report, "review", api_token("xinzhou_fin"), {"decision": "approve"})

    assert response.status_code == 409
    assert response.json() == {
        "code": "not_in_review",
        "message": "监控表状态为“填报中”,不在审核环节。",
        "detail": None,
    }


def test_incomplete_submission_is_422_listing_each_line(client, api_token, report):
    response = _post(client, report, "submit", api_token("unit_xinzhou"))

    body = response.json()
    assert (response.status_code, body["code"]) == (422, "incomplete")
    assert body["detail"] == [
        "第 1 项指标“新增灌溉面积”:请选择完成目标可能性(确定能/有可能/不可能)。",
        "第 2 项指标“受益群众满意度”:请选择完成目标可能性(确定能/有可能/不可能)。",
    ]


def test_resubmitting_an_approved_report_is_409(client, api_token, report):
    submitted(report)
    actions.do_review_report(report, decision="approve", opinion="", acting_user=None)
    actions.do_review_report(report, decision="approve", opinion="", acting_user=None)

    response = _post(client, report, "submit", api_token("unit_xinzhou"))
    put = client.put(
        f"/api/v1/projects/{report.project_id}/monitoring/{report.round_id}",
        data={"executed": "1"},
        content_type="application/json",
        **api_token("unit_xinzhou"),
    )

    assert (response.status_code, response.json()["code"]) == (409, "not_submittable")
    assert (put.status_code, put.json()["code"]) == (409, "not_editable")


def test_hold_and_adjustment_only_on_red(client, api_token, report):
    yellow_hold = _post(client, report, "hold", api_token("perf_admin"), {"reason": "滞后"})
    assert (yellow_hold.status_code, yellow_hold.json()["code"]) == (409, "not_red")

    actions.do_save_report(report, amounts={"executed": Decimal("100000")}, acting_user=None)  # 10 %: red
    hold = _post(client, report, "hold", api_token("agri_div"), {"reason": "执行严重滞后"})
    adjustment = _post(client, report, "adjustment", api_token("perf_admin"), {"reason": "建设内容调整"})
    no_reason = _post(client, report, "adjustment", api_token("perf_admin"), {"reason": " "})
    unit = _post(client, report, "hold", api_token("unit_xinzhou"), {"reason": "x"})

    assert (hold.status_code, hold.json()["payment_held"], hold.json()["events"][-1]["kind"]) == (200, True, "hold")
    assert PaymentHold.objects.get(project=report.project).reason == "执行严重滞后"
    assert adjustment.status_code == 200
    assert adjustment.json()["message"] == "已发起绩效目标调整(第 2 版),待项目单位修改后重新报审。"
    assert adjustment.json()["report"]["events"][-1]["kind"] == "adjust"
    assert (no_reason.status_code, no_reason.json()["message"]) == (422, "请填写调整原因。")
    assert unit.status_code == 403


@pytest.fixture
def round_with_two_districts(report, demo):
    other = jiangxia_project("T-AW-JX")
    allocate(other, "2000000", dt.date(2023, 2, 1))
    with_goal(other)
    submitted(report)
    monitoring_round = report.round
    # A second report in the same round: 江夏, nothing paid, red.
    jx = MonitoringReport.objects.create(round=monitoring_round, project=other, annual_budget=Decimal("2000000"))
    actions.refresh_warning(jx)
    return monitoring_round


def test_round_detail_summarises_by_department_and_district_within_scope(client, api_token, round_with_two_districts):
    url = f"/api/v1/monitoring/rounds/{round_with_two_districts.pk}"

    everything = client.get(url, **api_token("perf_admin")).json()
    xinzhou = client.get(url, **api_token("xinzhou_fin")).json()

    assert (everything["period"], everything["time_progress"]) == ("1–6月", 50.0)
    assert {k: everything["summary"][k] for k in ("reports", "red", "yellow", "budget", "executed", "rate")} == {
        "reports": 2,
        "red": 1,
        "yellow": 1,
        "budget": "3000000.00",
        "executed": "350000.00",
        "rate": "11.67",
    }
    assert everything["summary"]["by_status"] == {
        "draft": 1,
        "submitted": 1,
        "finance_review": 0,
        "returned": 0,
        "approved": 0,
    }
    assert [
        (g["code"], g["label"], g["reports"], g["red"], g["yellow"], g["rate"]) for g in everything["by_district"]
    ] == [
        ("420117", "新洲区", 1, 0, 1, "35.00"),
        ("420115", "江夏区", 1, 1, 0, "0.00"),
    ]
    assert [g["code"] for g in everything["by_department"]] == ["420117-NYJ", "420115-NYJ"]
    assert (xinzhou["summary"]["reports"], [g["label"] for g in xinzhou["by_district"]]) == (1, ["新洲区"])


def test_round_reports_list_is_scoped_and_filtered(client, api_token, round_with_two_districts):
    url = f"/api/v1/monitoring/rounds/{round_with_two_districts.pk}/reports"
    admin = api_token("perf_admin")

    everything = client.get(url, **admin).json()
    red = client.get(url + "?warning_level=red", **admin).json()
    submitted_only = client.get(url + "?status=submitted", **admin).json()
    none = client.get(url + "?warning_level=none", **admin).json()
    jiangxia = client.get(url, **api_token("jiangxia_fin")).json()
    bad = client.get(url + "?status=done", **admin)

    assert [r["project_code"] for r in everything] == ["T-AW-1", "T-AW-JX"]
    assert [r["project_code"] for r in red] == ["T-AW-JX"]
    assert [(r["project_code"], r["status_label"], r["review_step"]) for r in submitted_only] == [
        ("T-AW-1", "待主管部门审核", "dept")
    ]
    assert none == []
    assert [r["project_code"] for r in jiangxia] == ["T-AW-JX"]
    assert bad.status_code == 422 and bad.json()["message"].startswith("状态“done”不存在")


def test_round_create_refuses_bad_thresholds_in_chinese(client, api_token, demo):
    body = {"year": 2023, "cutoff_month": 6, "deadline": "2023-07-15", "thresholds": {"yellow_gap": 30, "red_gap": 20}}

    response = client.post(
        "/api/v1/monitoring/rounds", data=body, content_type="application/json", **api_token("perf_admin")
    )

    assert (response.status_code, response.json()["message"]) == (422, "红色预警的百分点不能小于黄色预警的百分点。")


def test_openapi_documents_the_workflow_routes():
    from jixiao.api.api import api

    schema = api.get_openapi_schema()
    paths = {"/" + path.removeprefix("/api/v1").lstrip("/"): spec for path, spec in schema["paths"].items()}

    report = "/projects/{project_id}/monitoring/{round_id}"
    workflow = ("/submit", "/review", "/hold", "/release-hold", "/adjustment")
    rounds = ("/monitoring/rounds/{round_id}/close", "/monitoring/rounds/{round_id}/extend")
    for path in [report + verb for verb in workflow] + list(rounds):
        assert {str(code) for code in paths[path]["post"]["responses"]} >= {"200", "403", "404", "409", "422"}, path
    review_body = paths[report + "/review"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert review_body["$ref"].endswith("/ReviewIn")
    assert {"/monitoring/rounds/{round_id}", "/monitoring/rounds/{round_id}/reports"} <= set(paths)


@pytest.mark.parametrize(
    "body, message",
    [
        ({"executed": "-1"}, "1–N月执行数不能为负数(填写的是 -1)。"),
        ({"expected_annual": "1.234"}, "全年预计执行数 1.234 最多保留两位小数(单位为元)。"),
        ({"annual_budget": "1e15"}, "年初预算数 1E+15 超出范围(单位为元,最多 14 位整数)。"),
        ({"indicators": [{"id": 999999, "progress": "x"}]}, "第 1 项指标:指标行 999999 不属于该监控表。"),
        ({"indicators": [{"progress": "x"}]}, "第 1 项指标:新增指标须填写三级指标名称。"),
        (
            {"indicators": [{"name": "新指标", "progress": "长" * 201}]},
            "第 1 项指标“新指标”:执行情况不能超过 200 个字(现有 201 个)。",
        ),
    ],
)
def test_bad_input_is_a_precise_422_and_saves_nothing(client, api_token, report, body, message):
    body = {"executed": "1", **body} if "executed" not in body else body

    response = client.put(
        f"/api/v1/projects/{report.project_id}/monitoring/{report.round_id}",
        data=body,
        content_type="application/json",
        **api_token("unit_xinzhou"),
    )

    assert (response.status_code, response.json()["message"]) == (422, message)
    report.refresh_from_db()
    assert (report.executed, report.lines.count()) == (Decimal("350000"), 2)
