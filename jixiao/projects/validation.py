"""Cross-field rules of a project, checked on in-memory objects (forms, API and bulk imports share them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from jixiao.orgs.models import Region, RegionLevel, Unit, UnitKind
from jixiao.projects.models import Category, FundSource, Project

MAX_FUND_WAN = Decimal("10000000")


class FundLine(Protocol):
    """A fund line: a ProjectFund, or a plain pair while an import is still being checked."""

    source: str
    amount_wan: Decimal


class ProjectFields(Protocol):
    """What the rules read: a Project, or a plain record of one while an import is still being checked."""

    @property
    def year(self) -> int | None: ...
    @property
    def category_id(self) -> int | None: ...
    @property
    def category(self) -> Category | None: ...
    @property
    def subcategory_id(self) -> int | None: ...
    @property
    def subcategory(self) -> Category | None: ...
    @property
    def region_id(self) -> int | None: ...
    @property
    def region(self) -> Region: ...
    @property
    def department_id(self) -> int | None: ...
    @property
    def department(self) -> Unit: ...
    @property
    def division_id(self) -> int | None: ...
    @property
    def division(self) -> Unit | None: ...
    @property
    def evaluator_id(self) -> int | None: ...
    @property
    def evaluator(self) -> Unit | None: ...
    @property
    def planned_start(self) -> dt.date | None: ...
    @property
    def planned_end(self) -> dt.date | None: ...
    @property
    def persons(self) -> int: ...
    @property
    def poverty_persons(self) -> int: ...
    @property
    def monitored_persons(self) -> int: ...


def project_errors(project: ProjectFields | Project, funds: Sequence[FundLine]) -> dict[str, str]:
    """Return {field: Chinese message} for every broken rule; empty when the project is consistent.

    The project's related objects must be set (not only their ids): imports attach them from lookups, so this
    runs without queries.
    """
    errors: dict[str, str] = {}
    year = project.year
    category: Category | None = project.category if project.category_id else None
    if not 2000 <= (year or 0) <= 2100:
        errors["year"] = "预算年度应在 2000–2100 之间"
    if category is not None:
        if category.parent_id:
            errors["category"] = f"“{category.name}”是子类,请填写其上级类别"
        elif year and not category.valid_in(year):
            errors["category"] = f"类别“{category.name}”不适用于 {year} 年度(适用 {_span(category)})"
    sub: Category | None = project.subcategory if project.subcategory_id else None
    if sub is not None and category is not None and sub.parent_id != category.pk:
        errors["subcategory"] = f"子类“{sub.name}”不属于类别“{category.name}”"
    if project.region_id and project.region.level != RegionLevel.VILLAGE:
        errors["region"] = f"实施地点应为村(社区)级区划,“{project.region.name}”是{project.region.get_level_display()}"
    if project.department_id and project.department.kind != UnitKind.DEPARTMENT:
        errors["department"] = f"“{project.department.name}”不是主管部门"
    if project.division_id and project.division and project.division.kind != UnitKind.FINANCE_DIVISION:
        errors["division"] = f"“{project.division.name}”不是财政局处室"
    if project.evaluator_id and project.evaluator and project.evaluator.kind != UnitKind.THIRD_PARTY:
        errors["evaluator"] = f"“{project.evaluator.name}”不是第三方机构"
    if project.planned_start and project.planned_end and project.planned_start > project.planned_end:
        errors["planned_end"] = "计划完工日期早于计划开工日期"
    if project.poverty_persons + project.monitored_persons > project.persons:
        errors["persons"] = "其中脱贫人口与监测对象之和超过受益人数"
    sources = [f.source for f in funds]
    if len(sources) != len(set(sources)):
        errors["funds"] = "同一资金来源只能填一行"
    for fund in funds:
        if fund.amount_wan < 0 or fund.amount_wan > MAX_FUND_WAN:
            errors["funds"] = f"{FundSource(fund.source).label}金额应在 0–{MAX_FUND_WAN} 万元之间"
    return errors


def _span(category: Category) -> str:
    return f"{category.valid_from}–{category.valid_to} 年" if category.valid_to else f"{category.valid_from} 年起"


def total_wan(funds: Sequence[FundLine]) -> Decimal:
    return sum((f.amount_wan for f in funds), Decimal("0"))
