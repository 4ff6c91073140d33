"""Writes on regions and units, including all-or-nothing Excel imports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.recorder import record_created, record_updated, snapshot
from jixiao.orgs.models import LEVEL_ORDER, Region, Unit

REGION_FIELDS = ("code", "name", "level", "parent", "population", "is_active")
# How many leading digits a child's code shares with its parent's (GB/T 2260 and the statistical codes).
PREFIX_LENGTH = {"city": 4, "district": 6, "town": 9, "village": 12}
UNIT_FIELDS = ("code", "name", "short_name", "kind", "parent", "region", "contact_person", "phone", "is_active")


def _check_region_parent(region: Region) -> None:
    if region.parent is None:
        if region.level != LEVEL_ORDER[0]:
            raise ValidationError({"parent": "除市级外,区划必须有上级区划。"})
        return
    if region.parent.pk == region.pk or (region.pk and region.parent.path.startswith(region.path or "\0")):
        raise ValidationError({"parent": "上级区划不能是自身或其下级。"})
    if LEVEL_ORDER.index(region.parent.level) + 1 != LEVEL_ORDER.index(region.level):  # type: ignore[arg-type]
        raise ValidationError(
            {"level": f"级别“{region.get_level_display()}”与上级“{region.parent.get_level_display()}”不衔接。"}
        )
    prefix = region.parent.code[: PREFIX_LENGTH[region.parent.level]]
    if not region.code.startswith(prefix):
        raise ValidationError({"code": f"区划代码 {region.code} 与上级区划代码 {region.parent.code} 不一致。"})


def _repath_descendants(model: type[Region] | type[Unit], old_path: str, new_path: str) -> None:
    if old_path == new_path or not old_path:
        return
    for child in model.objects.filter(path__startswith=old_path).exclude(path=old_path):  # type: ignore[attr-defined]
        child.path = new_path + child.path[len(old_path) :]
        child.save(update_fields=["path"])


def _ensure_can_manage_unit(acting_user: Any, unit: Unit | None, parent: Unit | None) -> None:
    if acting_user is None:
        return
    manageable = Unit.objects.visible_to(acting_user, Perm.ORGS_MANAGE)
    for target in (unit, parent):
        if target is not None and target.pk and not manageable.filter(pk=target.pk).exists():
            raise PermissionDenied("该单位不在您的管理范围内。")


@transaction.atomic
def do_save_region(*, region: Region, acting_user: Any, changes: dict[str, Any]) -> Region:
    """Create (region without pk) or update a region with the given field values."""
    require_perm(acting_user, Perm.ORGS_MANAGE)
    unknown = set(changes) - set(REGION_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段:{', '.join(sorted(unknown))}")
    creating = region.pk is None
    before = {} if creating else snapshot(region)
    old_path = region.path
    for name, value in changes.items():
        setattr(region, name, value)
    _check_region_parent(region)
    region.path = region.build_path()
    region.full_clean()
    region.save()
    _repath_descendants(Region, old_path, region.path)
    if creating:
        record_created(acting_user, region)
    else:
        record_updated(acting_user, region, before)
    return region


@transaction.atomic
def do_save_unit(*, unit: Unit, acting_user: Any, changes: dict[str, Any]) -> Unit:
    """Create (unit without pk) or update a unit with the given field values."""
    require_perm(acting_user, Perm.ORGS_MANAGE)
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改字段:{', '.join(sorted(unknown))}")
    _ensure_can_manage_unit(acting_user, unit, changes.get("parent"))
    creating = unit.pk is None
    before = {} if creating else snapshot(unit)
    old_path = unit.path
    for name, value in changes.items():
        setattr(unit, name, value)
    if unit.parent is not None and unit.pk and (unit.parent.pk == unit.pk or unit.parent.path.startswith(old_path)):
        raise ValidationError({"parent": "上级单位不能是自身或其下级。"})
    unit.path = unit.build_path()
    unit.full_clean()
    unit.save()
    _repath_descendants(Unit, old_path, unit.path)
    if creating:
        record_created(acting_user, unit)
    else:
        record_updated(acting_user, unit, before)
    return unit
