"""Excel for self-evaluation: the 自评表 in the official layout, a campaign's batch zip, results, actuals import."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db import transaction

from jixiao.core.excel import Column, write_workbook
from jixiao.selfeval.entry import fund_rows
from jixiao.selfeval.models import ResultApplication, SelfEvaluation, SelfEvaluationIndicator
from jixiao.selfeval.scoring import QUALITATIVE
from jixiao.selfeval.statement_checks import StatedIndicator, read_tier

INDICATOR_HEADERS = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]
FUND_HEADERS = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
FUND_ROWS = ["年度资金总额", "其中:当年财政拨款", "上年结转资金", "其他资金"]
FUND_FIRST_ROW = 5  # 0-based row of 年度资金总额; the sources follow in FUND_SOURCES order
BUDGET_EXPLANATION_HEADER = "预算执行偏差原因分析及改进措施"
FIRST_INDICATOR_ROW = 12  # 0-based row of the first indicator (Excel row 13)
NOT_APPLICABLE = "不适用"


def _number(value: Decimal | None) -> float | str:
    return "" if value is None else float(value)


def shown_value(operator: str, value: str, unit: str) -> str:
    """Return a target or actual as the table prints it: 「≥3000亩」, 「95%」, 「达成」."""
    if not value:
        return ""
    prefix = "" if operator in ("定性", "=") else operator
    suffix = "" if unit == "%" and value.endswith("%") else unit
    return f"{prefix}{value}{suffix}"


class _Formats:
    def __init__(self, book: Any):
        base = {"border": 1, "valign": "vcenter", "text_wrap": True, "font_size": 10}
        self.title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.sub = book.add_format({"align": "center"})
        self.head = book.add_format({**base, "bold": True, "align": "center", "bg_color": "#E8EEF7"})
        self.text = book.add_format(base)
        self.num = book.add_format({**base, "num_format": "0.00"})
        self.pct = book.add_format({**base, "num_format": '0.00"%"'})


def write_evaluation_sheet(book: Any, fmt: _Formats, evaluation: SelfEvaluation, title: str) -> None:
    """Write one 自评表 on a new sheet in the official layout (cells listed in docs/selfeval.md)."""
    sheet = book.add_worksheet(title[:31])
    for col, width in enumerate([12, 14, 20, 14, 14, 8, 8, 30, 36]):
        sheet.set_column(col, col, width)
    project = evaluation.project
    sheet.merge_range(0, 0, 0, 7, "项目支出绩效自评表", fmt.title)
    sheet.merge_range(1, 0, 1, 7, f"({evaluation.campaign.year}年度)", fmt.sub)
    sheet.write(2, 0, "项目名称", fmt.head)
    sheet.merge_range(2, 1, 2, 7, project.name, fmt.text)
    sheet.write(3, 0, "主管部门", fmt.head)
    sheet.merge_range(3, 1, 3, 3, project.department.name, fmt.text)
    sheet.write(3, 4, "实施单位", fmt.head)
    sheet.merge_range(3, 5, 3, 7, project.unit.name, fmt.text)
    _write_funds(sheet, fmt, evaluation)
    sheet.merge_range(9, 0, 10, 0, "年度总体目标", fmt.head)
    sheet.merge_range(9, 1, 9, 4, "预期目标", fmt.head)
    sheet.merge_range(9, 5, 9, 7, "实际完成情况", fmt.head)
    sheet.merge_range(10, 1, 10, 4, evaluation.overall_target, fmt.text)
    sheet.merge_range(10, 5, 10, 7, evaluation.overall_actual, fmt.text)
    for col, header in enumerate([*INDICATOR_HEADERS, "计分公式"]):
        sheet.write(11, col, header, fmt.head)
    row = FIRST_INDICATOR_ROW
    for item in evaluation.indicators.order_by("position"):
        _write_indicator(sheet, fmt, row, item)
        row += 1
    sheet.write(row, 0, "总分", fmt.head)
    sheet.merge_range(row, 1, row, 5, evaluation.total_formula, fmt.text)
    sheet.write(row, 6, _number(evaluation.total), fmt.num)
    sheet.write(row, 7, "", fmt.text)
    sheet.write(row + 1, 0, "等级", fmt.head)
    sheet.merge_range(row + 1, 1, row + 1, 7, evaluation.grade, fmt.text)


def _write_funds(sheet: Any, fmt: _Formats, ev: SelfEvaluation) -> None:
    sheet.merge_range(4, 0, 8, 0, "项目资金(元)", fmt.head)
    sheet.write(4, 1, "", fmt.head)
    for col, header in enumerate(FUND_HEADERS, start=2):
        sheet.write(4, col, header, fmt.head)
    sheet.write(4, 8, BUDGET_EXPLANATION_HEADER, fmt.head)
    # Points and score sit on the total's row only (the official table prints — for its sources).
    for offset, (label, fund) in enumerate(zip(FUND_ROWS, fund_rows(ev), strict=True)):
        row = FUND_FIRST_ROW + offset
        total = fund.key == "total"
        sheet.write(row, 1, label, fmt.text)
        sheet.write(row, 2, float(fund.initial), fmt.num)
        sheet.write(row, 3, float(fund.annual), fmt.num)
        sheet.write(row, 4, _number(fund.executed), fmt.num)
        sheet.write(row, 5, _number(ev.execution_weight) if total else "—", fmt.num)
        sheet.write(row, 6, _number(ev.execution_rate if total else fund.rate), fmt.pct)
        sheet.write(row, 7, _number(ev.execution_score) if total else "—", fmt.num)
    sheet.merge_range(FUND_FIRST_ROW, 8, FUND_FIRST_ROW + 3, 8, ev.budget_explanation, fmt.text)


def shown_actual(item: SelfEvaluationIndicator) -> str:
    """Return the 实际完成值 cell: 不适用, the 定性 tier when the wording does not say it, or the value and unit."""
    if not item.applicable:
        return NOT_APPLICABLE
    if item.operator == QUALITATIVE and item.tier and qualitative_tier(item.actual, item.target) != item.tier:
        return item.tier
    return shown_value("", item.actual, item.unit)


def qualitative_tier(actual: str, target: str = "") -> str | None:
    """Return the tier a 定性 actual's wording says (DOMAIN §6: 达成预期指标 → 达成, 基本达到 → 部分达成 …)."""
    return read_tier(StatedIndicator(name="", operator=QUALITATIVE, target=target, actual=actual, points=None,
                                     stated_score=None))  # fmt: skip


def _write_indicator(sheet: Any, fmt: _Formats, row: int, item: SelfEvaluationIndicator) -> None:
    values = [
        item.level1,
        item.level2,
        item.name,
        shown_value(item.operator, item.target, item.unit),
        shown_actual(item),
    ]
    for col, value in enumerate(values):
        sheet.write(row, col, value, fmt.text)
    sheet.write(row, 5, _number(item.weight), fmt.num)
    sheet.write(row, 6, _number(item.score), fmt.num)
    sheet.write(row, 7, item.explanation, fmt.text)
    sheet.write(row, 8, item.formula, fmt.text)


def _book(evaluations: Iterable[SelfEvaluation]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    fmt = _Formats(book)
    for evaluation in evaluations:
        write_evaluation_sheet(book, fmt, evaluation, evaluation.project.code.replace("/", "-"))
    book.close()
    return buffer.getvalue()


def _with_related(evaluations: Any) -> Any:
    return evaluations.select_related("campaign", "project", "project__department", "project__unit")


def evaluation_workbook(evaluation: SelfEvaluation) -> bytes:
    """Return the 自评表 of one project as an .xlsx (one sheet)."""
    return _book([evaluation])


def campaign_workbook(evaluations: Any) -> bytes:
    """Return one workbook with a sheet per project."""
    return _book(_with_related(evaluations).order_by("project__code"))


def campaign_zip(evaluations: Any) -> bytes:
    """Return a zip with one 自评表 workbook per project (named 项目编码_项目名称.xlsx)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for evaluation in _with_related(evaluations).order_by("project__code"):
            name = f"{evaluation.project.code}_{evaluation.project.name}.xlsx".replace("/", "-")
            archive.writestr(name, evaluation_workbook(evaluation))
    return buffer.getvalue()


RESULT_COLUMNS = [
    Column("code", "项目编码"),
    Column("name", "项目名称", width=30),
    Column("department", "主管部门", width=20),
    Column("unit", "实施单位", width=24),
    Column("total", "自评总分"),
    Column("grade", "等级", width=8),
    Column("consequence", "下年预算安排", width=18),
    Column("base", "本年预算(元)", width=16),
    Column("next", "下年建议预算(元)", width=16),
    Column("reason", "依据", width=40),
]


def results_workbook(applications: Sequence[ResultApplication]) -> bytes:
    rows = [
        [
            a.project.code,
            a.project.name,
            a.project.department.name,
            a.project.unit.name,
            a.evaluation.total,
            a.grade,
            a.get_consequence_display(),
            a.base_budget,
            a.next_budget,
            a.reason,
        ]
        for a in applications
    ]
    return write_workbook([("结果应用", RESULT_COLUMNS, rows)])


ACTUAL_COLUMNS = [
    Column("code", "项目编码", required=True),
    Column("position", "序号", required=True, help="0 为预算执行(实际完成值填当年财政拨款的全年执行数,元)"),
    Column("name", "三级指标", width=24),
    Column("operator", "指标性质", width=8),
    Column("target", "年度指标值"),
    Column("unit", "计量单位", width=8),
    Column("actual", "实际完成值"),
    Column("tier", "完成档次", width=10, help="定性指标:达成、部分达成 或 未达成"),
    Column("applicable", "是否适用", width=8),
    Column("explanation", "偏差原因分析及改进措施", width=40),
]


def actuals_template(evaluations: Any) -> bytes:
    """Return the import template: one row per indicator (序号 0 is the budget execution) of each 自评表."""
    rows: list[list[Any]] = []
    evaluations = evaluations.select_related("project").prefetch_related("indicators").order_by("project__code")
    for ev in evaluations:
        code = ev.project.code
        executed = "" if ev.fiscal_executed is None else f"{ev.fiscal_executed:f}"
        rows.append(
            [code, 0, "当年财政拨款全年执行数(元)", "", f"{ev.fiscal_annual:f}", "元", executed, "", "是"]
            + [ev.budget_explanation]
        )
        for item in ev.indicators.all():
            applicable = "是" if item.applicable else "否"
            rows.append(
                [code, item.position, item.name, item.operator, item.target, item.unit, item.actual, item.tier]
                + [applicable, item.explanation]
            )
    return write_workbook([("实际完成值", ACTUAL_COLUMNS, rows)])


def import_actuals(data: bytes, *, file_name: str, campaign: Any, acting_user: Any) -> int:
    """Validate the whole workbook, then save every 自评表's actuals in one transaction; return how many."""
    from jixiao.selfeval.importer import validate_actuals

    plan = validate_actuals(data, file_name=file_name, campaign=campaign, acting_user=acting_user)
    from jixiao.selfeval.actions import do_save_actuals

    with transaction.atomic():
        for evaluation, (executed, rows) in plan.items():
            do_save_actuals(evaluation=evaluation, acting_user=acting_user, executed=executed, rows=rows)
    return len(plan)
