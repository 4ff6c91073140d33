from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db import models

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import scope_for


class RegionLevel(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区(县)"
    TOWN = "town", "乡镇(街道)"
    VILLAGE = "village", "村(社区)"


LEVEL_ORDER = [RegionLevel.CITY, RegionLevel.DISTRICT, RegionLevel.TOWN, RegionLevel.VILLAGE]

region_code_validator = RegexValidator(
    r"^\d{6}(\d{3}(\d{3})?)?$", "区划代码应为 6、9 或 12 位数字(GB/T 2260 及统计用区划代码)。"
)


class RegionQuerySet(models.QuerySet["Region"]):
    def visible_to(self, user: Any, perm: str = Perm.ORGS_VIEW) -> RegionQuerySet:
        """Regions the user may see: their scope's regions and below, and the regions of their units."""
        scope = scope_for(user, perm)
        if scope.everything:
            return self.all()
        unit_region_paths = set(
            Unit.objects.filter(scope.q(unit_path="path", unit_id="id", assigned="id")).values_list(
                "region__path", flat=True
            )
        )
        if not scope.region_paths and not unit_region_paths:
            return self.none()
        query = models.Q(path__in=unit_region_paths)
        for path in scope.region_paths:
            query |= models.Q(path__startswith=path)
        return self.filter(query)


class Region(models.Model):
    """An administrative region (行政区划): city → district → town/street → village."""

    code = models.CharField("区划代码", max_length=12, unique=True, validators=[region_code_validator])
    name = models.CharField("名称", max_length=64)
    level = models.CharField("级别", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)
    population = models.PositiveIntegerField("户籍人口", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def build_path(self) -> str:
        return (self.parent.path if self.parent else "/") + self.code + "/"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def full_name(self) -> str:
        names = [r.name for r in self.ancestors()] + [self.name]
        return "".join(names)

    def ancestors(self) -> list[Region]:
        codes = [c for c in self.path.strip("/").split("/")[:-1] if c]
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]


class UnitKind(models.TextChoices):
    FINANCE_BUREAU = "finance_bureau", "财政局"
    FINANCE_DIVISION = "finance_division", "财政局处室"
    DEPARTMENT = "department", "主管部门"
    DISTRICT_FINANCE = "district_finance", "区财政局"
    PROJECT_UNIT = "project_unit", "项目单位"
    THIRD_PARTY = "third_party", "第三方机构"
    INSPECTION = "inspection", "纪委监委"


class UnitQuerySet(models.QuerySet["Unit"]):
    def visible_to(self, user: Any, perm: str = Perm.ORGS_VIEW) -> UnitQuerySet:
        """Units in the user's scope: by region, unit tree, own unit or assignment."""
        scope = scope_for(user, perm)
        return self.filter(scope.q(region_path="region__path", unit_path="path", unit_id="id", assigned="id"))


unit_code_validator = RegexValidator(r"^[A-Za-z0-9_-]+$", "单位编码只能包含字母、数字、下划线和连字符。")


class Unit(models.Model):
    """An organisation: the finance bureau and its divisions, departments, district bureaus, project units…"""

    code = models.CharField("单位编码", max_length=32, unique=True, validators=[unit_code_validator])
    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=32, blank=True)
    kind = models.CharField("单位类型", max_length=24, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="units")
    path = models.CharField("路径", max_length=400, db_index=True, editable=False)
    contact_person = models.CharField("联系人", max_length=32, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def build_path(self) -> str:
        return (self.parent.path if self.parent else "/") + self.code + "/"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2
