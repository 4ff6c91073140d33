from __future__ import annotations

import datetime as dt
from typing import Any

from jixiao.goals.models import Goal, GoalIndicator
from jixiao.monitoring.actions import do_open_round
from jixiao.monitoring.models import MonitoringReport, MonitoringRound
from jixiao.orgs.models import Unit
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


def open_round(month: int = 6, **kwargs: Any) -> MonitoringRound:
    """A 2023 round limited to 新洲区农业农村局's projects (the factories' department)."""
    return do_open_round(
        name=kwargs.pop("name", "2023年监控"),
        year=2023,
        cutoff_month=month,
        deadline=dt.date(2023, month % 12 + 1, 15),
        department=Unit.objects.get(code="420117-NYJ"),
        acting_user=kwargs.pop("acting_user", None),
        **kwargs,
    )


def report_of(monitoring_round: MonitoringRound, project: Project) -> MonitoringReport:
    return MonitoringReport.objects.select_related("round", "project").get(round=monitoring_round, project=project)
