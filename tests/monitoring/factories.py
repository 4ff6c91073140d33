from __future__ import annotations

import datetime as dt
from typing import Any

from jixiao.goals.models import Goal, GoalIndicator
from jixiao.monitoring.actions import do_save_report, do_submit_report
from jixiao.monitoring.models import MonitoringReport, MonitoringRound
from jixiao.monitoring.round_actions import do_open_round
from jixiao.orgs.models import Region, Unit
from jixiao.projects.models import Project


def with_goal(project: Project, *, status: str = "approved") -> Goal:
    goal = Goal.objects.create(project=project, year=project.year, style="101", status=status, locked=True)
    rows = [
        ("产出指标", "数量指标", "新增灌溉面积", "≥", "3000", "亩"),
        ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%"),
    ]
    for sort, (l1, l2, name, op, target, unit) in enumerate(rows, start=1):
        GoalIndicator.objects.create(
            goal=goal, sort=sort, level1=l1, level2=l2, name=name, operator=op, target=target, unit=unit
        )
    return goal


def open_round(month: int = 6, department: str = "420117-NYJ", **kwargs: Any) -> MonitoringRound:
    """A 2023 round limited to one department's projects (by default 新洲区农业农村局, the factories' department),
    still open for filling: its deadline is a month from today unless `deadline` is given."""
    return do_open_round(
        name=kwargs.pop("name", "2023年监控"),
        year=2023,
        cutoff_month=month,
        deadline=kwargs.pop("deadline", dt.date.today() + dt.timedelta(days=30)),
        department=Unit.objects.get(code=department),
        acting_user=kwargs.pop("acting_user", None),
        **kwargs,
    )


def report_of(monitoring_round: MonitoringRound, project: Project) -> MonitoringReport:
    return MonitoringReport.objects.select_related("round", "project").get(round=monitoring_round, project=project)


def city_project(code: str) -> Project:
    """A 2023 project of 市农业农村局 (SNYNCJ, dept_agri's tree) run by its unit SNYNCJ-1, managed by 农业农村处."""
    from tests.funds.factories import make_project

    return make_project(
        code,
        region=Region.objects.get(code="420100"),
        unit=Unit.objects.get(code="SNYNCJ-1"),
        department=Unit.objects.get(code="SNYNCJ"),
    )


def fill_all_sure(report: MonitoringReport, *, acting_user: Any = None) -> MonitoringReport:
    """Every indicator line filled as 确定能 (what a unit does before submitting a report with no risk)."""
    lines = [{"id": line.pk, "progress": "按计划推进", "likelihood": "sure"} for line in report.lines.all()]
    return do_save_report(report, amounts={}, lines=lines, acting_user=acting_user)


def submitted(report: MonitoringReport) -> MonitoringReport:
    """The report filled and submitted by the console: status 待主管部门审核."""
    fill_all_sure(report)
    return do_submit_report(report, acting_user=None)
