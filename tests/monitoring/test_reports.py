"""监控表: opening a round prefills from payments and goals; filling rules; review; dispositions; scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jixiao.funds.models import PaymentHold
from jixiao.goals.models import Goal
from jixiao.monitoring import actions
from jixiao.monitoring.models import ReportStatus
from tests.funds.factories import allocate, jiangxia_project, make_project, pay
from tests.monitoring.factories import open_round, report_of, with_goal

D = Decimal


@pytest.fixture
def project(demo):
    project = make_project("T-MON-1")
    allocate(project, "1000000", dt.date(2023, 2, 1))
    pay(project, "300000", dt.date(2023, 5, 1))
    pay(project, "50000", dt.date(2023, 6, 1), is_retention=True)  # retention: unspent
    pay(project, "90000", dt.date(2023, 7, 1))  # after the cut-off
    with_goal(project)
    return project


def _line_values(report, **by_name):
    return [{"id": line.pk, **by_name.get(line.name, {"likelihood": "sure"})} for line in report.lines.all()]


def test_open_round_prefills_budget_execution_and_indicators(project):
    report = report_of(open_round(6), project)

    assert (report.annual_budget, report.executed, report.expected_annual) == (D("1000000"), D("300000"), D("1000000"))
    assert report.rate == 30.0
    assert report.warning_level == "yellow"  # 30 % is on the red line (50 − 20), below the yellow one
    assert [w["code"] for w in report.warnings] == ["W01"]
    assert [(line.name, line.target) for line in report.lines.all()] == [
        ("新增灌溉面积", "3000"),
        ("受益群众满意度", "90"),
    ]


def test_round_scope_excludes_other_departments(project):
    other = jiangxia_project("T-MON-JX")

    monitoring_round = open_round(6)

    assert list(monitoring_round.reports.values_list("project__code", flat=True)) == ["T-MON-1"]
    assert not other.monitoring_reports.exists()


@pytest.mark.parametrize(
    "values, message",
    [
        ({"likelihood": "possible", "measures": "加快进度"}, "必须选择偏差原因"),
        ({"likelihood": "impossible", "cause": "funding"}, "必须填写完善措施"),
        ({"likelihood": "perhaps"}, "完成目标可能性应为 确定能/有可能/不可能 之一"),
    ],
)
def test_cause_and_measures_are_mandatory_when_at_risk(project, demo, values, message):
    report = report_of(open_round(6), project)

    with pytest.raises(ValidationError) as caught:
        actions.do_save_report(
            report, amounts={}, lines=_line_values(report, 新增灌溉面积=values), acting_user=demo["unit_xinzhou"]
        )

    assert any(message in m for m in caught.value.messages)
    assert message != "必须选择偏差原因" or caught.value.messages[0].startswith(
        "第 1 项指标“新增灌溉面积”完成可能性为“有可能”"
    )


def test_submit_needs_every_likelihood_and_goes_to_the_department(project, demo):
    unit = demo["unit_xinzhou"]
    report = report_of(open_round(6), project)
    with pytest.raises(ValidationError, match="请选择完成目标可能性"):
        actions.do_submit_report(report, acting_user=unit)

    at_risk = {"likelihood": "impossible", "cause": "hardware", "measures": "协调设备提前到货"}
    actions.do_save_report(
        report, amounts={"executed": D("350000")}, lines=_line_values(report, 新增灌溉面积=at_risk), acting_user=unit
    )
    actions.do_submit_report(report, acting_user=unit)

    report.refresh_from_db()
    assert (report.status, report.review_step(), report.warning_level) == (ReportStatus.SUBMITTED, "dept", "red")
    assert list(report.events.values_list("kind", "from_status", "to_status")) == [
        ("open", "", "draft"),
        ("submit", "draft", "submitted"),
    ]


def test_fill_and_review_need_permission_and_scope(project, demo):
    report = report_of(open_round(6), project)

    with pytest.raises(PermissionDenied):
        actions.do_save_report(report, amounts={}, acting_user=demo["perf_admin"])  # finance does not fill
    with pytest.raises(PermissionDenied):
        actions.do_save_report(report, amounts={}, acting_user=demo["dept_agri"])  # another department's unit tree
    with pytest.raises(actions.MonitoringConflict, match="不在审核环节"):
        actions.do_review_report(report, decision="approve", opinion="", acting_user=demo["xinzhou_fin"])


def _red_report(project, demo):
    report = report_of(open_round(6), project)
    actions.do_save_report(report, amounts={"executed": D("100000")}, acting_user=demo["unit_xinzhou"])
    assert report.warning_level == "red"
    return report


def test_payment_hold_on_red_shows_on_the_funds_page(project, demo, login):
    report = _red_report(project, demo)

    actions.do_hold_report_payments(report, reason="执行严重滞后", acting_user=demo["agri_div"])

    hold = PaymentHold.objects.get(project=project)
    assert (hold.reason, hold.is_active, hold.created_by.username) == ("执行严重滞后", True, "agri_div")
    assert report.payment_held and report.events.filter(kind="hold").count() == 1
    assert "执行严重滞后" in login("unit_xinzhou").get("/funds/").content.decode()


def test_holding_again_while_held_changes_nothing_but_after_release_holds_anew(project, demo):
    report = _red_report(project, demo)
    actions.do_hold_report_payments(report, reason="执行严重滞后", acting_user=demo["agri_div"])

    actions.do_hold_report_payments(report, reason="再次暂缓", acting_user=demo["perf_admin"])
    assert PaymentHold.objects.filter(project=project).count() == 1
    assert report.events.filter(kind="hold").count() == 1

    release_all(project)
    actions.do_hold_report_payments(report, reason="再次暂缓", acting_user=demo["perf_admin"])
    assert list(PaymentHold.objects.filter(project=project, released_at=None).values_list("reason", flat=True)) == [
        "再次暂缓"
    ]
    assert list(report.events.filter(kind="hold").values_list("opinion", flat=True)) == ["执行严重滞后", "再次暂缓"]


def release_all(project):
    from django.utils import timezone

    PaymentHold.objects.filter(project=project).update(released_at=timezone.now())


def test_dispositions_need_a_red_warning(project, demo):
    report = report_of(open_round(6), project)  # yellow

    with pytest.raises(actions.MonitoringConflict, match="只有红色预警") as caught:
        actions.do_hold_report_payments(report, reason="", acting_user=demo["perf_admin"])
    assert caught.value.code == "not_red"
    with pytest.raises(actions.MonitoringConflict, match="只有红色预警"):
        actions.do_request_adjustment(report, reason="调整", acting_user=demo["perf_admin"])
    assert not PaymentHold.objects.filter(project=report.project).exists()


def test_adjustment_reopens_the_approved_goal(project, demo):
    report = _red_report(project, demo)

    outcome = actions.do_request_adjustment(report, reason="建设内容调整", acting_user=demo["perf_admin"])

    goal = Goal.objects.get(project=project)
    assert (goal.status, goal.version, goal.locked) == ("draft", 2, False)
    assert outcome == "已发起绩效目标调整(第 2 版),待项目单位修改后重新报审。"
    assert report.events.get(kind="adjust").actor.username == "perf_admin"


def test_adjustment_without_approved_goal_is_recorded(demo):
    project = make_project("T-MON-2")
    allocate(project, "100000", dt.date(2023, 2, 1))
    report = report_of(open_round(6), project)  # nothing paid: red

    outcome = actions.do_request_adjustment(report, reason="建设内容调整", acting_user=demo["perf_admin"])

    assert outcome == "已记录调整申请,待项目单位调整绩效目标和预算。"
    assert report.events.filter(kind="adjust", opinion__startswith="建设内容调整").exists()
