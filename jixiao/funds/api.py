"""Fund records per project, and file import, at /api/v1."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.api.auth import ApiError
from jixiao.api.schemas import ErrorOut
from jixiao.core.excel import WorkbookError
from jixiao.funds.actions import do_save_allocation, do_save_payment
from jixiao.funds.importer import ScopeError, import_funds
from jixiao.funds.models import Allocation, FundLevel, Payment
from jixiao.funds.selectors import get_project_for_funds
from jixiao.projects.models import FundSource

router = Router(tags=["资金"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class AllocationIn(Schema):
    document_no: str
    fund_name: str
    source: str
    level: str
    amount: Decimal
    allocated_on: dt.date
    received_on: dt.date | None = None


class AllocationOut(AllocationIn):
    id: int
    project_id: int


class PaymentIn(Schema):
    voucher_no: str
    source: str
    paid_on: dt.date
    amount: Decimal
    payee: str
    is_final_recipient: bool = True
    is_retention: bool = False
    summary: str = ""


class PaymentOut(PaymentIn):
    id: int
    project_id: int


class ImportIn(Schema):
    file_name: str
    content_base64: str


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    changes: list[str]


def _check_amount_and_choices(amount: Decimal, source: str, level: str | None = None) -> None:
    if amount < 0:
        raise ApiError(422, "invalid", "amount:金额不能为负数。")
    if source not in FundSource.values:
        raise ApiError(422, "invalid", f"source:应为 {'/'.join(FundSource.values)} 之一。")
    if level is not None and level not in FundLevel.values:
        raise ApiError(422, "invalid", f"level:应为 {'/'.join(FundLevel.values)} 之一。")


@router.get(
    "/projects/{project_id}/allocations", response={200: list[AllocationOut], **ERRORS}, summary="项目资金下达记录"
)
def list_allocations(request: HttpRequest, project_id: int):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    project = get_project_for_funds(request.user, project_id)
    return list(Allocation.objects.filter(project=project))


@router.post(
    "/projects/{project_id}/allocations", response={201: AllocationOut, **ERRORS}, summary="新增或更新资金下达(按文号)"
)
def save_allocation(request: HttpRequest, project_id: int, payload: AllocationIn):
    require_perm(request.user, Perm.FUNDS_MANAGE)
    project = get_project_for_funds(request.user, project_id, write=True)
    _check_amount_and_choices(payload.amount, payload.source, payload.level)
    allocation, _ = do_save_allocation(project=project, values=payload.dict(), acting_user=request.user)
    return 201, allocation


@router.get("/projects/{project_id}/payments", response={200: list[PaymentOut], **ERRORS}, summary="项目资金支付记录")
def list_payments(request: HttpRequest, project_id: int):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    project = get_project_for_funds(request.user, project_id)
    return list(Payment.objects.filter(project=project))


@router.post(
    "/projects/{project_id}/payments", response={201: PaymentOut, **ERRORS}, summary="新增或更新支付(按凭证号)"
)
def save_payment(request: HttpRequest, project_id: int, payload: PaymentIn):
    require_perm(request.user, Perm.FUNDS_MANAGE)
    project = get_project_for_funds(request.user, project_id, write=True)
    _check_amount_and_choices(payload.amount, payload.source)
    values = payload.dict(exclude={"voucher_no"})
    payment, _ = do_save_payment(
        voucher_no=payload.voucher_no, values={**values, "project": project}, acting_user=request.user
    )
    return 201, payment


@router.post("/funds/import", response={200: ImportOut, **ERRORS}, summary="导入资金下达与支付(xlsx/csv,Base64)")
def import_file(request: HttpRequest, payload: ImportIn):
    require_perm(request.user, Perm.FUNDS_MANAGE)
    try:
        data = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "invalid", "content_base64:不是合法的 Base64 内容。")
    try:
        result = import_funds(data, file_name=payload.file_name, acting_user=request.user)
    except ScopeError as exc:
        raise ApiError(403, "forbidden", "文件中的项目不在您的资金管理范围内。", [e.as_dict() for e in exc.errors])
    except WorkbookError as exc:
        raise ApiError(422, "invalid_file", "导入失败,未写入任何数据。", [e.as_dict() for e in exc.errors])
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "changes": result.changes,
    }
