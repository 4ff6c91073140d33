"""Writes on a single 监控表: fill it, the review workflow and the dispositions on a red warning.

Workflow (DOMAIN §4, like the goal's): 填报中 → (unit submits) 待主管部门审核 → (department or district finance
approves) 待财政审核 → (finance approves) 审核通过; either review step may return (退回) it to the unit with an opinion.
Who acts at a step is decided by the step's permission and its data scope. Every transition writes a
MonitoringEvent and an audit row in the same transaction. `acting_user=None` is the console operator.

The round bounds the filling: once it is closed (结束) nothing may be filled or submitted in it and reviewers may only
approve what was already submitted (a return would send the 监控表 to a unit that can no longer change it); past its
deadline a 监控表 never sent for review may be saved but not submitted, a returned one may be submitted again. These
refusals hold for the console too. Writes on the round itself (open, close, extend) are in `round_actions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.models import AuditAction
from jixiao.audit.recorder import record, record_updated, snapshot
from jixiao.funds.actions import do_hold_payments, do_release_hold
from jixiao.funds.models import PaymentHold
from jixiao.monitoring import warnings
from jixiao.monitoring.filling import AMOUNT_FIELDS, apply_lines, clean_amount, line_errors, submission_errors
from jixiao.monitoring.models import (
    MonitoringEvent,
    MonitoringReport,
    Refusal,
    ReportStatus,
    ReviewStep,
    default_thresholds,
)
from jixiao.monitoring.selectors import STEP_PERMS, in_report_scope
from jixiao.projects.models import Project

REVIEW_PERMS = tuple(STEP_PERMS.values())
DECISIONS = {"approve": "通过", "return": "退回"}


class MonitoringConflict(Exception):
    """The 监控表's status (or warning) forbids the act: a stable `code` and a Chinese `message` (API: 409)."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


def _refuse(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise MonitoringConflict(*refusal)


def _event(
    report: MonitoringReport, actor: Any, kind: str, before: str, opinion: str = "", step: str = ""
) -> MonitoringEvent:
    event = MonitoringEvent.objects.create(
        report=report,
        actor=actor,
        kind=kind,
        from_status=before,
        to_status=report.status,
        step=step,
        opinion=opinion,
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
    """Raise PermissionDenied unless the user holds `perm` with the report's project inside that perm's scope."""
    require_perm(acting_user, perm)
    if acting_user is not None and not in_report_scope(acting_user, report, perm):
        raise PermissionDenied("该监控表不在您的办理范围内。")


def clean_opinion(opinion: str, label: str, limit: int = 500) -> str:
    """Returns the opinion stripped; ValidationError naming `label` when it is longer than `limit` characters."""
    opinion = opinion.strip()
    if len(opinion) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 个字(现有 {len(opinion)} 个)。")
    return opinion


def refresh_warning(report: MonitoringReport) -> list[warnings.Outcome]:
    """Re-evaluate the warning rules and store the level and the failed outcomes on the report."""
    lines = list(report.lines.all())
    outcomes = warnings.evaluate(warnings.facts_of(report, lines), {**default_thresholds(), **report.round.thresholds})
    report.warning_level = warnings.level_of(outcomes)
    report.warnings = [o.as_dict() for o in outcomes if not o.passed]
    report.save(update_fields=["warning_level", "warnings", "updated_at"])
    return outcomes


# --- filling ------------------------------------------------------------------------------------------------


def _withdraw_if_submitted(report: MonitoringReport, actor: Any) -> None:
    """Saving a 监控表 the department has not acted on yet withdraws it (撤回) to 填报中 first."""
    if report.status == ReportStatus.SUBMITTED:
        report.status = ReportStatus.DRAFT
        report.save(update_fields=["status", "updated_at"])
        _event(report, actor, "withdraw", ReportStatus.SUBMITTED, "填报单位修改已提交的监控表,自动撤回")


@transaction.atomic
def do_save_report(
    report: MonitoringReport,
    *,
    amounts: Mapping[str, Decimal | int | str | None],
    lines: Sequence[Mapping[str, Any]] = (),
    acting_user: Any,
) -> MonitoringReport:
    """Save the funds block and the indicator lines of a 监控表 being filled; recompute its warning.

    Everything is validated before anything is written: a refused save changes nothing. Saving a submitted
    监控表 the department has not acted on withdraws it first.
    """
    ensure_report_scope(acting_user, report, Perm.MONITORING_FILL)
    if not report.can_edit():
        raise MonitoringConflict("not_editable", f"监控表状态为“{report.get_status_display()}”,不能修改。")
    _refuse(report.fill_refusal())
    unknown = set(amounts) - set(AMOUNT_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段:{'、'.join(sorted(unknown))}")
    cleaned = {name: clean_amount(name, value) for name, value in amounts.items() if value is not None}
    merged = apply_lines(report, lines)
    errors = line_errors(merged, require_likelihood=False)
    if errors:
        raise ValidationError(errors)
    before = snapshot(report)
    _withdraw_if_submitted(report, acting_user)
    for name, value in cleaned.items():
        setattr(report, name, value)
    report.filled_by = acting_user if getattr(acting_user, "pk", None) else report.filled_by
    report.save()
    for line in merged:
        line.save()
    refresh_warning(report)
    record_updated(acting_user, report, before)
    return report


# --- workflow -----------------------------------------------------------------------------------------------


@transaction.atomic
def do_submit_report(report: MonitoringReport, *, acting_user: Any) -> MonitoringReport:
    """Submit a filled 监控表 to the department's review; every line needs a likelihood, and a cause and measures
    where it is 有可能 or 不可能. Submitting a submitted 监控表 again changes nothing. A closed round refuses, and
    past its deadline so does a 监控表 never sent for review (409)."""
    ensure_report_scope(acting_user, report, Perm.MONITORING_FILL)
    _refuse(report.round.closed_refusal())
    if report.status == ReportStatus.SUBMITTED:
        return report
    if not report.can_submit():
        raise MonitoringConflict("not_submittable", f"监控表状态为“{report.get_status_display()}”,不能提交。")
    _refuse(report.submit_refusal())
    errors = submission_errors(report, list(report.lines.all()))
    if errors:
        raise ValidationError(errors)
    before = report.status
    report.status, report.submitted_at = ReportStatus.SUBMITTED, timezone.now()
    report.save(update_fields=["status", "submitted_at", "updated_at"])
    refresh_warning(report)
    _event(report, acting_user, "submit", before)
    return report


def _next_status(step: str, decision: str) -> str:
    if decision == "return":
        return ReportStatus.RETURNED
    return ReportStatus.FINANCE_REVIEW if step == ReviewStep.DEPT else ReportStatus.APPROVED


@transaction.atomic
def do_review_report(report: MonitoringReport, *, decision: str, opinion: str, acting_user: Any) -> MonitoringReport:
    """Record the current review step's decision: approve moves on (主管部门 → 财政 → 审核通过), return sends the
    监控表 back to the unit and needs an opinion. The step follows from the status; the user needs its permission
    with the project inside that permission's scope."""
    step = report.review_step()
    if step is None:
        raise MonitoringConflict("not_in_review", f"监控表状态为“{report.get_status_display()}”,不在审核环节。")
    ensure_report_scope(acting_user, report, STEP_PERMS[ReviewStep(step)])
    if decision not in DECISIONS:
        raise ValidationError("审核结论应为 approve(通过)或 return(退回)。")
    opinion = opinion.strip()
    if decision == "return" and not opinion:
        raise ValidationError("退回时必须填写审核意见。")
    if decision == "return" and report.round.is_closed:
        raise MonitoringConflict(
            "round_closed",
            f"监控批次“{report.round.name}”已结束,项目单位不能再修改监控表,不能退回;只能审核通过。"
            "如需单位修改,请先延期并重新开放该批次。",
        )
    if len(opinion) > 2000:
        raise ValidationError(f"审核意见不能超过 2000 个字(现有 {len(opinion)} 个)。")
    before = report.status
    report.status = _next_status(step, decision)
    report.reviewed_at = timezone.now()
    report.save(update_fields=["status", "reviewed_at", "updated_at"])
    _event(report, acting_user, decision, before, opinion, step=step)
    return report


def _require_red(report: MonitoringReport) -> None:
    if not report.can_dispose():
        raise MonitoringConflict("not_red", "只有红色预警的监控表才能采取该处置措施。")


def active_hold(report: MonitoringReport) -> PaymentHold | None:
    """The project's 暂缓拨款 still in force (released on the funds page ends it), if any."""
    return PaymentHold.objects.filter(project_id=report.project_id, released_at__isnull=True).first()


@transaction.atomic
def do_hold_report_payments(report: MonitoringReport, *, reason: str, acting_user: Any) -> MonitoringReport:
    """暂缓拨款 on a red warning: a payment hold on the project (shown on the funds pages) and an event.

    While a hold is in force, holding again changes nothing."""
    ensure_report_scope(acting_user, report, Perm.MONITORING_MANAGE)
    _require_red(report)
    if active_hold(report) is not None:
        return report
    reason = reason.strip()[:500] or "运行监控红色预警"
    do_hold_payments(project=report.project, reason=reason, source_label=str(report.round), acting_user=acting_user)
    report.payment_held = True
    report.save(update_fields=["payment_held", "updated_at"])
    _event(report, acting_user, "hold", report.status, reason)
    return report


@transaction.atomic
def do_release_report_hold(report: MonitoringReport, *, opinion: str, acting_user: Any) -> MonitoringReport:
    """解除暂缓拨款: lift the project's payment holds still in force and clear the 监控表's 暂缓拨款 mark, with an
    opinion, an event and audit rows. Open to whoever may hold (monitoring.manage over the project), whatever the
    warning is now. Releasing when nothing is held changes nothing."""
    ensure_report_scope(acting_user, report, Perm.MONITORING_MANAGE)
    opinion = clean_opinion(opinion, "解除意见")
    if not opinion:
        raise ValidationError("解除暂缓拨款时必须填写意见。")
    holds = list(PaymentHold.objects.filter(project_id=report.project_id, released_at__isnull=True))
    if not holds and not report.payment_held:
        return report
    if not holds:
        # A hold released on the funds page before that page cleared the marks: only the mark is left.
        clear_payment_held(report.project, opinion=opinion, acting_user=acting_user)
    for hold in holds:
        do_release_hold(hold=hold, opinion=opinion, acting_user=acting_user)
    report.refresh_from_db()
    return report


def clear_payment_held(project: Project, *, opinion: str, acting_user: Any) -> int:
    """Clear the 暂缓拨款 mark of the project's 监控表 once no hold on the project is in force, with a release
    event on each; returns how many. Called by the funds release, so a hold lifted anywhere shows everywhere."""
    if PaymentHold.objects.filter(project=project, released_at__isnull=True).exists():
        return 0
    reports = list(MonitoringReport.objects.select_for_update().filter(project=project, payment_held=True))
    for report in reports:
        report.payment_held = False
        report.save(update_fields=["payment_held", "updated_at"])
        _event(report, acting_user, "release", report.status, opinion)
    return len(reports)


@transaction.atomic
def do_request_adjustment(report: MonitoringReport, *, reason: str, acting_user: Any) -> str:
    """Start a goal-and-budget adjustment on a red warning. Unlocks an approved goal through the goal workflow
    when there is one; otherwise records the request as an event. Returns what happened, in Chinese."""
    ensure_report_scope(acting_user, report, Perm.MONITORING_MANAGE)
    _require_red(report)
    reason = reason.strip()
    if not reason:
        raise ValidationError("请填写调整原因。")
    if len(reason) > 500:
        raise ValidationError(f"调整原因不能超过 500 个字(现有 {len(reason)} 个)。")
    outcome = "已记录调整申请,待项目单位调整绩效目标和预算。"
    goal = _approved_goal(report.project)
    if goal is not None:
        from jixiao.goals.actions import do_start_goal_adjustment

        # The goal workflow checks GOALS_FILL, which finance reviewers lack: the reviewer's authority was
        # checked above, so the goal action runs as the system and this event names the reviewer.
        do_start_goal_adjustment(goal, reason=f"运行监控红色预警:{reason}", acting_user=None)
        outcome = f"已发起绩效目标调整(第 {goal.version} 版),待项目单位修改后重新报审。"
    _event(report, acting_user, "adjust", report.status, f"{reason}({outcome})")
    return outcome


def _approved_goal(project: Project) -> Any:
    from jixiao.goals.models import Goal

    goal = Goal.objects.filter(project=project).first()
    return goal if goal is not None and goal.can_adjust() else None
