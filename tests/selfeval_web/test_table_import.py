"""Excel round trip of one 自评表 in the official layout: export, fill, import — all or nothing, errors located."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jixiao.core.excel import WorkbookError
from jixiao.selfeval.actions import do_save_self_evaluation
from jixiao.selfeval.models import SelfEvaluation
from jixiao.selfeval.spreadsheets import evaluation_workbook
from jixiao.selfeval.table_import import import_evaluation_table
from tests.selfeval_web import factories as f
from tests.selfeval_web.test_entry import QUALITATIVE_ROWS

FILE = "自评表.xlsx"
CARRYOVER, OTHER = 7, 8  # 0-based rows of 上年结转资金 and 其他资金
FIRST = 12  # 0-based row of the first indicator


def _grid(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def _workbook(grid: list[list], sheet: str = "自评表") -> bytes:
    """Write the cells back as a unit would after filling them in (plain cells, no merges)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    worksheet = book.add_worksheet(sheet)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value != "":
                worksheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def _evaluation(demo) -> SelfEvaluation:
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), rows=QUALITATIVE_ROWS)
    do_save_self_evaluation(
        evaluation=ev, acting_user=demo["unit_xinzhou"], changes={},
        actuals={2: {"tier": "部分达成", "share": Decimal(75), "actual": "基本达到", "explanation": "部分农户未参与。"}},
    )  # fmt: skip
    return SelfEvaluation.objects.get(pk=ev.pk)


def _entered(ev: SelfEvaluation) -> list[tuple]:
    return list(ev.indicators.values_list("actual", "applicable", "tier", "share", "explanation", "score"))


def _import(demo, ev: SelfEvaluation, data: bytes) -> int:
    return import_evaluation_table(data, file_name=FILE, evaluation=ev, acting_user=demo["unit_xinzhou"])


def test_an_exported_table_imports_back_unchanged(demo):
    ev = _evaluation(demo)
    before = _entered(ev)
    assert before[1] == ("基本达到", True, "部分达成", Decimal("75.00"), "部分农户未参与。", Decimal("22.50"))
    assert _import(demo, ev, evaluation_workbook(ev)) == 3
    ev.refresh_from_db()
    assert _entered(ev) == before
    assert (ev.fiscal_annual, ev.fiscal_executed, ev.carryover_annual, ev.total) == (
        1000000, 950000, 0, Decimal("92.00")
    )  # fmt: skip


def test_a_filled_table_saves_funds_actuals_tiers_and_explanations(demo):
    ev = _evaluation(demo)
    grid = _grid(evaluation_workbook(ev))
    grid[CARRYOVER][2:5] = [200000, 200000, 150000]
    grid[5][8] = "结转资金拨付滞后,已督促。"
    grid[10][5] = "灌溉渠道全部建成。"
    grid[FIRST][4], grid[FIRST][7] = "2700亩", "汛期推迟施工。"
    grid[FIRST + 1][4], grid[FIRST + 1][6], grid[FIRST + 1][7] = "未完成", "", "农户参与不足。"
    grid[FIRST + 2][4] = "不适用"
    assert _import(demo, ev, _workbook(grid)) == 3
    ev.refresh_from_db()
    assert (ev.carryover_initial, ev.carryover_annual, ev.carryover_executed) == (200000, 200000, 150000)
    assert (ev.budget_annual, ev.budget_executed, ev.execution_rate) == (1200000, 1100000, Decimal("91.67"))
    assert (ev.budget_explanation, ev.overall_actual) == ("结转资金拨付滞后,已督促。", "灌溉渠道全部建成。")
    rows = _entered(ev)
    assert rows[0] == ("2700", True, "", None, "汛期推迟施工。", Decimal("45.00"))
    assert rows[1] == ("未完成", True, "未达成", None, "农户参与不足。", Decimal("9.00"))  # 30 × 30 % (default)
    assert rows[2][1] is False
    assert ev.total_formula == "100 × 63.17 ÷ 90.00 = 70.19" and ev.grade == "中"


def test_unreadable_cells_are_all_named_and_nothing_is_saved(demo):
    ev = _evaluation(demo)
    before = _entered(ev)
    grid = _grid(evaluation_workbook(ev))
    grid[CARRYOVER][3] = "二十万"
    grid[FIRST][2] = "新增灌溉面积(改)"
    grid[FIRST + 1][4] = "还行"
    with pytest.raises(WorkbookError) as caught:
        _import(demo, ev, _workbook(grid))
    found = [(e.sheet, e.row, e.column, e.value) for e in caught.value.errors]
    assert found == [
        ("自评表", 8, "D(全年预算数)", "二十万"),
        ("自评表", 13, "C(三级指标)", "新增灌溉面积(改)"),
        ("自评表", 14, "E(实际完成值)", "还行"),
    ]
    assert "上年结转资金的全年预算数「二十万」不是数字" in caught.value.errors[0].expected
    assert str(caught.value.errors[2]).startswith(
        "文件《自评表.xlsx》工作表「自评表」第 14 行「E(实际完成值)」列:值“还行”"
    )
    ev.refresh_from_db()
    assert _entered(ev) == before and ev.carryover_annual == 0


def test_refused_entries_come_back_as_their_cells(demo):
    ev = _evaluation(demo)
    grid = _grid(evaluation_workbook(ev))
    grid[OTHER][4] = 5000
    grid[FIRST][4], grid[FIRST][7] = "2700亩", ""
    grid[FIRST + 2][4] = "105%"
    with pytest.raises(WorkbookError) as caught:
        _import(demo, ev, _workbook(grid))
    found = [(e.row, e.column) for e in caught.value.errors]
    assert found == [(9, "E(全年执行数)"), (13, "H(偏差原因分析及改进措施)"), (15, "E(实际完成值)")]
    messages = [e.expected for e in caught.value.errors]
    assert messages[0] == "其他资金的全年执行数 5000 元大于 0,但全年预算数为 0;请先填写全年预算数"
    assert messages[1].endswith("未达到年度指标值 ≥3000亩,须填写偏差原因分析及改进措施")
    assert "超过 100%" in messages[2]
    ev.refresh_from_db()
    assert ev.other_executed is None and ev.indicators.get(position=1).actual == "3200"


def test_a_stated_qualitative_score_outside_its_tier_is_refused(demo):
    ev = _evaluation(demo)
    grid = _grid(evaluation_workbook(ev))
    grid[FIRST + 1][6] = 27  # 90 % of 30: inside 达成, not 部分达成 (基本达到)
    with pytest.raises(WorkbookError) as caught:
        _import(demo, ev, _workbook(grid))
    error = caught.value.errors[0]
    assert (error.row, error.column) == (14, "G(得分)")
    assert "不在「部分达成」档的区间 [60%, 80%) 内" in error.expected


def test_another_projects_table_is_refused(demo):
    ev = _evaluation(demo)
    other = f.evaluation(ev.campaign, f.project(f.XINZHOU_U1))
    with pytest.raises(WorkbookError) as caught:
        _import(demo, ev, evaluation_workbook(other))
    error = caught.value.errors[0]
    assert (error.row, error.column, error.value) == (3, "B(项目名称)", other.project.name)


def test_a_workbook_that_is_not_a_self_evaluation_table_is_refused(demo):
    ev = _evaluation(demo)
    with pytest.raises(WorkbookError) as caught:
        _import(demo, ev, _workbook([["项目编码", "实际完成值"]]))
    assert "应为“项目支出绩效自评表”" in caught.value.errors[0].expected


def test_the_import_page_saves_or_lists_every_error(demo, login):
    ev = _evaluation(demo)
    url = reverse("selfeval:evaluation_import", args=[ev.pk])
    unit = login("unit_xinzhou")
    grid = _grid(evaluation_workbook(ev))
    grid[FIRST][4] = "-3"
    bad = unit.post(url, {"file": SimpleUploadedFile(FILE, _workbook(grid))})
    html = bad.content.decode()
    assert "导入失败,未写入任何数据" in html and "实际完成值「-3」为负数" in html
    grid[FIRST][4] = 3100
    good = unit.post(url, {"file": SimpleUploadedFile(FILE, _workbook(grid))})
    assert good.status_code == 302 and good["Location"] == reverse("selfeval:evaluation_edit", args=[ev.pk])
    assert ev.indicators.get(position=1).actual == "3100"
