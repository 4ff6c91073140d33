"""Scoped reads of monitoring reports, who may do what on one, and the round summaries (counts, rates by group)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import get_scoped_for_user
from jixiao.funds.models import PaymentHold
from jixiao.funds.selectors import district_code, execution_rate
from jixiao.monitoring.models import MonitoringReport, MonitoringRound, ReportStatus, ReviewStep, WarningLevel
from jixiao.orgs.models import Region

STEP_PERMS = {ReviewStep.DEPT: Perm.MONITORING_REVIEW_DEPT, ReviewStep.FINANCE: Perm.MONITORING_REVIEW_FINANCE}
# The warning filter's values: the level codes, and "none" for reports without a warning.
LEVEL_FILTERS = {WarningLevel.RED.value: WarningLevel.RED, WarningLevel.YELLOW.value: WarningLevel.YELLOW,
                 "none": WarningLevel.NONE}  # fmt: skip
REPORT_RELATED = ("round", "project", "project__unit", "project__department", "project__region")


def get_report_for_user(user: Any, pk: Any, *, write_perm: str = Perm.MONITORING_FILL, write: bool = False):
    """One 监控表: 404 outside read scope, 403 outside the scope of `write_perm` when writing."""
    return get_scoped_for_user(
        lambda u, p: MonitoringReport.objects.visible_to(u, p).select_related(*REPORT_RELATED),
        user,
        pk,
        read_perm=Perm.PROJECTS_VIEW,
        write_perm=write_perm,
        write=write,
    )


def get_round(pk: Any) -> MonitoringRound:
    """A round by id (rounds are visible to every business role; their reports are scoped)."""
    return get_object_or_404(MonitoringRound, pk=pk)


def reports_for(user: Any, monitoring_round: MonitoringRound) -> QuerySet[MonitoringReport]:
    return MonitoringReport.objects.visible_to(user).filter(round=monitoring_round).select_related(*REPORT_RELATED)


def filter_reports(
    reports: QuerySet[MonitoringReport], *, status: str | None = None, level: str | None = None
) -> QuerySet[MonitoringReport]:
    """Narrow by status code and warning level ("red", "yellow" or "none"); unknown values are refused."""
    if status:
        if status not in ReportStatus.values:
            choices = "、".join(f"{value}({label})" for value, label in ReportStatus.choices)
            raise ValidationError({"status": f"状态“{status}”不存在,应为 {choices} 之一。"})
        reports = reports.filter(status=status)
    if level:
        if level not in LEVEL_FILTERS:
            raise ValidationError(
                {"warning_level": f"预警等级“{level}”不存在,应为 red(红色)、yellow(黄色)、none(无预警)之一。"}
            )
        reports = reports.filter(warning_level=LEVEL_FILTERS[level])
    return reports


def is_held(report: MonitoringReport) -> bool:
    """Whether payments are held (暂缓拨款) for the report's project: its own hold, or one still in force."""
    return (
        report.payment_held
        or PaymentHold.objects.filter(project_id=report.project_id, released_at__isnull=True).exists()
    )


def can_manage_round(user: Any, monitoring_round: MonitoringRound) -> bool:
    """Whether the user may close or extend the round: monitoring.manage over every 监控表 in it. A round opened by
    a fund division covers its own projects; a city-wide round is the 预算绩效管理处's."""
    if not user.has_perm_code(Perm.MONITORING_MANAGE):
        return False
    managed = MonitoringReport.objects.visible_to(user, Perm.MONITORING_MANAGE).values("pk")
    return not monitoring_round.reports.exclude(pk__in=managed).exists()


def in_report_scope(user: Any, report: MonitoringReport, perm: str) -> bool:
    """Whether the user holds `perm` with the report's project inside that permission's scope."""
    return user.has_perm_code(perm) and MonitoringReport.objects.visible_to(user, perm).filter(pk=report.pk).exists()


@dataclass(frozen=True)
class Moves:
    """What a user may do on a 监控表 now: the buttons its page shows."""

    edit: bool = False
    submit: bool = False
    review_step: str | None = None
    can_return: bool = False
    dispose: bool = False
    release: bool = False
    refusal: str = ""

    @property
    def review_label(self) -> str:
        return ReviewStep(self.review_step).label if self.review_step else ""


def moves_for(user: Any, report: MonitoringReport) -> Moves:
    """The moves the report's status, its round (closed, past the deadline) and the user's permissions and scope
    allow; `refusal` is the round's reason, for a unit that could otherwise fill or submit."""
    fill = (report.can_edit() or report.can_submit()) and in_report_scope(user, report, Perm.MONITORING_FILL)
    fill_refusal, submit_refusal = report.fill_refusal(), report.submit_refusal()
    step = report.review_step()
    review = step is not None and in_report_scope(user, report, STEP_PERMS[ReviewStep(step)])
    manage = in_report_scope(user, report, Perm.MONITORING_MANAGE)
    edit, submit = fill and report.can_edit(), fill and report.can_submit()
    refused = (edit and fill_refusal) or (submit and submit_refusal) or None
    return Moves(
        edit=edit and fill_refusal is None,
        submit=submit and submit_refusal is None,
        review_step=step if review else None,
        can_return=review and not report.round.is_closed,
        dispose=report.can_dispose() and manage,
        release=manage and is_held(report),
        refusal=refused[1] if refused else "",
    )


@dataclass
class Group:
    """A department's or district's reports: counts by warning level, budget, executed and 执行率."""

    label: str
    code: str = ""
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


def status_counts(reports: Iterable[MonitoringReport]) -> dict[str, int]:
    """Reports per status code, every status present (zeros included), in workflow order."""
    counts = Counter(r.status for r in reports)
    return {value: counts.get(value, 0) for value in ReportStatus.values}


def _add(group: Group, report: MonitoringReport) -> None:
    group.reports += 1
    group.red += report.warning_level == WarningLevel.RED
    group.yellow += report.warning_level == WarningLevel.YELLOW
    group.budget += report.annual_budget
    group.executed += report.executed


def total_of(reports: Iterable[MonitoringReport]) -> Group:
    """All the reports as one group (合计)."""
    total = Group("合计")
    for report in reports:
        _add(total, report)
    return total


def group_reports(reports: Iterable[MonitoringReport], key: str) -> list[Group]:
    """Group by 'department' (主管部门) or 'district' (区)."""
    groups: dict[str, Group] = {}
    for report in reports:
        department = report.project.department
        code = department.code if key == "department" else district_code(report.project)
        _add(groups.setdefault(code, Group(department.name if key == "department" else code, code)), report)
    if key == "district":
        names = dict(Region.objects.filter(code__in=groups).values_list("code", "name"))
        for code, group in groups.items():
            group.label = names.get(code, code)
    return sorted(groups.values(), key=lambda g: g.label)
