"""Writes on monitoring: open a round, fill / submit / review a 监控表, and the dispositions on a red warning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
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
from jixiao.funds.actions import do_hold_payments
from jixiao.funds.models import Allocation
from jixiao.funds.selectors import money, spent_until
from jixiao.monitoring import warnings
from jixiao.monitoring.models import (
    Cause,
    Likelihood,
    MonitoringEvent,
    MonitoringLine,
    MonitoringReport,
    MonitoringRound,
    ReportStatus,
    WarningLevel,
    default_thresholds,
)
from jixiao.orgs.models import Region, Unit
from jixiao.projects.models import Project, ProjectStatus

FILL_FIELDS = ("progress", "likelihood", "cause", "measures")
NEW_LINE_FIELDS = ("level1", "level2", "name", "operator", "target", "unit")
AMOUNT_FIELDS = ("annual_budget", "executed", "expected_annual")
# Projects with an approved budget are monitored; reserve, in-library and terminated ones are not.
MONITORED_STATUSES = (
    ProjectStatus.APPROVED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.COMPLETED,
    ProjectStatus.ACCEPTED,
)


class MonitoringConflict(Exception):
    """A transition not allowed in the report's current status (shown to the user, not a server error)."""


def _event(report: MonitoringReport, actor: Any, kind: str, before: str, opinion: str = "") -> MonitoringEvent:
    event = MonitoringEvent.objects.create(
        report=report, actor=actor, kind=kind, from_status=before, to_status=report.status, opinion=opinion
    )
    record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=report,
        before={"status": before},
        after={"status": report.status},
        note=f"{kind}:{opinion}"[:500],
    )
    return event


def ensure_report_scope(acting_user: Any, report: MonitoringReport, perm: str) -> None:
    """Raise PermissionDenied unless the user holds `perm` on the report's project."""
    require_perm(acting_user, perm)
    if acting_user is None:
        return
    if not MonitoringReport.objects.visible_to(acting_user, perm).filter(pk=report.pk).exists():
        raise PermissionDenied("该监控表不在您的办理范围内。")


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
        raise ValidationError({"cutoff_month": "截止月份应为 1–12。"})
    unknown = set(thresholds or {}) - set(default_thresholds())
    if unknown:
        raise ValidationError({"thresholds": f"不认识的预警阈值:{'、'.join(sorted(unknown))}"})
    monitoring_round = MonitoringRound.objects.create(
        name=name.strip() or f"{year}年1–{cutoff_month}月绩效运行监控",
        year=year,
        cutoff_month=cutoff_month,
        deadline=deadline,
        department=department,
        district=district,
        thresholds={**default_thresholds(), **(thresholds or {})},
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


def refresh_warning(report: MonitoringReport) -> list[warnings.Outcome]:
    """Re-evaluate the warning rules and store the level and the failed outcomes on the report."""
    lines = list(report.lines.all())
    outcomes = warnings.evaluate(warnings.facts_of(report, lines), {**default_thresholds(), **report.round.thresholds})
    report.warning_level = warnings.level_of(outcomes)
    report.warnings = [o.as_dict() for o in outcomes if not o.passed]
    report.save(update_fields=["warning_level", "warnings", "updated_at"])
    return outcomes


def line_errors(lines: Sequence[MonitoringLine], *, require_likelihood: bool) -> list[str]:
    """Chinese messages for lines missing a likelihood, or a cause and measures where they are mandatory."""
    errors = []
    for index, line in enumerate(lines, start=1):
        where = f"第 {index} 项指标“{line.name}”"
        if not line.likelihood:
            if require_likelihood:
                errors.append(f"{where}:请选择完成目标可能性(确定能/有可能/不可能)。")
            continue
        if line.likelihood in (Likelihood.POSSIBLE, Likelihood.IMPOSSIBLE):
            label = Likelihood(line.likelihood).label
            if not line.cause:
                errors.append(f"{where}完成可能性为“{label}”,必须选择偏差原因({'、'.join(Cause.labels)})。")
            if not line.measures.strip():
                errors.append(f"{where}完成可能性为“{label}”,必须填写完善措施。")
    return errors


def _check_choice(value: str, choices: Any, label: str, where: str) -> None:
    if value and value not in choices.values:
        raise ValidationError(f"{where}:{label}应为 {'/'.join(choices.labels)} 之一。")


def _apply_lines(report: MonitoringReport, lines: Sequence[Mapping[str, Any]]) -> list[MonitoringLine]:
    existing = {line.pk: line for line in report.lines.all()}
    next_sort = max((line.sort for line in existing.values()), default=0)
    for index, values in enumerate(lines, start=1):
        where = f"第 {index} 项指标"
        line = existing.get(int(values["id"])) if values.get("id") else None
        if values.get("id") and line is None:
            raise ValidationError(f"{where}:指标行 {values['id']} 不属于该监控表。")
        if line is None:
            if not str(values.get("name") or "").strip():
                raise ValidationError(f"{where}:新增指标须填写三级指标名称。")
            next_sort += 1
            line = MonitoringLine(report=report, sort=next_sort)
            for name in NEW_LINE_FIELDS:
                setattr(line, name, str(values.get(name) or "").strip())
            existing[-next_sort] = line
        for name in FILL_FIELDS:
            if name in values:
                setattr(line, name, str(values[name] or "").strip())
        _check_choice(line.likelihood, Likelihood, "完成目标可能性", where)
        _check_choice(line.cause, Cause, "偏差原因", where)
    return sorted(existing.values(), key=lambda line: line.sort)


@transaction.atomic
def do_save_report(
    report: MonitoringReport,
    *,
    amounts: Mapping[str, Decimal | None],
    lines: Sequence[Mapping[str, Any]] = (),
    acting_user: Any,
) -> MonitoringReport:
    """Save the funds block and the indicator lines of a 监控表 being filled; recompute its warning."""
    ensure_report_scope(acting_user, report, Perm.MONITORING_FILL)
    if not report.can_edit():
        raise MonitoringConflict(f"监控表状态为“{report.get_status_display()}”,不能修改。")
    before = snapshot(report)
    for name in AMOUNT_FIELDS:
        value = amounts.get(name)
        if value is not None:
            if value < 0:
                raise ValidationError({name: "金额不能为负数。"})
            setattr(report, name, value)
    merged = _apply_lines(report, lines)
    errors = line_errors(merged, require_likelihood=False)
    if errors:
        raise ValidationError(errors)
    report.filled_by = acting_user if getattr(acting_user, "pk", None) else report.filled_by
    report.save()
    for line in merged:
        line.save()
    refresh_warning(report)
    record_updated(acting_user, report, before)
    return report


@transaction.atomic
def do_submit_report(report: MonitoringReport, *, acting_user: Any) -> MonitoringReport:
    """Submit a filled 监控表 for review; every line needs a likelihood, and a cause and measures where mandatory."""
    ensure_report_scope(acting_user, report, Perm.MONITORING_FILL)
    if not report.can_edit():
        raise MonitoringConflict(f"监控表状态为“{report.get_status_display()}”,不能提交。")
    errors = line_errors(list(report.lines.all()), require_likelihood=True)
    if errors:
        raise ValidationError(errors)
    before = report.status
    report.status, report.submitted_at = ReportStatus.SUBMITTED, timezone.now()
    report.save(update_fields=["status", "submitted_at", "updated_at"])
    refresh_warning(report)
    _event(report, acting_user, "submit", before)
    return report


@transaction.atomic
def do_review_report(report: MonitoringReport, *, decision: str, opinion: str, acting_user: Any) -> MonitoringReport:
    """Approve a submitted 监控表, or return it to the unit with an opinion (mandatory when returning)."""
    ensure_report_scope(acting_user, report, Perm.MONITORING_MANAGE)
    if not report.can_review():
        raise MonitoringConflict(f"监控表状态为“{report.get_status_display()}”,不在待审核状态。")
    if decision not in ("approve", "return"):
        raise ValidationError("审核结论应为“通过”或“退回”。")
    if decision == "return" and not opinion.strip():
        raise ValidationError("退回时必须填写审核意见。")
    before = report.status
    report.status = ReportStatus.APPROVED if decision == "approve" else ReportStatus.RETURNED
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "reviewed_at", "updated_at"])
    _event(report, acting_user, decision, before, opinion.strip())
    return report


def _require_red(report: MonitoringReport) -> None:
    if report.warning_level != WarningLevel.RED:
        raise MonitoringConflict("只有红色预警的监控表才能采取该处置措施。")


@transaction.atomic
def do_hold_report_payments(report: MonitoringReport, *, reason: str, acting_user: Any) -> MonitoringReport:
    """暂缓拨款 on a red warning: a payment hold on the project (shown on the funds pages) and an event."""
    ensure_report_scope(acting_user, report, Perm.MONITORING_MANAGE)
    _require_red(report)
    if report.payment_held:
        raise MonitoringConflict("该项目已暂缓拨款。")
    reason = reason.strip() or "运行监控红色预警"
    do_hold_payments(project=report.project, reason=reason, source_label=str(report.round), acting_user=acting_user)
    report.payment_held = True
    report.save(update_fields=["payment_held", "updated_at"])
    _event(report, acting_user, "hold", report.status, reason)
    return report


@transaction.atomic
def do_request_adjustment(report: MonitoringReport, *, reason: str, acting_user: Any) -> str:
    """Start a goal-and-budget adjustment on a red warning. Unlocks an approved goal through the goal workflow
    when there is one; otherwise records the request as an event. Returns what happened, in Chinese."""
    ensure_report_scope(acting_user, report, Perm.MONITORING_MANAGE)
    _require_red(report)
    if not reason.strip():
        raise ValidationError("请填写调整原因。")
    outcome = "已记录调整申请,待项目单位调整绩效目标和预算。"
    goal = _approved_goal(report.project)
    if goal is not None:
        from jixiao.goals.actions import do_start_goal_adjustment

        # The goal workflow checks GOALS_FILL, which finance reviewers lack: the reviewer's authority was
        # checked above, so the goal action runs as the system and this event names the reviewer.
        do_start_goal_adjustment(goal, reason=f"运行监控红色预警:{reason.strip()}", acting_user=None)
        outcome = f"已发起绩效目标调整(第 {goal.version} 版),待项目单位修改后重新报审。"
    _event(report, acting_user, "adjust", report.status, f"{reason.strip()}({outcome})")
    return outcome


def _approved_goal(project: Project) -> Any:
    try:
        from jixiao.goals.models import Goal
    except ImportError:  # pragma: no cover
        return None
    goal = Goal.objects.filter(project=project).first()
    return goal if goal is not None and goal.can_adjust() else None
