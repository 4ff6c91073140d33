"""The formula/merge scan reads only the sheet being imported, on raw bytes, with the same findings."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

from jixiao.core.excel import Column, WorkbookError, _formula_and_merge_cells, _sheet_xml_paths, read_table


def workbook() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    clean = book.add_worksheet("数据")
    clean.write_row(0, 0, ["编码", "名称"])
    clean.write_row(1, 0, ["A1", "甲"])
    other = book.add_worksheet("草稿")
    other.write_formula("B3", "=1+1")
    other.merge_range("C5:D5", "合并")
    book.close()
    return buffer.getvalue()


def test_scan_of_one_sheet_matches_the_full_scan():
    data = workbook()
    paths = _sheet_xml_paths(data)
    every = _formula_and_merge_cells(data)

    for name in ("数据", "草稿"):
        assert _formula_and_merge_cells(data, paths[name]) == {paths[name]: every[paths[name]]}
    assert every[paths["草稿"]] == (["B3"], ["C5:D5"]) and every[paths["数据"]] == ([], [])


def test_other_sheets_formulas_do_not_block_this_sheet():
    data = workbook()
    columns = [Column("code", "编码", required=True), Column("name", "名称")]

    table = read_table(data, file_name="t.xlsx", columns=columns, sheet_name="数据")
    assert table.rows == [(2, {"code": "A1", "name": "甲"})]
    with pytest.raises(WorkbookError) as exc:
        read_table(data, file_name="t.xlsx", columns=columns, sheet_name="草稿")
    messages = [str(e) for e in exc.value.errors]
    assert messages == [
        "文件《t.xlsx》工作表「草稿」 — 含合并单元格 C5:D5,请取消合并后每格填写",
        "文件《t.xlsx》工作表「草稿」第 3 行「B3」列 — 含公式,请复制后“选择性粘贴为数值”",
    ]
