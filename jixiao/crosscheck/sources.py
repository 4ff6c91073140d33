"""Stream CSV, XLSX and Parquet files as Arrow batches of text, never the whole file in memory.

Every value arrives as a string (or null) so that parsing and the error report are the same
for all formats; the first data row's number is kept so problems can name the row a clerk sees.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

BATCH_ROWS = 100_000
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet")
_ENCODING_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "utf8": "utf-8"}


class SourceError(Exception):
    """A file that can't be read at all; the message is Chinese and names the file."""


@dataclass
class Batch:
    table: pa.Table  # string columns named by the source headers
    first_row: int  # row number (as the clerk sees it) of the batch's first row
    done: int  # progress units consumed so far
    total: int  # progress units in the file
    row_numbers: list[int] | None = None  # when rows are not consecutive (XLSX with blank rows)


@dataclass
class BadLine:
    row: int
    text: str
    message: str


@dataclass
class Source:
    path: Path
    headers: list[str]
    sheet: str | None = None
    bad_lines: list[BadLine] = field(default_factory=list)
    _iter: Iterator[Batch] | None = None

    @property
    def label(self) -> str:
        return f"{self.path.name}「{self.sheet}」工作表" if self.sheet else self.path.name

    def batches(self) -> Iterator[Batch]:
        assert self._iter is not None
        return self._iter


def open_source(path: Path, *, encoding: str | None = None, sheet: str | None = None) -> Source:
    """Open a file for streaming; raise SourceError (Chinese) when it can't be read."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _open_csv(path, encoding)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return _open_excel(path, sheet)
    if suffix == ".parquet":
        return _open_parquet(path)
    raise SourceError("格式不支持:请提供 CSV、XLSX 或 Parquet 文件")


# --- CSV --------------------------------------------------------------------------------------


def _codec(encoding: str | None) -> str:
    name = (encoding or "utf-8").strip().lower()
    name = _ENCODING_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise SourceError(f"不认识的编码「{encoding}」:常用的有 utf-8、gbk")


def _check_utf8(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        chunk = f.read(1 << 20)
    try:
        decoder.decode(chunk, final=False)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"不是 UTF-8 编码(第 {exc.start} 字节起无法识别),"
            '很可能是 GBK:请用 --encoding gbk(或在列映射中写 "encoding": "gbk")重新导入'
        )


def _open_csv(path: Path, encoding: str | None) -> Source:
    codec = _codec(encoding)
    if codec == "utf-8":
        _check_utf8(path)
    with path.open("rb") as f:
        first = f.readline()
    try:
        header_line = first.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError:
        raise SourceError(f"表头无法按 {encoding or 'utf-8'} 编码读取,请确认文件编码")
    headers = _clean_headers(list(next(csv.reader([header_line]), [])))
    if not any(headers):
        raise SourceError("第 1 行没有表头")
    source = Source(path, headers)
    source._iter = _csv_batches(source, codec)
    return source


def _clean_headers(raw: list[object]) -> list[str]:
    out: list[str] = []
    for i, value in enumerate(raw):
        name = "" if value is None else str(value).strip().lstrip("\ufeff")
        name = name or f"第{i + 1}列"
        while name in out:
            name += "_"
        out.append(name)
    return out


def _csv_batches(source: Source, codec: str) -> Iterator[Batch]:
    size = max(source.path.stat().st_size, 1)

    def bad_row(row: pacsv.InvalidRow) -> str:
        number = row.number or 0  # the file's line number (header included) when reading serially
        message = f"应有 {row.expected_columns} 列,实际 {row.actual_columns} 列"
        source.bad_lines.append(BadLine(number, row.text[:200], message))
        return "skip"

    with source.path.open("rb") as raw:
        reader = pacsv.open_csv(
            raw,
            read_options=pacsv.ReadOptions(
                encoding=codec, skip_rows=1, column_names=source.headers, block_size=8 << 20, use_threads=False
            ),
            parse_options=pacsv.ParseOptions(invalid_row_handler=bad_row),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in source.headers},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        row = 2
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
                raise SourceError(f"在第 {row} 行附近无法读取:{exc}")
            table = pa.Table.from_batches([batch])
            yield Batch(table, row, min(raw.tell(), size), size)
            row += table.num_rows


# --- Excel ------------------------------------------------------------------------------------


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Excel keeps 15 significant digits: a longer number (an ID typed as number) comes out in
        # scientific notation so the ID check can flag it instead of inventing digits.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15G")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _open_excel(path: Path, sheet_name: str | None) -> Source:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise SourceError(f"不是有效的 Excel 文件:{exc}")
    names = book.sheet_names
    if sheet_name is not None and sheet_name not in names:
        raise SourceError(f"没有名为「{sheet_name}」的工作表;现有:{'、'.join(names)}")
    sheet = book.get_sheet_by_name(sheet_name or names[0])
    rows = sheet.iter_rows()
    header = next(rows, None)
    if not header or not any(c not in (None, "") for c in header):
        raise SourceError(f"「{sheet.name}」工作表第 1 行没有表头")
    source = Source(path, _clean_headers(list(header)), sheet=sheet.name)
    start = sheet.start[0] if sheet.start else 0
    source._iter = _excel_batches(source, rows, start + 2, max(sheet.height - 1, 1))
    return source


def _excel_batches(source: Source, rows: Iterator[list[Any]], first_row: int, total: int) -> Iterator[Batch]:
    width = len(source.headers)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []
    done = 0
    for offset, row in enumerate(rows):
        done = offset + 1
        cells = [_cell_text(v) for v in row[:width]]
        if not any(cells):
            continue
        cells += [None] * (width - len(cells))
        for column, cell in zip(columns, cells, strict=True):
            column.append(cell)
        numbers.append(first_row + offset)
        if len(numbers) >= BATCH_ROWS:
            yield _excel_batch(source, columns, numbers, done, total)
            columns, numbers = [[] for _ in range(width)], []
    if numbers:
        yield _excel_batch(source, columns, numbers, done, total)


def _excel_batch(source: Source, columns: list[list[str | None]], numbers: list[int], done: int, total: int) -> Batch:
    table = pa.table({h: pa.array(c, pa.string()) for h, c in zip(source.headers, columns, strict=True)})
    return Batch(table, numbers[0], done, total, row_numbers=numbers)


# --- Parquet ----------------------------------------------------------------------------------


def _open_parquet(path: Path) -> Source:
    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SourceError(f"不是有效的 Parquet 文件:{exc}")
    source = Source(path, _clean_headers(list(file.schema_arrow.names)))
    source._iter = _parquet_batches(source, file)
    return source


def _as_text(column: pa.ChunkedArray | pa.Array) -> pa.Array | pa.ChunkedArray:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    if pa.types.is_boolean(column.type):
        return pc.if_else(column, "true", "false")
    return pc.cast(column, pa.string())


def _parquet_batches(source: Source, file: pq.ParquetFile) -> Iterator[Batch]:
    total = max(file.metadata.num_rows, 1)
    row = 2
    for batch in file.iter_batches(batch_size=BATCH_ROWS):
        table = pa.Table.from_batches([batch])
        table = pa.table({h: _as_text(table.column(i)) for i, h in enumerate(source.headers)})
        yield Batch(table, row, min(row - 2 + table.num_rows, total), total)
        row += table.num_rows


def read_lines(path: Path, encoding: str | None = None) -> Iterator[str]:
    """Yield the stripped non-empty lines of a plain text file (for ``idcheck``)."""
    with open(path, encoding=_codec(encoding), errors="strict") as f:
        for line in f:
            if line.strip():
                yield line.strip()
