"""Stateless scoring preview: other systems and spreadsheets check a self-evaluation before submitting it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from pydantic import ConfigDict

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
from jixiao.selfeval.entry import EntryRefused
from jixiao.selfeval.models import Campaign, ScoringProfileRecord, SelfEvaluation, load_profiles
from jixiao.selfeval.profile_actions import (
    ProfileRefused,
    campaigns_using,
    do_create_scoring_profile,
    do_update_scoring_profile,
)
from jixiao.selfeval.profiles import ProfileError
from jixiao.selfeval.scoring import ScoringInputError, preview
from jixiao.selfeval.selectors import campaign_dashboard, campaigns_for, get_campaign_evaluation
from jixiao.selfeval.serialize import dashboard_json, evaluation_json, profile_json

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


# --- Scoring profiles (评分方案) -----------------------------------------------------------------------------------

Number = float | str  # read by profiles.profile_from_dict, which names every bad value in Chinese


class AllocationIn(Schema):
    name: str | None = None
    weight: Number | None = Field(None, description="默认分值(预填指标分值)")
    min: Number | None = Field(None, description="允许的最低分值,省略为默认分值")
    max: Number | None = Field(None, description="允许的最高分值,省略为默认分值")
    level1: list[str] | None = Field(None, description='覆盖的一级指标名称,省略为本项名称;["*"] 覆盖全部指标')


class TierIn(Schema):
    tier: str | None = Field(None, description="达成/部分达成/未达成")
    low: Number | None = Field(None, description="下限(占指标分值的 %)")
    high: Number | None = Field(None, description="上限(%),达成档为 100 且含 100")
    default: Number | None = Field(None, description="评审未给比例时的默认比例(%)")


class GradeIn(Schema):
    grade: str | None = None
    min: Number | None = Field(None, description="该等级的最低总分(含)")


class ProfileIn(Schema):
    code: str | None = Field(None, description="方案代码:小写字母、数字和连字符;PUT 时可省略,不能修改")
    name: str | None = Field(None, description="方案名称")
    execution_weight: Number | None = Field(None, description="预算执行分值")
    indicator_total: Number | None = Field(None, description="指标总分,与预算执行分值合计 100")
    allocations: list[AllocationIn] | None = Field(None, description="一级指标分值分配")
    tiers: list[TierIn] | None = Field(None, description="定性指标三档,省略为中央档次 80/60/0")
    grades: list[GradeIn] | None = Field(None, description="等级线,省略为 优 90、良 80、中 60、差 0")
    over_achievement: Number | None = Field(None, description="超额完成阈值(实际 ÷ 目标),省略为 1.5")
    explanation_rate: Number | None = Field(None, description="执行率低于该值(%)须说明原因,省略为 90")


class AllocationOut(Schema):
    name: str
    weight: float
    min: float
    max: float
    level1: list[str]


class TierOut(Schema):
    tier: str
    low: float
    high: float
    default: float


class GradeOut(Schema):
    grade: str
    min: float


class ProfileOut(Schema):
    code: str
    name: str
    builtin: bool = Field(description="内置方案(只读)")
    campaigns: list[str] = Field(description="使用该方案的自评任务(被使用的方案不能修改)")
    execution_weight: float
    indicator_total: float
    allocations: list[AllocationOut]
    tiers: list[TierOut]
    grades: list[GradeOut]
    over_achievement: float
    explanation_rate: float


PROFILE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _profile_out(record: ScoringProfileRecord) -> dict[str, Any]:
    return profile_json(record, campaigns=campaigns_using(record))


def _profile_data(payload: ProfileIn) -> dict[str, Any]:
    return payload.dict(exclude_none=True)


def _invalid_profile(exc: ProfileError) -> ApiError:
    return ApiError(422, "invalid_profile", "；".join(exc.errors), exc.errors)


@router.get("/scoring/profiles", response={200: list[ProfileOut], **PROFILE_ERRORS}, summary="评分方案列表")
def profile_list(request: HttpRequest):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    return [_profile_out(record) for record in ScoringProfileRecord.objects.all()]


@router.get("/scoring/profiles/{code}", response={200: ProfileOut, **PROFILE_ERRORS}, summary="评分方案详情")
def profile_read(request: HttpRequest, code: str):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    return _profile_out(get_object_or_404(ScoringProfileRecord, code=code))


@router.post("/scoring/profiles", response={201: ProfileOut, **PROFILE_ERRORS}, summary="新增评分方案(预算绩效管理处)")
def profile_create(request: HttpRequest, payload: ProfileIn):
    require_perm(request.user, Perm.SELFEVAL_MANAGE)
    try:
        record = do_create_scoring_profile(data=_profile_data(payload), acting_user=request.user)
    except ProfileError as exc:
        raise _invalid_profile(exc)
    except ProfileRefused as exc:
        raise ApiError(409, exc.code, exc.message)
    return 201, _profile_out(record)


@router.put(
    "/scoring/profiles/{code}",
    response={200: ProfileOut, **PROFILE_ERRORS},
    summary="修改自定义评分方案(内置或已被自评任务使用的方案拒绝,409)",
)
def profile_update(request: HttpRequest, code: str, payload: ProfileIn):
    require_perm(request.user, Perm.SELFEVAL_MANAGE)
    record = get_object_or_404(ScoringProfileRecord, code=code)
    try:
        record = do_update_scoring_profile(record=record, data=_profile_data(payload), acting_user=request.user)
    except ProfileError as exc:
        raise _invalid_profile(exc)
    except ProfileRefused as exc:
        raise ApiError(409, exc.code, exc.message)
    return _profile_out(record)


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
    model_config = ConfigDict(extra="forbid")

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


class ActualIn(Schema):
    model_config = ConfigDict(extra="forbid")

    position: int = Field(description="指标序号(1 起)")
    actual: str | None = Field(None, description="实际完成值;定量指标为数字,可带 % 和千分位逗号")
    applicable: bool | None = Field(None, description="false 表示不适用(不计分,总分折算)")
    tier: str | None = Field(None, description="定性指标的完成档次:达成/部分达成/未达成")
    share: Decimal | None = Field(None, description="定性指标档内得分比例(%),空为档次默认")
    explanation: str | None = Field(None, description="偏差原因分析及改进措施")


def _amount(label: str) -> Any:
    return Field(None, description=f"{label}(元);不给出则不修改")


class EvaluationIn(Schema):
    model_config = ConfigDict(extra="forbid")  # a misspelt or retired field (budget_executed…) is refused

    fiscal_initial: Decimal | None = _amount("当年财政拨款·年初预算数")
    fiscal_annual: Decimal | None = _amount("当年财政拨款·全年预算数")
    fiscal_executed: Decimal | None = _amount("当年财政拨款·全年执行数")
    carryover_initial: Decimal | None = _amount("上年结转资金·年初预算数")
    carryover_annual: Decimal | None = _amount("上年结转资金·全年预算数")
    carryover_executed: Decimal | None = _amount("上年结转资金·全年执行数")
    other_initial: Decimal | None = _amount("其他资金·年初预算数")
    other_annual: Decimal | None = _amount("其他资金·全年预算数")
    other_executed: Decimal | None = _amount("其他资金·全年执行数")
    budget_explanation: str | None = Field(None, description="预算执行偏差原因分析及改进措施")
    overall_target: str | None = None
    overall_actual: str | None = None
    actuals: list[ActualIn] | None = Field(None, description="按序号填报实际完成值、适用、档次、说明(目标值、分值不变)")
    indicators: list[IndicatorIn] | None = Field(None, description="给出时整体替换指标行(含目标值、分值)")


class ReviewIn(Schema):
    decision: str = Field(description="pass 通过 / return 退回 / opinion 仅提意见")
    opinion: str = ""


def _evaluation(request: HttpRequest, project_id: int, campaign_id: int, *, write: bool = False) -> SelfEvaluation:
    require_perm(request.user, Perm.PROJECTS_VIEW)
    return get_campaign_evaluation(request.user, campaign_id, project_id, write=write)


def _refused(exc: ValidationError) -> ApiError:
    if isinstance(exc, EntryRefused):
        return ApiError(422, "invalid_entry", "；".join(exc.messages), [p.as_dict() for p in exc.problems])
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
    data = payload.dict(exclude_unset=True)
    data.pop("indicators", None)
    indicators = None if payload.indicators is None else [item.dict() for item in payload.indicators]
    actuals = {item.pop("position"): item for item in data.pop("actuals", None) or []}
    if indicators is not None and actuals:
        raise ApiError(422, "invalid", "actuals 与 indicators 不能同时给出:前者按序号填报,后者整体替换指标行。")
    try:
        do_save_self_evaluation(
            evaluation=evaluation, acting_user=request.user, changes=data, indicators=indicators, actuals=actuals
        )
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
