"""Monitoring rounds and 监控表 at /api/v1: rounds with their summaries, one project's 监控表 and its workflow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.api.auth import ApiError
from jixiao.api.schemas import ErrorOut
from jixiao.monitoring import actions, round_actions
from jixiao.monitoring.models import MonitoringReport, MonitoringRound
from jixiao.monitoring.selectors import (
    Group,
    filter_reports,
    get_round,
    group_reports,
    reports_for,
    status_counts,
    total_of,
)
from jixiao.orgs.models import Region, Unit
from jixiao.projects.selectors import get_project_for_user

router = Router(tags=["运行监控"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
REPORT_PATH = "/projects/{project_id}/monitoring/{round_id}"


class RoundIn(Schema):
    name: str = ""
    year: int
    cutoff_month: int = Field(description="截止月份 N:监控 1–N 月的执行情况")
    deadline: dt.date
    department_code: str | None = None
    district_code: str | None = None
    thresholds: dict[str, float] | None = Field(
        None, description="预警阈值:yellow_gap、red_gap(百分点)、late_month、late_rate(%)、large_budget_wan(万元)"
    )


class RoundOut(Schema):
    id: int
    name: str
    year: int
    cutoff_month: int
    deadline: dt.date
    status: str = Field(description="open(填报中)、closed(已结束)")
    state: str = Field(description="open(填报中)、overdue(已逾期:未结束且已过截止日期)、closed(已结束)")
    state_label: str
    closed_at: dt.datetime | None
    thresholds: dict
    department_id: int | None
    district_id: int | None


class RoundEventOut(Schema):
    kind: str = Field(description="close(结束批次)、extend(延长截止日期)、reopen(重新开放并延期)")
    kind_label: str
    from_status: str
    to_status: str
    old_deadline: dt.date
    new_deadline: dt.date
    opinion: str
    actor: str
    created_at: dt.datetime


class CloseIn(Schema):
    opinion: str = Field("", description="结束说明(可不填)")


class ExtendIn(Schema):
    deadline: dt.date = Field(description="新的填报截止日期:不早于今天和原截止日期;已结束的批次将重新开放")
    reason: str = Field("", description="延期原因")


class GroupOut(Schema):
    code: str = Field(description="主管部门单位编码或区划代码")
    label: str
    reports: int
    red: int
    yellow: int
    budget: Decimal = Field(description="年初预算数(元)")
    executed: Decimal = Field(description="1–N月执行数(元)")
    rate: Decimal | None = Field(description="执行率(%),无预算时为空")


class SummaryOut(GroupOut):
    by_status: dict[str, int] = Field(description="各状态的监控表数,键为状态代码")


class RoundDetailOut(RoundOut):
    period: str
    time_progress: float = Field(description="序时进度(%)= 截止月份 ÷ 12")
    summary: SummaryOut = Field(description="按数据范围统计的汇总")
    by_department: list[GroupOut]
    by_district: list[GroupOut]
    events: list[RoundEventOut] = Field(description="结束、延期记录")


class LineOut(Schema):
    id: int
    level1: str
    level2: str
    name: str
    operator: str
    target: str
    unit: str
    progress: str
    likelihood: str
    cause: str
    measures: str


class LineIn(Schema):
    id: int | None = Field(None, description="已有指标行的编号;省略则新增一项指标(须填 name)")
    name: str | None = None
    level1: str | None = None
    level2: str | None = None
    operator: str | None = None
    target: str | None = None
    unit: str | None = None
    progress: str | None = None
    likelihood: str | None = Field(None, description="sure(确定能)、possible(有可能)、impossible(不可能)")
    cause: str | None = Field(None, description="偏差原因:planning、funding、rules、staff、hardware、management、other")
    measures: str | None = None


class EventOut(Schema):
    kind: str = Field(description="open、submit、withdraw、return、approve、hold、release、adjust")
    kind_label: str
    step: str = Field(description="审核环节:dept(主管部门)、finance(财政),非审核事件为空")
    from_status: str
    to_status: str
    opinion: str
    actor: str
    created_at: dt.datetime


class ReportRowOut(Schema):
    id: int
    round_id: int
    project_id: int
    project_code: str
    project_name: str
    department: str
    unit: str
    status: str = Field(description="draft、submitted(待主管部门审核)、finance_review(待财政审核)、returned、approved")
    status_label: str
    review_step: str | None
    annual_budget: Decimal
    executed: Decimal
    expected_annual: Decimal
    rate: float | None
    warning_level: str = Field(description="red、yellow,无预警为空")
    payment_held: bool


class ReportOut(ReportRowOut):
    warnings: list
    indicators: list[LineOut]
    events: list[EventOut]


class ReportIn(Schema):
    annual_budget: Decimal | None = None
    executed: Decimal | None = None
    expected_annual: Decimal | None = None
    indicators: list[LineIn] = []


class ReviewIn(Schema):
    decision: str = Field(description="approve(通过)或 return(退回,须填意见)")
    opinion: str = ""


class ReasonIn(Schema):
    reason: str = ""


class OpinionIn(Schema):
    opinion: str = Field("", description="解除意见(必填)")


class AdjustmentOut(Schema):
    message: str
    report: ReportOut


def _row(report: MonitoringReport) -> dict[str, Any]:
    project = report.project
    return {
        **{name: getattr(report, name) for name in ("id", "round_id", "project_id", "status", "annual_budget",
                                                   "executed", "expected_annual", "rate", "warning_level",
                                                   "payment_held")},
        "project_code": project.code,
        "project_name": project.name,
        "department": project.department.name,
        "unit": project.unit.name,
        "status_label": report.get_status_display(),
        "review_step": report.review_step(),
    }  # fmt: skip


def report_out(report: MonitoringReport) -> dict[str, Any]:
    events = [
        {"kind": e.kind, "kind_label": e.kind_label, "step": e.step, "from_status": e.from_status,
         "to_status": e.to_status, "opinion": e.opinion, "actor": e.actor.full_name if e.actor else "系统",
         "created_at": e.created_at}
        for e in report.events.select_related("actor")
    ]  # fmt: skip
    return {**_row(report), "warnings": report.warnings, "indicators": list(report.lines.all()), "events": events}


def _group(group: Group) -> dict[str, Any]:
    return {"code": group.code, "label": group.label, "reports": group.reports, "red": group.red,
            "yellow": group.yellow, "budget": group.budget, "executed": group.executed, "rate": group.rate}  # fmt: skip


def _conflict(exc: actions.MonitoringConflict) -> ApiError:
    return ApiError(409, exc.code, exc.message)


def _round_events(monitoring_round: MonitoringRound) -> list[dict[str, Any]]:
    return [
        {"kind": e.kind, "kind_label": e.kind_label, "from_status": e.from_status, "to_status": e.to_status,
         "old_deadline": e.old_deadline, "new_deadline": e.new_deadline, "opinion": e.opinion,
         "actor": e.actor.full_name if e.actor else "系统", "created_at": e.created_at}
        for e in monitoring_round.events.select_related("actor")
    ]  # fmt: skip


@router.get("/monitoring/rounds", response={200: list[RoundOut], **ERRORS}, summary="监控批次列表")
def list_rounds(request: HttpRequest, year: int | None = None):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    rounds = MonitoringRound.objects.all()
    if year:
        rounds = rounds.filter(year=year)
    return list(rounds[:500])


@router.post("/monitoring/rounds", response={201: RoundOut, **ERRORS}, summary="下发监控任务(为范围内项目生成监控表)")
def create_round(request: HttpRequest, payload: RoundIn):
    require_perm(request.user, Perm.MONITORING_MANAGE)
    department = get_object_or_404(Unit, code=payload.department_code) if payload.department_code else None
    district = get_object_or_404(Region, code=payload.district_code) if payload.district_code else None
    monitoring_round = round_actions.do_open_round(
        name=payload.name,
        year=payload.year,
        cutoff_month=payload.cutoff_month,
        deadline=payload.deadline,
        department=department,
        district=district,
        thresholds=payload.thresholds,
        acting_user=request.user,
    )
    return 201, monitoring_round


@router.get(
    "/monitoring/rounds/{round_id}",
    response={200: RoundDetailOut, **ERRORS},
    summary="监控批次及汇总(按主管部门、按区;只统计数据范围内的监控表)",
)
def get_round_detail(request: HttpRequest, round_id: int):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    monitoring_round = get_round(round_id)
    reports = list(reports_for(request.user, monitoring_round))
    total = total_of(reports)
    return {
        **{name: getattr(monitoring_round, name) for name in RoundOut.model_fields},
        "period": monitoring_round.period,
        "time_progress": round(float(monitoring_round.time_progress), 2),
        "summary": {**_group(total), "by_status": status_counts(reports)},
        "by_department": [_group(g) for g in group_reports(reports, "department")],
        "by_district": [_group(g) for g in group_reports(reports, "district")],
        "events": _round_events(monitoring_round),
    }  # fmt: skip


@router.post(
    "/monitoring/rounds/{round_id}/close",
    response={200: RoundOut, **ERRORS},
    summary="结束监控批次(结束后单位不能再填报、提交;已提交的仍可审核通过;重复请求不再新增记录)",
)
def close_round(request: HttpRequest, round_id: int, payload: CloseIn):
    require_perm(request.user, Perm.MONITORING_MANAGE)
    return round_actions.do_close_round(get_round(round_id), opinion=payload.opinion, acting_user=request.user)


@router.post(
    "/monitoring/rounds/{round_id}/extend",
    response={200: RoundOut, **ERRORS},
    summary="延长监控批次的填报截止日期(已结束的批次同时重新开放)",
)
def extend_round(request: HttpRequest, round_id: int, payload: ExtendIn):
    require_perm(request.user, Perm.MONITORING_MANAGE)
    return round_actions.do_extend_round(
        get_round(round_id), deadline=payload.deadline, reason=payload.reason, acting_user=request.user
    )


@router.get(
    "/monitoring/rounds/{round_id}/reports",
    response={200: list[ReportRowOut], **ERRORS},
    summary="批次的监控表列表(按数据范围;可按状态、预警等级筛选)",
)
def list_round_reports(
    request: HttpRequest,
    round_id: int,
    status: str | None = None,
    warning_level: str | None = None,
    limit: int = 100,
    offset: int = 0,
):
    """`warning_level` is red, yellow or none; `status` a status code. Ordered by project code."""
    require_perm(request.user, Perm.PROJECTS_VIEW)
    monitoring_round = get_round(round_id)
    reports = filter_reports(reports_for(request.user, monitoring_round), status=status, level=warning_level)
    limit, offset = max(0, min(limit, 1000)), max(0, offset)
    return [_row(r) for r in reports.order_by("project__code", "pk")[offset : offset + limit]]


def _report(request: HttpRequest, project_id: int, round_id: int) -> MonitoringReport:
    project = get_project_for_user(request.user, project_id)
    report = MonitoringReport.objects.filter(project=project, round_id=round_id).select_related(
        "round", "project", "project__unit", "project__department"
    )
    found = report.first()
    if found is None:
        raise ApiError(404, "not_found", "该项目不在这一监控批次中。")
    return found


@router.get(REPORT_PATH, response={200: ReportOut, **ERRORS}, summary="项目监控表(含指标、预警和流转记录)")
def get_report(request: HttpRequest, project_id: int, round_id: int):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    return report_out(_report(request, project_id, round_id))


@router.put(REPORT_PATH, response={200: ReportOut, **ERRORS}, summary="填报项目监控表(已提交未审核的将撤回)")
def put_report(request: HttpRequest, project_id: int, round_id: int, payload: ReportIn):
    require_perm(request.user, Perm.MONITORING_FILL)
    report = _report(request, project_id, round_id)
    amounts = {
        "annual_budget": payload.annual_budget,
        "executed": payload.executed,
        "expected_annual": payload.expected_annual,
    }
    lines = [line.dict(exclude_none=True) for line in payload.indicators]
    try:
        actions.do_save_report(report, amounts=amounts, lines=lines, acting_user=request.user)
    except actions.MonitoringConflict as exc:
        raise _conflict(exc)
    return report_out(_report(request, project_id, round_id))


@router.post(REPORT_PATH + "/submit", response={200: ReportOut, **ERRORS}, summary="提交监控表(报主管部门审核)")
def submit_report(request: HttpRequest, project_id: int, round_id: int):
    report = _report(request, project_id, round_id)
    try:
        actions.do_submit_report(report, acting_user=request.user)
    except actions.MonitoringConflict as exc:
        raise _conflict(exc)
    except ValidationError as exc:
        raise ApiError(422, "incomplete", "；".join(exc.messages), exc.messages)
    return report_out(_report(request, project_id, round_id))


@router.post(
    REPORT_PATH + "/review",
    response={200: ReportOut, **ERRORS},
    summary="审核监控表(当前环节:待主管部门审核由主管部门或区财政局,待财政审核由财政处室)",
)
def review_report(request: HttpRequest, project_id: int, round_id: int, payload: ReviewIn):
    report = _report(request, project_id, round_id)
    try:
        actions.do_review_report(report, decision=payload.decision, opinion=payload.opinion, acting_user=request.user)
    except actions.MonitoringConflict as exc:
        raise _conflict(exc)
    return report_out(_report(request, project_id, round_id))


@router.post(
    REPORT_PATH + "/hold",
    response={200: ReportOut, **ERRORS},
    summary="暂缓拨款(仅红色预警;暂缓期间重复请求不再新增记录)",
)
def hold_report(request: HttpRequest, project_id: int, round_id: int, payload: ReasonIn):
    report = _report(request, project_id, round_id)
    try:
        actions.do_hold_report_payments(report, reason=payload.reason, acting_user=request.user)
    except actions.MonitoringConflict as exc:
        raise _conflict(exc)
    return report_out(_report(request, project_id, round_id))


@router.post(
    REPORT_PATH + "/release-hold",
    response={200: ReportOut, **ERRORS},
    summary="解除暂缓拨款(须填意见;没有暂缓拨款时不做改动)",
)
def release_hold(request: HttpRequest, project_id: int, round_id: int, payload: OpinionIn):
    report = _report(request, project_id, round_id)
    actions.do_release_report_hold(report, opinion=payload.opinion, acting_user=request.user)
    return report_out(_report(request, project_id, round_id))


@router.post(
    REPORT_PATH + "/adjustment",
    response={200: AdjustmentOut, **ERRORS},
    summary="发起绩效目标和预算调整(仅红色预警;有已批复目标时按目标调整流程解锁)",
)
def request_adjustment(request: HttpRequest, project_id: int, round_id: int, payload: ReasonIn):
    report = _report(request, project_id, round_id)
    try:
        message = actions.do_request_adjustment(report, reason=payload.reason, acting_user=request.user)
    except actions.MonitoringConflict as exc:
        raise _conflict(exc)
    return {"message": message, "report": report_out(_report(request, project_id, round_id))}
