"""Writes on a monitoring round (监控批次): open it, close it (结束) and extend its deadline (延期).

Opening creates a prefilled 监控表 for every monitored project in the round's scope (and the user's) with its warning
computed. Closing ends the filling: units can no longer fill or submit the round's 监控表, reviewers may still approve
what was already submitted. The round's manager extends the deadline, which also reopens a closed round. Closing and
extending write a RoundEvent and an audit row in the same transaction. `acting_user=None` is the console operator.

Writes on a single 监控表 (filling, review, dispositions) are in `actions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.models import AuditAction
from jixiao.audit.recorder import record, record_created, record_updated, snapshot
from jixiao.funds.models import Allocation
from jixiao.funds.selectors import money, spent_until
from jixiao.monitoring.actions import clean_opinion, refresh_warning
from jixiao.monitoring.models import (
    THRESHOLD_LABELS,
    MonitoringEvent,
    MonitoringLine,
    MonitoringReport,
    MonitoringRound,
    RoundEvent,
    RoundStatus,
    default_thresholds,
)
from jixiao.monitoring.selectors import can_manage_round
from jixiao.orgs.models import Region, Unit
from jixiao.projects.models import Project, ProjectStatus

# Projects with an approved budget are monitored; reserve, in-library and terminated ones are not.
MONITORED_STATUSES = (
    ProjectStatus.APPROVED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.COMPLETED,
    ProjectStatus.ACCEPTED,
)
# Threshold ranges (inclusive) a round accepts; the rules read percentage points, months and 万元.
THRESHOLD_RANGES = {"yellow_gap": (0, 100), "red_gap": (0, 100), "late_month": (1, 12), "late_rate": (0, 100),
                    "large_budget_wan": (0, 10_000_000)}  # fmt: skip


def _budget_of(project: Project) -> Decimal:
    allocated = Allocation.objects.filter(project=project).aggregate(s=Sum("amount"))["s"]
    return money(allocated) if allocated else (project.budget_wan * 10000).quantize(Decimal("0.01"))


def _goal_lines(project: Project) -> list[MonitoringLine]:
    """The goal's indicator rows copied as monitoring lines (none when the goal app holds no goal)."""
    try:
        from jixiao.goals.models import GoalIndicator
    except ImportError:  # pragma: no cover - the goal area ships with the product
        return []
    rows = GoalIndicator.objects.filter(goal__project=project).order_by("sort", "id")
    return [
        MonitoringLine(
            sort=index,
            level1=row.level1,
            level2=row.level2,
            name=row.name,
            operator=row.operator,
            target=row.target,
            unit=row.unit,
            weight=row.weight,
        )
        for index, row in enumerate(rows, start=1)
    ]


def round_projects(*, year: int, department: Unit | None, district: Region | None, acting_user: Any) -> Any:
    projects = Project.objects.filter(year=year, status__in=MONITORED_STATUSES)
    if department is not None:
        projects = projects.filter(department__path__startswith=department.path)
    if district is not None:
        projects = projects.filter(region__path__startswith=district.path)
    if acting_user is not None:
        projects = projects.filter(pk__in=Project.objects.visible_to(acting_user, Perm.MONITORING_MANAGE).values("pk"))
    return projects.order_by("code")


def _prefill(report: MonitoringReport) -> None:
    report.annual_budget = _budget_of(report.project)
    report.executed = spent_until(report.project, report.round.cutoff_date)
    report.expected_annual = report.annual_budget


@transaction.atomic
def do_open_round(
    *,
    name: str,
    year: int,
    cutoff_month: int,
    deadline: dt.date,
    department: Unit | None = None,
    district: Region | None = None,
    thresholds: Mapping[str, Any] | None = None,
    acting_user: Any,
) -> MonitoringRound:
    """Open a round and create a prefilled 监控表 for every project in its scope (and the user's)."""
    require_perm(acting_user, Perm.MONITORING_MANAGE)
    if not 1 <= cutoff_month <= 12:
        raise ValidationError({"cutoff_month": f"截止月份应为 1–12(填写的是 {cutoff_month})。"})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": f"预算年度应为 2000–2100 之间的年份(填写的是 {year})。"})
    if len(name.strip()) > 100:
        raise ValidationError({"name": "批次名称不能超过 100 个字。"})
    merged = clean_thresholds(thresholds or {})
    monitoring_round = MonitoringRound.objects.create(
        name=name.strip() or f"{year}年1–{cutoff_month}月绩效运行监控",
        year=year,
        cutoff_month=cutoff_month,
        deadline=deadline,
        department=department,
        district=district,
        thresholds=merged,
        created_by=acting_user,
    )
    record_created(acting_user, monitoring_round)
    projects = round_projects(year=year, department=department, district=district, acting_user=acting_user)
    for project in projects:
        report = MonitoringReport(round=monitoring_round, project=project)
        _prefill(report)
        report.save()
        lines = _goal_lines(project)
        for line in lines:
            line.report = report
        MonitoringLine.objects.bulk_create(lines)
        refresh_warning(report)
        MonitoringEvent.objects.create(report=report, actor=acting_user, kind="open", to_status=report.status)
    return monitoring_round


def clean_thresholds(thresholds: Mapping[str, Any]) -> dict[str, Any]:
    """Returns the defaults overlaid with the given thresholds; unknown keys or values out of range are refused."""
    unknown = set(thresholds) - set(default_thresholds())
    if unknown:
        raise ValidationError({"thresholds": f"不认识的预警阈值:{'、'.join(sorted(unknown))}"})
    merged = {**default_thresholds(), **thresholds}
    for key, value in merged.items():
        low, high = THRESHOLD_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise ValidationError(
                {"thresholds": f"{THRESHOLD_LABELS[key]}应为 {low}–{high} 之间的数(填写的是 {value})。"}
            )
        if isinstance(value, float) and value.is_integer():
            merged[key] = int(value)
    if merged["red_gap"] < merged["yellow_gap"]:
        raise ValidationError({"thresholds": "红色预警的百分点不能小于黄色预警的百分点。"})
    return merged


# --- closing and extending a round ---------------------------------------------------------------------------


def ensure_round_manager(acting_user: Any, monitoring_round: MonitoringRound) -> None:
    """Raise PermissionDenied unless the user may close or extend the round (see selectors.can_manage_round)."""
    require_perm(acting_user, Perm.MONITORING_MANAGE)
    if acting_user is not None and not can_manage_round(acting_user, monitoring_round):
        raise PermissionDenied("该监控批次含有您管理范围以外的项目,只能由组织该批次的处室结束或延期。")


def _round_event(
    monitoring_round: MonitoringRound, actor: Any, kind: str, before: Mapping[str, Any], opinion: str
) -> None:
    RoundEvent.objects.create(
        round=monitoring_round,
        actor=actor,
        kind=kind,
        from_status=before["status"],
        to_status=monitoring_round.status,
        old_deadline=before["deadline"],
        new_deadline=monitoring_round.deadline,
        opinion=opinion,
    )


@transaction.atomic
def do_close_round(monitoring_round: MonitoringRound, *, opinion: str = "", acting_user: Any) -> MonitoringRound:
    """End the round (已结束): units can no longer fill or submit its 监控表; submitted ones may still be approved.

    Closing a closed round changes nothing."""
    ensure_round_manager(acting_user, monitoring_round)
    opinion = clean_opinion(opinion, "结束说明")
    if not monitoring_round.can_close():
        return monitoring_round
    before = {"status": monitoring_round.status, "deadline": monitoring_round.deadline}
    monitoring_round.status, monitoring_round.closed_at = RoundStatus.CLOSED, timezone.now()
    monitoring_round.save(update_fields=["status", "closed_at"])
    _round_event(monitoring_round, acting_user, "close", before, opinion)
    record(
        actor=acting_user,
        action=AuditAction.TRANSITION,
        obj=monitoring_round,
        before={"status": before["status"]},
        after={"status": monitoring_round.status},
        note=f"close:{opinion}"[:500],
    )
    return monitoring_round


@transaction.atomic
def do_extend_round(
    monitoring_round: MonitoringRound, *, deadline: dt.date, reason: str = "", acting_user: Any
) -> MonitoringRound:
    """Move the round's deadline later (延期); a closed round is reopened (填报中) with the new deadline.

    The new deadline may not be before today or before the current one; extending an open round to its own
    deadline changes nothing."""
    ensure_round_manager(acting_user, monitoring_round)
    reason = clean_opinion(reason, "延期原因")
    today = timezone.localdate()
    if deadline < today:
        raise ValidationError(
            {"deadline": f"新的截止日期 {deadline:%Y-%m-%d} 早于今天({today:%Y-%m-%d}),延期后仍已逾期。"}
        )
    if deadline < monitoring_round.deadline:
        raise ValidationError(
            {"deadline": f"新的截止日期 {deadline:%Y-%m-%d} 早于原截止日期 {monitoring_round.deadline:%Y-%m-%d}。"}
        )
    reopen = monitoring_round.is_closed
    if not reopen and deadline == monitoring_round.deadline:
        return monitoring_round
    before = {"status": monitoring_round.status, "deadline": monitoring_round.deadline}
    audited = snapshot(monitoring_round)
    monitoring_round.deadline = deadline
    if reopen:
        monitoring_round.status, monitoring_round.closed_at = RoundStatus.OPEN, None
    monitoring_round.save(update_fields=["deadline", "status", "closed_at"])
    _round_event(monitoring_round, acting_user, "reopen" if reopen else "extend", before, reason)
    record_updated(acting_user, monitoring_round, audited, note=f"{'reopen' if reopen else 'extend'}:{reason}"[:500])
    return monitoring_round
