"""Monitoring rounds and 监控表 at /api/v1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.api.auth import ApiError
from jixiao.api.schemas import ErrorOut
from jixiao.monitoring.actions import MonitoringConflict, do_open_round, do_save_report
from jixiao.monitoring.models import MonitoringReport, MonitoringRound
from jixiao.orgs.models import Region, Unit
from jixiao.projects.selectors import get_project_for_user

router = Router(tags=["运行监控"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class RoundIn(Schema):
    name: str = ""
    year: int
    cutoff_month: int
    deadline: dt.date
    department_code: str | None = None
    district_code: str | None = None
    thresholds: dict[str, float] | None = None


class RoundOut(Schema):
    id: int
    name: str
    year: int
    cutoff_month: int
    deadline: dt.date
    status: str
    thresholds: dict
    department_id: int | None
    district_id: int | None


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
    id: int | None = None
    name: str | None = None
    level1: str | None = None
    level2: str | None = None
    operator: str | None = None
    target: str | None = None
    unit: str | None = None
    progress: str | None = None
    likelihood: str | None = None
    cause: str | None = None
    measures: str | None = None


class ReportOut(Schema):
    id: int
    round_id: int
    project_id: int
    status: str
    annual_budget: Decimal
    executed: Decimal
    expected_annual: Decimal
    rate: float | None
    warning_level: str
    warnings: list
    payment_held: bool
    indicators: list[LineOut]

    @staticmethod
    def resolve_indicators(obj: MonitoringReport) -> list:
        return list(obj.lines.all())


class ReportIn(Schema):
    annual_budget: Decimal | None = None
    executed: Decimal | None = None
    expected_annual: Decimal | None = None
    indicators: list[LineIn] = []


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
    monitoring_round = do_open_round(
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


def _report(request: HttpRequest, project_id: int, round_id: int) -> MonitoringReport:
    project = get_project_for_user(request.user, project_id)
    report = MonitoringReport.objects.filter(project=project, round_id=round_id).select_related("round").first()
    if report is None:
        raise ApiError(404, "not_found", "该项目不在这一监控批次中。")
    return report


@router.get("/projects/{project_id}/monitoring/{round_id}", response={200: ReportOut, **ERRORS}, summary="项目监控表")
def get_report(request: HttpRequest, project_id: int, round_id: int):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    return _report(request, project_id, round_id)


@router.put(
    "/projects/{project_id}/monitoring/{round_id}", response={200: ReportOut, **ERRORS}, summary="填报项目监控表"
)
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
        do_save_report(report, amounts=amounts, lines=lines, acting_user=request.user)
    except MonitoringConflict as exc:
        raise ApiError(409, "conflict", str(exc))
    report.refresh_from_db()
    return report
