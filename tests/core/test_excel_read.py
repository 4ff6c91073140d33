"""read_table reads a column at a time through a per-column cache; row by row only to name wrong cells."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

from jixiao.core.excel import Column, WorkbookError, _records_by_row, parse_bool, parse_int, read_table

COLUMNS = [Column("code", "编码", required=True), Column("count", "数量", parse=parse_int),
           Column("flag", "启用", parse=parse_bool), Column("note", "说明", max_length=4)]  # fmt: skip


def sheet(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("数据")
    ws.write_row(0, 0, [c.header for c in COLUMNS])
    for r, cells in enumerate(rows, start=1):
        for c, value in enumerate(cells):
            if value is not None:
                ws.write(r, c, value)
    book.close()
    return buffer.getvalue()


def test_column_path_equals_row_path_on_equal_looking_values():
    rows = [
        ["A", 1, "是", "甲"],
        ["B", "1", True, None],
        ["C", 1.0, 1, "乙"],
        [None, None, None, None],
        ["D", "", "否", ""],
    ]

    table = read_table(sheet(rows), file_name="t.xlsx", columns=COLUMNS)

    wanted = [(i, c, {}) for i, c in enumerate(COLUMNS)]
    from python_calamine import CalamineWorkbook

    raw = list(CalamineWorkbook.from_filelike(io.BytesIO(sheet(rows))).get_sheet_by_name("数据").iter_rows())[1:]
    kept = [(n, r) for n, r in enumerate(raw, start=2) if any(str(v).strip() for v in r)]
    assert table.rows == _records_by_row(kept, wanted, "t.xlsx", "数据", 200)
    assert [(n, r["count"], r["flag"]) for n, r in table.rows] == [
        (2, 1, True), (3, 1, True), (4, 1, True), (6, None, False)
    ]  # fmt: skip


def test_a_wrong_cell_is_named_in_sheet_order_even_when_its_value_repeats():
    rows = [["A", "x", "是", "太长的说明文字"], ["B", 2, "也许", None], ["", 3, "是", None], ["C", "x", "否", None]]

    with pytest.raises(WorkbookError) as exc:
        read_table(sheet(rows), file_name="t.xlsx", columns=COLUMNS)

    assert [(e.row, e.column, e.value) for e in exc.value.errors] == [
        (2, "数量", "x"), (2, "说明", "太长的说明文字"), (3, "启用", "也许"), (4, "编码", ""), (5, "数量", "x"),
    ]  # fmt: skip
