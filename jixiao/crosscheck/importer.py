"""Import files in (or mapped onto) the interchange layout into typed Parquet under a data directory.

Files are streamed batch by batch: each batch is parsed by one DuckDB query that yields the
typed values plus, per row, the list of problems; good rows go to a ParquetWriter, bad rows to
the report (file, row, column, value, why — in Chinese). A file missing required columns is
refused whole. ID columns are normalised (``payee_id``) and the raw value kept (``payee_id_raw``);
IDs in Excel scientific notation are imported but flagged, since their digits are lost.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from jixiao.crosscheck import idnumber
from jixiao.crosscheck.layout import KIND_LABELS, TABLES, Column, Table, arrow_schema, table_for_file
from jixiao.crosscheck.mapping import ColumnMapping
from jixiao.crosscheck.progress import Progress, silent
from jixiao.crosscheck.report import ImportReport, Problem, TableReport
from jixiao.crosscheck.sources import SUFFIXES, Batch, Source, SourceError, open_source

DATE_FORMATS = (
    "['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y年%m月%d日', '%Y-%m-%d %H:%M:%S', '%Y/%m/%d %H:%M:%S', '%Y.%m.%d']"
)
PERIOD_FORMATS = "['%Y-%m', '%Y/%m', '%Y%m', '%Y年%m月', '%Y.%m']"
SCIENTIFIC_RE = "^[0-9]+([.][0-9]*)?E[+-]?[0-9]+$"


def import_path(
    src: str | Path,
    data_dir: str | Path,
    *,
    mapping: ColumnMapping | None = None,
    encoding: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a file or every file of a folder into ``data_dir/<table>.parquet``; never raises on bad data.

    ``strict`` writes nothing for a table when any of its rows is rejected.
    """
    mapping = mapping or ColumnMapping()
    report = ImportReport()
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    groups = _group_files(_list_files(Path(src)), mapping, report)
    con = duckdb.connect()
    idnumber.register_macros(con)
    try:
        for name, files in groups.items():
            _import_table(
                con,
                TABLES[name],
                files,
                data,
                mapping,
                encoding or mapping.encoding,
                strict,
                report,
                progress or silent,
            )
    finally:
        con.close()
    return report


def _list_files(src: Path) -> list[Path]:
    if src.is_dir():
        return sorted(p for p in src.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith("."))
    return [src]


def _group_files(files: Iterable[Path], mapping: ColumnMapping, report: ImportReport) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for path in files:
        name = table_for_file(path.stem) or mapping.table
        if not path.exists():
            report.errors.append(Problem(path.name, None, None, None, "文件不存在"))
        elif name is None:
            report.errors.append(
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    f'无法识别对应哪张表:请把文件命名为表名(如 payments.csv)或在列映射中写 "table";可用表名:{"、".join(TABLES)}',
                )
            )
        else:
            groups.setdefault(name, []).append(path)
    return groups


def _import_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[Path],
    data: Path,
    mapping: ColumnMapping,
    encoding: str | None,
    strict: bool,
    report: ImportReport,
    progress: Progress,
) -> None:
    result = report.table(table.name)
    target = data / f"{table.name}.parquet"
    partial = data / f".{table.name}.parquet.partial"
    writer = pq.ParquetWriter(partial, arrow_schema(table), compression="zstd")
    wrote_any = False
    try:
        for path in files:
            try:
                source = open_source(path, encoding=encoding, sheet=mapping.sheet)
            except SourceError as exc:
                report.errors.append(Problem(path.name, None, None, None, str(exc)))
                continue
            present = _check_columns(source, table, mapping, report, result)
            if present is None:
                continue
            result.files.append(source.label)
            try:
                for batch in source.batches():
                    _import_batch(con, table, source, batch, present, writer, result)
                    progress(batch.done, batch.total, f"导入 {source.label}")
            except SourceError as exc:
                report.errors.append(Problem(path.name, None, None, None, str(exc)))
            for bad in source.bad_lines:
                result.rows_read += 1
                result.rows_rejected += 1
                result.reject(Problem(source.label, bad.row, None, bad.text, f"列数不对({bad.message})"))
            wrote_any = True
    finally:
        writer.close()
    if strict and result.rows_rejected:
        result.notes.append("严格模式:存在拒收行,本表未写入任何数据")
        wrote_any = False
    if wrote_any:
        os.replace(partial, target)
        result.output = str(target)
    else:
        partial.unlink(missing_ok=True)
        result.rows_written = 0


def _check_columns(
    source: Source, table: Table, mapping: ColumnMapping, report: ImportReport, result: TableReport
) -> dict[str, str] | None:
    """Return {layout column: source header} or None (file refused) when required columns are missing."""
    present: dict[str, str] = {}
    known = {c.name for c in table.columns}
    for header in source.headers:
        name = mapping.rename(header)
        if name in known and name not in present:
            present[name] = header
        elif name not in known:
            result.notes.append(f"{source.label}:列「{header}」不在 {table.name} 的标准格式中,已忽略")
    missing = [c.name for c in table.columns if c.required and c.name not in present]
    if missing:
        report.errors.append(
            Problem(
                source.label,
                1,
                None,
                None,
                f"缺少必需的列:{'、'.join(missing)}(文件中的列:{'、'.join(source.headers)});"
                '如列名不同,请用 --mapping 提供列映射,例如 {"columns": {"身份证号码": "payee_id"}}',
            )
        )
        return None
    for column in table.columns:
        if column.name not in present:
            result.notes.append(f"{source.label}:可选列「{column.name}」缺失,按空值导入")
    return present


def _parse_sql(column: Column, value: str) -> str:
    kind = column.kind
    if kind in ("text",):
        return value
    if kind == "id":
        return f"id_normalize({value})"
    if kind == "period":
        return f"strftime(try_strptime({value}, {PERIOD_FORMATS}), '%Y-%m')"
    if kind == "date":
        return f"CAST(try_strptime({value}, {DATE_FORMATS}) AS DATE)"
    if kind == "amount":
        cleaned = (
            f"replace(replace(replace(replace(replace({value}, ',', ''), '，', ''), '¥', ''), '￥', ''), '元', '')"
        )
        return f"TRY_CAST({cleaned} AS DECIMAL(18, 2))"
    if kind == "number":
        return f"TRY_CAST(replace({value}, ',', '') AS DOUBLE)"
    if kind == "int":
        cleaned = f"translate(replace({value}, '级', ''), '一二三四五六七八九', '123456789')"
        return f"CAST(TRY_CAST({cleaned} AS DOUBLE) AS INTEGER)"
    if kind == "bool":
        return (
            f"CASE WHEN lower({value}) IN ('true', 't', '1', '是', 'y', 'yes') THEN true"
            f" WHEN lower({value}) IN ('false', 'f', '0', '否', 'n', 'no') THEN false END"
        )
    if kind == "choice":
        whens = " ".join(f"WHEN {_lit(k.lower())} THEN {_lit(v)}" for k, v in column.choices.items())
        return f"CASE lower({value}) {whens} END"
    raise ValueError(kind)


def _expected(column: Column) -> str:
    if column.kind == "choice":
        return "取值应为以下之一:" + "、".join(sorted(set(column.choices)))
    return f"不是有效的{KIND_LABELS[column.kind]}"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _batch_sql(table: Table, present: dict[str, str]) -> tuple[str, list[str]]:
    selects, errors, flags, outputs = ["__row"], [], [], []
    for column in table.columns:
        value = (
            f"nullif(trim({_quote(present[column.name])}), '')" if column.name in present else "CAST(NULL AS VARCHAR)"
        )
        parsed = _parse_sql(column, value)
        selects.append(f"CAST({parsed} AS {column.sql_type}) AS {_quote(column.name)}")
        outputs.append(column.name)
        label = _lit(column.name)
        if column.required:
            errors.append(f"CASE WHEN {value} IS NULL THEN {{'c': {label}, 'v': NULL, 'm': '必填项为空'}} END")
        errors.append(
            f"CASE WHEN {value} IS NOT NULL AND ({parsed}) IS NULL THEN"
            f" {{'c': {label}, 'v': {value}, 'm': {_lit(_expected(column))}}} END"
        )
        if column.kind == "id":
            selects.append(f"{value} AS {_quote(column.name + '_raw')}")
            outputs.append(column.name + "_raw")
            flags.append(
                f"CASE WHEN regexp_matches(coalesce({parsed}, ''), '{SCIENTIFIC_RE}') THEN"
                f" {{'c': {label}, 'v': {value}, 'm': '身份证号是科学计数法(Excel 截断),后几位已丢失无法恢复;已导入,比对时由 R19 标记'}} END"
            )
    selects.append(f"list_filter([{', '.join(errors)}], e -> e IS NOT NULL) AS __errors")
    selects.append(f"list_filter([{', '.join(flags) or 'NULL'}], e -> e IS NOT NULL) AS __flags")
    return f"SELECT {', '.join(selects)} FROM batch", outputs


def _row_numbers(batch: Batch, source: Source) -> pa.Array:
    if batch.row_numbers is not None:
        return pa.array(batch.row_numbers, pa.int64())
    skipped = {b.row for b in source.bad_lines}
    numbers, row = [], batch.first_row
    for _ in range(batch.table.num_rows):
        while row in skipped:
            row += 1
        numbers.append(row)
        row += 1
    return pa.array(numbers, pa.int64())


def _import_batch(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source: Source,
    batch: Batch,
    present: dict[str, str],
    writer: pq.ParquetWriter,
    result: TableReport,
) -> None:
    arrow = batch.table.append_column("__row", _row_numbers(batch, source))
    sql, outputs = _batch_sql(table, present)
    con.register("batch", arrow)
    con.execute(f"CREATE OR REPLACE TEMP TABLE norm AS {sql}")
    con.unregister("batch")
    columns = ", ".join(_quote(c) for c in outputs)
    good = con.sql(f"SELECT {columns} FROM norm WHERE len(__errors) = 0 ORDER BY __row").to_arrow_table()
    writer.write_table(good.cast(arrow_schema(table)))
    rejected, flagged = con.sql(
        "SELECT count(*) FILTER (WHERE len(__errors) > 0),"
        " count(*) FILTER (WHERE len(__errors) = 0 AND len(__flags) > 0) FROM norm"
    ).fetchone() or (0, 0)
    result.rows_read += arrow.num_rows
    result.rows_written += good.num_rows
    result.rows_rejected += rejected
    result.rows_flagged += flagged
    for kind, add in (("__errors", result.reject), ("__flags", result.flag)):
        rows = con.sql(f"SELECT __row, {kind} FROM norm WHERE len({kind}) > 0 ORDER BY __row LIMIT 200").fetchall()
        for row, items in rows:
            for item in items:
                add(Problem(source.label, row, item["c"], item["v"], item["m"]))
