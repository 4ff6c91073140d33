"""Writes on projects: create, update, status transitions and budget requests, each with event and audit rows."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.models import AuditAction
from jixiao.audit.recorder import record, record_created, record_updated, snapshot
from jixiao.projects import transitions
from jixiao.projects.gate import GATE_CODE, GATE_MESSAGE, has_approved_goal
from jixiao.projects.models import EventKind, Project, ProjectEvent, ProjectFund, ProjectStatus
from jixiao.projects.validation import project_errors, total_wan

PROJECT_FIELDS = (
    "code",
    "name",
    "year",
    "category",
    "subcategory",
    "region",
    "unit",
    "department",
    "division",
    "evaluator",
    "planned_start",
    "planned_end",
    "households",
    "persons",
    "poverty_persons",
    "monitored_persons",
    "description",
)


class ProjectRefused(Exception):
    """A business refusal (HTTP 409 in the API): the request is well-formed but the workflow forbids it."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


FundLines = Sequence[tuple[str, Decimal]]


def _in_scope(user: Any, project: Project, perm: str) -> bool:
    return user is None or Project.objects.visible_to(user, perm).filter(pk=project.pk).exists()


def _ensure_in_scope(user: Any, project: Project, perm: str) -> None:
    if not _in_scope(user, project, perm):
        raise PermissionDenied("该项目不在您的数据范围内,不能执行该操作。")


def next_code(year: int) -> str:
    """Return an unused project code of the form XM<year>-<serial>."""
    prefix = f"XM{year}-"
    codes = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    serials = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(serials, default=0) + 1:05d}"


def _apply(project: Project, changes: dict[str, Any], funds: FundLines | None) -> list[ProjectFund] | None:
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段:{', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(project, name, value)
    lines = None if funds is None else [ProjectFund(source=s, amount_wan=a) for s, a in funds if a]
    current = lines if lines is not None else list(project.funds.all()) if project.pk else []
    errors = project_errors(project, current)
    if errors:
        raise ValidationError(errors)
    project.budget_wan = total_wan(current)
    project.full_clean(exclude=["code"] if not project.code else None)
    return lines


def _save_funds(project: Project, lines: list[ProjectFund] | None) -> None:
    if lines is None:
        return
    project.funds.all().delete()
    for line in lines:
        line.project = project
    ProjectFund.objects.bulk_create(lines)


@transaction.atomic
def do_create_project(*, acting_user: Any, changes: dict[str, Any], funds: FundLines) -> Project:
    """Create a project in the reserve status (储备) inside the user's write scope."""
    require_perm(acting_user, Perm.PROJECTS_EDIT)
    project = Project(created_by=acting_user)
    lines = _apply(project, changes, funds)
    if not project.code:
        project.code = next_code(project.year)
    project.save()
    _save_funds(project, lines)
    _ensure_in_scope(acting_user, project, Perm.PROJECTS_EDIT)
    ProjectEvent.objects.create(project=project, actor=acting_user, to_status=project.status, kind=EventKind.CREATE)
    record_created(acting_user, project, note=_funds_note(project))
    return project


@transaction.atomic
def do_update_project(
    project: Project, *, acting_user: Any, changes: dict[str, Any], funds: FundLines | None = None
) -> Project:
    """Change the given fields (and, when given, replace the fund lines) of a project in the write scope."""
    require_perm(acting_user, Perm.PROJECTS_EDIT)
    _ensure_in_scope(acting_user, project, Perm.PROJECTS_EDIT)
    # The stored row, not the given instance: a bound form may already have written its values onto that.
    stored = Project.objects.select_for_update().get(pk=project.pk)
    project.status = stored.status
    if project.status in transitions.FINAL:
        raise ProjectRefused("project_closed", f"项目状态为“{project.get_status_display()}”,不能修改。")
    before = snapshot(stored)
    before_funds = _funds_note(project)
    lines = _apply(project, changes, funds)
    project.save()
    _save_funds(project, lines)
    _ensure_in_scope(acting_user, project, Perm.PROJECTS_EDIT)  # the change must not move it out of scope
    after_funds = _funds_note(project)
    note = f"资金:{before_funds} → {after_funds}" if after_funds != before_funds else ""
    if record_updated(acting_user, project, before, note=note) is None and note:
        record(actor=acting_user, action=AuditAction.UPDATE, obj=project, note=note)
    return project


def _funds_note(project: Project) -> str:
    return ";".join(f"{f.get_source_display()} {f.amount_wan.normalize():f} 万元" for f in project.funds.all())


def can_transition(user: Any, project: Project, target: str) -> bool:
    """Return whether the user may move the project to `target` now (ignoring the goal gate)."""
    rule = transitions.find(project.status, target)
    if rule is None:
        return False
    return user is None or (user.has_perm_code(rule.perm) and _in_scope(user, project, rule.perm))


def _check_transition_perm(user: Any, project: Project, rule: transitions.Transition) -> None:
    require_perm(user, rule.perm)
    _ensure_in_scope(user, project, rule.perm)


def _repeated(project: Project, to: str, acting_user: Any) -> Project:
    """A client retrying the transition that brought the project here gets the same answer, if it may make it."""
    last = project.events.filter(kind=EventKind.TRANSITION, to_status=to).order_by("-created_at", "-id").first()
    rule = transitions.find(last.from_status, to) if last else None
    if rule is None:
        raise ProjectRefused("transition_not_allowed", f"项目已是“{project.get_status_display()}”状态。")
    _check_transition_perm(acting_user, project, rule)
    return project


@transaction.atomic
def do_transition_project(project: Project, to: str, *, acting_user: Any, note: str = "") -> Project:
    """Move the project to status `to`, writing an event and an audit row; repeating a done move is a no-op."""
    if to not in ProjectStatus.values:
        raise ValidationError(f"状态代码“{to}”无效,应为 {'/'.join(ProjectStatus.values)} 之一。")
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == to:
        return _repeated(project, to, acting_user)
    rule = transitions.find(project.status, to)
    if rule is None:
        raise ProjectRefused(
            "transition_not_allowed",
            f"项目状态“{project.get_status_display()}”不能变更为“{ProjectStatus(to).label}”。",
        )
    _check_transition_perm(acting_user, project, rule)
    if to in transitions.GATED and not has_approved_goal(project):
        raise ProjectRefused(GATE_CODE, GATE_MESSAGE)
    before = project.status
    project.status = to
    project.save(update_fields=["status", "updated_at"])
    ProjectEvent.objects.create(
        project=project, actor=acting_user, from_status=before, to_status=to, kind=EventKind.TRANSITION, note=note[:500]
    )
    record(
        actor=acting_user,
        action=AuditAction.TRANSITION,
        obj=project,
        before={"status": before},
        after={"status": to},
        note=f"{rule.label}{':' + note if note else ''}",
    )
    return project


@transaction.atomic
def do_request_budget(project: Project, *, acting_user: Any) -> Project:
    """Record the project's budget request; refused without an approved performance goal."""
    require_perm(acting_user, Perm.PROJECTS_EDIT)
    _ensure_in_scope(acting_user, project, Perm.PROJECTS_EDIT)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status in transitions.FINAL:
        raise ProjectRefused("project_closed", f"项目状态为“{project.get_status_display()}”,不能申请预算。")
    if not has_approved_goal(project):
        raise ProjectRefused(GATE_CODE, GATE_MESSAGE)
    if project.budget_requested_at is not None:
        return project
    project.budget_requested_at = timezone.now()
    project.save(update_fields=["budget_requested_at", "updated_at"])
    ProjectEvent.objects.create(
        project=project, actor=acting_user, from_status=project.status, to_status=project.status, kind=EventKind.BUDGET
    )
    record(
        actor=acting_user,
        action=AuditAction.UPDATE,
        obj=project,
        after={"budget_requested_at": project.budget_requested_at.isoformat()},
        note="申请预算",
    )
    return project
