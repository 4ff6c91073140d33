"""Parsing of indicator values as units write them (DOMAIN.md §6 «Reading filled-in tables»)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.indicators.values import (
    ACHIEVED,
    EQ,
    GE,
    LE,
    MISSED,
    PARTIAL,
    QUALITATIVE,
    canonical_unit,
    classify_tier,
    convert,
    format_number,
    is_cost_context,
    meets_target,
    normalize_operator,
    normalize_text,
    parse_actual,
    parse_target,
)

# --- operators ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "operator"),
    [
        ("≥90%", GE),
        (">=90%", GE),
        ("＞=90%", GE),
        ("不低于90%", GE),
        ("不少于90%", GE),
        ("90%以上", GE),
        ("90%及以上", GE),
        ("≤5%", LE),
        ("<=5%", LE),
        ("不高于5%", LE),
        ("不超过5%", LE),
        ("5%以内", LE),
        ("5%以下", LE),
        ("=100%", EQ),
        (">90%", GE),
        ("<5%", LE),
    ],
)
def test_written_operator_is_read_and_marked_explicit(text, operator):
    # Given a target with an operator in any of its spellings, when parsed, then that operator is read.
    parsed = parse_target(text)

    assert parsed.operator == operator
    assert parsed.operator_explicit is True


def test_longest_operator_word_wins_over_its_tail():
    # 不低于 ends in 低于 (≤): the longer word must win.
    assert parse_target("不低于4754人").operator == GE
    assert parse_target("低于4754人").operator == LE


@pytest.mark.parametrize(
    ("written", "operator"),
    [("≥", GE), (">=", GE), ("不低于", GE), (">", GE), ("≤", LE), ("不超过", LE), ("<", LE), ("=", EQ)],
)
def test_operator_field_spellings_normalise(written, operator):
    assert normalize_operator(written) == operator


def test_operator_field_qualitative_and_unknown():
    assert normalize_operator("定性") == QUALITATIVE
    assert normalize_operator("约") is None
    assert normalize_operator("") is None


# --- numbers without operator -------------------------------------------------------------------------


def test_number_without_operator_is_at_least():
    # Given "29.5亩" and "95%" (published targets without operator), then they read as ≥.
    area, share = parse_target("29.5亩"), parse_target("95%")

    assert (area.operator, area.number, area.unit, area.operator_explicit) == (GE, 29.5, "亩", False)
    assert (share.operator, share.number, share.unit) == (GE, 95.0, "%")


@pytest.mark.parametrize(
    ("level1", "level2", "name"),
    [
        ("成本指标", "经济成本指标", "人均帮扶资金"),
        ("产出指标", "成本指标", "户均改造资金"),
        ("产出", "质量", "道路硬化单位成本"),
        ("产出", "质量", "饲料单价"),
        ("产出", "数量", "雨露计划补助标准"),
    ],
)
def test_number_without_operator_in_cost_context_is_at_most(level1, level2, name):
    parsed = parse_target("1500", level1=level1, level2=level2, name=name)

    assert parsed.operator == LE
    assert is_cost_context(level1, level2, name) is True


def test_standard_that_is_not_a_subsidy_keeps_default_at_least():
    # 标准 alone is not a cost: only the 标准 of a subsidy (补助/补贴/资助 …) is.
    assert is_cost_context("产出", "质量", "农村低保保障标准") is False
    assert parse_target("5000", level1="产出", level2="质量", name="农村低保保障标准").operator == GE


def test_explicit_operator_beats_cost_default():
    parsed = parse_target("≥1500元", level1="成本", level2="经济成本", name="补助标准")

    assert parsed.operator == GE


# --- months --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["9月前", "9月底前", "9月末前", "9月份前"])
def test_month_deadline_is_at_most_month(text):
    parsed = parse_target(text)

    assert (parsed.operator, parsed.number, parsed.unit, parsed.month) == (LE, 9.0, "月", 9)


def test_dated_deadline_keeps_year_and_next_year():
    dated = parse_target("2020年12月31日前")
    following = parse_target("次年3月底前")
    year_end = parse_target("年底前")

    assert (dated.month, dated.year, dated.next_year) == (12, 2020, False)
    assert (following.month, following.next_year) == (3, True)
    assert (year_end.operator, year_end.month) == (LE, 12)


def test_count_next_to_year_words_is_not_a_date():
    # 年末存栏500头 is a herd size, not a deadline.
    parsed = parse_target("年末存栏500头")

    assert (parsed.month, parsed.number, parsed.unit, parsed.operator) == (None, 500.0, "头", GE)


def test_timeliness_row_reads_the_date_despite_other_numbers():
    # In a 时效 row "2019年11月底前完成100户" is a deadline; elsewhere the first number would be 2019年.
    timely = parse_target("2019年11月底前完成100户", level2="时效指标")

    assert (timely.month, timely.year, timely.operator) == (11, 2019, LE)
    assert parse_target("2019年11月底前完成100户").month is None


def test_duration_in_months_is_not_a_date():
    parsed = parse_target("≤12个月")

    assert (parsed.month, parsed.number, parsed.unit) == (None, 12.0, "个月")


def test_actual_month_is_its_number_and_meets_deadline():
    target = parse_target("9月前")
    on_time, late = parse_actual("7月", target=target), parse_actual("10月", target=target)

    assert (on_time.number, on_time.month, on_time.is_measurement) == (7.0, 7, True)
    assert meets_target(target, on_time) is True
    assert meets_target(target, late) is False


def test_dot_dates_only_in_time_context():
    assert parse_target("2020.11", level2="时效").month == 11
    assert parse_target("2020.11").month is None


# --- units ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("4604人", 4604, "人"),
        ("120户", 120, "户"),
        ("3个", 3, "个"),
        ("29.5亩", 29.5, "亩"),
        ("2.5公里", 2.5, "公里"),
        ("50万元", 50, "万元"),
        ("14000元/户", 14000, "元/户"),
        ("500元/人·月", 500, "元/人·月"),
        ("500元/人/月", 500, "元/人·月"),
        ("1500元/生·学期", 1500, "元/生·学期"),
        ("300kW", 300, "kW"),
        ("300千瓦", 300, "kW"),
        ("25㎡", 25, "㎡"),
        ("25平方米", 25, "㎡"),
        ("20年", 20, "年"),
        ("266米", 266, "米"),
        ("1.2万人", 1.2, "万人"),
        ("60万元/公里", 60, "万元/公里"),
        ("5栋", 5, "栋"),
    ],
)
def test_unit_follows_the_number(text, number, unit):
    parsed = parse_target(text)

    assert (parsed.number, parsed.unit) == (number, unit)


def test_unit_stops_before_suffix_operator():
    parsed = parse_target("500元/人·月以上")

    assert (parsed.unit, parsed.operator) == ("元/人·月", GE)


def test_wan_and_yi_scale_only_when_units_differ():
    # Same unit: the numbers compare as written; different units: 万/亿 scale.
    assert convert(5, "万元", "万元") == 5
    assert convert(50000, "元", "万元") == 5
    assert convert(1.2, "万人", "人") == 12000
    assert convert(3, "亿元", "万元") == 30000
    assert convert(5, "", "万元") == 5
    assert convert(5, "亩", "人") is None


def test_actual_in_other_magnitude_meets_target():
    target = parse_target("≥5万元")

    assert meets_target(target, parse_actual("50000元", target=target)) is True
    assert meets_target(target, parse_actual("49999元", target=target)) is False
    assert meets_target(target, parse_actual("5", target=target)) is True


def test_canonical_units():
    assert canonical_unit("平方米") == "㎡"
    assert canonical_unit("KW") == "kW"
    assert canonical_unit("元/m2") == "元/㎡"
    assert canonical_unit("万千瓦时") == "万kWh"
    assert canonical_unit(" 人 ") == "人"


# --- percentages, full-width digits, commas -----------------------------------------------------------


def test_full_width_digits_and_signs():
    parsed = parse_target("≥９５％")

    assert (parsed.operator, parsed.number, parsed.unit) == (GE, 95.0, "%")


def test_thousands_commas_western_and_chinese():
    assert parse_target("4,754人").number == 4754
    assert parse_target("4，754人").number == 4754
    assert parse_target("1,234,567元").number == 1234567


def test_chinese_percentage_words():
    assert (parse_target("百分之百").number, parse_target("百分之百").unit) == (100.0, "%")
    assert parse_target("百分之95").number == 95.0


def test_numeric_targets_from_json():
    assert parse_target(95).number == 95.0
    assert parse_target(0.5).number == 0.5
    assert parse_target(None).is_blank


# --- several items -------------------------------------------------------------------------------------


def test_several_items_in_one_cell_are_parsed_one_by_one():
    parsed = parse_target("梨树6亩; 桃1亩")

    assert [(i.label, i.number, i.unit) for i in parsed.items] == [("梨树", 6.0, "亩"), ("桃", 1.0, "亩")]


@pytest.mark.parametrize("separator", ["; ", "；", ",", "，", "、", "\n"])
def test_item_separators(separator):
    assert len(parse_target(f"梨树6亩{separator}桃1亩").items) == 2


def test_items_met_only_when_all_are():
    target = parse_target("梨树6亩; 桃1亩")

    assert meets_target(target, parse_actual("梨树6亩；桃1亩", target=target)) is True
    assert meets_target(target, parse_actual("桃1亩; 梨树5亩", target=target)) is False
    assert meets_target(target, parse_actual("桃2亩; 梨树6亩", target=target)) is True


def test_single_target_against_several_actual_items_compares_the_sum():
    target = parse_target("≥7亩")

    assert meets_target(target, parse_actual("梨树6亩; 桃1亩", target=target)) is True


def test_a_trailing_remark_does_not_make_an_item():
    parsed = parse_target("≥90%,且不低于上年")

    assert len(parsed.items) == 1
    assert parsed.number == 90.0


# --- qualitative ---------------------------------------------------------------------------------------


def test_phrase_target_is_qualitative():
    parsed = parse_target("群众居住条件达到安全标准")

    assert (parsed.operator, parsed.number, parsed.is_quantitative) == (QUALITATIVE, None, False)


@pytest.mark.parametrize(
    ("actual", "tier"),
    [
        ("达成预期指标", ACHIEVED),
        ("达成", ACHIEVED),
        ("已完成", ACHIEVED),
        ("是", ACHIEVED),
        ("及时", ACHIEVED),
        ("合格", ACHIEVED),
        ("效果明显", ACHIEVED),
        ("部分达成", PARTIAL),
        ("基本达到", PARTIAL),
        ("基本完成", PARTIAL),
        ("未达成", MISSED),
        ("未完成", MISSED),
        ("否", MISSED),
        ("不及时", MISSED),
        ("不合格", MISSED),
        ("效果不明显", MISSED),
    ],
)
def test_qualitative_actual_tiers(actual, tier):
    assert classify_tier(actual) == tier


def test_target_own_wording_is_achieved():
    target = parse_target("住房安全有保障")

    actual = parse_actual("住房安全有保障", target=target)

    assert actual.tier == ACHIEVED
    assert meets_target(target, actual) is True


def test_unknown_wording_has_no_tier():
    assert classify_tier("见附件") is None
    assert classify_tier("") is None


# --- is the actual a measurement? (Q18) --------------------------------------------------------------


def test_actual_copying_the_target_with_operator_is_not_a_measurement():
    target = parse_target("≥266米")

    actual = parse_actual("≥266米", target=target)

    assert (actual.is_measurement, actual.problem, actual.operator, actual.number) == (False, "operator", GE, 266.0)
    assert meets_target(target, actual) is None


def test_actual_with_suffix_operator_is_not_a_measurement():
    actual = parse_actual("95%以上", target=parse_target("≥95%"))

    assert (actual.is_measurement, actual.problem) == (False, "operator")


def test_phrase_actual_for_numeric_target_is_not_a_measurement_but_has_a_tier():
    actual = parse_actual("达成预期指标", target=parse_target("≥90%"))

    assert (actual.is_measurement, actual.problem, actual.tier) == (False, "phrase", ACHIEVED)


def test_phrase_actual_for_qualitative_target_is_a_measurement():
    actual = parse_actual("基本达到", target=parse_target("达到住房安全标准"))

    assert (actual.is_measurement, actual.tier) == (True, PARTIAL)


def test_blank_actual():
    actual = parse_actual("  ", target=parse_target("≥1"))

    assert (actual.is_measurement, actual.problem, actual.is_blank) == (False, "blank", True)


def test_shortfall_is_a_measurement_that_misses_the_target():
    # 4604 against ≥4754: the published full-marks error; the reading must say "missed".
    target = parse_target("≥4754")
    actual = parse_actual("4604", target=target)

    assert (actual.is_measurement, actual.number, actual.unit) == (True, 4604.0, "")
    assert meets_target(target, actual) is False


def test_reverse_and_exact_targets():
    at_most, exact = parse_target("≤25㎡"), parse_target("=100%")

    assert meets_target(at_most, parse_actual("24.5平方米", target=at_most)) is True
    assert meets_target(at_most, parse_actual("26㎡", target=at_most)) is False
    assert meets_target(exact, parse_actual("100%", target=exact)) is True
    assert meets_target(exact, parse_actual("98%", target=exact)) is False


def test_reaching_the_bound_exactly_is_met():
    at_most, deadline, at_least = parse_target("≤25㎡"), parse_target("9月底前"), parse_target("≥4754人")

    assert meets_target(at_most, parse_actual("25㎡", target=at_most)) is True
    assert meets_target(deadline, parse_actual("9月", target=deadline)) is True
    assert meets_target(at_least, parse_actual("4754人", target=at_least)) is True


def test_satisfaction_equal_to_target_is_met():
    # The sample scored 98% against ≥98% as 19.6 of 20; reading must say met.
    target = parse_target("≥98%")

    assert meets_target(target, parse_actual("98%", target=target)) is True


# --- round trips and robustness ------------------------------------------------------------------------

_OPERATOR_WORDS = [("≥", GE), ("不低于", GE), ("≤", LE), ("不超过", LE), ("=", EQ), ("", GE)]
_UNITS = ["人", "户", "个", "亩", "公里", "万元", "元", "%", "元/人·月", "kW", "㎡", "年", "人次", "元/户"]
_FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


@given(
    number=st.decimals(min_value=0, max_value=10**8, places=2, allow_nan=False, allow_infinity=False),
    operator=st.sampled_from(_OPERATOR_WORDS),
    unit=st.sampled_from(_UNITS),
    full_width=st.booleans(),
    thousands=st.booleans(),
)
def test_numbers_round_trip(number: Decimal, operator, unit, full_width, thousands):
    word, expected = operator
    digits = f"{number:,f}" if thousands else f"{number:f}"
    if full_width:
        digits = digits.translate(_FULL_WIDTH)

    parsed = parse_target(f"{word}{digits}{unit}")

    assert parsed.number == float(number)
    assert parsed.operator == expected
    assert parsed.unit == unit


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_format_number_round_trips(number):
    assert float(format_number(number)) == pytest.approx(number, rel=1e-6, abs=1e-6)


@given(text=st.text(max_size=40), target=st.text(max_size=40))
def test_parsing_never_raises(text, target):
    parsed_target = parse_target(target, level1="成本", name="单价")
    actual = parse_actual(text, target=parsed_target)

    assert actual.is_measurement in (True, False)
    assert normalize_text(text) == actual.text
    meets_target(parsed_target, actual)
