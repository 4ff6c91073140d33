"""Writes on self-evaluation: open a campaign, fill a 自评表, submit, review (each transition an event row)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.models import AuditAction
from jixiao.audit.recorder import record, record_created, record_deleted, record_updated, snapshot
from jixiao.orgs.models import Region, Unit
from jixiao.projects.models import Project
from jixiao.selfeval import sources
from jixiao.selfeval.entry import (
    FUND_FIELDS,
    ROW_FIELDS,
    EntryProblem,
    EntryRefused,
    fund_problems,
    row_problems,
    sum_funds,
)
from jixiao.selfeval.models import (
    Campaign,
    CampaignStatus,
    EvaluationEventKind,
    EvaluationStatus,
    ScoringProfileRecord,
    SelfEvaluation,
    SelfEvaluationEvent,
    SelfEvaluationIndicator,
)
from jixiao.selfeval.rescore import EVALUATION_SCORE_FIELDS, INDICATOR_SCORE_FIELDS, apply_scores
from jixiao.selfeval.scoring import missing_explanations

EVALUATION_FIELDS = (*FUND_FIELDS, "budget_explanation", "overall_target", "overall_actual")
INDICATOR_FIELDS = (
    "level1",
    "level2",
    "name",
    "operator",
    "target",
    "unit",
    "weight",
    "actual",
    "applicable",
    "tier",
    "share",
    "explanation",
)
ACTUAL_FIELDS = ROW_FIELDS


def campaign_projects(*, year: int, department: Unit | None, district: Region | None):
    """Return the projects a campaign with this scope covers (terminated projects excepted)."""
    projects = Project.objects.filter(year=year).exclude(status="terminated")
    if department is not None:
        projects = projects.filter(department=department)
    if district is not None:
        projects = projects.filter(region__path__startswith=district.path)
    return projects


def _district_ids() -> dict[str, int]:
    return dict(Region.objects.filter(level="district").values_list("code", "id"))


def district_of(region_path: str, districts: dict[str, int]) -> int | None:
    """Return the id of the district a region path lies in (/420100/420117/… → 420117)."""
    codes = region_path.strip("/").split("/")
    return districts.get(codes[1]) if len(codes) > 1 else None


@transaction.atomic
def do_open_campaign(
    *,
    year: int,
    name: str,
    deadline: dt.date,
    profile: ScoringProfileRecord,
    acting_user: Any,
    department: Unit | None = None,
    district: Region | None = None,
    cut_share: Decimal = Decimal(10),
) -> Campaign:
    """Open a campaign and create a 自评表 for every project in its scope, prefilled from goals and funds."""
    require_perm(acting_user, Perm.SELFEVAL_MANAGE)
    in_scope = campaign_projects(year=year, department=department, district=district)
    projects = list(
        in_scope.annotate(fund_total=Sum("funds__amount_wan")).values_list(
            "id", "department_id", "region__path", "budget_wan", "fund_total"
        )
    )
    if not projects:
        raise ValidationError("所选年度和范围内没有项目,未发起自评。")
    campaign = Campaign.objects.create(
        year=year,
        name=name,
        deadline=deadline,
        profile=profile,
        department=department,
        district=district,
        cut_share=cut_share,
        opened_by=acting_user,
    )
    districts = _district_ids()
    executed = sources.executed_amounts(in_scope.values("id"), year)
    evaluations = []
    for pk, department_id, path, budget_wan, fund_total in projects:
        evaluation = SelfEvaluation(
            campaign=campaign,
            project_id=pk,
            department_id=department_id,
            district_id=district_of(path, districts),
            # 当年财政拨款 from the project's budget and the year's payments; 上年结转 / 其他 are the unit's to enter.
            fiscal_initial=(budget_wan or fund_total or 0) * 10000,
            fiscal_annual=(budget_wan or fund_total or 0) * 10000,
            fiscal_executed=executed.get(pk),
        )
        sum_funds(evaluation)
        evaluations.append(evaluation)
    SelfEvaluation.objects.bulk_create(evaluations, batch_size=2000)
    _copy_goal_indicators(campaign, profile, in_scope.values("id"))
    record_created(acting_user, campaign, note=f"发起自评,覆盖 {len(evaluations)} 个项目")
    return campaign


def _copy_goal_indicators(campaign: Campaign, profile: ScoringProfileRecord, project_ids: Any) -> None:
    evaluations = dict(campaign.evaluations.values_list("project_id", "id"))
    goal_rows = sources.goal_indicators(project_ids, profile.profile())
    rows = []
    for project_id, (overall, indicators) in goal_rows.items():
        evaluation_id = evaluations[project_id]
        if overall:
            SelfEvaluation.objects.filter(pk=evaluation_id).update(overall_target=overall)
        rows += [
            SelfEvaluationIndicator(evaluation_id=evaluation_id, position=i, **values)
            for i, values in enumerate(indicators, start=1)
        ]
    SelfEvaluationIndicator.objects.bulk_create(rows, batch_size=2000)


def _require_scope(user: Any, evaluation: SelfEvaluation, perm: str) -> None:
    if user is None:
        return
    require_perm(user, perm)
    if not SelfEvaluation.objects.visible_to(user, perm).filter(pk=evaluation.pk).exists():
        raise PermissionDenied("该自评表不在您的办理范围内。")


def rescore(evaluation: SelfEvaluation, rows: list[SelfEvaluationIndicator] | None = None):
    """Score a stored 自评表 with its campaign's profile and save the scores; return the engine's outcome."""
    rows = list(evaluation.indicators.order_by("position")) if rows is None else rows
    scored = apply_scores(evaluation, rows, evaluation.campaign.profile.profile())
    evaluation.save(update_fields=[*EVALUATION_SCORE_FIELDS, "updated_at"])
    SelfEvaluationIndicator.objects.bulk_update(rows, INDICATOR_SCORE_FIELDS)
    return scored


@transaction.atomic
def do_save_self_evaluation(
    *,
    evaluation: SelfEvaluation,
    acting_user: Any,
    changes: dict[str, Any],
    indicators: list[dict[str, Any]] | None = None,
    actuals: dict[int, dict[str, Any]] | None = None,
) -> SelfEvaluation:
    """Save the 自评表's amounts and texts and its rows, then re-score it; raise EntryRefused and save nothing when
    any entry is bad.

    `indicators` (a full list) replaces every row; `actuals` sets only what a unit enters (actual, 适用, tier,
    share, explanation) on the rows with those 序号. The funds block is checked when `changes` touch it.
    """
    _require_scope(acting_user, evaluation, Perm.SELFEVAL_FILL)
    if not evaluation.can_edit():
        raise ValidationError("该自评表已提交或任务已结束,不能修改。")
    unknown = set(changes) - set(EVALUATION_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段:{', '.join(sorted(unknown))}")
    before = snapshot(evaluation)
    for name, value in changes.items():
        if value is None and not name.endswith("_executed"):
            value = Decimal(0) if name in FUND_FIELDS else ""  # a blank budget is 0, a blank text is empty
        setattr(evaluation, name, value)
    sum_funds(evaluation)
    profile = evaluation.campaign.profile.profile()
    problems: list[EntryProblem] = []
    if set(changes) & {*FUND_FIELDS, "budget_explanation"}:
        problems += fund_problems(evaluation, profile)
    # The funds' check constraint is what fund_problems reports in Chinese; validate the other fields here.
    evaluation.full_clean(exclude=["campaign", "project", "department", "district"], validate_constraints=False)
    existing = list(evaluation.indicators.order_by("position"))
    row_before = {row.position: snapshot(row) for row in existing}
    if indicators is not None:
        rows, removed = _replacement_rows(evaluation, existing, indicators)
        problems += [p for row in rows for p in row_problems(row, profile, fields=None)]
    else:
        rows, removed = existing, []
        if actuals:
            problems += _apply_actuals(rows, actuals, profile)
    if problems:
        raise EntryRefused(problems)
    evaluation.save()
    if indicators is not None:
        SelfEvaluationIndicator.objects.filter(pk__in=[r.pk for r in removed]).delete()
        for row in rows:
            row.save()
    elif actuals:
        touched = [row for row in rows if row.position in actuals]
        SelfEvaluationIndicator.objects.bulk_update(touched, list(ACTUAL_FIELDS))
    rescore(evaluation, rows)
    record_updated(acting_user, evaluation, before, note="填报绩效自评表")
    _record_rows(acting_user, rows, removed, row_before)
    return evaluation


def _replacement_rows(
    evaluation: SelfEvaluation, existing: list[SelfEvaluationIndicator], items: list[dict[str, Any]]
) -> tuple[list[SelfEvaluationIndicator], list[SelfEvaluationIndicator]]:
    """Return the rows a full list makes (existing ones reused by 序号, unsaved) and the rows it drops."""
    by_position = {row.position: row for row in existing}
    rows = []
    for position, item in enumerate(items, start=1):
        unknown = set(item) - set(INDICATOR_FIELDS) - {"position"}
        if unknown:
            raise ValidationError(f"第 {position} 项指标含不能修改的字段:{', '.join(sorted(unknown))}")
        row = by_position.pop(position, None) or SelfEvaluationIndicator(evaluation=evaluation, position=position)
        for name, value in item.items():
            if name != "position":
                setattr(row, name, "" if value is None and name not in ("weight", "share") else value)
        row.full_clean(exclude=["evaluation"])
        rows.append(row)
    return rows, list(by_position.values())


def _apply_actuals(
    rows: list[SelfEvaluationIndicator], actuals: dict[int, dict[str, Any]], profile: Any
) -> list[EntryProblem]:
    """Set the entered values on the rows with those 序号; return every problem with them."""
    by_position = {row.position: row for row in rows}
    problems = []
    for position, values in sorted(actuals.items()):
        row = by_position.get(position)
        if row is None:
            problems.append(EntryProblem(position, "position", position, f"没有序号为 {position} 的指标"))
            continue
        unknown = set(values) - set(ACTUAL_FIELDS)
        if unknown:
            raise ValidationError(f"第 {position} 项指标含不能修改的字段:{', '.join(sorted(unknown))}")
        for name, value in values.items():
            if value is None and name != "share":
                value = name == "applicable" or ""  # a missing 适用 mark means applicable, missing text is blank
            setattr(row, name, value)
        row.tier = row.tier.strip()
        try:
            row.full_clean(exclude=["evaluation"])
        except ValidationError as exc:
            message = f"第 {position} 项指标「{row.name}」:{';'.join(exc.messages)}"
            problems.append(EntryProblem(position, "actual", row.actual, message))
            continue
        problems += row_problems(row, profile)
    return problems


def _record_rows(
    actor: Any,
    rows: list[SelfEvaluationIndicator],
    removed: list[SelfEvaluationIndicator],
    before: dict[int, dict[str, Any]],
) -> None:
    for row in rows:
        if row.position in before and before[row.position].get("id") == row.pk:
            record_updated(actor, row, before[row.position], note="填报自评指标")
        else:
            record_created(actor, row, note="新增自评指标")
    for row in removed:
        record_deleted(actor, row, note="删除自评指标")


@transaction.atomic
def do_save_actuals(
    *, evaluation: SelfEvaluation, acting_user: Any, executed: Decimal | None, rows: dict[int, dict[str, Any]]
) -> SelfEvaluation:
    """Save imported actuals by row position: 序号 0 is 当年财政拨款's 全年执行数 and the budget explanation."""
    _require_scope(acting_user, evaluation, Perm.SELFEVAL_FILL)
    if not evaluation.can_edit():
        raise ValidationError(f"「{evaluation.project.name}」的自评表已提交或任务已结束,不能修改。")
    changes: dict[str, Any] = {} if executed is None else {"fiscal_executed": executed}
    if 0 in rows:
        changes["budget_explanation"] = rows[0].get("explanation", evaluation.budget_explanation)
    actuals = {position: values for position, values in rows.items() if position != 0}
    return do_save_self_evaluation(evaluation=evaluation, acting_user=acting_user, changes=changes, actuals=actuals)


def _event(evaluation: SelfEvaluation, actor: Any, kind: str, to_status: str, opinion: str = "") -> None:
    SelfEvaluationEvent.objects.create(
        evaluation=evaluation,
        kind=kind,
        actor=actor,
        from_status=evaluation.status,
        to_status=to_status,
        opinion=opinion,
    )
    before = evaluation.status
    evaluation.status = to_status
    evaluation.save(update_fields=["status", "submitted_at", "updated_at"])
    if before != to_status or opinion:
        record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=evaluation,
            before={"status": before},
            after={"status": to_status},
            note=f"{EvaluationEventKind(kind).label}{':' + opinion if opinion else ''}"[:500],
        )


def submission_problems(evaluation: SelfEvaluation) -> list[str]:
    """Return why the 自评表 cannot be submitted yet (Chinese sentences); empty when it can."""
    scored = rescore(evaluation)
    if scored.result is None:
        return [p.message for p in scored.problems]
    problems = [p.message for p in missing_explanations(scored.result)]
    if not evaluation.overall_actual.strip():
        problems.append("年度总体目标的实际完成情况未填写,须填写")
    return problems


@transaction.atomic
def do_submit_self_evaluation(*, evaluation: SelfEvaluation, acting_user: Any) -> SelfEvaluation:
    """Submit a complete 自评表 to the supervising department; raise ValidationError listing what is missing."""
    _require_scope(acting_user, evaluation, Perm.SELFEVAL_FILL)
    if not evaluation.can_submit():
        raise ValidationError(f"当前状态为「{evaluation.get_status_display()}」,不能提交。")
    problems = submission_problems(evaluation)
    if problems:
        raise ValidationError(problems)
    evaluation.submitted_at = timezone.now()
    _event(evaluation, acting_user, EvaluationEventKind.SUBMIT, EvaluationStatus.DEPT_REVIEW)
    return evaluation


REVIEW_STAGES = {
    EvaluationStatus.DEPT_REVIEW: (Perm.SELFEVAL_REVIEW_DEPT, EvaluationStatus.FINANCE_REVIEW),
    EvaluationStatus.FINANCE_REVIEW: (Perm.SELFEVAL_REVIEW_FINANCE, EvaluationStatus.APPROVED),
}
REVIEW_PERMS = (Perm.SELFEVAL_REVIEW_DEPT, Perm.SELFEVAL_REVIEW_FINANCE)


def can_review(user: Any, evaluation: SelfEvaluation) -> bool:
    """Whether the user may pass or return the 自评表 at its current stage."""
    stage = REVIEW_STAGES.get(EvaluationStatus(evaluation.status))
    return bool(stage) and _in_scope(user, evaluation, stage[0])  # type: ignore[index]


def can_comment(user: Any, evaluation: SelfEvaluation) -> bool:
    return any(_in_scope(user, evaluation, perm) for perm in REVIEW_PERMS)


def _in_scope(user: Any, evaluation: SelfEvaluation, perm: str) -> bool:
    return user.has_perm_code(perm) and SelfEvaluation.objects.visible_to(user, perm).filter(pk=evaluation.pk).exists()


@transaction.atomic
def do_review_self_evaluation(
    *, evaluation: SelfEvaluation, acting_user: Any, decision: str, opinion: str = ""
) -> SelfEvaluation:
    """Pass (to the next stage), return (to the unit, with an opinion) or only comment on a 自评表."""
    opinion = opinion.strip()
    if decision == "opinion":
        if acting_user is not None and not can_comment(acting_user, evaluation):
            raise PermissionDenied("您不能审核该自评表。")
        if not opinion:
            raise ValidationError("请填写审核意见。")
        _event(evaluation, acting_user, EvaluationEventKind.OPINION, evaluation.status, opinion)
        return evaluation
    if decision not in ("pass", "return"):
        raise ValidationError("审核结论应为 pass(通过)、return(退回)或 opinion(仅提意见)。")
    stage = REVIEW_STAGES.get(EvaluationStatus(evaluation.status))
    if stage is None:
        raise ValidationError(f"当前状态为「{evaluation.get_status_display()}」,不在审核环节。")
    perm, next_status = stage
    _require_scope(acting_user, evaluation, perm)
    if decision == "return":
        if not opinion:
            raise ValidationError("退回时须填写退回意见。")
        _event(evaluation, acting_user, EvaluationEventKind.RETURN, EvaluationStatus.DRAFT, opinion)
    else:
        _event(evaluation, acting_user, EvaluationEventKind.PASS, next_status, opinion)
    return evaluation


@transaction.atomic
def do_close_campaign(*, campaign: Campaign, acting_user: Any) -> Campaign:
    require_perm(acting_user, Perm.SELFEVAL_MANAGE)
    before = snapshot(campaign)
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    record_updated(acting_user, campaign, before, note="结束自评任务")
    return campaign
