from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.api.auth import ApiError
from jixiao.api.schemas import ErrorOut, RegionIn, RegionOut, RegionPatch, UnitIn, UnitOut, UnitPatch
from jixiao.orgs.actions import do_save_region, do_save_unit
from jixiao.orgs.models import Region, RegionLevel, Unit, UnitKind
from jixiao.orgs.selectors import get_region_for_user, get_unit_for_user

router = Router(tags=["组织机构"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("/regions", response=list[RegionOut], summary="行政区划列表(按数据范围)")
def list_regions(
    request: HttpRequest, level: str | None = None, parent_code: str | None = None, limit: int = 500, offset: int = 0
):
    require_perm(request.user, Perm.ORGS_VIEW)
    regions = Region.objects.visible_to(request.user)
    if level:
        regions = regions.filter(level=level)
    if parent_code:
        regions = regions.filter(parent__code=parent_code)
    return list(regions[offset : offset + min(limit, 5000)])


@router.get("/regions/{region_id}", response={200: RegionOut, **ERRORS}, summary="行政区划详情")
def get_region(request: HttpRequest, region_id: int):
    require_perm(request.user, Perm.ORGS_VIEW)
    return get_region_for_user(request.user, region_id)


def _region_by_code(code: str | None, field: str) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApiError(422, "invalid", f"{field}:区划代码“{code}”不存在。")
    return region


@router.post("/regions", response={201: RegionOut, **ERRORS}, summary="新增行政区划")
def create_region(request: HttpRequest, payload: RegionIn):
    if payload.level not in RegionLevel.values:
        raise ApiError(422, "invalid", f"level:应为 {'/'.join(RegionLevel.values)} 之一。")
    parent = _region_by_code(payload.parent_code, "parent_code")
    region = do_save_region(
        region=Region(),
        acting_user=request.user,
        changes={**payload.dict(exclude={"parent_code"}), "parent": parent},
    )
    return 201, region


@router.patch("/regions/{region_id}", response={200: RegionOut, **ERRORS}, summary="修改行政区划")
def update_region(request: HttpRequest, region_id: int, payload: RegionPatch):
    region = get_region_for_user(request.user, region_id, write=True)
    return do_save_region(region=region, acting_user=request.user, changes=payload.dict(exclude_unset=True))


@router.get("/units", response=list[UnitOut], summary="单位列表(按数据范围)")
def list_units(
    request: HttpRequest, kind: str | None = None, region_code: str | None = None, limit: int = 500, offset: int = 0
):
    require_perm(request.user, Perm.ORGS_VIEW)
    units = Unit.objects.visible_to(request.user).select_related("region")
    if kind:
        units = units.filter(kind=kind)
    if region_code:
        units = units.filter(region__path__contains=f"/{region_code}/")
    return list(units[offset : offset + min(limit, 5000)])


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="单位详情")
def get_unit(request: HttpRequest, unit_id: int):
    require_perm(request.user, Perm.ORGS_VIEW)
    return get_unit_for_user(request.user, unit_id)


@router.post("/units", response={201: UnitOut, **ERRORS}, summary="新增单位")
def create_unit(request: HttpRequest, payload: UnitIn):
    if payload.kind not in UnitKind.values:
        raise ApiError(422, "invalid", f"kind:应为 {'/'.join(UnitKind.values)} 之一。")
    region = _region_by_code(payload.region_code, "region_code")
    parent = None
    if payload.parent_code:
        parent = Unit.objects.filter(code=payload.parent_code).first()
        if parent is None:
            raise ApiError(422, "invalid", f"parent_code:单位编码“{payload.parent_code}”不存在。")
    unit = do_save_unit(
        unit=Unit(),
        acting_user=request.user,
        changes={**payload.dict(exclude={"parent_code", "region_code"}), "parent": parent, "region": region},
    )
    return 201, unit


@router.patch("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="修改单位")
def update_unit(request: HttpRequest, unit_id: int, payload: UnitPatch):
    unit = get_unit_for_user(request.user, unit_id, write=True)
    return do_save_unit(unit=unit, acting_user=request.user, changes=payload.dict(exclude_unset=True))
