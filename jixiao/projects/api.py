"""Project library API: list, create, read, update and status transitions, all within the caller's data scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.api.auth import ApiError
from jixiao.api.schemas import ErrorOut
from jixiao.orgs.models import Region, Unit
from jixiao.projects.actions import ProjectRefused, do_create_project, do_transition_project, do_update_project
from jixiao.projects.models import Category, FundSource, Project
from jixiao.projects.selectors import SORTS, filter_projects, get_project_for_user

router = Router(tags=["项目库"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class FundLine(Schema):
    source: str = Field(description="资金来源代码:" + "/".join(FundSource.values))
    amount_wan: Decimal = Field(description="金额(万元)")


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    year: int
    status: str = Field(description="reserve/in_library/approved/in_progress/completed/accepted/terminated")
    category_code: str
    subcategory_code: str | None
    region_code: str
    unit_code: str
    department_code: str
    division_code: str | None
    evaluator_code: str | None
    budget_wan: Decimal
    planned_start: dt.date | None
    planned_end: dt.date | None
    households: int
    persons: int
    poverty_persons: int
    monitored_persons: int
    description: str
    budget_requested_at: dt.datetime | None
    funds: list[FundLine]

    @staticmethod
    def resolve_category_code(obj: Project) -> str:
        return obj.category.code

    @staticmethod
    def resolve_subcategory_code(obj: Project) -> str | None:
        return obj.subcategory.code if obj.subcategory else None

    @staticmethod
    def resolve_region_code(obj: Project) -> str:
        return obj.region.code

    @staticmethod
    def resolve_unit_code(obj: Project) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_department_code(obj: Project) -> str:
        return obj.department.code

    @staticmethod
    def resolve_division_code(obj: Project) -> str | None:
        return obj.division.code if obj.division else None

    @staticmethod
    def resolve_evaluator_code(obj: Project) -> str | None:
        return obj.evaluator.code if obj.evaluator else None

    @staticmethod
    def resolve_funds(obj: Project) -> list[dict[str, Any]]:
        return [{"source": f.source, "amount_wan": f.amount_wan} for f in obj.funds.all()]


class ProjectPatch(Schema):
    name: str | None = None
    year: int | None = None
    category_code: str | None = None
    subcategory_code: str | None = None
    region_code: str | None = None
    unit_code: str | None = None
    department_code: str | None = None
    division_code: str | None = None
    evaluator_code: str | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    households: int | None = Field(None, ge=0)
    persons: int | None = Field(None, ge=0)
    poverty_persons: int | None = Field(None, ge=0)
    monitored_persons: int | None = Field(None, ge=0)
    description: str | None = None
    funds: list[FundLine] | None = Field(None, description="给出时整体替换资金来源")


class ProjectIn(ProjectPatch):
    code: str | None = Field(None, description="留空时自动编号 XM<年度>-<序号>")
    name: str  # type: ignore[assignment]
    year: int  # type: ignore[assignment]
    category_code: str  # type: ignore[assignment]
    region_code: str  # type: ignore[assignment]
    unit_code: str  # type: ignore[assignment]
    department_code: str  # type: ignore[assignment]
    funds: list[FundLine] = []  # type: ignore[assignment]


class TransitionIn(Schema):
    to: str = Field(description="目标状态代码")
    note: str = ""


def _project_out_queryset(user: Any):
    return (
        Project.objects.visible_to(user)
        .select_related("category", "subcategory", "region", "unit", "department", "division", "evaluator")
        .prefetch_related("funds")
    )


@router.get("/projects", response=list[ProjectOut], summary="项目列表(按数据范围,可筛选、分页)")
def list_projects(
    request: HttpRequest,
    year: int | None = None,
    status: str | None = None,
    category: str | None = None,
    district: str | None = None,
    unit: str | None = None,
    q: str | None = None,
    sort: str = "code",
    limit: int = 100,
    offset: int = 0,
):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    projects = filter_projects(
        _project_out_queryset(request.user),
        year=year,
        status=status,
        category=category,
        district=district,
        unit=unit,
        q=q,
    )
    field = SORTS.get(sort.lstrip("-"), "code")
    projects = projects.order_by(("-" if sort.startswith("-") else "") + field, "pk")
    limit = max(0, min(limit, 1000))
    offset = max(0, offset)
    return list(projects[offset : offset + limit])


@router.get("/projects/{project_id}", response={200: ProjectOut, **ERRORS}, summary="项目详情")
def get_project(request: HttpRequest, project_id: int):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    return get_project_for_user(request.user, project_id)


def _by_code(model: type[Any], code: str | None, field: str) -> Any:
    if not code:
        return None
    obj = model.objects.filter(code=code).first()
    if obj is None:
        raise ApiError(422, "invalid", f"{field}:编码“{code}”不存在。")
    return obj


CODE_FIELDS = {
    "category_code": ("category", Category),
    "subcategory_code": ("subcategory", Category),
    "region_code": ("region", Region),
    "unit_code": ("unit", Unit),
    "department_code": ("department", Unit),
    "division_code": ("division", Unit),
    "evaluator_code": ("evaluator", Unit),
}


def _changes(data: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, Decimal]] | None]:
    funds = data.pop("funds", None)
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in CODE_FIELDS:
            name, model = CODE_FIELDS[key]
            changes[name] = _by_code(model, value, key)
        else:
            changes[key] = value
    if funds is None:
        return changes, None
    lines = []
    for line in funds:
        if line["source"] not in FundSource.values:
            raise ApiError(422, "invalid", f"funds.source:应为 {'/'.join(FundSource.values)} 之一。")
        lines.append((line["source"], line["amount_wan"]))
    return changes, lines


def _refused(exc: ProjectRefused) -> ApiError:
    return ApiError(409, exc.code, exc.message)


@router.post("/projects", response={201: ProjectOut, **ERRORS}, summary="新增项目(储备状态)")
def create_project(request: HttpRequest, payload: ProjectIn):
    require_perm(request.user, Perm.PROJECTS_EDIT)
    data = payload.dict(exclude_none=True)
    code = data.pop("code", None)
    changes, funds = _changes(data)
    if code:
        if Project.objects.filter(code=code).exists():
            raise ApiError(409, "duplicate_code", f"项目编码“{code}”已存在。")
        changes["code"] = code
    project = do_create_project(acting_user=request.user, changes=changes, funds=funds or [])
    return 201, get_project_for_user(request.user, project.pk)


@router.patch("/projects/{project_id}", response={200: ProjectOut, **ERRORS}, summary="修改项目")
def update_project(request: HttpRequest, project_id: int, payload: ProjectPatch):
    project = get_project_for_user(request.user, project_id, write=True)
    changes, funds = _changes(payload.dict(exclude_unset=True))
    try:
        do_update_project(project, acting_user=request.user, changes=changes, funds=funds)
    except ProjectRefused as exc:
        raise _refused(exc)
    return get_project_for_user(request.user, project_id)


@router.post(
    "/projects/{project_id}/transitions", response={200: ProjectOut, **ERRORS}, summary="项目状态流转(入库、批复…)"
)
def transition_project(request: HttpRequest, project_id: int, payload: TransitionIn):
    require_perm(request.user, Perm.PROJECTS_VIEW)
    project = get_project_for_user(request.user, project_id)
    try:
        do_transition_project(project, payload.to, acting_user=request.user, note=payload.note)
    except ProjectRefused as exc:
        raise _refused(exc)
    return get_project_for_user(request.user, project_id)
