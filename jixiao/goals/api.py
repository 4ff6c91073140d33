"""Goal API: read and replace a project's goal, submit, review, and the stateless normative check."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.api.auth import ApiError
from jixiao.api.schemas import ErrorOut
from jixiao.goals import actions
from jixiao.goals.models import Goal
from jixiao.goals.review import run_checks
from jixiao.goals.review_types import GoalDraft
from jixiao.goals.selectors import get_goal_for_user, get_project_or_404
from jixiao.indicators.library import db_library
from jixiao.indicators.library_data import STYLE_101
from jixiao.selfeval.profiles import get_profile

router = Router(tags=["绩效目标"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class FindingOut(Schema):
    code: str
    severity: str
    indicator: int | None
    message: str


class IndicatorIn(Schema):
    level1: str = ""
    level2: str = ""
    name: str
    operator: str = ""
    target: str | float | None = None
    unit: str = ""
    weight: float | None = None
    core: bool = False
    explanation: str = ""
    data_source: str = ""


class IndicatorOut(IndicatorIn):
    id: int
    target_number: float | None
    review_opinion: str


class EventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    step: str
    grade: str
    opinion: str
    created_at: str


class GoalOut(Schema):
    project_id: int
    project_code: str
    year: int
    style: str
    status: str
    status_label: str
    grade: str
    locked: bool
    version: int
    overall_goal: str
    error_count: int
    warning_count: int
    findings: list[FindingOut]
    indicators: list[IndicatorOut]
    events: list[EventOut]


class GoalIn(Schema):
    overall_goal: str = ""
    indicators: list[IndicatorIn]


class ReviewIn(Schema):
    decision: str
    grade: str = ""
    opinion: str = ""
    indicator_opinions: dict[int, str] = {}


class CheckIndicatorIn(Schema):
    level1: str = ""
    level2: str = ""
    name: str = ""
    operator: str | None = None
    target: str | float | None = None
    unit: str = ""
    weight: float | None = None
    core: bool = False


class CheckIn(Schema):
    category: str
    year: int
    style: str | None = None
    budget: float | None = None
    overall_goal: str = ""
    indicators: list[CheckIndicatorIn] = []


class CheckOut(Schema):
    findings: list[FindingOut]


def goal_out(goal: Goal) -> dict[str, Any]:
    indicators = [
        {**{f: getattr(row, f) for f in ("id", "level1", "level2", "name", "operator", "target", "unit", "core",
                                         "explanation", "data_source", "target_number", "review_opinion")},
         "weight": float(row.weight) if row.weight is not None else None}
        for row in goal.indicators.all()
    ]  # fmt: skip
    events = [
        {"kind": e.kind, "from_status": e.from_status, "to_status": e.to_status, "step": e.step, "grade": e.grade,
         "opinion": e.opinion, "created_at": e.created_at.isoformat()}
        for e in goal.events.all()
    ]  # fmt: skip
    return {
        "project_id": goal.project_id,
        "project_code": goal.project.code,
        "year": goal.year,
        "style": goal.style,
        "status": goal.status,
        "status_label": goal.get_status_display(),
        "grade": goal.grade,
        "locked": goal.locked,
        "version": goal.version,
        "overall_goal": goal.overall_goal,
        "error_count": goal.error_count,
        "warning_count": goal.warning_count,
        "findings": goal.findings,
        "indicators": indicators,
        "events": events,
    }


def _conflict(exc: actions.GoalConflict) -> ApiError:
    return ApiError(409, exc.code, exc.message)


@router.get("/projects/{project_id}/goal", response={200: GoalOut, **ERRORS}, summary="项目的绩效目标")
def get_goal(request: HttpRequest, project_id: int):
    return goal_out(get_goal_for_user(request.user, project_id))


@router.put("/projects/{project_id}/goal", response={200: GoalOut, **ERRORS}, summary="保存项目的绩效目标(整表替换)")
def put_goal(request: HttpRequest, project_id: int, payload: GoalIn):
    project = get_project_or_404(request.user, project_id)
    actions.require_goal_perm(request.user, project, Perm.GOALS_FILL)
    goal = Goal.objects.filter(project=project).first()
    try:
        with transaction.atomic():
            if goal is None:
                goal = actions.do_create_goal(project, acting_user=request.user, prefill=False)
            rows = [row.dict() for row in payload.indicators]
            actions.do_replace_goal(goal, overall_goal=payload.overall_goal, indicators=rows, acting_user=request.user)
    except actions.GoalConflict as exc:
        raise _conflict(exc)
    return goal_out(get_goal_for_user(request.user, project_id))


@router.post("/projects/{project_id}/goal/submit", response={200: GoalOut, **ERRORS}, summary="提交绩效目标")
def submit_goal(request: HttpRequest, project_id: int):
    goal = get_goal_for_user(request.user, project_id)
    try:
        actions.do_submit_goal(goal, acting_user=request.user)
    except actions.GoalConflict as exc:
        raise _conflict(exc)
    except ValidationError as exc:
        raise ApiError(422, "goal_has_errors", "；".join(exc.messages), goal.findings)
    return goal_out(get_goal_for_user(request.user, project_id))


@router.post("/projects/{project_id}/goal/review", response={200: GoalOut, **ERRORS}, summary="审核绩效目标(当前环节)")
def review_goal(request: HttpRequest, project_id: int, payload: ReviewIn):
    goal = get_goal_for_user(request.user, project_id)
    try:
        actions.do_review_goal(
            goal,
            decision=payload.decision,
            grade=payload.grade,
            opinion=payload.opinion,
            indicator_opinions=payload.indicator_opinions,
            acting_user=request.user,
        )
    except actions.GoalConflict as exc:
        raise _conflict(exc)
    return goal_out(get_goal_for_user(request.user, project_id))


@router.post("/goals/check", response={200: CheckOut, **ERRORS}, summary="绩效目标规范性审核(不保存)")
def check_goal(request: HttpRequest, payload: CheckIn):
    """Runs G01–G16 on the posted goal against the database library of its year; nothing is stored."""
    require_perm(request.user, Perm.PROJECTS_VIEW)
    if payload.style not in (None, "", "88", "101"):
        raise ApiError(422, "invalid", "style 应为 88 或 101。")
    style = payload.style or None
    profile = get_profile("cost-2021" if (style or "") == STYLE_101 else "central-2020")
    draft = GoalDraft.from_dict(payload.dict(), weight_total=float(profile.indicator_total))
    return {"findings": [f.to_dict() for f in run_checks(draft, db_library(payload.year))]}
