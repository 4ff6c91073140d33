"""Importing messy files: encodings, dates, amounts, scientific IDs, missing columns, mappings, formats."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from jixiao.crosscheck.importer import import_path
from jixiao.crosscheck.mapping import ColumnMapping, load_mapping, save_mapping

HEADER = "payment_id,payee_id,payee_name,program,region_code,period,amount,paid_on\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def rows(data: Path, table: str = "payments") -> list[dict]:
    return pq.read_table(data / f"{table}.parquet").to_pylist()


def test_dates_amounts_and_ids_are_normalised(tmp_path: Path) -> None:
    src = write(
        tmp_path / "payments.csv",
        HEADER
        + '1,11010519491231002x,张三,P01,420102,2024-01,"1,234.50",2024-01-05\n'
        + "2,610104620927690,李四,P01,420102,2024/2,100,2024/1/5\n"
        + "3,１１０１０５１９４９１２３１００２Ｘ,王五,P01,420102,202403,¥80,20240105\n"
        + "4,11010519491231002X,赵六,P01,420102,2024年4月,80元,2024年1月5日\n",
    )
    report = import_path(src, tmp_path / "data")
    assert report.ok
    got = rows(tmp_path / "data")
    assert [r["payee_id"] for r in got] == [
        "11010519491231002X",
        "610104196209276908",
        "11010519491231002X",
        "11010519491231002X",
    ]
    assert [r["payee_id_raw"] for r in got][:2] == ["11010519491231002x", "610104620927690"]
    assert [str(r["amount"]) for r in got] == ["1234.50", "100.00", "80.00", "80.00"]
    assert [r["period"] for r in got] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert {r["paid_on"].isoformat() for r in got} == {"2024-01-05"}
    assert report.tables["payments"].notes[0] == "payments.csv:可选列「account_no」缺失,按空值导入"


def test_bad_values_are_rejected_with_file_row_column_value(tmp_path: Path) -> None:
    src = write(
        tmp_path / "payments.csv",
        HEADER
        + "1,11010519491231002X,张三,P01,420102,2024-01,12.3.4,2024-01-05\n"
        + "2,,李四,P01,420102,2024-13,100,2024-01-05\n"
        + "3,11010519491231002X,王五,P01,420102,2024-01,100,2024-02-30\n",
    )
    report = import_path(src, tmp_path / "data")
    table = report.tables["payments"]
    assert (table.rows_read, table.rows_written, table.rows_rejected) == (3, 0, 3)
    assert [str(p) for p in table.rejected] == [
        "文件 payments.csv 第 2 行 列「amount」 值「12.3.4」:不是有效的金额(元,如 1234.50 或 1,234.50)",
        "文件 payments.csv 第 3 行 列「payee_id」:必填项为空",
        "文件 payments.csv 第 3 行 列「period」 值「2024-13」:不是有效的年月(YYYY-MM)",
        "文件 payments.csv 第 4 行 列「paid_on」 值「2024-02-30」:不是有效的日期(如 2024-01-05、2024/1/5、20240105、2024年1月5日)",
    ]
    assert not report.ok


def test_scientific_notation_ids_are_imported_but_flagged(tmp_path: Path) -> None:
    src = write(tmp_path / "payments.csv", HEADER + "1,4.20117E+17,张三,P01,420102,2024-01,100,\n")
    report = import_path(src, tmp_path / "data")
    table = report.tables["payments"]
    assert (table.rows_written, table.rows_flagged) == (1, 1)
    assert "科学计数法" in str(table.flagged[0]) and "第 2 行" in str(table.flagged[0])


def test_wrong_column_count_names_the_line(tmp_path: Path) -> None:
    src = write(
        tmp_path / "payments.csv",
        HEADER
        + "1,11010519491231002X,张三,P01,420102,2024-01,100,,extra\n"
        + "2,11010519491231002X,李四,P01,420102,2024-01,100,\n",
    )
    table = import_path(src, tmp_path / "data").tables["payments"]
    assert (table.rows_written, table.rows_rejected) == (1, 1)
    assert str(table.rejected[0]).startswith("文件 payments.csv 第 2 行 值「1,11010519491231002X")
    assert "列数不对(应有 8 列,实际 9 列)" in str(table.rejected[0])


def test_gbk_file_needs_the_declared_encoding(tmp_path: Path) -> None:
    src = write(tmp_path / "payments.csv", HEADER + "1,11010519491231002X,张三,P01,420102,2024-01,100,\n", "gbk")
    refused = import_path(src, tmp_path / "data")
    assert refused.tables["payments"].rows_written == 0
    assert "不是 UTF-8 编码" in str(refused.errors[0]) and "--encoding gbk" in str(refused.errors[0])
    assert not (tmp_path / "data" / "payments.parquet").exists()
    accepted = import_path(src, tmp_path / "data", encoding="gbk")
    assert accepted.ok and rows(tmp_path / "data")[0]["payee_name"] == "张三"


def test_missing_required_columns_refuse_the_file(tmp_path: Path) -> None:
    src = write(tmp_path / "payments.csv", "payment_id,姓名,amount\n1,张三,100\n")
    report = import_path(src, tmp_path / "data")
    message = str(report.errors[0])
    assert message.startswith(
        "文件 payments.csv 第 1 行:缺少必需的列:payee_id、payee_name、program、region_code、period"
    )
    assert "--mapping" in message
    assert not (tmp_path / "data" / "payments.parquet").exists()


def test_mapping_renames_headers_and_names_the_table(tmp_path: Path) -> None:
    mapping = ColumnMapping(
        table="payments",
        columns={
            "流水号": "payment_id",
            "身份证号码": "payee_id",
            "姓名": "payee_name",
            "项目": "program",
            "区划": "region_code",
            "月份": "period",
            "金额": "amount",
        },
        encoding="gbk",
    )
    saved = load_mapping(save_mapping(mapping, tmp_path / "mapping.json"))
    assert saved == mapping
    src = write(
        tmp_path / "发放名册.csv",
        "流水号,身份证号码,姓名,项目,区划,月份,金额,备注\n9,11010519491231002X,张三,P01,420102,2024-01,100,无\n",
        "gbk",
    )
    report = import_path(src, tmp_path / "data", mapping=saved)
    assert report.ok and rows(tmp_path / "data")[0]["payment_id"] == "9"
    assert "列「备注」不在 payments 的标准格式中,已忽略" in report.tables["payments"].notes[0]


def test_malformed_mapping_is_explained(tmp_path: Path) -> None:
    bad = write(tmp_path / "m.json", '{"table": "paymentz", "columns": {}}')
    with pytest.raises(ValueError, match="表名「paymentz」不存在"):
        load_mapping(bad)


def test_xlsx_numbers_dates_and_excel_mangled_ids(tmp_path: Path) -> None:
    path = tmp_path / "deaths.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("死亡名单")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["person_id", "name", "death_date", "source"])
    sheet.write_row(1, 0, ["11010519491231002X", "张三"])
    sheet.write_datetime(1, 2, __import__("datetime").datetime(2024, 3, 5), date_format)
    sheet.write_number(2, 0, 420117198001010011)  # typed as a number: Excel keeps 15 digits
    sheet.write_row(2, 1, ["李四", "2024/3/6", "民政"])
    sheet.write_number(3, 0, 610104620927690)  # a 15-digit number survives
    sheet.write_row(3, 1, ["王五", "20240307"])
    book.close()
    report = import_path(path, tmp_path / "data")
    got = rows(tmp_path / "data", "deaths")
    assert [r["person_id"] for r in got] == ["11010519491231002X", "4.2011719800101E+17", "610104196209276908"]
    assert [r["death_date"].isoformat() for r in got] == ["2024-03-05", "2024-03-06", "2024-03-07"]
    flagged = report.tables["deaths"].flagged
    assert len(flagged) == 1 and "deaths.xlsx「死亡名单」工作表 第 3 行" in str(flagged[0])


def test_parquet_source_and_booleans(tmp_path: Path) -> None:
    src = tmp_path / "cadre_relatives.parquet"
    pq.write_table(
        pa.table(
            {
                "cadre_id": ["11010519491231002X"] * 4,
                "relative_id": ["610104620927690"] * 4,
                "relation": ["子女"] * 4,
                "filed": ["是", "否", "1", "false"],
            }
        ),
        src,
    )
    report = import_path(src, tmp_path / "data")
    assert report.ok
    assert [r["filed"] for r in rows(tmp_path / "data", "cadre_relatives")] == [True, False, True, False]


def test_choices_accept_chinese_labels(tmp_path: Path) -> None:
    src = write(
        tmp_path / "programs.csv",
        "program,name,kind,per,means_tested,poverty_targeted\nP01,城市低保,低保,按户,是,否\nP02,奇怪,unknown,person,1,0\n",
    )
    report = import_path(src, tmp_path / "data")
    assert rows(tmp_path / "data", "programs")[0] | {} == {
        "program": "P01",
        "name": "城市低保",
        "kind": "dibao",
        "category": None,
        "per": "household",
        "means_tested": True,
        "poverty_targeted": False,
    }
    assert "列「kind」 值「unknown」:取值应为以下之一" in str(report.tables["programs"].rejected[0])


def test_strict_mode_writes_nothing_when_a_row_is_rejected(tmp_path: Path) -> None:
    src = write(
        tmp_path / "payments.csv",
        HEADER + "1,11010519491231002X,张三,P01,420102,2024-01,abc,\n2,11010519491231002X,李四,P01,420102,2024-01,1,\n",
    )
    report = import_path(src, tmp_path / "data", strict=True)
    assert report.tables["payments"].rows_written == 0
    assert not (tmp_path / "data" / "payments.parquet").exists()


def test_folder_import_streams_in_batches_with_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("jixiao.crosscheck.sources.BATCH_ROWS", 1000)
    src = tmp_path / "src"
    src.mkdir()
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT 'P' || i AS payment_id, '11010519491231002X' AS payee_id, '张三' AS payee_name, 'P01' AS program,"
        f" '420102' AS region_code, '2024-01' AS period, '1,000.00' AS amount FROM range(200000) t(i))"
        f" TO '{src / 'payments.csv'}' (HEADER)"
    )
    write(src / "readme.txt", "not a table")
    calls: list[tuple[int, int, str]] = []
    report = import_path(src, tmp_path / "data", progress=lambda d, t, m: calls.append((d, t, m)))
    assert report.tables["payments"].rows_written == 200000
    assert len(calls) > 1 and calls[-1][0] == calls[-1][1]
    assert "无法识别对应哪张表" in str(report.errors[0])
