"""Excel export of fund figures, rollups and warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from jixiao.core.excel import Column, write_workbook
from jixiao.funds.rules import Outcome
from jixiao.funds.selectors import FundFigures

PROJECT_COLUMNS = [
    Column("code", "项目编码", width=20),
    Column("name", "项目名称", width=32),
    Column("unit", "实施单位", width=26),
    Column("year", "年度", width=8),
    Column("allocated", "下达金额(元)", width=16),
    Column("paid", "支付金额(元)", width=16),
    Column("spent", "支付到最终收款人(元)", width=18, help="不含质保金"),
    Column("rate", "预算执行率(%)", width=12),
    Column("days", "距首次下达天数", width=12),
]
GROUP_COLUMNS = [
    Column("label", "名称", width=28),
    Column("projects", "项目数", width=8),
    Column("allocated", "下达金额(元)", width=16),
    Column("paid", "支付金额(元)", width=16),
    Column("spent", "支付到最终收款人(元)", width=18),
    Column("rate", "预算执行率(%)", width=12),
]
WARNING_COLUMNS = [
    Column("code", "规则编码", width=10),
    Column("name", "预警", width=16),
    Column("level", "级别", width=8),
    Column("project", "项目", width=36),
    Column("message", "说明", width=60),
]
LEVEL_LABELS = {"yellow": "黄色", "red": "红色"}


def project_rows(figures: Sequence[FundFigures], today: dt.date) -> list[list[Any]]:
    rows = []
    for f in figures:
        assert f.project is not None
        p = f.project
        rows.append([p.code, p.name, p.unit.name, p.year, f.allocated, f.paid, f.spent, f.rate, f.days_since(today)])
    return rows


def group_rows(groups: Sequence[FundFigures]) -> list[list[Any]]:
    return [[g.label, g.projects, g.allocated, g.paid, g.spent, g.rate] for g in groups]


def warning_rows(outcomes: Sequence[Outcome]) -> list[list[Any]]:
    return [[o.code, o.name, LEVEL_LABELS.get(o.level, o.level), str(o.project), o.message] for o in outcomes]


def export_overview(
    *, figures: Sequence[FundFigures], rollups: dict[str, Sequence[FundFigures]], outcomes: Sequence[Outcome], today
) -> bytes:
    sheets: list[tuple[str, Sequence[Column], Any]] = [("项目资金", PROJECT_COLUMNS, project_rows(figures, today))]
    for title, groups in rollups.items():
        sheets.append((title, GROUP_COLUMNS, group_rows(groups)))
    sheets.append(("资金预警", WARNING_COLUMNS, warning_rows(outcomes)))
    return write_workbook(sheets)
