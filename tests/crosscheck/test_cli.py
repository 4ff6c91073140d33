"""The command line: run, import, idcheck, synth — exit codes, files written, Chinese messages."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jixiao.crosscheck.cli import main


def call(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), stdout=out), out.getvalue()


def test_run_writes_clues_and_summary(city: Path, tmp_path: Path) -> None:
    code, text = call("run", "--data", str(city), "--out", str(tmp_path), "--rules", "R01,R15,R19", "--quiet")
    assert code == 0
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["rules"]) == ["R01", "R15", "R19"]
    assert summary["rules"]["R15"] | {"seconds": 0} == {
        "title": "同一人同项目同月重复发放",
        "clues": 1,
        "amount_at_risk": 80.0,
        "skipped": False,
        "status": "ok",
        "reason": None,
        "seconds": 0,
    }
    assert set(summary) >= {"rules", "rows_read", "seconds"} and summary["rows_read"]["deaths"] > 0
    clues = pq.read_table(tmp_path / "clues.parquet")
    assert sorted(set(clues.column("rule").to_pylist())) == ["R01", "R15", "R19"]
    assert "共 6 条线索" in text


def test_run_without_payments_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").mkdir()
    code, _ = call("run", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out"), "--quiet")
    assert code == 2
    assert "没有 payments(发放名册)文件,无法比对" in capsys.readouterr().err


def test_unknown_rule_and_bad_arguments_are_refused(
    city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert call("run", "--data", str(city), "--out", str(tmp_path), "--rules", "R77", "--quiet")[0] == 2
    assert "未知的规则编号:R77" in capsys.readouterr().err
    assert call("run", "--data", str(city))[0] == 2
    assert "参数错误" in capsys.readouterr().err


def test_idcheck_prints_a_table_and_fails_on_invalid(tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("11010519491231002X\n610104620927690\n\n110105194912310021\n", encoding="utf-8")
    code, text = call("idcheck", str(ids))
    assert code == 1
    assert "610104196209276908" in text and "校验码应为 X,实际为 1" in text
    assert text.strip().endswith("共 3 个号码,有效 2 个,无效 1 个")
    good = tmp_path / "good.txt"
    good.write_text("440524188001010014\n", encoding="utf-8")
    assert call("idcheck", str(good))[0] == 0


def test_idcheck_reads_a_csv_column_as_json(tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    src.write_text("name,sfz\n张三,11010519491231002x\n李四,4.20117E+17\n", encoding="utf-8")
    code, text = call("idcheck", str(src), "--column", "sfz", "--json", "--invalid-only")
    lines = [json.loads(line) for line in text.splitlines()[:-1]]
    assert code == 1
    assert [line["input"] for line in lines] == ["4.20117E+17"]


def test_import_reports_and_exit_code(tmp_path: Path) -> None:
    src = tmp_path / "deaths.csv"
    src.write_text(
        "person_id,name,death_date\n11010519491231002X,张三,2024年1月5日\n11010519491231002X,李四,昨天\n",
        encoding="utf-8",
    )
    code, text = call(
        "import", "--src", str(src), "--data", str(tmp_path / "data"), "--quiet", "--report", str(tmp_path / "r.json")
    )
    assert code == 1
    assert "表 deaths(deaths.csv):读取 2 行,导入 1 行,拒收 1 行" in text
    assert "第 3 行 列「death_date」 值「昨天」" in text
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["tables"]["deaths"]["rows_written"] == 1


def test_synth_then_run_on_csv_imports_first(tmp_path: Path) -> None:
    code, text = call(
        "synth", "--people", "600", "--out", str(tmp_path / "csv"), "--seed", "3", "--format", "csv", "--quiet"
    )
    assert code == 0 and "埋设线索" in text
    assert (tmp_path / "csv" / "payments.csv").exists() and not (tmp_path / "csv" / "payments.parquet").exists()
    code, text = call("run", "--data", str(tmp_path / "csv"), "--out", str(tmp_path / "out"), "--quiet")
    assert code == 0 and "已先导入" in text
    truth = pq.read_table(tmp_path / "csv" / "truth.parquet").to_pylist()
    clues = pq.read_table(tmp_path / "out" / "clues.parquet").to_pylist()
    assert {(c["rule"], c["person_id"]) for c in clues} == {(t["rule"], t["person_id"]) for t in truth}


def test_progress_bar_goes_to_stderr(city: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call("run", "--data", str(city), "--out", str(tmp_path), "--rules", "R09")[0] == 0
    assert "100%  比对完成" in capsys.readouterr().err


def test_django_command_passes_arguments_to_main(tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    ids = tmp_path / "ids.txt"
    ids.write_text("11010519491231002X\n", encoding="utf-8")
    out = io.StringIO()
    call_command("crosscheck", "idcheck", str(ids), stdout=out)
    assert "有效 1 个,无效 0 个" in out.getvalue()
    ids.write_text("110105194912310021\n", encoding="utf-8")
    with pytest.raises(CommandError, match="退出码 1"):
        call_command("crosscheck", "idcheck", str(ids), stdout=io.StringIO())
