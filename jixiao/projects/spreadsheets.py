"""The project library's Excel layout: one row per project, fund lines as one column per source; export.

The import (`jixiao.projects.importer`) reads this layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from jixiao.core.excel import Column, parse_date, parse_decimal, parse_int
from jixiao.projects.models import FundSource

SHEET = "项目库"


def _amount(value: Any) -> Decimal:
    number = parse_decimal(value)
    if number < 0:
        raise ValueError("金额不能为负数")
    if number != number.quantize(Decimal("0.0001")):
        raise ValueError("金额最多保留 4 位小数(万元)")
    return number


def _count(value: Any) -> int:
    number = parse_int(value)
    if number < 0:
        raise ValueError("应为不小于 0 的整数")
    return number


FUND_HEADERS: dict[str, str] = {
    FundSource.CENTRAL: "中央资金(万元)",
    FundSource.PROVINCE: "省级资金(万元)",
    FundSource.CITY: "市级资金(万元)",
    FundSource.DISTRICT: "区级资金(万元)",
    FundSource.XIANJIE: "衔接资金(万元)",
    FundSource.INTEGRATED: "统筹整合资金(万元)",
    FundSource.OTHER: "其他资金(万元)",
}

COLUMNS: list[Column] = [
    Column("code", "项目编码", required=True, max_length=40, width=18),
    Column("name", "项目名称", required=True, max_length=200, width=36),
    Column("year", "预算年度", required=True, parse=parse_int, width=10),
    Column("category", "项目类别", required=True, max_length=64, width=16, help="按年度类别字典填写名称或编码"),
    Column("subcategory", "项目子类", max_length=64, width=18),
    Column("region", "实施地点区划代码", required=True, max_length=12, width=16, help="12 位村(社区)代码"),
    Column("region_name", "实施地点", max_length=100, width=20, help="仅供阅读,导入时以区划代码为准"),
    Column("unit", "实施单位编码", required=True, max_length=32, width=16),
    Column("department", "主管部门编码", required=True, max_length=32, width=16),
    Column("division", "财政归口处室编码", max_length=32, width=16),
    Column("evaluator", "第三方评价机构编码", max_length=32, width=16),
    Column("planned_start", "计划开工", parse=parse_date, width=12),
    Column("planned_end", "计划完工", parse=parse_date, width=12),
    Column("households", "受益户数", parse=_count, width=10),
    Column("persons", "受益人数", parse=_count, width=10),
    Column("poverty_persons", "其中脱贫人口", parse=_count, width=12),
    Column("monitored_persons", "其中监测对象", parse=_count, width=12),
    Column("description", "建设内容", max_length=2000, width=40),
    Column("status", "状态", max_length=16, width=10, help="只读:状态只能通过流转操作变更;新项目留空或填“储备”"),
    *(Column(f"fund_{source}", header, parse=_amount, width=14) for source, header in FUND_HEADERS.items()),
    Column("total", "项目总投资(万元)", parse=_amount, width=14, help="可留空;填写时须等于各资金来源之和"),
]
HEADER_OF = {c.key: c.header for c in COLUMNS}


def export_rows(queryset) -> Iterable[list[Any]]:
    """Yield one row per project in the import layout (so an export imports back unchanged)."""
    projects = queryset.select_related(
        "category", "subcategory", "region", "unit", "department", "division", "evaluator"
    ).prefetch_related("funds")
    for p in projects.iterator(chunk_size=2000):
        amounts = {f.source: f.amount_wan for f in p.funds.all()}
        yield [
            p.code,
            p.name,
            p.year,
            p.category.name,
            p.subcategory.name if p.subcategory else "",
            p.region.code,
            p.region.name,
            p.unit.code,
            p.department.code,
            p.division.code if p.division else "",
            p.evaluator.code if p.evaluator else "",
            p.planned_start,
            p.planned_end,
            p.households,
            p.persons,
            p.poverty_persons,
            p.monitored_persons,
            p.description,
            p.get_status_display(),
            *(amounts.get(source) for source in FUND_HEADERS),
            p.budget_wan,
        ]
