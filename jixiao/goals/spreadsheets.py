"""Goal tables in Excel (绩效目标申报表): one project per workbook, or one sheet holding many projects.

Imports are all-or-nothing: every problem is listed (sheet, row, column, value, expected) and nothing is
written unless the whole file is valid. Writes are bulk: one transaction, a few queries per thousand rows.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import xlsxwriter
from django.db import transaction

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit import recorder
from jixiao.core.excel import CellError, Column, WorkbookError, iter_sheet_rows, parse_bool, parse_decimal, read_table
from jixiao.goals import checks
from jixiao.goals.actions import clean_indicator
from jixiao.goals.models import EDITABLE, Goal, GoalEvent, GoalIndicator
from jixiao.indicators.library import db_library
from jixiao.indicators.library_data import DIMENSIONS, normalize_level, normalize_name, style_for_year
from jixiao.indicators.models import IndicatorTemplate
from jixiao.indicators.values import KNOWN_UNITS, canonical_unit, normalize_operator
from jixiao.projects.models import Project

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


@dataclass
class ParsedGoal:
    code: str
    first_row: int
    overall_goal: str = ""
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------------------------


def parse_goals(data: bytes, *, file_name: str) -> tuple[str, dict[str, ParsedGoal]]:
    """Returns (sheet name, goals by project code) from either layout; raises WorkbookError."""
    first = [list(r) for _, r in zip(range(30), iter_sheet_rows(data), strict=False)]
    header_at = next((i for i, r in enumerate(first) if "三级指标" in [str(c).strip() for c in r]), None)
    if header_at is None:
        raise WorkbookError(
            [CellError(file_name, expected="找不到指标表标题行(应含“一级指标、二级指标、三级指标”等列)")]
        )
    header = [str(c).strip() for c in first[header_at]]
    if "项目编码" in header:
        table = read_table(data, file_name=file_name, columns=MANY_COLUMNS, header_row=header_at + 1)
        goals: dict[str, ParsedGoal] = {}
        for row_no, record in table.rows:
            goal = goals.setdefault(record["project"], ParsedGoal(record["project"], row_no))
            goal.overall_goal = goal.overall_goal or (record.get("overall_goal") or "")
            goal.rows.append((row_no, record))
        return table.sheet, goals
    labels = {str(r[0]).strip(): r[1] if len(r) > 1 else "" for r in first[:header_at] if r and str(r[0]).strip()}
    code = str(labels.get("项目编码") or "").strip()
    code = code[:-2] if code.endswith(".0") else code
    if not code:
        raise WorkbookError([CellError(file_name, SINGLE_SHEET, None, "项目编码", None, "表头缺少“项目编码”")])
    table = read_table(data, file_name=file_name, columns=INDICATOR_COLUMNS, header_row=header_at + 1)
    goal = ParsedGoal(code, header_at + 1, str(labels.get("年度总体目标") or "").strip(), table.rows)
    return table.sheet, {code: goal}


def import_goals(data: bytes, *, file_name: str, acting_user: Any) -> dict[str, int]:
    """Validates the whole file, then replaces the indicator tables of its projects in one transaction."""
    require_perm(acting_user, Perm.GOALS_FILL)
    sheet, parsed = parse_goals(data, file_name=file_name)
    projects = {p.code: p for p in _fillable(acting_user).filter(code__in=list(parsed))}
    goals = {g.project_id: g for g in Goal.objects.filter(project__in=list(projects.values()))}
    errors: list[CellError] = []
    for code, item in parsed.items():
        project = projects.get(code)
        if project is None:
            errors.append(
                CellError(file_name, sheet, item.first_row, "项目编码", code, "项目不存在或不在您的填报范围内")
            )
            continue
        goal = goals.get(project.pk)
        if goal is not None and (goal.locked or goal.status not in EDITABLE):
            errors.append(CellError(file_name, sheet, item.first_row, "项目编码", code,
                                    f"该项目的绩效目标处于“{goal.get_status_display()}”状态,不能导入修改"))  # fmt: skip
        errors += _duplicates(item, file_name, sheet)
    if errors:
        raise WorkbookError(errors[:500])
    return _write(parsed, projects, goals, acting_user)


def _fillable(user: Any):
    queryset = Project.objects.select_related("category", "subcategory", "region")
    return queryset if user is None else queryset.filter(pk__in=Project.objects.visible_to(user, Perm.GOALS_FILL))


def _duplicates(item: ParsedGoal, file_name: str, sheet: str) -> list[CellError]:
    seen: dict[tuple[str, str, str], int] = {}
    errors = []
    for row_no, record in item.rows:
        key = (record["level1"], record["level2"], _name_key(record["name"]))
        if key in seen:
            errors.append(CellError(file_name, sheet, row_no, "三级指标", record["name"],
                                    f"与第 {seen[key]} 行重复(同一项目同一指标只能填一行)"))  # fmt: skip
        else:
            seen[key] = row_no
    return errors


@transaction.atomic
def _write(parsed: dict[str, ParsedGoal], projects: dict[str, Project], goals: dict[int, Goal], actor: Any) -> dict:
    """Builds every goal and row in memory, reviews them there, then bulk-writes goals, rows, events, audit."""
    user = actor if getattr(actor, "pk", None) else None
    templates = _templates()
    libraries: dict[int, Any] = {}
    new: list[Goal] = []
    rows: list[GoalIndicator] = []
    for code, item in parsed.items():
        project = projects[code]
        goal = goals.get(project.pk)
        if goal is None:
            style = style_for_year(project.year)
            goal = Goal(project=project, year=project.year, style=style, profile=checks.profile_code_for(style),
                        created_by=user)  # fmt: skip
            new.append(goal)
        goal.project = project
        goal.overall_goal = item.overall_goal
        table = _rows(goal, item, templates)
        if goal.year not in libraries:
            libraries[goal.year] = db_library(goal.year)
        library = libraries[goal.year]
        checks.apply_findings(goal, checks.review(goal, table, library))
        rows += table
    existing = [g for g in goals.values()]
    Goal.objects.bulk_create(new, batch_size=1000)
    if existing:
        GoalIndicator.objects.filter(goal__in=existing).delete()
        fields = ["overall_goal", "findings", "error_count", "warning_count", "checked_at"]
        Goal.objects.bulk_update(existing, fields, batch_size=500)
    for row in rows:
        row.goal_id = row.goal.pk
    GoalIndicator.objects.bulk_create(rows, batch_size=2000)
    written = new + existing
    GoalEvent.objects.bulk_create(
        [GoalEvent(goal=g, actor=user, kind="import", from_status=g.status, to_status=g.status, version=g.version)
         for g in written], batch_size=1000)  # fmt: skip
    recorder.record_many(actor, "update", written, note="Excel 导入绩效目标")
    return {"goals": len(written), "created": len(new), "updated": len(existing), "indicators": len(rows)}


def _rows(goal: Goal, item: ParsedGoal, templates: dict[str, IndicatorTemplate]) -> list[GoalIndicator]:
    records = [clean_indicator({**r, "template": None}) for _, r in item.rows]
    if all(r["weight"] is None for r in records):
        for record, weight in zip(records, checks.suggested_weights(goal, [r["level1"] for r in records]), strict=True):
            record["weight"] = weight
    for record in records:
        record["template"] = templates.get(_name_key(record["name"]))
    return [GoalIndicator(goal=goal, sort=sort, **record) for sort, record in enumerate(records)]


def _templates() -> dict[str, IndicatorTemplate]:
    found: dict[str, IndicatorTemplate] = {}
    for template in IndicatorTemplate.objects.order_by("-valid_from", "pk"):
        found.setdefault(normalize_name(template.name), template)
    return found


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
