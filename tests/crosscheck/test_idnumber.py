"""ID numbers (GB 11643-1999): DOMAIN examples, normalisation, and the SQL twins agree with Python."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.crosscheck import idnumber
from jixiao.crosscheck.idnumber import check_char, check_id

WUHAN = ["420102", "420106", "420111", "420117", "110105", "440524", "610104"]


@pytest.mark.parametrize("value", ["11010519491231002X", "440524188001010014"])
def test_domain_examples_are_valid(value: str) -> None:
    result = check_id(value)
    assert result.valid and result.normalized == value and result.reasons == []


def test_fifteen_digits_upgrade_to_eighteen() -> None:
    result = check_id("610104620927690")
    assert result.valid
    assert result.normalized == "610104196209276908"
    assert result.birth_date == "1962-09-27"
    assert result.sex == "女"
    assert result.region_code == "610104"
    assert result.reasons == ["15 位旧号码已升级为 18 位"]


def test_returns_exactly_the_documented_fields() -> None:
    assert set(check_id("11010519491231002X").as_dict()) == {
        "input",
        "valid",
        "normalized",
        "reasons",
        "birth_date",
        "sex",
        "region_code",
    }


@pytest.mark.parametrize(
    "raw", ["１１０１０５１９４９１２３１００２ｘ", " 1101 0519 4912 3100 2x ", "11010519491231002x\u3000"]
)
def test_full_width_spaces_and_lower_x_are_normalised(raw: str) -> None:
    result = check_id(raw)
    assert result.valid and result.normalized == "11010519491231002X" and result.input == raw


@pytest.mark.parametrize("raw", ["4.20117E+17", "4.2011719800101E17", "4.20117e+17"])
def test_scientific_notation_is_flagged_unrecoverable(raw: str) -> None:
    result = check_id(raw)
    assert not result.valid
    assert "科学计数法" in result.reasons[0] and "无法恢复" in result.reasons[0]
    assert idnumber.is_scientific(raw)


def test_wrong_check_character_names_the_expected_one() -> None:
    result = check_id("110105194912310021")
    assert not result.valid
    assert result.reasons == ["校验码应为 X,实际为 1"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "身份证号为空"),
        ("12345", "长度应为 18 位(或旧 15 位),实际 5 位"),
        ("11010519491231A02X", "前 17 位必须是数字,第 18 位必须是数字或 X"),
    ],
)
def test_shape_problems(value: str, reason: str) -> None:
    assert check_id(value).reasons == [reason]


def _with_check(body: str) -> str:
    return body + check_char(body)


def test_birth_date_must_be_real_past_and_after_1880() -> None:
    assert "不是有效日期" in check_id(_with_check("11010519490230002")).reasons[0]
    assert "早于 1880 年" in check_id(_with_check("11010518791231002")).reasons[0]
    future = check_id(_with_check("11010520300101002"), today=dt.date(2025, 1, 1))
    assert "晚于今天" in future.reasons[0]


def test_unknown_province_is_invalid_unknown_county_only_noted() -> None:
    assert "省级前缀 99 不存在" in check_id(_with_check("99010519491231002")).reasons[0]
    partial = check_id(_with_check("42019919491231002"))
    assert partial.valid
    assert partial.reasons == ["地区码 420199 不在内置县级代码表中,仅按省级前缀 42(湖北省)校验"]


def test_region_list_has_every_province_and_wuhan() -> None:
    assert len(idnumber.province_prefixes()) == 34
    assert {"420102", "420117", "110105", "440524", "610104"} <= set(idnumber.region_codes())


bodies = st.builds(
    lambda region, day, seq: f"{region}{day:%Y%m%d}{seq:03d}",
    st.sampled_from(WUHAN),
    st.dates(min_value=dt.date(1880, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(0, 999),
)


@settings(deadline=None)
@given(bodies)
def test_generated_ids_validate(body: str) -> None:
    result = check_id(body + check_char(body))
    assert result.valid, result.reasons


@settings(deadline=None)
@given(bodies, st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_invalidates(body: str, position: int, shift: int) -> None:
    valid = body + check_char(body)
    digit = (int(valid[position]) + shift) % 10
    changed = valid[:position] + str(digit) + valid[position + 1 :]
    assert not check_id(changed).valid


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    idnumber.register_macros(connection)
    return connection


candidates = st.one_of(
    bodies.map(lambda b: b + check_char(b)), bodies.map(lambda b: b + "0"), st.text("0123456789X", max_size=19)
)


@settings(max_examples=15, deadline=None)
@given(st.lists(candidates, min_size=1, max_size=40))
def test_sql_twin_agrees_with_python(con: duckdb.DuckDBPyConnection, values: list[str]) -> None:
    got = con.execute(
        "SELECT v, id_problem(id_normalize(v)), id_birth_date(id_normalize(v)) FROM unnest(?) t(v)", [values]
    ).fetchall()
    for value, problem, birth in got:
        result = check_id(value)
        assert (problem is None) == result.valid, (value, problem, result.reasons)
        if result.valid:
            assert birth.isoformat() == result.birth_date


def test_sql_age_and_normalise_macros(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        "SELECT id_normalize('610104620927690'), id_age('11010519491231002X', DATE '2024-12-30'),"
        " id_age('11010519491231002X', DATE '2024-12-31')"
    ).fetchone()
    assert row == ("610104196209276908", 74, 75)
