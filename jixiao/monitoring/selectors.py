"""Scoped reads of monitoring reports and the round summaries (counts by warning level, rates by group)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import get_scoped_for_user
from jixiao.funds.selectors import district_code, execution_rate
from jixiao.monitoring.models import MonitoringReport, MonitoringRound, WarningLevel
from jixiao.orgs.models import Region


def get_report_for_user(user: Any, pk: Any, *, write_perm: str = Perm.MONITORING_FILL, write: bool = False):
    """One 监控表: 404 outside read scope, 403 outside the scope of `write_perm` when writing."""
    return get_scoped_for_user(
        lambda u, p: MonitoringReport.objects.visible_to(u, p).select_related(
            "round", "project", "project__unit", "project__department", "project__region"
        ),
        user,
        pk,
        read_perm=Perm.PROJECTS_VIEW,
        write_perm=write_perm,
        write=write,
    )


def get_round(pk: Any) -> MonitoringRound:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(MonitoringRound, pk=pk)


def reports_for(user: Any, monitoring_round: MonitoringRound):
    return (
        MonitoringReport.objects.visible_to(user)
        .filter(round=monitoring_round)
        .select_related("project", "project__unit", "project__department", "project__region", "round")
    )


@dataclass
class Group:
    """A department's or district's reports: counts by warning level, budget, executed and 执行率."""

    label: str
    reports: int = 0
    red: int = 0
    yellow: int = 0
    budget: Decimal = Decimal("0.00")
    executed: Decimal = Decimal("0.00")

    @property
    def rate(self) -> Decimal | None:
        return execution_rate(self.executed, self.budget)


def level_counts(reports: Iterable[MonitoringReport]) -> dict[str, int]:
    counts = Counter(r.warning_level for r in reports)
    return {(label if value else "无预警"): counts.get(value, 0) for value, label in WarningLevel.choices}


def group_reports(reports: Iterable[MonitoringReport], key: str) -> list[Group]:
    """Group by 'department' (主管部门) or 'district' (区)."""
    groups: dict[str, Group] = {}
    for report in reports:
        label = report.project.department.name if key == "department" else district_code(report.project)
        group = groups.setdefault(label, Group(label))
        group.reports += 1
        group.red += report.warning_level == WarningLevel.RED
        group.yellow += report.warning_level == WarningLevel.YELLOW
        group.budget += report.annual_budget
        group.executed += report.executed
    if key == "district":
        names = dict(Region.objects.filter(code__in=groups).values_list("code", "name"))
        for code, group in groups.items():
            group.label = names.get(code, code)
    return sorted(groups.values(), key=lambda g: g.label)
