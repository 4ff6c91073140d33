"""Goal tables in Excel (绩效目标申报表): one project per workbook, or one sheet holding many projects.

Imports are all-or-nothing: every problem is listed (sheet, row, column, value, expected) and nothing is
written unless the whole file is valid. This module reads the layouts; `jixiao.goals.importer` checks and writes
(bulk: one transaction, plain-row inserts). The project import reads the 绩效指标 sheet of its workbook too.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import xlsxwriter

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.core.bulk import with_gc_paused
from jixiao.core.excel import (
    CellError,
    Column,
    WorkbookError,
    open_book,
    parse_bool,
    parse_decimal,
    read_columns,
    sheet_rows,
)
from jixiao.goals.models import Goal, GoalIndicator
from jixiao.indicators.library_data import DIMENSIONS, normalize_level, normalize_name
from jixiao.indicators.values import KNOWN_UNITS, canonical_unit, normalize_operator

SINGLE_SHEET = "绩效目标申报表"
MANY_SHEET = "绩效指标"
HEADER_LABELS = ("项目名称", "项目编码", "主管部门", "实施单位", "资金(万元)", "年度总体目标")
LEVEL1S = {name for tree in DIMENSIONS.values() for name in tree}
LEVEL2S = {name for tree in DIMENSIONS.values() for names in tree.values() for name in names}
_name_key = lru_cache(maxsize=65536)(normalize_name)  # indicator names repeat across thousands of projects


@lru_cache(maxsize=4096, typed=True)  # pure on cell values; a sheet repeats few of them
def _level1(value: Any) -> str:
    text = normalize_level(str(value))
    if text not in LEVEL1S:
        raise ValueError("应为一级指标:" + "、".join(sorted(LEVEL1S)))
    return text


@lru_cache(maxsize=4096, typed=True)  # pure on cell values; a sheet repeats few of them
def _level2(value: Any) -> str:
    text = normalize_level(str(value))
    if text not in LEVEL2S:
        raise ValueError("应为二级指标(如 数量、质量、时效、成本、经济效益、社会效益、服务对象满意度)")
    return text


@lru_cache(maxsize=4096, typed=True)  # pure on cell values; a sheet repeats few of them
def _operator(value: Any) -> str:
    operator = normalize_operator(value)
    if operator is None:
        raise ValueError("应为 ≥、≤、= 或 定性")
    return operator


def known_unit(unit: str) -> bool:
    """True when every part of a (compound) unit is a unit the parser knows: 元/人·月, 万元, kW …"""
    text = canonical_unit(unit)
    parts = text.replace("/", "·").split("·")
    return all(p.lstrip("万亿千") in KNOWN_UNITS or p in KNOWN_UNITS or p in {"生", "学期", "人·月"} for p in parts)


@lru_cache(maxsize=4096, typed=True)  # pure on cell values; a sheet repeats few of them
def _unit(value: Any) -> str:
    text = canonical_unit(str(value))
    if not known_unit(text):
        raise ValueError("不认识的计量单位,应为 人、户、亩、公里、万元、%、元/人·月 等")
    return text


def _weight(value: Any) -> Any:
    number = parse_decimal(value)
    if number < 0 or number > 100:
        raise ValueError("分值应在 0–100 之间")
    return number


INDICATOR_COLUMNS = [
    Column("level1", "一级指标", required=True, parse=_level1, width=10),
    Column("level2", "二级指标", required=True, parse=_level2, width=14),
    Column("name", "三级指标", required=True, max_length=100, width=30),
    Column("operator", "指标方向", parse=_operator, width=8, help="≥ 正向、≤ 反向、= 等于、定性"),
    Column("target", "指标值", max_length=100, width=16),
    Column("unit", "计量单位", parse=_unit, width=10),
    Column("weight", "分值", parse=_weight, width=8),
    Column("core", "核心指标", parse=parse_bool, width=8, help="是/否"),
    Column("explanation", "指标解释", max_length=500, width=30),
    Column("data_source", "数据来源", max_length=200, width=24),
]
MANY_COLUMNS = [
    Column("project", "项目编码", required=True, max_length=40, width=18),
    Column("overall_goal", "年度总体目标", max_length=2000, width=40),
    *INDICATOR_COLUMNS,
]


INDICATOR_KEYS = tuple(c.key for c in INDICATOR_COLUMNS)


@dataclass
class ParsedGoal:
    """One project's goal as read: its indicator rows as (row number, values in INDICATOR_KEYS order)."""

    code: str
    first_row: int
    overall_goal: str = ""
    rows: list[tuple[int, tuple]] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------------------------


def parse_goals(
    data: bytes, *, file_name: str, book: Any = None, sheet_name: str | None = None, rows: list | None = None,
    cells_checked: bool = False,
) -> tuple[str, dict[str, ParsedGoal]]:  # fmt: skip
    """Returns (sheet name, goals by project code) from either layout; raises WorkbookError.

    Reads the first sheet unless `sheet_name` is given; `book` is the caller's `open_book(data)`, `rows` the
    sheet's `sheet_rows` when the caller has them (and `cells_checked` when it has refused formulas and merged
    cells already)."""
    book = book if book is not None else open_book(data)
    sheet_name = sheet_name or book.sheet_names[0]
    if rows is None:
        rows = sheet_rows(book, sheet_name)  # the sheet is parsed once, for the header search and the table
    first = rows[:30]
    header_at = next((i for i, r in enumerate(first) if "三级指标" in [str(c).strip() for c in r]), None)
    if header_at is None:
        raise WorkbookError(
            [CellError(file_name, expected="找不到指标表标题行(应含“一级指标、二级指标、三级指标”等列)")]
        )
    header = [str(c).strip() for c in first[header_at]]
    read = {"file_name": file_name, "header_row": header_at + 1, "sheet_name": sheet_name, "book": book, "rows": rows,
            "cells_checked": cells_checked}  # fmt: skip
    if "项目编码" in header:
        table = read_columns(data, columns=MANY_COLUMNS, **read)
        goals: dict[str, ParsedGoal] = {}
        overall = table.values.get("overall_goal") or [None] * len(table.offsets)
        indicators = table.tuples(INDICATOR_KEYS)
        for row_no, code, overall_goal, indicator in zip(table.offsets, table.values["project"], overall, indicators,
                                                         strict=True):  # fmt: skip
            goal = goals.get(code)
            if goal is None:
                goal = goals[code] = ParsedGoal(code, row_no)
            if overall_goal and not goal.overall_goal:
                goal.overall_goal = overall_goal
            goal.rows.append((row_no, indicator))
        return table.sheet, goals
    labels = {str(r[0]).strip(): r[1] if len(r) > 1 else "" for r in first[:header_at] if r and str(r[0]).strip()}
    code = str(labels.get("项目编码") or "").strip()
    code = code[:-2] if code.endswith(".0") else code
    if not code:
        raise WorkbookError([CellError(file_name, SINGLE_SHEET, None, "项目编码", None, "表头缺少“项目编码”")])
    table = read_columns(data, columns=INDICATOR_COLUMNS, **read)
    indicators = list(zip(table.offsets, table.tuples(INDICATOR_KEYS), strict=True))
    goal = ParsedGoal(code, header_at + 1, str(labels.get("年度总体目标") or "").strip(), indicators)
    return table.sheet, {code: goal}


@with_gc_paused
def import_goals(data: bytes, *, file_name: str, acting_user: Any) -> dict[str, int]:
    """Validates the whole file, then replaces the indicator tables of its projects in one transaction.

    Reads the 绩效指标 sheet when the workbook has one (a project-library workbook carrying goals), else the first."""
    from jixiao.goals.importer import import_parsed_goals

    require_perm(acting_user, Perm.GOALS_FILL)
    book = open_book(data)
    many = MANY_SHEET if MANY_SHEET in book.sheet_names else None
    sheet, parsed = parse_goals(data, file_name=file_name, book=book, sheet_name=many)
    return import_parsed_goals(parsed, sheet=sheet, file_name=file_name, acting_user=acting_user, audit_file=True)


# --- writing ------------------------------------------------------------------------------------------------


def _indicator_values(row: GoalIndicator) -> list[Any]:
    return [row.level1, row.level2, row.name, row.operator, row.target, row.unit, row.weight,
            row.core, row.explanation, row.data_source]  # fmt: skip


def export_goal(goal: Goal) -> bytes:
    """Returns the 绩效目标申报表 of one project: header block, overall goal, indicator grid."""
    project = goal.project
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(SINGLE_SHEET)
    sheet.write(0, 0, f"项目支出绩效目标申报表({goal.year}年度)", title)
    values = [project.name, project.code, project.department.name, project.unit.name, float(project.budget_wan),
              goal.overall_goal]  # fmt: skip
    for offset, (label, value) in enumerate(zip(HEADER_LABELS, values, strict=True), start=1):
        sheet.write(offset, 0, label, bold)
        sheet.write(offset, 1, value, wrap)
    start = len(HEADER_LABELS) + 2
    for col, column in enumerate(INDICATOR_COLUMNS):
        sheet.write(start, col, column.header, bold)
        sheet.set_column(col, col, column.width)
    sheet.set_column(1, 1, 40)
    for r, row in enumerate(goal.indicators.all(), start=start + 1):
        for c, value in enumerate(_indicator_values(row)):
            _write_cell(sheet, r, c, value)
    book.close()
    return buffer.getvalue()


def _write_cell(sheet: Any, r: int, c: int, value: Any) -> None:
    if value is None or value == "":
        sheet.write_blank(r, c, None)
    elif isinstance(value, bool):
        sheet.write_string(r, c, "是" if value else "否")
    elif isinstance(value, int | float) or hasattr(value, "as_tuple"):
        sheet.write_number(r, c, float(value))
    else:
        sheet.write_string(r, c, str(value))


def export_rows(goals: Iterable[Goal]) -> list[list[Any]]:
    """Returns the one-sheet-many-projects rows (项目编码 + indicator columns) of these goals."""
    goal_list = list(goals)
    by_goal: dict[int, list[GoalIndicator]] = {}
    for row in GoalIndicator.objects.filter(goal__in=goal_list).order_by("goal", "sort", "id"):
        by_goal.setdefault(row.goal_id, []).append(row)
    rows = []
    for goal in goal_list:
        for index, row in enumerate(by_goal.get(goal.pk, [])):
            rows.append([goal.project.code, goal.overall_goal if index == 0 else "", *_indicator_values(row)])
    return rows


def many_sheet(goals: Sequence[Goal]) -> tuple[str, list[Column], list[list[Any]]]:
    return (MANY_SHEET, MANY_COLUMNS, export_rows(goals))
