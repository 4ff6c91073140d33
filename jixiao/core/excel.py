"""Excel in and out: strict reading with Chinese errors that name sheet, row, column and value; plain writing.

Reading uses python-calamine (fast, streaming rows); writing uses XlsxWriter. An import validates the whole
file first and writes nothing unless every row is valid.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

import xlsxwriter
from django.conf import settings
from python_calamine import CalamineWorkbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class CellError:
    """One problem in an uploaded workbook, located precisely enough for a clerk to fix it."""

    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: Any = None
    expected: str = ""

    def __str__(self) -> str:
        where = f"文件《{self.file}》"
        if self.sheet:
            where += f"工作表「{self.sheet}」"
        if self.row is not None:
            where += f"第 {self.row} 行"
        if self.column:
            where += f"「{self.column}」列"
        value = "" if self.value is None else f":值“{self.value}”"
        return f"{where}{value} — {self.expected}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": None if self.value is None else str(self.value),
            "expected": self.expected,
            "message": str(self),
        }


class WorkbookError(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, errors: Sequence[CellError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors[:20]))


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    """A column of an import sheet. `parse` must be pure: read_table parses each distinct value of a column once."""

    key: str
    header: str
    required: bool = False
    parse: Parser | None = None
    max_length: int | None = None
    width: int = 14
    help: str = ""


def cell_text(value: Any) -> str:
    """Return a cell as text; calamine gives whole numbers as floats (3.0), which become '3'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError("应为整数")
    text = cell_text(value).replace(",", "").replace(",", "")
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError("应为整数")
    return int(text)


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("应为数字")
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = cell_text(value).replace(",", "").replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("应为数字")
    if not number.is_finite():
        raise ValueError("应为数字")
    return number


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("应为日期,如 2026-03-31")


def parse_bool(value: Any) -> bool:
    text = cell_text(value).lower()
    if text in {"是", "true", "1", "y", "yes", "启用"}:
        return True
    if text in {"否", "false", "0", "n", "no", "停用"}:
        return False
    raise ValueError("应为“是”或“否”")


def parse_choice(choices: Iterable[tuple[str, str]]) -> Parser:
    """Accept a choice by its Chinese label or its code; return the code."""
    by_label = {label: code for code, label in choices}
    codes = set(by_label.values())

    def parse(value: Any) -> str:
        text = cell_text(value)
        if text in by_label:
            return by_label[text]
        if text in codes:
            return text
        raise ValueError("应为以下之一:" + "、".join(by_label))

    return parse


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*>\s*<f[ >/]')
_MERGE_CELL = re.compile(rb'<mergeCell ref="([A-Z0-9:]+)"')


def _formula_and_merge_cells(data: bytes, xml_path: str | None = None) -> dict[str, tuple[list[str], list[str]]]:
    """Return {sheet xml path: (formula cell refs, merged ranges)} by scanning the workbook XML.

    With `xml_path`, only that sheet is read. The search runs on the raw bytes (the references are ASCII) and
    skips a regex entirely when the sheet holds no `<f` or `<mergeCell` at all, the usual case."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/sheet") and name.endswith(".xml")):
                continue
            if xml_path is not None and name != xml_path:
                continue
            xml = archive.read(name)
            formulas = [m.decode("ascii") for m in _FORMULA_CELL.findall(xml)] if b"<f" in xml else []
            merges = [m.decode("ascii") for m in _MERGE_CELL.findall(xml)] if b"<mergeCell " in xml else []
            found[name] = (formulas, merges)
    return found


def _sheet_xml_paths(data: bytes) -> dict[str, str]:
    """Map sheet names to their XML part names."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    paths = {}
    for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        target = targets.get(rid, "")
        target = target.lstrip("/")
        paths[_unescape(name)] = target if target.startswith("xl/") else "xl/" + target
    return paths


def sheet_xml_size(data: bytes, sheet_name: str) -> int:
    """The uncompressed size in bytes of the sheet's XML (from the zip directory, nothing read): how large a sheet
    is before anyone parses it (an .xlsx row of a dozen cells takes roughly 200–500 bytes)."""
    path = _sheet_xml_paths(data).get(sheet_name)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            return archive.getinfo(path).file_size if path else 0
        except KeyError:
            return 0


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def read_upload(upload: BinaryIO | bytes, *, file_name: str) -> bytes:
    """Return the bytes of an uploaded workbook after size and format checks."""
    data = upload if isinstance(upload, bytes) else upload.read()
    limit = settings.UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise WorkbookError(
            [CellError(file_name, expected=f"文件大小 {len(data) / 1048576:.1f} MB 超过上限 {limit // 1048576} MB")]
        )
    if not data.startswith(b"PK"):
        raise WorkbookError(
            [CellError(file_name, expected="不是 Excel 2007 及以上格式(.xlsx)的文件,请另存为 .xlsx 后上传")]
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise zipfile.BadZipFile
    except zipfile.BadZipFile:
        raise WorkbookError([CellError(file_name, expected="文件已损坏或不是 .xlsx 工作簿")])
    return data


@dataclass
class SheetRows:
    """Validated rows of one sheet: (row number, {key: value})."""

    sheet: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def open_book(data: bytes) -> CalamineWorkbook:
    """Return the workbook; read several sheets of one upload from it instead of reopening the bytes."""
    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def iter_sheet_rows(data: bytes, sheet_name: str | None = None) -> Iterator[list[Any]]:
    book = open_book(data)
    sheet = book.get_sheet_by_name(sheet_name) if sheet_name else book.get_sheet_by_index(0)
    yield from sheet.iter_rows()


def sheet_rows(book: CalamineWorkbook, sheet_name: str) -> list[list[Any]]:
    """Return every row of a sheet (calamine parses the whole sheet on each call, so call it once)."""
    return list(book.get_sheet_by_name(sheet_name).iter_rows())


_Wanted = tuple[int, Column, dict[Any, tuple]]  # sheet position, column, outcome cache


def read_table(
    data: bytes,
    *,
    file_name: str,
    columns: Sequence[Column],
    sheet_name: str | None = None,
    header_row: int = 1,
    max_errors: int = 200,
    book: CalamineWorkbook | None = None,
    rows: Sequence[list[Any]] | None = None,
) -> SheetRows:
    """Parse one sheet whose header row holds the columns' Chinese headers (any order).

    `book` (from `open_book`) and the sheet's `rows` (from `sheet_rows`) may be given when the caller has them.
    Raises WorkbookError listing every problem: wrong headers, merged cells, formulas, bad values.
    """
    table = read_columns(data, file_name=file_name, columns=columns, sheet_name=sheet_name, header_row=header_row,
                         max_errors=max_errors, book=book, rows=rows)  # fmt: skip
    names = list(table.values)
    records = zip(*table.values.values(), strict=True) if names else ((),) * len(table.offsets)
    return SheetRows(table.sheet, [
        (offset, dict(zip(names, row, strict=True))) for offset, row in zip(table.offsets, records, strict=True)
    ])  # fmt: skip


@dataclass
class SheetColumns:
    """Validated rows of one sheet, a column at a time: row numbers and {key: the column's values}."""

    sheet: str
    offsets: list[int]
    values: dict[str, list[Any]]

    def tuples(self, keys: Sequence[str]) -> list[tuple]:
        """The rows as tuples of these columns' values (None for a column the sheet lacks)."""
        blank = [None] * len(self.offsets)
        return list(zip(*(self.values.get(key, blank) for key in keys), strict=True))


def read_columns(
    data: bytes,
    *,
    file_name: str,
    columns: Sequence[Column],
    sheet_name: str | None = None,
    header_row: int = 1,
    max_errors: int = 200,
    book: CalamineWorkbook | None = None,
    rows: Sequence[list[Any]] | None = None,
    cells_checked: bool = False,
) -> SheetColumns:
    """`read_table`'s checks, its result by column: no dict per row for large sheets read as columns anyway.

    `cells_checked`: the caller looks for the sheet's formulas and merged cells itself (`formula_and_merge_errors`;
    the project import does while its side process reads the goals sheet)."""
    book = book if book is not None else open_book(data)
    names = book.sheet_names
    if sheet_name is not None and sheet_name not in names:
        raise WorkbookError([CellError(file_name, sheet=sheet_name, expected=f"缺少工作表「{sheet_name}」")])
    sheet_name = sheet_name or names[0]
    if not cells_checked:
        _refuse_formulas_and_merges(data, file_name, sheet_name)
    row_iter = iter(rows if rows is not None else book.get_sheet_by_name(sheet_name).iter_rows())
    header: list[str] = []
    for _ in range(header_row):
        header = [cell_text(v) for v in next(row_iter, [])]
    positions = _column_positions(header, columns, file_name, sheet_name, header_row)
    # (position, column, outcome cache): parsers are pure, and a column repeats few distinct values (一级指标,
    # 计量单位, 分值 …), so each distinct cell value of a column is read and parsed once per sheet.
    wanted: list[_Wanted] = [(positions[c.key], c, {}) for c in columns if c.key in positions]
    kept = [(offset, raw) for offset, raw in enumerate(row_iter, start=header_row + 1) if _filled(raw)]
    if not kept:
        raise WorkbookError([CellError(file_name, sheet_name, expected="没有数据行")])
    values = _values_by_column(kept, wanted)
    if values is None:  # some cell is wrong: read row by row to name every problem in sheet order
        records = _records_by_row(kept, wanted, file_name, sheet_name, max_errors)
        values = [[record[col.key] for _, record in records] for _, col, _ in wanted]
    return SheetColumns(sheet_name, [offset for offset, _ in kept],
                        {col.key: column for (_, col, _), column in zip(wanted, values, strict=True)})  # fmt: skip


def _filled(raw: list[Any]) -> bool:
    first = raw[0] if raw else None
    if isinstance(first, str) and first.strip():  # the usual row: its first cell (a code) is filled
        return True
    return any(cell_text(v) for v in raw)


def _values_by_column(kept: list[tuple[int, list[Any]]], wanted: list[_Wanted]) -> list[list[Any]] | None:
    """Return each wanted column's values, reading a column at a time (C-speed map/zip over the column cache),
    or None when some cell is wrong (then `_records_by_row` names the problems)."""
    if not wanted or min(len(raw) for _, raw in kept) <= max(index for index, _, _ in wanted):
        return None
    cells = list(zip(*(raw for _, raw in kept), strict=False))  # rows may differ in length past the last column
    values = []
    for index, col, cache in wanted:
        column = cells[index]
        keys: Sequence[Any] = column
        distinct = dict.fromkeys(column)
        if any(key.__class__ is not str for key in distinct):  # 1, 1.0 and True are one dict key: add the type
            keys = list(zip(map(type, column), column, strict=True))
            distinct = dict.fromkeys(keys)
        for key in distinct:
            outcome = cache.get(key)
            if outcome is None:
                outcome = cache[key] = _cell_outcome(col, key if key.__class__ is str else key[1])
            if outcome[0] is _BAD or (col.required and outcome[0] is _EMPTY):
                return None
            distinct[key] = outcome[1]
        values.append(list(map(distinct.__getitem__, keys)))
    return values


def _records_by_row(
    kept: list[tuple[int, list[Any]]], wanted: list[_Wanted], file_name: str, sheet_name: str, max_errors: int
) -> list[tuple[int, dict[str, Any]]]:
    """Return the rows' records; raise WorkbookError naming every wrong cell (up to `max_errors`)."""
    records: list[tuple[int, dict[str, Any]]] = []
    errors: list[CellError] = []
    for offset, raw in kept:
        record: dict[str, Any] = {}
        width = len(raw)
        for index, col, cache in wanted:
            value = raw[index] if index < width else None
            key = (value.__class__, value)  # 1 and 1.0 and True are equal keys: tell them apart by type
            outcome = cache.get(key)
            if outcome is None:
                outcome = cache[key] = _cell_outcome(col, value)
            kind = outcome[0]
            if kind is _OK:
                record[col.key] = outcome[1]
            elif kind is _EMPTY:
                if col.required:
                    errors.append(CellError(file_name, sheet_name, offset, col.header, "", "必填,不能为空"))
                record[col.key] = None
            else:
                errors.append(CellError(file_name, sheet_name, offset, col.header, outcome[1], outcome[2]))
        records.append((offset, record))
        if len(errors) >= max_errors:
            break
    if errors:
        raise WorkbookError(errors)
    return records


_OK, _EMPTY, _BAD = "ok", "empty", "bad"


def _cell_outcome(col: Column, value: Any) -> tuple:
    """Return (_OK, value) | (_EMPTY, None) | (_BAD, shown value, expected) for one cell of a column."""
    text = cell_text(value)
    if text == "":
        return (_EMPTY, None)
    if col.max_length and len(text) > col.max_length:
        return (_BAD, text[:30], f"超过 {col.max_length} 个字符")
    if col.parse is None:
        return (_OK, text)
    try:
        return (_OK, col.parse(value))
    except ValueError as exc:
        return (_BAD, text[:50], str(exc))


def _refuse_formulas_and_merges(data: bytes, file_name: str, sheet_name: str) -> None:
    errors = formula_and_merge_errors(data, file_name, sheet_name)
    if errors:
        raise WorkbookError(errors)


def formula_and_merge_errors(data: bytes, file_name: str, sheet_name: str) -> list[CellError]:
    """The sheet's merged ranges and (the first 20) formula cells, as errors: imports take values only."""
    xml_path = _sheet_xml_paths(data).get(sheet_name)
    formulas, merges = _formula_and_merge_cells(data, xml_path).get(xml_path, ([], [])) if xml_path else ([], [])
    errors = [CellError(file_name, sheet_name, expected=f"含合并单元格 {ref},请取消合并后每格填写") for ref in merges]
    for ref in formulas[:20]:
        row_no = int(re.sub(r"[A-Z]", "", ref))
        errors.append(CellError(file_name, sheet_name, row_no, ref, expected="含公式,请复制后“选择性粘贴为数值”"))
    return errors


def _column_positions(
    header: list[str], columns: Sequence[Column], file_name: str, sheet_name: str, header_row: int
) -> dict[str, int]:
    """Return {column key: index} from the header row; raise WorkbookError on unknown, repeated or missing ones."""
    errors: list[CellError] = []
    positions: dict[str, int] = {}
    by_header = {c.header: c for c in columns}
    for index, text in enumerate(header):
        if not text:
            continue
        if text not in by_header:
            errors.append(
                CellError(
                    file_name, sheet_name, header_row, column_letter(index), text, "不认识的列标题,请使用导出的模板"
                )
            )
        elif by_header[text].key in positions:
            errors.append(CellError(file_name, sheet_name, header_row, column_letter(index), text, "列标题重复"))
        else:
            positions[by_header[text].key] = index
    for col in columns:
        if col.required and col.key not in positions:
            errors.append(CellError(file_name, sheet_name, header_row, col.header, None, "缺少必填列"))
    if errors:
        raise WorkbookError(errors)
    return positions


def write_workbook(sheets: Sequence[tuple[str, Sequence[Column], Iterable[Sequence[Any]]]]) -> bytes:
    """Return an .xlsx with one table per sheet: a bold frozen header and the given rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "remove_timezone": True})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for title, columns, rows in sheets:
        sheet = book.add_worksheet(title[:31])
        for index, col in enumerate(columns):
            sheet.write(0, index, col.header, head)
            sheet.set_column(index, index, col.width)
            if col.help:
                sheet.write_comment(0, index, col.help)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, time_fmt)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value))
                elif isinstance(value, bool):
                    sheet.write_string(r, c, "是" if value else "否")
                elif value is None:
                    sheet.write_blank(r, c, None)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        if columns:
            sheet.autofilter(0, 0, 0, len(columns) - 1)
    book.close()
    return buffer.getvalue()
