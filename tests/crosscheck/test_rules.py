"""Every rule finds exactly its planted cases on the synthetic city (DuckDB engine)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jixiao.crosscheck.engine import RunResult, run
from jixiao.crosscheck.rules import RULES, RULES_BY_CODE, select_rules

from .conftest import keys


@pytest.mark.parametrize("code", [rule.code for rule in RULES])
def test_rule_finds_exactly_the_planted_cases(code: str, city: Path, city_run: RunResult) -> None:
    found = {k for k in keys(city_run.clues_path) if k[0] == code}
    planted = {k for k in keys(city / "truth.parquet") if k[0] == code}
    assert planted, f"no planted case for {code}"
    assert found == planted


def test_every_rule_ran(city_run: RunResult) -> None:
    assert [o.code for o in city_run.outcomes] == [f"R{n:02d}" for n in range(1, 31)]
    assert {o.status for o in city_run.outcomes} == {"ok"}


def _clues(result: RunResult, code: str) -> list[dict]:
    return [r for r in pq.read_table(result.clues_path).to_pylist() if r["rule"] == code]


def test_death_clue_counts_months_after_grace(city_run: RunResult) -> None:
    by_program = {c["program"]: c for c in _clues(city_run, "R01")}
    assert by_program["P04"]["periods"] == "2024-06,2024-07,2024-08,2024-09,2024-10,2024-11,2024-12"
    assert by_program["P04"]["period"] == "2024-06"
    assert float(by_program["P04"]["amount_at_risk"]) == 700.0
    assert by_program["P07"]["periods"] == "2024-10,2024-11,2024-12"  # one grace month for P07
    evidence = json.loads(by_program["P04"]["evidence"])
    assert len(evidence) == 7 and evidence[0]["death_date"] == "2024-05-10" and evidence[0]["death_records"] == 2


def test_invalid_id_clues_carry_the_reason_and_raw_value(city_run: RunResult) -> None:
    reasons = {c["person_id"]: json.loads(c["evidence"])[0]["problem"] for c in _clues(city_run, "R19")}
    assert reasons["4.20117E+17"] == "科学计数法,后几位已丢失"
    assert reasons["420103198001010011"] == "校验码错误"
    assert sorted(reasons.values()) == ["出生日期不是有效日期", "校验码错误", "科学计数法,后几位已丢失"]


def test_amount_at_risk_is_the_excess_above_standard(city_run: RunResult) -> None:
    amounts = sorted(float(c["amount_at_risk"]) for c in _clues(city_run, "R18"))
    assert amounts == [0.0, 6000.0, 9600.0]  # zero payment; 500 × 12 over max; 800 × 12 over 2 × 800


def test_clue_columns(city_run: RunResult) -> None:
    names = pq.read_schema(city_run.clues_path).names
    assert names == [
        "rule",
        "person_id",
        "person_name",
        "program",
        "region_code",
        "period",
        "periods",
        "amount_at_risk",
        "severity",
        "evidence",
    ]


def test_summary_counts_match_clues(city_run: RunResult) -> None:
    summary = json.loads(city_run.summary_path.read_text(encoding="utf-8"))
    clues = pq.read_table(city_run.clues_path).column("rule").to_pylist()
    assert summary["rules"]["R16"] == {
        "title": "一卡多人或领取人非本人",
        "clues": clues.count("R16"),
        "amount_at_risk": 3600.0,
        "skipped": False,
        "status": "ok",
        "reason": None,
        "seconds": summary["rules"]["R16"]["seconds"],
    }
    assert summary["rows_read"]["payments"] == city_run.rows_read["payments"] > 30000


def test_rules_without_their_file_are_skipped_and_say_which(city: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(city, data)
    for name in ("properties", "incomes", "proxies", "hukou", "farmland", "medical_costs"):
        (data / f"{name}.parquet").unlink()
    result = run(data, tmp_path / "out", rules="R05,R06,R07,R17,R20,R26,R27,R09", memory_limit="1GB")
    reasons = {o.code: o.reason for o in result.outcomes if o.skipped}
    assert reasons == {
        "R05": "缺少文件:properties(不动产登记)",
        "R06": "缺少文件:incomes(收入(公积金、个税、养老金))",
        "R07": "缺少文件:incomes(收入(公积金、个税、养老金))",
        "R17": "缺少文件:proxies(代领备案)",
        "R20": "缺少文件:hukou(户籍登记地)",
        "R26": "缺少文件:farmland(耕地承包)",
        "R27": "缺少文件:medical_costs(医疗费用)",
    }
    assert [o.clues for o in result.outcomes if o.code == "R09"] == [1]


def test_parameters_can_be_overridden(city: Path, tmp_path: Path) -> None:
    result = run(city, tmp_path, rules="R16", params={"max_payees_per_account": 5}, memory_limit="1GB")
    assert result.outcomes[0].clues == 1  # only the account-holder case is left


def test_select_rules_rejects_unknown_codes_in_chinese() -> None:
    assert [r.code for r in select_rules("r01, R02")] == ["R01", "R02"]
    with pytest.raises(ValueError, match="未知的规则编号:R99"):
        select_rules("R01,R99")


def test_rule_sql_declares_only_known_parameters() -> None:
    for rule in RULES:
        assert not re.search(r"\$\{|@\w+\(", rule.sql()), rule.code
    assert RULES_BY_CODE["R01"].params == {"grace_months": 0}
