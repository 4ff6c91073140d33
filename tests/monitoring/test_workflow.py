"""The 监控表 review workflow: unit → 主管部门 (department or district finance) → 财政, returns, events, audit, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jixiao.audit.models import AuditLog
from jixiao.monitoring import actions
from jixiao.monitoring.models import MonitoringEvent, ReportStatus
from jixiao.monitoring.selectors import moves_for
from tests.funds.factories import allocate, make_project, pay
from tests.monitoring.factories import city_project, fill_all_sure, open_round, report_of, submitted, with_goal

NOON = dt.datetime(2023, 7, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def report(demo):
    """A yellow 新洲 report (35 % at 1–6月) with two indicator lines, still with the unit."""
    project = make_project("T-WF-1")
    allocate(project, "1000000", dt.date(2023, 2, 1))
    pay(project, "350000", dt.date(2023, 5, 1))
    with_goal(project)
    return report_of(open_round(6), project)


def _events(report):
    return list(
        MonitoringEvent.objects.filter(report=report)
        .exclude(kind="open")
        .values_list("kind", "step", "from_status", "to_status", "actor__username", "opinion")
    )


def test_district_project_passes_district_finance_then_the_fund_division(report, demo):
    unit, district, division = demo["unit_xinzhou"], demo["xinzhou_fin"], demo["agri_div"]
    fill_all_sure(report, acting_user=unit)

    with time_machine.travel(NOON, tick=False):
        actions.do_submit_report(report, acting_user=unit)
        actions.do_review_report(report, decision="approve", opinion="数据已核实", acting_user=district)
        assert (report.status, report.review_step()) == (ReportStatus.FINANCE_REVIEW, "finance")
        actions.do_review_report(report, decision="approve", opinion="", acting_user=division)

    report.refresh_from_db()
    assert (report.status, report.submitted_at, report.reviewed_at) == (ReportStatus.APPROVED, NOON, NOON)
    assert report.review_step() is None
    assert _events(report) == [
        ("submit", "", "draft", "submitted", "unit_xinzhou", ""),
        ("approve", "dept", "submitted", "finance_review", "xinzhou_fin", "数据已核实"),
        ("approve", "finance", "finance_review", "approved", "agri_div", ""),
    ]


def test_city_project_is_reviewed_by_its_department_then_the_performance_division(demo):
    project = city_project("T-WF-CITY")
    allocate(project, "500000", dt.date(2023, 2, 1))
    pay(project, "300000", dt.date(2023, 4, 1))
    with_goal(project)
    report = submitted(report_of(open_round(6, department="SNYNCJ"), project))

    with pytest.raises(PermissionDenied):
        actions.do_review_report(report, decision="approve", opinion="", acting_user=demo["xinzhou_fin"])
    actions.do_review_report(report, decision="approve", opinion="", acting_user=demo["dept_agri"])
    actions.do_review_report(report, decision="approve", opinion="同意", acting_user=demo["perf_admin"])

    assert report.status == ReportStatus.APPROVED
    assert [e[4] for e in _events(report)][1:] == ["dept_agri", "perf_admin"]


@pytest.mark.parametrize("step_users", [("xinzhou_fin",), ("xinzhou_fin", "agri_div")])
def test_either_step_returns_to_the_unit_with_its_opinion_and_the_unit_resubmits(report, demo, step_users):
    submitted(report)
    for username in step_users[:-1]:
        actions.do_review_report(report, decision="approve", opinion="", acting_user=demo[username])
    before = report.status

    actions.do_review_report(report, decision="return", opinion="执行数与支付不符", acting_user=demo[step_users[-1]])

    assert report.status == ReportStatus.RETURNED
    last = MonitoringEvent.objects.filter(report=report).last()
    assert (last.kind, last.step, last.from_status, last.to_status, last.opinion) == (
        "return",
        "dept" if len(step_users) == 1 else "finance",
        before,
        "returned",
        "执行数与支付不符",
    )
    actions.do_save_report(report, amounts={"expected_annual": Decimal("980000")}, acting_user=demo["unit_xinzhou"])
    actions.do_submit_report(report, acting_user=demo["unit_xinzhou"])
    assert (report.status, report.expected_annual) == (ReportStatus.SUBMITTED, Decimal("980000"))


def test_return_needs_an_opinion_and_the_decision_must_be_known(report, demo):
    submitted(report)

    with pytest.raises(ValidationError, match="退回时必须填写审核意见"):
        actions.do_review_report(report, decision="return", opinion="  ", acting_user=demo["xinzhou_fin"])
    with pytest.raises(ValidationError, match="审核结论应为 approve"):
        actions.do_review_report(report, decision="通过", opinion="", acting_user=demo["xinzhou_fin"])

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert _events(report) == [("submit", "", "draft", "submitted", None, "")]


@pytest.mark.parametrize(
    "username, why",
    [
        ("perf_admin", "finance cannot take the department's step"),
        ("agri_div", "the fund division cannot take the department's step"),
        ("jiangxia_fin", "a district clerk cannot review another district's report"),
        ("dept_agri", "a city department cannot review a district department's unit"),
        ("unit_xinzhou", "the unit cannot review its own report"),
        ("inspector", "read-only"),
    ],
)
def test_only_the_department_step_users_in_scope_review_a_submitted_report(report, demo, username, why):
    submitted(report)

    with pytest.raises(PermissionDenied):
        actions.do_review_report(report, decision="approve", opinion="", acting_user=demo[username])

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED, why


@pytest.mark.parametrize("username", ["xinzhou_fin", "jiangxia_fin", "dept_agri", "unit_xinzhou"])
def test_the_finance_step_is_for_finance_only(report, demo, username):
    submitted(report)
    actions.do_review_report(report, decision="approve", opinion="", acting_user=demo["xinzhou_fin"])

    with pytest.raises(PermissionDenied):
        actions.do_review_report(report, decision="approve", opinion="", acting_user=demo[username])

    assert MonitoringEvent.objects.filter(report=report, step="finance").count() == 0


@pytest.mark.parametrize(
    "status, act, code",
    [
        ("draft", "review", "not_in_review"),
        ("returned", "review", "not_in_review"),
        ("approved", "review", "not_in_review"),
        ("approved", "submit", "not_submittable"),
        ("finance_review", "submit", "not_submittable"),
        ("approved", "save", "not_editable"),
        ("finance_review", "save", "not_editable"),
    ],
)
def test_wrong_status_is_refused_with_a_code(report, demo, status, act, code):
    type(report).objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    calls = {
        "review": lambda: actions.do_review_report(report, decision="approve", opinion="", acting_user=None),
        "submit": lambda: actions.do_submit_report(report, acting_user=demo["unit_xinzhou"]),
        "save": lambda: actions.do_save_report(report, amounts={}, acting_user=demo["unit_xinzhou"]),
    }

    with pytest.raises(actions.MonitoringConflict) as caught:
        calls[act]()

    assert caught.value.code == code
    report.refresh_from_db()
    assert report.status == status


@pytest.mark.parametrize(
    "at_risk, missing",
    [
        ({"likelihood": "possible", "measures": "加快"}, "必须选择偏差原因"),
        ({"likelihood": "impossible", "cause": "funding"}, "必须填写完善措施"),
        ({"likelihood": "impossible", "cause": "funding", "measures": "   "}, "必须填写完善措施"),
    ],
)
def test_at_risk_lines_without_cause_or_measures_save_nothing(report, demo, at_risk, missing):
    first, second = report.lines.all()
    lines = [{"id": first.pk, **at_risk}, {"id": second.pk, "likelihood": "sure", "progress": "已完成"}]

    with pytest.raises(ValidationError) as caught:
        actions.do_save_report(
            report, amounts={"executed": Decimal("1")}, lines=lines, acting_user=demo["unit_xinzhou"]
        )

    assert any(missing in m and "第 1 项指标“新增灌溉面积”" in m for m in caught.value.messages)
    report.refresh_from_db()
    assert report.executed == Decimal("350000")
    assert [(line.likelihood, line.progress) for line in report.lines.all()] == [("", ""), ("", "")]


def test_editing_a_submitted_report_withdraws_it(report, demo):
    submitted(report)

    actions.do_save_report(report, amounts={"executed": Decimal("360000")}, acting_user=demo["unit_xinzhou"])

    report.refresh_from_db()
    assert (report.status, report.executed) == (ReportStatus.DRAFT, Decimal("360000"))
    assert _events(report)[-1][:4] == ("withdraw", "", "submitted", "draft")


def test_submitting_twice_changes_nothing(report, demo):
    submitted(report)

    actions.do_submit_report(report, acting_user=demo["unit_xinzhou"])

    assert [e[0] for e in _events(report)] == ["submit"]


def test_submission_needs_an_indicator_and_consistent_amounts(demo):
    project = make_project("T-WF-NOGOAL")
    allocate(project, "100000", dt.date(2023, 2, 1))
    pay(project, "60000", dt.date(2023, 3, 1))
    report = report_of(open_round(6), project)
    actions.do_save_report(report, amounts={"expected_annual": Decimal("50000")}, acting_user=demo["unit_xinzhou"])

    with pytest.raises(ValidationError) as caught:
        actions.do_submit_report(report, acting_user=demo["unit_xinzhou"])

    assert caught.value.messages == [
        "监控表没有绩效指标:请在填报页补充至少一项指标及其执行情况后再提交。",
        "1–6月执行数 60000.00 元大于全年预计执行数 50000.00 元,请核实后再提交。",
    ]
    assert report.status == ReportStatus.DRAFT


def test_each_transition_writes_an_audit_row(report, demo):
    submitted(report)
    actions.do_review_report(report, decision="return", opinion="请补充措施", acting_user=demo["xinzhou_fin"])

    rows = list(
        AuditLog.objects.filter(model="monitoring.monitoringreport", object_id=str(report.pk), action="transition")
        .order_by("id")
        .values_list("username", "before", "after", "note")
    )
    assert rows == [
        ("system", {"status": "draft"}, {"status": "submitted"}, "submit:"),
        ("xinzhou_fin", {"status": "submitted"}, {"status": "returned"}, "return:请补充措施"),
    ]


@pytest.mark.parametrize(
    "status, username, expected",
    [
        ("draft", "unit_xinzhou", (True, True, None, False)),
        ("submitted", "unit_xinzhou", (True, False, None, False)),
        ("submitted", "xinzhou_fin", (False, False, "dept", False)),
        ("submitted", "perf_admin", (False, False, None, False)),
        ("finance_review", "agri_div", (False, False, "finance", False)),
        ("finance_review", "xinzhou_fin", (False, False, None, False)),
        ("approved", "unit_xinzhou", (False, False, None, False)),
        ("returned", "unit_xinzhou", (True, True, None, False)),
    ],
)
def test_moves_follow_status_permission_and_scope(report, demo, status, username, expected):
    type(report).objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()

    moves = moves_for(demo[username], report)

    assert (moves.edit, moves.submit, moves.review_step, moves.dispose) == expected


def test_dispose_move_is_for_managers_on_red_reports(report, demo):
    actions.do_save_report(report, amounts={"executed": Decimal("100000")}, acting_user=demo["unit_xinzhou"])

    assert report.warning_level == "red"
    assert [moves_for(demo[u], report).dispose for u in ("perf_admin", "agri_div", "xinzhou_fin", "unit_xinzhou")] == [
        True,
        True,
        False,
        False,
    ]
