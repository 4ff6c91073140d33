"""Excel of monitoring: one 监控表 in the Hubei 2019 layout, and a round's summary."""

from __future__ import annotations

import io
from collections.abc import Sequence

import xlsxwriter

from jixiao.core.excel import Column, write_workbook
from jixiao.monitoring.models import Cause, Likelihood, MonitoringReport, WarningLevel
from jixiao.monitoring.selectors import Group

INDICATOR_HEADERS = ["一级指标", "二级指标", "三级指标", "指标值", "执行情况", "完成目标可能性", "原因分析", "完善措施"]


def _money(value) -> float:
    return float(value)


def report_workbook(report: MonitoringReport) -> bytes:
    """The 项目支出绩效目标执行监控表: header, funds block, indicator grid with 执行情况/可能性/原因/措施."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("监控表")
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = book.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#E8EEF7", "text_wrap": True}
    )
    cell = book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    money = book.add_format({"border": 1, "num_format": "#,##0.00"})
    sheet.set_column(0, 1, 12)
    sheet.set_column(2, 2, 24)
    sheet.set_column(3, 7, 16)
    monitoring_round, project = report.round, report.project
    period = monitoring_round.period
    sheet.merge_range(0, 0, 0, 7, f"{monitoring_round.year}年度项目支出绩效目标执行监控表({period})", title)
    sheet.write(1, 0, "项目名称", head)
    sheet.merge_range(1, 1, 1, 3, f"{project.code} {project.name}", cell)
    sheet.write(1, 4, "主管部门", head)
    sheet.merge_range(1, 5, 1, 7, project.department.name, cell)
    sheet.write(2, 0, "实施单位", head)
    sheet.merge_range(2, 1, 2, 3, project.unit.name, cell)
    sheet.write(2, 4, "预警等级", head)
    sheet.merge_range(2, 5, 2, 7, WarningLevel(report.warning_level).label, cell)
    sheet.merge_range(3, 0, 4, 1, "项目资金(元)", head)
    for col, label in enumerate(["年初预算数", f"{period}执行数", "执行率(%)", "全年预计执行数"], start=2):
        sheet.write(3, col, label, head)
    sheet.write_number(4, 2, _money(report.annual_budget), money)
    sheet.write_number(4, 3, _money(report.executed), money)
    if report.rate is None:
        sheet.write_blank(4, 4, None, cell)
    else:
        sheet.write_number(4, 4, report.rate, money)
    sheet.write_number(4, 5, _money(report.expected_annual), money)
    for col, label in enumerate(INDICATOR_HEADERS):
        sheet.write(5, col, label, head)
    likelihoods, causes = dict(Likelihood.choices), dict(Cause.choices)
    for row, line in enumerate(report.lines.all(), start=6):
        values = [
            line.level1,
            line.level2,
            line.name,
            f"{line.operator}{line.target}{line.unit}",
            line.progress,
            likelihoods.get(line.likelihood, ""),
            causes.get(line.cause, ""),
            line.measures,
        ]
        for col, value in enumerate(values):
            sheet.write_string(row, col, value, cell)
    book.close()
    return buffer.getvalue()


REPORT_COLUMNS = [
    Column("code", "项目编码", width=18),
    Column("name", "项目名称", width=30),
    Column("department", "主管部门", width=22),
    Column("unit", "实施单位", width=26),
    Column("budget", "年初预算数(元)", width=16),
    Column("executed", "执行数(元)", width=16),
    Column("rate", "执行率(%)", width=10),
    Column("expected", "全年预计执行数(元)", width=16),
    Column("level", "预警等级", width=10),
    Column("rules", "预警规则", width=30),
    Column("status", "状态", width=10),
    Column("held", "暂缓拨款", width=10),
]
GROUP_COLUMNS = [
    Column("label", "名称", width=26),
    Column("reports", "项目数", width=8),
    Column("red", "红色预警", width=10),
    Column("yellow", "黄色预警", width=10),
    Column("budget", "年初预算数(元)", width=16),
    Column("executed", "执行数(元)", width=16),
    Column("rate", "执行率(%)", width=10),
]


def summary_workbook(
    reports: Sequence[MonitoringReport], by_department: Sequence[Group], by_district: Sequence[Group]
) -> bytes:
    rows = [
        [
            r.project.code,
            r.project.name,
            r.project.department.name,
            r.project.unit.name,
            r.annual_budget,
            r.executed,
            r.rate,
            r.expected_annual,
            WarningLevel(r.warning_level).label,
            "、".join(f"{w['code']} {w['name']}" for w in r.warnings),
            r.get_status_display(),
            "是" if r.payment_held else "否",
        ]
        for r in reports
    ]

    def group_rows(groups: Sequence[Group]) -> list[list]:
        return [[g.label, g.reports, g.red, g.yellow, g.budget, g.executed, g.rate] for g in groups]

    return write_workbook(
        [
            ("监控汇总", REPORT_COLUMNS, rows),
            ("按主管部门", GROUP_COLUMNS, group_rows(by_department)),
            ("按区", GROUP_COLUMNS, group_rows(by_district)),
        ]
    )
