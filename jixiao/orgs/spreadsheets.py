"""Excel import and export of regions and units (区划、单位), all-or-nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.core.excel import CellError, Column, WorkbookError, parse_bool, parse_choice, parse_int, read_table
from jixiao.orgs.actions import do_save_region, do_save_unit
from jixiao.orgs.models import LEVEL_ORDER, Region, RegionLevel, Unit, UnitKind

REGION_SHEET = "行政区划"
UNIT_SHEET = "单位"

REGION_COLUMNS = [
    Column("code", "区划代码", required=True, max_length=12, width=16, help="6 位(市、区)、9 位(乡镇街道)或 12 位(村)"),
    Column("name", "名称", required=True, max_length=64, width=20),
    Column(
        "level",
        "级别",
        required=True,
        parse=parse_choice(RegionLevel.choices),
        width=12,
        help="市/区(县)/乡镇(街道)/村(社区)",
    ),
    Column("parent", "上级区划代码", max_length=12, width=16),
    Column("population", "户籍人口", parse=parse_int, width=12),
    Column("is_active", "启用", parse=parse_bool, width=8),
]

UNIT_COLUMNS = [
    Column("code", "单位编码", required=True, max_length=32, width=18),
    Column("name", "单位名称", required=True, max_length=100, width=30),
    Column("short_name", "简称", max_length=32),
    Column("kind", "单位类型", required=True, parse=parse_choice(UnitKind.choices), width=14),
    Column("parent", "上级单位编码", max_length=32, width=18),
    Column("region", "所在区划代码", required=True, max_length=12, width=16),
    Column("contact_person", "联系人", max_length=32),
    Column("phone", "联系电话", max_length=32),
    Column("is_active", "启用", parse=parse_bool, width=8),
]


def export_regions(queryset) -> list[list[Any]]:
    rows = []
    for region in queryset.select_related("parent"):
        rows.append(
            [
                region.code,
                region.name,
                region.get_level_display(),
                region.parent.code if region.parent else "",
                region.population,
                region.is_active,
            ]
        )
    return rows


def export_units(queryset) -> list[list[Any]]:
    rows = []
    for unit in queryset.select_related("parent", "region"):
        rows.append(
            [
                unit.code,
                unit.name,
                unit.short_name,
                unit.get_kind_display(),
                unit.parent.code if unit.parent else "",
                unit.region.code,
                unit.contact_person,
                unit.phone,
                unit.is_active,
            ]
        )
    return rows


def _validation_messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [(field, "；".join(str(m) for m in msgs)) for field, msgs in exc.message_dict.items()]
    return [("", "；".join(exc.messages))]


def _ordered_by_parent(rows: list[tuple[int, dict[str, Any]]], known: set[str]) -> list[tuple[int, dict[str, Any]]]:
    """Order rows so a parent defined in the same file is saved before its children."""
    pending = list(rows)
    ordered: list[tuple[int, dict[str, Any]]] = []
    available = set(known)
    while pending:
        ready = [r for r in pending if not r[1].get("parent") or r[1]["parent"] in available]
        if not ready:
            ordered.extend(pending)  # unresolved parents are reported by the row checks
            break
        for row in ready:
            available.add(row[1]["code"])
        ordered.extend(ready)
        pending = [r for r in pending if r not in ready]
    return ordered


def _duplicate_code_errors(file_name: str, sheet: str, rows, header: str) -> list[CellError]:
    seen: dict[str, int] = {}
    errors = []
    for row_no, data in rows:
        code = data.get("code")
        if code in seen:
            errors.append(CellError(file_name, sheet, row_no, header, code, f"与第 {seen[code]} 行重复"))
        else:
            seen[code] = row_no
    return errors


@transaction.atomic
def import_regions(data: bytes, *, file_name: str, acting_user: Any) -> dict[str, int]:
    """Create or update regions from the 行政区划 sheet; raise WorkbookError and write nothing on any problem."""
    require_perm(acting_user, Perm.ORGS_MANAGE)
    table = read_table(data, file_name=file_name, columns=REGION_COLUMNS)
    errors = _duplicate_code_errors(file_name, table.sheet, table.rows, "区划代码")
    if errors:
        raise WorkbookError(errors)
    existing = {r.code: r for r in Region.objects.all()}
    counts = {"created": 0, "updated": 0}
    rows = sorted(table.rows, key=lambda r: LEVEL_ORDER.index(r[1]["level"]))
    for row_no, values in rows:
        parent_code = values.pop("parent")
        parent = existing.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            errors.append(CellError(file_name, table.sheet, row_no, "上级区划代码", parent_code, "上级区划不存在"))
            continue
        region = existing.get(values["code"]) or Region()
        creating = region.pk is None
        changes = {k: v for k, v in values.items() if v is not None}
        try:
            region = do_save_region(region=region, acting_user=acting_user, changes={**changes, "parent": parent})
        except ValidationError as exc:
            for field, message in _validation_messages(exc):
                column = next((c.header for c in REGION_COLUMNS if c.key == field), field)
                errors.append(CellError(file_name, table.sheet, row_no, column, values.get(field, ""), message))
            continue
        existing[region.code] = region
        counts["created" if creating else "updated"] += 1
    if errors:
        raise WorkbookError(errors)
    return counts


@transaction.atomic
def import_units(data: bytes, *, file_name: str, acting_user: Any) -> dict[str, int]:
    """Create or update units from the 单位 sheet; raise WorkbookError and write nothing on any problem."""
    require_perm(acting_user, Perm.ORGS_MANAGE)
    table = read_table(data, file_name=file_name, columns=UNIT_COLUMNS)
    errors = _duplicate_code_errors(file_name, table.sheet, table.rows, "单位编码")
    if errors:
        raise WorkbookError(errors)
    existing = {u.code: u for u in Unit.objects.select_related("parent", "region")}
    regions = {r.code: r for r in Region.objects.all()}
    counts = {"created": 0, "updated": 0}
    for row_no, values in _ordered_by_parent(table.rows, set(existing)):
        parent_code = values.pop("parent")
        region_code = values.pop("region")
        parent = existing.get(parent_code) if parent_code else None
        region = regions.get(region_code)
        if parent_code and parent is None:
            errors.append(CellError(file_name, table.sheet, row_no, "上级单位编码", parent_code, "上级单位不存在"))
        if region is None:
            errors.append(CellError(file_name, table.sheet, row_no, "所在区划代码", region_code, "区划代码不存在"))
        if (parent_code and parent is None) or region is None:
            continue
        unit = existing.get(values["code"]) or Unit()
        creating = unit.pk is None
        changes = {k: v for k, v in values.items() if v is not None}
        try:
            unit = do_save_unit(
                unit=unit, acting_user=acting_user, changes={**changes, "parent": parent, "region": region}
            )
        except ValidationError as exc:
            for field, message in _validation_messages(exc):
                column = next((c.header for c in UNIT_COLUMNS if c.key == field), field)
                errors.append(CellError(file_name, table.sheet, row_no, column, values.get(field, ""), message))
            continue
        except PermissionDenied as exc:
            errors.append(CellError(file_name, table.sheet, row_no, "单位编码", values["code"], str(exc)))
            continue
        existing[unit.code] = unit
        counts["created" if creating else "updated"] += 1
    if errors:
        raise WorkbookError(errors)
    return counts
