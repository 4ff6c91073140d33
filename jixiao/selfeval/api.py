"""Stateless scoring preview: other systems and spreadsheets check a self-evaluation before submitting it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.api.auth import ApiError
from jixiao.api.schemas import ErrorOut
from jixiao.orgs.models import Region, Unit
from jixiao.selfeval.actions import (
    do_open_campaign,
    do_review_self_evaluation,
    do_save_self_evaluation,
    do_submit_self_evaluation,
)
from jixiao.selfeval.models import Campaign, ScoringProfileRecord, SelfEvaluation, load_profiles
from jixiao.selfeval.profiles import ProfileError
from jixiao.selfeval.scoring import ScoringInputError, preview
from jixiao.selfeval.selectors import campaign_dashboard, campaigns_for, get_campaign_evaluation
from jixiao.selfeval.serialize import dashboard_json, evaluation_json

router = Router(tags=["绩效自评"])


class BudgetIn(Schema):
    annual: float | str
    executed: float | str


class PreviewIndicatorIn(Schema):
    level1: str = ""
    level2: str = ""
    name: str
    operator: str
    target: float | str | None = None
    actual: float | str | None = None
    unit: str = ""
    weight: float | None = None
    applicable: bool = True
    tier: str | None = None
    share: float | None = None


class PreviewIn(Schema):
    profile: str = "central-2020"
    budget: BudgetIn
    indicators: list[PreviewIndicatorIn]


@router.post(
    "/scoring/preview",
    response={200: dict[str, Any], 401: ErrorOut, 422: ErrorOut},
    summary="按评分方案试算自评得分(无状态)",
)
def scoring_preview(request: HttpRequest, payload: PreviewIn):
    try:
        return preview(payload.dict(), profiles=load_profiles() or None)
    except ScoringInputError as exc:
        problems = exc.as_list()
        raise ApiError(422, "invalid_input", "；".join(p["message"] for p in problems), problems)
    except (ProfileError, KeyError, ValueError) as exc:
        raise ApiError(422, "invalid_profile", str(exc))


# --- Campaigns and stored self-evaluations ------------------------------------------------------------------------

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CampaignIn(Schema):
    year: int
    name: str
    deadline: dt.date
    profile: str = Field("central-2020", description="评分方案代码")
    department_code: str | None = Field(None, description="只评价该主管部门的项目")
    district_code: str | None = Field(None, description="只评价该区的项目")
    cut_share: Decimal = Field(Decimal(10), description="等级为“中”时下年预算压减比例(%)")


class CampaignOut(Schema):
    id: int
    year: int
    name: str
    deadline: dt.date
    profile: str
    status: str = Field(description="open/closed")
    cut_share: Decimal

    @staticmethod
    def resolve_profile(obj: Campaign) -> str:
        return obj.profile.code


class IndicatorIn(Schema):
    level1: str
    level2: str = ""
    name: str
    operator: str = Field(description="≥ ≤ = 定性")
    target: str = ""
    unit: str = ""
    weight: Decimal | None = None
    actual: str = ""
    applicable: bool = True
    tier: str = Field("", description="定性指标的完成档次:达成/部分达成/未达成")
    share: Decimal | None = Field(None, description="档内得分比例(%)")
    explanation: str = Field("", description="偏差原因分析及改进措施")


class EvaluationIn(Schema):
    budget_initial: Decimal | None = Field(None, description="年初预算数(元)")
    budget_annual: Decimal | None = Field(None, description="全年预算数(元)")
    budget_executed: Decimal | None = Field(None, description="全年执行数(元)")
    budget_explanation: str | None = None
    overall_target: str | None = None
    overall_actual: str | None = None
    indicators: list[IndicatorIn] | None = Field(None, description="给出时整体替换指标行")


class ReviewIn(Schema):
    decision: str = Field(description="pass 通过 / return 退回 / opinion 仅提意见")
    opinion: str = ""


def _evaluation(request: HttpRequest, project_id: int, campaign_id: int, *, write: bool = False) -> SelfEvaluation:
    require_perm(request.user, Perm.PROJECTS_VIEW)
    return get_campaign_evaluation(request.user, campaign_id, project_id, write=write)


def _refused(exc: ValidationError) -> ApiError:
    return ApiError(422, "refused", "；".join(exc.messages), exc.messages)


@router.get("/selfeval/campaigns", response={200: list[CampaignOut], **ERRORS}, summary="自评任务列表")
def campaign_list(request: HttpRequest):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    return list(campaigns_for(request.user))


@router.post("/selfeval/campaigns", response={201: CampaignOut, **ERRORS}, summary="发起自评任务")
def campaign_create(request: HttpRequest, payload: CampaignIn):
    require_perm(request.user, Perm.SELFEVAL_MANAGE)
    profile = ScoringProfileRecord.objects.filter(code=payload.profile).first()
    department = Unit.objects.filter(code=payload.department_code).first() if payload.department_code else None
    district = Region.objects.filter(code=payload.district_code, level="district").first()
    problems = [
        message
        for missing, message in (
            (profile is None, f"评分方案「{payload.profile}」不存在"),
            (payload.department_code and department is None, f"主管部门「{payload.department_code}」不存在"),
            (payload.district_code and district is None, f"区「{payload.district_code}」不存在"),
        )
        if missing
    ]
    if problems:
        raise ApiError(422, "invalid", "；".join(problems), problems)
    try:
        campaign = do_open_campaign(
            year=payload.year,
            name=payload.name,
            deadline=payload.deadline,
            profile=profile,  # type: ignore[arg-type]
            department=department,
            district=district if payload.district_code else None,
            cut_share=payload.cut_share,
            acting_user=request.user,
        )
    except ValidationError as exc:
        raise _refused(exc)
    return 201, campaign


@router.get(
    "/selfeval/campaigns/{campaign_id}/dashboard",
    response={200: dict[str, Any], **ERRORS},
    summary="自评任务看板:自评表执行率、资金总量执行率(按部门、按区)与等级分布",
)
def campaign_dashboard_api(request: HttpRequest, campaign_id: int):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    campaign = campaigns_for(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return dashboard_json(campaign_dashboard(request.user, campaign))


EVALUATION_PATH = "/projects/{project_id}/self-evaluations/{campaign_id}"


@router.get(EVALUATION_PATH, response={200: dict[str, Any], **ERRORS}, summary="读取项目的绩效自评表(含得分与公式)")
def evaluation_read(request: HttpRequest, project_id: int, campaign_id: int):
    return evaluation_json(_evaluation(request, project_id, campaign_id))


@router.put(EVALUATION_PATH, response={200: dict[str, Any], **ERRORS}, summary="填报绩效自评表并重新计分")
def evaluation_write(request: HttpRequest, project_id: int, campaign_id: int, payload: EvaluationIn):
    evaluation = _evaluation(request, project_id, campaign_id, write=True)
    data = payload.dict(exclude_none=True)
    indicators = data.pop("indicators", None)
    try:
        do_save_self_evaluation(evaluation=evaluation, acting_user=request.user, changes=data, indicators=indicators)
    except ValidationError as exc:
        raise _refused(exc)
    evaluation.refresh_from_db()
    return evaluation_json(evaluation)


@router.post(EVALUATION_PATH + "/submit", response={200: dict[str, Any], **ERRORS}, summary="提交绩效自评表")
def evaluation_submit(request: HttpRequest, project_id: int, campaign_id: int):
    evaluation = _evaluation(request, project_id, campaign_id, write=True)
    try:
        do_submit_self_evaluation(evaluation=evaluation, acting_user=request.user)
    except ValidationError as exc:
        raise _refused(exc)
    return evaluation_json(evaluation)


@router.post(
    EVALUATION_PATH + "/review", response={200: dict[str, Any], **ERRORS}, summary="审核绩效自评表(通过、退回或提意见)"
)
def evaluation_review(request: HttpRequest, project_id: int, campaign_id: int, payload: ReviewIn):
    evaluation = _evaluation(request, project_id, campaign_id)
    try:
        do_review_self_evaluation(
            evaluation=evaluation, acting_user=request.user, decision=payload.decision, opinion=payload.opinion
        )
    except ValidationError as exc:
        raise _refused(exc)
    return evaluation_json(evaluation)
