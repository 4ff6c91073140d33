"""Cross-check API: ID check, runs, clues (masked IDs) and clue transitions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.api.auth import ApiError
from jixiao.api.schemas import ErrorOut
from jixiao.crosscheck import idnumber
from jixiao.crosscheck.actions import (
    TransitionRefused,
    do_reveal_clue_id,
    do_start_run,
    do_transition_clue,
    record_clue_view,
)
from jixiao.crosscheck.forms import assignable_units
from jixiao.crosscheck.models import Clue, Run
from jixiao.crosscheck.selectors import (
    filter_clues,
    get_clue_for_user,
    get_dataset_for_user,
    get_run_for_user,
    mask_text,
    runs_visible_to,
)
from jixiao.crosscheck.views import IDCHECK_LIMIT, READ_PERMS

router = Router(tags=["大数据比对"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _require_reader(user) -> None:
    if not any(user.has_perm_code(p) for p in READ_PERMS):
        raise PermissionDenied("您没有查看大数据比对线索的权限。")


class IdCheckIn(Schema):
    ids: list[str]


class IdCheckOut(Schema):
    input: str
    valid: bool
    normalized: str | None
    reasons: list[str]
    birth_date: str | None
    sex: str | None
    region_code: str | None


@router.post("/crosscheck/idcheck", response={200: list[IdCheckOut], **ERRORS}, summary="校验身份证号(GB 11643-1999)")
def idcheck(request: HttpRequest, payload: IdCheckIn):
    _require_reader(request.user)
    if len(payload.ids) > IDCHECK_LIMIT:
        raise ApiError(422, "too_many", f"一次最多校验 {IDCHECK_LIMIT} 个身份证号,本次 {len(payload.ids)} 个。")
    return [idnumber.check_id(value).as_dict() for value in payload.ids]


class RunOut(Schema):
    id: int
    dataset_id: int
    dataset: str
    engine: str
    rules: str
    status: str
    status_label: str
    progress: int
    message: str
    clues_loaded: int
    clues_known: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_dataset(obj: Run) -> str:
        return obj.dataset.name

    @staticmethod
    def resolve_status_label(obj: Run) -> str:
        return obj.get_status_display()


class RunDetailOut(RunOut):
    summary: dict


class RunIn(Schema):
    engine: str = "duckdb"
    rules: str = "all"


@router.get("/crosscheck/runs", response={200: list[RunOut], **ERRORS}, summary="比对运行列表")
def list_runs(request: HttpRequest, limit: int = 100, offset: int = 0):
    require_perm(request.user, Perm.CROSSCHECK_VIEW)
    return list(runs_visible_to(request.user).select_related("dataset")[offset : offset + min(limit, 1000)])


@router.post(
    "/crosscheck/datasets/{dataset_id}/runs",
    response={201: RunDetailOut, **ERRORS},
    summary="对数据集发起比对(后台运行)",
)
def start_run(request: HttpRequest, dataset_id: int, payload: RunIn):
    require_perm(request.user, Perm.CROSSCHECK_RUN)
    dataset = get_dataset_for_user(request.user, dataset_id, write=True)
    return 201, do_start_run(dataset=dataset, engine=payload.engine, rules=payload.rules, acting_user=request.user)


@router.get("/crosscheck/runs/{run_id}", response={200: RunDetailOut, **ERRORS}, summary="比对运行详情与进度")
def get_run(request: HttpRequest, run_id: int):
    require_perm(request.user, Perm.CROSSCHECK_VIEW)
    return get_run_for_user(request.user, run_id)


class ClueOut(Schema):
    id: int
    run_id: int
    rule: str
    rule_title: str
    person_id_masked: str
    person_name: str
    program: str
    program_name: str
    program_kind: str
    region_code: str
    period: str
    periods: str
    amount_at_risk: Decimal
    severity: str
    status: str
    status_label: str
    category: str
    assigned_unit_id: int | None
    deadline: dt.date | None
    verify_result: str
    stop_payment: bool
    disqualified: bool
    recovered_amount: Decimal | None
    recovered_on: dt.date | None

    @staticmethod
    def resolve_person_id_masked(obj: Clue) -> str:
        return obj.masked_id

    @staticmethod
    def resolve_status_label(obj: Clue) -> str:
        return obj.get_status_display()


class ClueEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str
    created_at: dt.datetime
    opinion: str
    data: dict


class ClueDetailOut(ClueOut):
    evidence: list
    events: list[ClueEventOut]

    @staticmethod
    def resolve_evidence(obj: Clue) -> list:
        return mask_text(obj.evidence)

    @staticmethod
    def resolve_events(obj: Clue) -> list[dict]:
        return [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor.username if e.actor else "system",
                "created_at": e.created_at,
                "opinion": e.opinion,
                "data": e.data,
            }
            for e in obj.events.select_related("actor")
        ]


@router.get("/crosscheck/clues", response={200: list[ClueOut], **ERRORS}, summary="问题线索(按数据范围,身份证号脱敏)")
def list_clues(
    request: HttpRequest,
    run: int | None = None,
    rule: str | None = None,
    program: str | None = None,
    district: str | None = None,
    status: str | None = None,
    severity: str | None = None,
    min_amount: Decimal | None = None,
    max_amount: Decimal | None = None,
    limit: int = 200,
    offset: int = 0,
):
    _require_reader(request.user)
    params = {
        "run": run,
        "rule": rule,
        "program": program,
        "district": district,
        "status": status,
        "severity": severity,
        "min_amount": min_amount,
        "max_amount": max_amount,
    }
    clues = filter_clues(request.user, params).order_by("-amount_at_risk", "pk")
    return list(clues[offset : offset + min(limit, 5000)])


@router.get(
    "/crosscheck/clues/{clue_id}", response={200: ClueDetailOut, **ERRORS}, summary="线索详情(含证据和处理记录)"
)
def get_clue(request: HttpRequest, clue_id: int):
    _require_reader(request.user)
    clue = get_clue_for_user(request.user, clue_id)
    record_clue_view(acting_user=request.user, clue=clue)
    return clue


class RevealOut(Schema):
    id: int
    person_id: str


@router.post(
    "/crosscheck/clues/{clue_id}/reveal", response={200: RevealOut, **ERRORS}, summary="查看完整身份证号(留痕)"
)
def reveal_clue(request: HttpRequest, clue_id: int):
    require_perm(request.user, Perm.CROSSCHECK_REVEAL)
    clue = get_clue_for_user(request.user, clue_id)
    return {"id": clue.pk, "person_id": do_reveal_clue_id(clue, acting_user=request.user)}


class TransitionIn(Schema):
    action: str
    category: str | None = None
    unit_id: int | None = None
    deadline: dt.date | None = None
    result: str | None = None
    stop_payment: bool = False
    disqualified: bool = False
    recovered_amount: Decimal | None = None
    recovered_on: dt.date | None = None
    opinion: str = ""


@router.post(
    "/crosscheck/clues/{clue_id}/transitions",
    response={200: ClueDetailOut, 409: ErrorOut, **ERRORS},
    summary="办理线索:分类、交办、核实、处置、复核、销号及逾期、退回重办、暂存、移交纪委",
)
def transition_clue(request: HttpRequest, clue_id: int, payload: TransitionIn):
    _require_reader(request.user)
    clue = get_clue_for_user(request.user, clue_id)
    data = payload.dict(exclude={"action", "unit_id"})
    if payload.unit_id is not None:
        unit = assignable_units(request.user).filter(pk=payload.unit_id).first()
        if unit is None:
            raise ApiError(422, "invalid", f"unit_id:单位 {payload.unit_id} 不存在或不可交办。")
        data["unit"] = unit
    try:
        return do_transition_clue(clue, payload.action, data, acting_user=request.user)
    except TransitionRefused as exc:
        raise ApiError(422 if exc.code == "unknown_action" else 409, exc.code, exc.message)
