"""Writes on goals: filling the indicator table, submission, the two review steps and adjustment.

Every write checks permission and scope, re-runs the normative review when the table changes, and records a
GoalEvent (and an audit row) in the same transaction. `acting_user=None` is the console operator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit import recorder
from jixiao.goals import checks
from jixiao.goals.models import EDITABLE, Goal, GoalEvent, GoalIndicator, GoalStatus, Grade
from jixiao.indicators.library import db_library
from jixiao.indicators.library_data import style_for_year
from jixiao.indicators.models import IndicatorTemplate
from jixiao.indicators.values import normalize_operator, parse_target
from jixiao.projects.models import Project

INDICATOR_FIELDS = ("level1", "level2", "name", "operator", "target", "unit", "weight", "core", "explanation",
                    "data_source")  # fmt: skip
STEP_PERMS = {"dept": Perm.GOALS_REVIEW_DEPT, "finance": Perm.GOALS_REVIEW_FINANCE}
STEP_LABELS = {"dept": "主管部门审核", "finance": "财政审核"}


class GoalConflict(Exception):
    """The goal is not in a state that allows the act (API: 409)."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


def require_goal_perm(user: Any, project: Project, perm: str) -> None:
    """Raises PermissionDenied unless the user holds `perm` with the project inside its scope for `perm`."""
    if user is None:
        return
    require_perm(user, perm)
    if not Project.objects.visible_to(user, perm).filter(pk=project.pk).exists():
        raise PermissionDenied("该项目不在您的数据范围内。")


def _event(goal: Goal, actor: Any, kind: str, before: str, **extra: Any) -> GoalEvent:
    return GoalEvent.objects.create(
        goal=goal, actor=actor, kind=kind, from_status=before, to_status=goal.status, version=goal.version, **extra
    )


def _require_editable(goal: Goal, actor: Any = None) -> None:
    """Refuses edits outside draft/returned/submitted; editing a submitted goal withdraws it (撤回) first."""
    if goal.locked:
        raise GoalConflict("goal_locked", "绩效目标已批复锁定,只能通过“目标调整”修改。")
    if goal.status not in EDITABLE:
        raise GoalConflict("goal_not_editable", f"绩效目标处于“{goal.get_status_display()}”状态,不能修改。")
    if goal.status == GoalStatus.SUBMITTED:
        goal.status = GoalStatus.DRAFT
        goal.save(update_fields=["status", "updated_at"])
        _event(goal, actor, "withdraw", GoalStatus.SUBMITTED, opinion="填报单位修改已提交的目标,自动撤回")


# --- creating and filling -----------------------------------------------------------------------------------


@transaction.atomic
def do_create_goal(project: Project, *, acting_user: Any, prefill: bool = True) -> Goal:
    """Creates the project's goal, prefilled with the library's cross-cutting and core indicators."""
    require_goal_perm(acting_user, project, Perm.GOALS_FILL)
    if Goal.objects.filter(project=project).exists():
        raise GoalConflict("goal_exists", "该项目已有绩效目标。")
    style = style_for_year(project.year)
    goal = Goal.objects.create(
        project=project,
        year=project.year,
        style=style,
        profile=checks.profile_code_for(style),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    if prefill:
        codes = [t.code for t in db_library(goal.year).templates_for(checks.category_code(goal))]
        _insert_rows(goal, [template_row(t, goal) for t in templates_by_code(codes, goal.year)], reweight=True)
    checks.recheck(goal)
    _event(goal, acting_user, "create", "")
    recorder.record_created(acting_user, goal)
    return goal


def templates_by_code(codes: Sequence[str], year: int) -> list[IndicatorTemplate]:
    """Returns one database template per code (the row valid in `year`), in the order given."""
    found: dict[str, IndicatorTemplate] = {}
    for row in IndicatorTemplate.objects.filter(code__in=codes).select_related("category"):
        if row.valid_in(year) and row.code not in found:
            found[row.code] = row
    return [found[c] for c in dict.fromkeys(codes) if c in found]


def template_row(template: IndicatorTemplate, goal: Goal) -> dict[str, Any]:
    """Returns the indicator fields prefilled from a library template for this goal's style."""
    level1, level2 = (
        (template.level1_101, template.level2_101) if goal.style == "101" else (template.level1, template.level2)
    )
    return {
        "level1": level1,
        "level2": level2,
        "name": template.name,
        "operator": template.operator,
        "target": template.default_target,
        "unit": template.unit,
        "weight": None,
        "core": template.core,
        "explanation": template.explanation[:500],
        "data_source": template.data_source[:200],
        "template": template,
    }


def clean_indicator(data: Mapping[str, Any]) -> dict[str, Any]:
    """Returns model field values from loose input (API, form, Excel); raises ValidationError in Chinese."""
    values: dict[str, Any] = {}
    for name in ("level1", "level2", "name", "target", "unit", "explanation", "data_source"):
        raw = data.get(name)
        values[name] = (
            "" if raw is None else (str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip())
        )
    operator = str(data.get("operator") or "").strip()
    values["operator"] = normalize_operator(operator) or operator if operator else ""
    weight = data.get("weight")
    if weight in (None, ""):
        values["weight"] = None
    else:
        try:
            values["weight"] = Decimal(str(weight).strip()).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ValidationError({"weight": f"分值“{weight}”应为数字"})
        if not values["weight"].is_finite() or abs(values["weight"]) >= Decimal("100000"):
            raise ValidationError({"weight": f"分值“{weight}”超出范围"})
    values["core"] = data.get("core") in (True, "true", "是", "★★★", 1, "1", "on")
    limits = {"level1": 20, "level2": 20, "name": 100, "target": 100, "unit": 20, "operator": 4}
    for name, limit in limits.items():
        if len(values[name]) > limit:
            raise ValidationError({name: f"“{values[name][:20]}…”超过 {limit} 个字符"})
    if not values["name"]:
        raise ValidationError({"name": "三级指标名称不能为空"})
    values["template"] = data.get("template")
    values["target_number"] = parse_target(
        values["target"], level1=values["level1"], level2=values["level2"], name=values["name"]
    ).number
    return values


def _insert_rows(goal: Goal, rows: Sequence[Mapping[str, Any]], *, reweight: bool = False, start: int = 0) -> None:
    cleaned = [clean_indicator(r) for r in rows]
    if reweight:
        for values, weight in zip(cleaned, checks.suggested_weights(goal, [v["level1"] for v in cleaned]), strict=True):
            values["weight"] = weight
    GoalIndicator.objects.bulk_create(
        GoalIndicator(goal=goal, sort=start + i, **values) for i, values in enumerate(cleaned)
    )


@transaction.atomic
def do_save_goal_text(goal: Goal, *, overall_goal: str, acting_user: Any) -> Goal:
    """Saves the 年度总体目标 text and re-runs the review."""
    require_goal_perm(acting_user, goal.project, Perm.GOALS_FILL)
    _require_editable(goal, acting_user)
    before = recorder.snapshot(goal, ["overall_goal"])
    goal.overall_goal = overall_goal.strip()
    goal.save(update_fields=["overall_goal", "updated_at"])
    checks.recheck(goal)
    recorder.record_updated(acting_user, goal, before)
    return goal


@transaction.atomic
def do_add_indicator(goal: Goal, *, acting_user: Any, template: IndicatorTemplate | None = None,
                     data: Mapping[str, Any] | None = None) -> GoalIndicator:  # fmt: skip
    """Appends an indicator (prefilled from a library template, or custom) and re-runs the review."""
    require_goal_perm(acting_user, goal.project, Perm.GOALS_FILL)
    _require_editable(goal, acting_user)
    values = clean_indicator(template_row(template, goal) if template else (data or {}))
    last = goal.indicators.order_by("-sort").values_list("sort", flat=True).first()
    row = GoalIndicator.objects.create(goal=goal, sort=(last or 0) + 1, **values)
    checks.recheck(goal)
    recorder.record_created(acting_user, row)
    return row


@transaction.atomic
def do_update_indicator(row: GoalIndicator, *, changes: Mapping[str, Any], acting_user: Any) -> GoalIndicator:
    """Changes fields of one indicator (the htmx cell edit) and re-runs the review."""
    goal = row.goal
    require_goal_perm(acting_user, goal.project, Perm.GOALS_FILL)
    _require_editable(goal, acting_user)
    unknown = set(changes) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段:{'、'.join(sorted(unknown))}")
    before = recorder.snapshot(row)
    current = {name: getattr(row, name) for name in INDICATOR_FIELDS}
    values = clean_indicator({**current, **changes, "template": row.template})
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    checks.recheck(goal)
    recorder.record_updated(acting_user, row, before)
    return row


@transaction.atomic
def do_delete_indicator(row: GoalIndicator, *, acting_user: Any) -> None:
    goal = row.goal
    require_goal_perm(acting_user, goal.project, Perm.GOALS_FILL)
    _require_editable(goal, acting_user)
    recorder.record_deleted(acting_user, row)
    row.delete()
    checks.recheck(goal)


@transaction.atomic
def do_replace_goal(goal: Goal, *, overall_goal: str, indicators: Sequence[Mapping[str, Any]], acting_user: Any,
                    default_weights: bool = False) -> Goal:  # fmt: skip
    """Replaces the whole indicator table (API PUT, Excel import); weights left blank take the profile default
    when `default_weights`."""
    require_goal_perm(acting_user, goal.project, Perm.GOALS_FILL)
    _require_editable(goal, acting_user)
    before = recorder.snapshot(goal, ["overall_goal"])
    goal.indicators.all().delete()
    _insert_rows(goal, indicators)
    if default_weights:
        _fill_blank_weights(goal)
    goal.overall_goal = overall_goal.strip()
    goal.save(update_fields=["overall_goal", "updated_at"])
    checks.recheck(goal)
    recorder.record_updated(acting_user, goal, before, note=f"替换指标表({len(indicators)} 项)")
    return goal


def _fill_blank_weights(goal: Goal) -> None:
    rows = list(goal.indicators.all())
    if any(r.weight is not None for r in rows):
        return
    for row, weight in zip(rows, checks.suggested_weights(goal, [r.level1 for r in rows]), strict=True):
        row.weight = weight
    GoalIndicator.objects.bulk_update(rows, ["weight"])


@transaction.atomic
def do_accept_goal(goal: Goal, *, acting_user: Any) -> Goal:
    """The department accepts a submitted goal for review (受理): the unit can no longer withdraw it."""
    require_goal_perm(acting_user, goal.project, Perm.GOALS_REVIEW_DEPT)
    if not goal.can_accept():
        raise GoalConflict("not_submitted", f"绩效目标处于“{goal.get_status_display()}”状态,不能受理。")
    goal.status = GoalStatus.DEPT_REVIEW
    goal.save(update_fields=["status", "updated_at"])
    _event(goal, acting_user, "accept", GoalStatus.SUBMITTED, step="dept")
    return goal


# --- workflow ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_submit_goal(goal: Goal, *, acting_user: Any) -> Goal:
    """Submits a draft or returned goal for department review; refused while error findings remain."""
    require_goal_perm(acting_user, goal.project, Perm.GOALS_FILL)
    if goal.status == GoalStatus.SUBMITTED:
        return goal  # submitting twice is a no-op
    if goal.locked or goal.status not in (GoalStatus.DRAFT, GoalStatus.RETURNED):
        raise GoalConflict("goal_not_editable", f"绩效目标处于“{goal.get_status_display()}”状态,不能提交。")
    checks.recheck(goal)
    if goal.error_count:
        raise ValidationError(f"规范性审核有 {goal.error_count} 项错误,请修改后再提交。")
    before = goal.status
    goal.status = GoalStatus.SUBMITTED
    goal.submitted_at = timezone.now()
    goal.save(update_fields=["status", "submitted_at", "updated_at"])
    _event(goal, acting_user, "submit", before)
    return goal


@transaction.atomic
def do_review_goal(goal: Goal, *, decision: str, grade: str = "", opinion: str = "", acting_user: Any,
                   indicator_opinions: Mapping[int, str] | None = None) -> Goal:  # fmt: skip
    """Records the current review step's decision.

    approve with 优/良 moves on (dept → 财政审核, finance → 已批复, locked); 良 notes that the goal is fixed by
    consultation. 中 means revise and resubmit (退回); 差 blocks the project from the budget (未通过).
    return (退回) sends it back to the unit with opinions per indicator.
    """
    step = goal.review_step()
    if step is None:
        raise GoalConflict("not_in_review", f"绩效目标处于“{goal.get_status_display()}”状态,不在审核环节。")
    require_goal_perm(acting_user, goal.project, STEP_PERMS[step])
    if decision not in ("approve", "return"):
        raise ValidationError("审核决定应为 approve(通过)或 return(退回)。")
    if grade and grade not in Grade.values:
        raise ValidationError("审核结果应为 优、良、中、差 之一。")
    if decision == "approve" and not grade:
        raise ValidationError("审核通过须给出审核结果(优、良、中、差)。")
    opinions = {int(k): str(v).strip()[:500] for k, v in (indicator_opinions or {}).items() if str(v).strip()}
    if decision == "return" and not (opinion.strip() or opinions):
        raise ValidationError("退回须填写审核意见。")
    before = goal.status
    goal.grade = grade
    goal.status = _next_status(step, decision, grade)
    fields = ["status", "grade", "updated_at"]
    if goal.status == GoalStatus.APPROVED:
        goal.locked, goal.approved_at = True, timezone.now()
        fields += ["locked", "approved_at"]
    goal.save(update_fields=fields)
    _apply_indicator_opinions(goal, opinions)
    _event(goal, acting_user, decision, before, step=step, grade=grade, opinion=opinion.strip(),
           indicator_opinions={str(k): v for k, v in opinions.items()})  # fmt: skip
    return goal


def _next_status(step: str, decision: str, grade: str) -> str:
    if grade == Grade.POOR:
        return GoalStatus.REJECTED
    if decision == "return" or grade == Grade.FAIR:
        return GoalStatus.RETURNED
    return GoalStatus.FINANCE_REVIEW if step == "dept" else GoalStatus.APPROVED


def _apply_indicator_opinions(goal: Goal, opinions: Mapping[int, str]) -> None:
    rows = list(goal.indicators.filter(pk__in=list(opinions)))
    for row in rows:
        row.review_opinion = opinions[row.pk]
    GoalIndicator.objects.bulk_update(rows, ["review_opinion"])


@transaction.atomic
def do_start_goal_adjustment(goal: Goal, *, reason: str, acting_user: Any) -> Goal:
    """Unlocks an approved goal for a logged adjustment (目标调整): a new version that must pass review again."""
    require_goal_perm(acting_user, goal.project, Perm.GOALS_FILL)
    if not goal.can_adjust():
        raise GoalConflict("not_approved", "只有已批复的绩效目标才能发起调整。")
    if not reason.strip():
        raise ValidationError("请填写调整原因。")
    before = goal.status
    goal.status, goal.locked, goal.grade = GoalStatus.DRAFT, False, ""
    goal.version += 1
    goal.save(update_fields=["status", "locked", "grade", "version", "updated_at"])
    _event(goal, acting_user, "adjust", before, opinion=reason.strip())
    return goal
