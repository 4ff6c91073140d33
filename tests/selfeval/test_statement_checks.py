"""Stated self-evaluation scores against the rules: Q15, Q16, Q17, Q19 on examples from published 自评表."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.selfeval.profiles import get_profile, split_evenly
from jixiao.selfeval.scoring import Budget, IndicatorInput, score
from jixiao.selfeval.statement_checks import (
    STATEMENT_CHECKS,
    StatedExecution,
    StatedIndicator,
    Statement,
    check_statement,
    read_tier,
)

HUBEI = get_profile("hubei")


def row(name, operator, target, actual, points, stated, unit="", **extra):
    return StatedIndicator(name, operator, target, actual, points, stated, unit, **extra)


def findings_for(*rows, execution=None, total=None, profile=None):
    return check_statement(Statement(list(rows), execution, total), profile)


def codes(findings):
    return [(f.code, f.indicator_index) for f in findings]


def balanced(*rows):
    """Pad a table with a 预算执行 row so that points add up to 100 and only the rows under test can fail."""
    points = sum(Decimal(str(r.points)) for r in rows)
    return findings_for(*rows, execution=StatedExecution(100, 100, 100 - points, 100 - points))


def test_catalogue_names_every_code():
    assert sorted(STATEMENT_CHECKS) == ["Q15", "Q16", "Q17", "Q19"]


# --- published examples ---------------------------------------------------------------------------------------------


def test_score_above_the_points_is_q16():
    # Given 31.9 stated for a 20-point indicator that was over-achieved
    findings = balanced(row("新建产业路", "≥", "15", "20", 20, "31.9", "公里"))
    # Then only Q16 is reported for that row, with the rule score as evidence
    assert codes(findings) == [("Q16", 0)]
    assert findings[0].message == "第 1 项指标「新建产业路」自评得分 31.9 超过分值 20,超额完成也不能超过分值"
    assert findings[0].evidence["rule_score"] == "20.00"


def test_full_marks_for_a_shortfall_is_q17():
    # Given 4604 people reached against a target of ≥4754 (operator written in the target cell), scored full marks
    findings = balanced(row("受益脱贫人口数", "", "≥4754", "4604人", 10, 10, "人"))
    assert codes(findings) == [("Q17", 0)]
    assert findings[0].message == (
        "第 1 项指标「受益脱贫人口数」实际完成值 4604人 未达到年度指标值 ≥4754,自评却给了满分 10(按规则应得 9.68)"
    )
    assert findings[0].evidence["formula"] == "10 × min(4604 ÷ 4754, 1) = 9.68"


def test_full_marks_for_a_small_shortfall_is_q17_even_within_the_q15_tolerance():
    # 2 × 4604 ÷ 4754 = 1.94, only 0.06 below full marks
    assert codes(balanced(row("受益脱贫人口数", "≥", 4754, 4604, 2, 2, "人"))) == [("Q17", 0)]


def test_satisfaction_scored_as_points_times_percentage_is_q15():
    # Given 98 % satisfaction met a ≥98 % target, yet 20 × 98 % = 19.6 was stated
    findings = balanced(row("受益群众满意度", "≥", "98%", "98%", 20, "19.6", "%"))
    assert codes(findings) == [("Q15", 0)]
    assert findings[0].message == (
        "第 1 项指标「受益群众满意度」自评得分 19.6 与按规则计算的得分 20.00 相差 0.40,超过 0.1"
        "(计算:20 × min(98 ÷ 98, 1) = 20.00)"
    )


def test_points_adding_to_110_is_q19():
    rows = [
        row("产业路", "≥", 15, 15, 50, 50),
        row("增收", "≥", 10, 10, 30, 30),
        row("满意度", "≥", 90, 95, 20, 20, "%"),
    ]
    findings = findings_for(*rows, execution=StatedExecution(100, 100, 10, 10), total=110)
    assert codes(findings) == [("Q19", None)]
    assert findings[0].message == "指标分值合计 100 与预算执行分值 10 相加为 110,应为 100"
    assert findings[0].evidence == {"indicator_points": "100", "execution_points": "10"}


def test_points_use_the_profile_execution_points_when_the_table_has_no_execution_row():
    assert codes(findings_for(row("产业路", "≥", 15, 15, 90, 90))) == []
    assert codes(findings_for(row("产业路", "≥", 15, 15, 80, 80))) == [("Q19", None)]
    assert codes(findings_for(row("产业路", "≥", 15, 15, 80, 80), profile=HUBEI)) == []


def test_stated_total_not_the_sum_of_stated_scores_is_q19():
    rows = [row("产业路", "≥", 15, 15, 60, 60), row("增收", "≥", 10, 9, 30, 27)]
    findings = findings_for(*rows, execution=StatedExecution(100, 100, 10, 10), total="98")
    assert codes(findings) == [("Q19", None)]
    assert findings[0].message == "自评总分 98 不等于各项得分之和 97.00"


def test_stated_total_with_a_not_applicable_row_is_rescaled():
    rows = [
        row("产业路", "≥", 15, 15, 60, 60),
        row("增收", "≥", 10, 9, 20, 18),
        row("培训", "≥", 10, "", 10, "", applicable=False),
    ]
    execution = StatedExecution(100, 100, 10, 10)
    assert codes(findings_for(*rows, execution=execution, total="97.78")) == []
    findings = findings_for(*rows, execution=execution, total=88)
    assert [f.message for f in findings] == ["自评总分 88 不等于按适用项折算的总分 100 × 88 ÷ 90 = 97.78"]


# --- qualitative rows ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "stated", "expected"),
    [
        ("基本达到", 14, []),
        ("基本达到", 12, []),
        ("基本达到", "16.1", []),  # the open upper edge, within the 0.1 tolerance
        ("基本达到", "16.2", [("Q15", 0)]),
        ("基本达到", 20, [("Q17", 0)]),
        ("效果明显", 17, []),  # the target's own wording reads as 达成
        ("达成预期指标", 15, [("Q15", 0)]),
        ("未完成", 11, []),
        ("未完成", 13, [("Q15", 0)]),
        ("有一定效果", 5, []),  # wording not recognised: cannot judge
    ],
)
def test_qualitative_score_is_accepted_inside_its_tier_band(actual, stated, expected):
    assert codes(balanced(row("带动增收效果", "定性", "效果明显", actual, 20, stated))) == expected


def test_qualitative_band_follows_the_profile():
    table = Statement([row("带动增收效果", "定性", "效果明显", "基本完成", 20, 11)], StatedExecution(100, 100, 80, 80))
    assert codes(check_statement(table, HUBEI)) == []
    assert codes(check_statement(table, get_profile("central-2020"))) == [("Q15", 0)]
    assert check_statement(table)[0].message == (
        "第 1 项指标「带动增收效果」定性评定为「部分达成」,自评得分 11 不在该档得分区间 12–16(分值 20 的 [60%, 80%))内"
    )


@pytest.mark.parametrize(
    ("actual", "tier", "expected"),
    [
        ("已完成", None, "达成"),
        ("基本完成", None, "部分达成"),
        ("否", None, "未达成"),
        ("x", "达成", "达成"),
        ("良好", None, None),
    ],
)
def test_read_tier(actual, tier, expected):
    assert read_tier(row("效果", "定性", "显著", actual, 10, 10, tier=tier)) == expected


# --- execution row and odd rows -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("executed", "stated", "expected"),
    [(950000, "9.5", []), (950000, 10, [("Q17", None)]), (950000, 9, [("Q15", None)]), (1200000, 12, [("Q16", None)])],
)
def test_execution_row(executed, stated, expected):
    findings = findings_for(
        row("产业路", "≥", 15, 15, 90, 90), execution=StatedExecution(1000000, executed, 10, stated)
    )
    assert codes(findings) == expected


def test_execution_row_messages():
    findings = findings_for(row("产业路", "≥", 15, 15, 90, 90), execution=StatedExecution(1000000, 800000, 10, 10))
    assert findings[0].message == "预算执行率 80.00% 未达到 100%,自评却给了满分 10"
    assert findings[0].evidence["formula"] == "10 × min(800000 ÷ 1000000, 1) = 8.00"


def test_rows_that_cannot_be_read_are_left_to_other_checks():
    rows = [row("道路长度", "≥", "≥266米", "≥266米", 10, 10, "米"), row("完成时间", "≤", "9月前", "8月", 10, 12)]
    assert codes(balanced(*rows)) == [("Q16", 1)]


@pytest.mark.parametrize(("stated", "expected"), [("9.78", []), ("9.77", []), ("9.57", [("Q15", 0)])])
def test_q15_tolerance_is_0_1(stated, expected):
    # rule score 10 × 88 ÷ 90 = 9.777…
    assert codes(balanced(row("培训人次", "≥", 90, 88, 10, stated))) == expected


def test_shortfall_that_rounds_to_full_points_is_not_q17():
    # 45 × 9999 ÷ 10000 = 44.9955, which the rules round to 45.00
    assert codes(balanced(row("受益人数", "≥", 10000, 9999, 45, "45.00", "人"))) == []


def test_reverse_indicator_without_operator_is_read_as_at_most():
    # A bare number under a 单价 name is a ceiling: 1400 ≤ 1500 earns full marks
    assert codes(balanced(row("户均补助单价", "", "1500", "1400", 10, 10, "元"))) == []
    assert codes(balanced(row("受益户数", "", "1500", "1400", 10, 10, "户"))) == [("Q17", 0)]


# --- a table scored by the engine passes its own checks -------------------------------------------------------------

quantities = st.integers(min_value=1, max_value=10000)


@given(rows=st.lists(st.tuples(st.sampled_from(["≥", "≤", "="]), quantities, quantities), min_size=1, max_size=10))
def test_property_engine_scores_pass_the_statement_checks(rows):
    profile = get_profile("sichuan")
    points = split_evenly(Decimal(90), len(rows))
    indicators = [
        IndicatorInput(f"指标{i}", op, t, a, "", w) for i, ((op, t, a), w) in enumerate(zip(rows, points, strict=True))
    ]
    result = score(profile, Budget(1000, 870), indicators)
    table = Statement(
        [
            row(i.name, i.operator, i.target, i.actual, i.weight, s.score)
            for i, s in zip(indicators, result.indicators, strict=True)
        ],
        StatedExecution(1000, 870, 10, result.execution.score),
        result.total,
    )
    assert check_statement(table, profile) == []
