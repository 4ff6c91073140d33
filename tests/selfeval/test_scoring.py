"""Self-evaluation scoring engine (DOMAIN §5): formulas, tiers, rescaling, rounding, grades, input errors."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.selfeval.profiles import get_profile
from jixiao.selfeval.scoring import (
    Budget,
    IndicatorInput,
    ScoringInputError,
    missing_explanations,
    parse_number,
    preview,
    round_half_up,
    score,
    score_execution,
    score_indicator,
)

CENTRAL = get_profile("central-2020")
HUBEI = get_profile("hubei")
SICHUAN = get_profile("sichuan")
FULL_BUDGET = Budget(1000, 1000)


def ind(operator, target, actual, weight, unit="", **extra):
    return IndicatorInput(extra.pop("name", "指标"), operator, target, actual, unit, weight, **extra)


def one(indicator, profile=CENTRAL):
    return score_indicator(profile, indicator)


# --- quantitative operators -------------------------------------------------------------------------------------


def test_at_least_capped_at_full_points():
    result = one(ind("≥", 3000, 3200, 10, "人"))
    assert (result.score, result.formula, result.flags) == (Decimal("10.00"), "10 × min(3200 ÷ 3000, 1) = 10.00", ())


def test_at_least_below_target_scores_the_ratio():
    result = one(ind("≥", "98%", "95", 20, "%"))
    assert result.exact == Fraction(20 * 95, 98)
    assert (result.score, result.formula, result.flags) == (
        Decimal("19.39"),
        "20 × min(95 ÷ 98, 1) = 19.39",
        ("below_target",),
    )


@pytest.mark.parametrize(
    ("actual", "flags"), [(4500, ("over_achieved",)), (4499, ()), (3000, ()), (2999, ("below_target",))]
)
def test_at_least_over_achievement_flag_from_150_percent(actual, flags):
    assert one(ind("≥", 3000, actual, 10)).flags == flags


def test_at_most_above_target_scores_target_over_actual():
    result = one(ind("≤", 25, 30, 10, "㎡"))
    assert (result.score, result.formula, result.flags) == (
        Decimal("8.33"),
        "10 × min(25 ÷ 30, 1) = 8.33",
        ("below_target",),
    )


@pytest.mark.parametrize(
    ("target", "actual", "formula", "flags"),
    [
        (25, 20, "10 × min(25 ÷ 20, 1) = 10.00", ()),
        (30, 20, "10 × min(30 ÷ 20, 1) = 10.00", ("over_achieved",)),
        (2, 0, "10 × 1 = 10.00(实际值为 0,按满分计)", ("over_achieved",)),
        (0, 0, "10 × 1 = 10.00(实际值为 0,按满分计)", ()),
    ],
)
def test_at_most_met_scores_full(target, actual, formula, flags):
    result = one(ind("≤", target, actual, 10))
    assert (result.score, result.formula, result.flags) == (Decimal("10.00"), formula, flags)


def test_at_most_target_zero_with_positive_actual_scores_zero():
    assert one(ind("≤", 0, 3, 10)).score == Decimal("0.00")


@pytest.mark.parametrize(
    ("actual", "score", "formula", "flags"),
    [
        (100, "10.00", "10 × 1 = 10.00(实际值等于目标值)", ()),
        (95, "9.50", "10 × min(95, 100) ÷ max(95, 100) = 9.50", ("below_target",)),
        (110, "9.09", "10 × min(110, 100) ÷ max(110, 100) = 9.09", ("below_target",)),
    ],
)
def test_exact_operator(actual, score, formula, flags):
    result = one(ind("=", 100, actual, 10))
    assert (result.score, result.formula, result.flags) == (Decimal(score), formula, flags)


@pytest.mark.parametrize(("written", "normalised"), [(">=", "≥"), ("＞＝", "≥"), ("<", "≤"), ("＝", "="), (" ≥ ", "≥")])
def test_operator_spellings(written, normalised):
    assert one(ind(written, 10, 10, 5)).operator == normalised


# --- qualitative tiers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "tier", "formula"),
    [
        (CENTRAL, "达成", "定性:达成 10 × 100% = 10.00"),
        (CENTRAL, "部分达成", "定性:部分达成 10 × 70% = 7.00"),
        (CENTRAL, "未达成", "定性:未达成 10 × 30% = 3.00"),
        (HUBEI, "达成", "定性:达成 10 × 100% = 10.00"),
        (HUBEI, "部分达成", "定性:部分达成 10 × 65% = 6.50"),
        (HUBEI, "未达成", "定性:未达成 10 × 25% = 2.50"),
        (SICHUAN, "部分达成", "定性:部分达成 10 × 70% = 7.00"),
    ],
)
def test_qualitative_default_shares(profile, tier, formula):
    result = one(ind("定性", "效果明显", "", 10, tier=tier), profile)
    assert result.formula == formula
    assert result.flags == (() if tier == "达成" else ("below_target",))
    assert result.explanation_required is (tier != "达成")


@pytest.mark.parametrize(
    ("profile", "tier", "share", "score"),
    [
        (CENTRAL, "达成", 80, "8.00"),
        (CENTRAL, "达成", "100%", "10.00"),
        (CENTRAL, "部分达成", 60, "6.00"),
        (CENTRAL, "部分达成", "79.99", "8.00"),  # 7.999 rounds up only at the end
        (CENTRAL, "未达成", 0, "0.00"),
        (HUBEI, "部分达成", 50, "5.00"),
        (HUBEI, "未达成", "49.5", "4.95"),
    ],
)
def test_qualitative_share_inside_band(profile, tier, share, score):
    assert one(ind("定性", "", "", 10, tier=tier, share=share), profile).score == Decimal(score)


@pytest.mark.parametrize(
    ("profile", "tier", "share", "band"),
    [
        (CENTRAL, "部分达成", 80, "[60%, 80%)"),
        (CENTRAL, "部分达成", 55, "[60%, 80%)"),
        (CENTRAL, "达成", 79, "[80%, 100%]"),
        (CENTRAL, "未达成", 60, "[0%, 60%)"),
        (HUBEI, "未达成", 50, "[0%, 50%)"),
    ],
)
def test_qualitative_share_outside_band_is_an_error(profile, tier, share, band):
    with pytest.raises(ScoringInputError) as caught:
        one(ind("定性", "", "", 10, tier=tier, share=share, name="带动效果"), profile)
    [problem] = caught.value.problems
    assert (problem.index, problem.field, problem.value) == (0, "share", share)
    assert problem.message == (
        f"第 1 项指标「带动效果」的档内得分比例(%)「{share}」不在「{tier}」档的区间 {band} 内,应为{band} 内的比例"
    )


# --- budget execution -------------------------------------------------------------------------------------------


def test_execution_score_and_rate():
    result = score_execution(CENTRAL, Budget("1,000,000", 950000))
    assert (result.rate, result.rate_percent, result.score) == (Fraction(19, 20), Decimal("95.00"), Decimal("9.50"))
    assert result.formula == "10 × min(950000 ÷ 1000000, 1) = 9.50"
    assert result.explanation_required is False


def test_execution_above_budget_is_capped():
    result = score_execution(HUBEI, Budget(100, 120))
    assert (result.score, result.rate_percent, result.formula) == (
        Decimal("20.00"),
        Decimal("120.00"),
        "20 × min(120 ÷ 100, 1) = 20.00",
    )


@pytest.mark.parametrize(("executed", "required"), [(90, False), ("89.99", True), (0, True)])
def test_execution_explanation_required_below_90_percent(executed, required):
    assert score_execution(CENTRAL, Budget(100, executed)).explanation_required is required


def test_annual_budget_zero_makes_execution_not_applicable_and_rescales():
    result = score(SICHUAN, Budget(0, 0), [ind("≥", 10, 9, 90)])
    assert (result.execution.applicable, result.execution.score, result.execution.rate) == (False, None, None)
    assert result.execution.formula == "全年预算数为 0,预算执行不适用,不计分"
    assert (result.total, result.total_formula) == (Decimal("90.00"), "100 × 81.00 ÷ 90.00 = 90.00")


def test_annual_budget_zero_with_spending_is_an_error():
    with pytest.raises(ScoringInputError) as caught:
        score(SICHUAN, Budget(0, 500), [ind("≥", 10, 9, 90)])
    assert [(p.index, p.field) for p in caught.value.problems] == [(None, "executed")]
    assert caught.value.problems[0].message == (
        "预算执行的全年执行数「500」在全年预算数为 0 时大于 0,应为0(或先填写全年预算数)"
    )


# --- totals, rescaling, rounding, grades ---------------------------------------------------------------------------


def test_total_is_the_sum_when_everything_applies():
    indicators = [
        ind("≥", 3000, 3200, 50, level1="产出"),
        ind("定性", "效果明显", "", 30, tier="部分达成", level1="效益"),
        ind("≥", "90%", "85%", 10, "%", level1="满意度"),
    ]
    result = score(CENTRAL, Budget(100, 80), indicators)
    # 8 + 50 + 21 + 10 × 85/90 = 88.444…
    assert result.total_formula == "8.00 + 50.00 + 21.00 + 9.44 = 88.44"
    assert (result.total, result.grade, result.warnings) == (Decimal("88.44"), "良", ())


def test_not_applicable_indicator_is_dropped_and_total_rescaled():
    # Given 10 points of execution fully spent, 40 points met, 45 points at 71/90 and 5 points not applicable
    indicators = [ind("≥", 100, 100, 40), ind("≥", 90, 71, 45), ind("≥", 10, 0, 5, applicable=False)]
    # When scored
    result = score(SICHUAN, FULL_BUDGET, indicators)
    # Then the total is 100 × (10 + 40 + 35.5) ÷ (10 + 40 + 45)
    assert [i.score for i in result.indicators] == [Decimal("40.00"), Decimal("35.50"), None]
    assert result.indicators[2].formula == "不适用,不计分"
    assert result.indicators[2].flags == ("not_applicable",)
    assert result.applicable_weight == Decimal(95)
    assert (result.total, result.total_formula, result.grade) == (
        Decimal("90.00"),
        "100 × 85.50 ÷ 95.00 = 90.00",
        "优",
    )


def test_rounding_only_at_the_end_decides_the_grade():
    # Given three 30-point indicators scoring 26.664, 26.664 and 26.667 exactly
    indicators = [ind("≥", 10000, 8888, 30), ind("≥", 10000, 8888, 30), ind("≥", 10000, 8889, 30)]
    # When scored
    result = score(SICHUAN, FULL_BUDGET, indicators)
    # Then the exact total 89.995 rounds half up to 90.00 (优) …
    assert result.exact_total == Fraction(89995, 1000)
    assert (result.total, result.grade) == (Decimal("90.00"), "优")
    # … whereas adding the rounded parts would have given 89.99 (良)
    rounded_parts = result.execution.score + sum(i.score for i in result.indicators)
    assert rounded_parts == Decimal("89.99")


def test_just_below_the_boundary_stays_in_the_lower_grade():
    indicators = [ind("≥", 10000, 8888, 30)] * 3
    result = score(SICHUAN, FULL_BUDGET, indicators)
    assert (result.exact_total, result.total, result.grade) == (Fraction(89992, 1000), Decimal("89.99"), "良")


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "优"),
        ("90.00", "优"),
        ("89.99", "良"),
        ("80.00", "良"),
        ("79.99", "中"),
        ("60", "中"),
        ("59.99", "差"),
        ("0", "差"),
    ],
)
def test_grade_bands(total, grade):
    assert CENTRAL.grade_for(Decimal(total)) == grade


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(89995, 1000), "90.00"),
        (Fraction(1, 200), "0.01"),
        (Fraction(1, 300), "0.00"),
        (Fraction(2, 3), "0.67"),
    ],
)
def test_round_half_up(value, rounded):
    assert round_half_up(value) == Decimal(rounded)


def test_weights_default_from_the_profile_when_none_given():
    indicators = [
        ind("≥", 10, 10, None, level1="产出指标"),
        ind("≥", 10, 10, None, level1="产出指标"),
        ind("≥", 10, 10, None, level1="产出指标"),
        ind("≥", 10, 10, None, level1="效益指标"),
        ind("≥", 10, 10, None, level1="满意度指标"),
    ]
    result = score(CENTRAL, FULL_BUDGET, indicators)
    assert [i.weight for i in result.indicators] == [Decimal(v) for v in ("16.67", "16.67", "16.66", "30", "10")]
    assert (result.total, result.warnings) == (Decimal("100.00"), ("分值未填写,已按评分方案默认分配",))


def test_points_not_matching_the_profile_give_a_warning():
    result = score(CENTRAL, FULL_BUDGET, [ind("≥", 10, 10, 50), ind("≥", 10, 10, 50)])
    assert result.warnings == ("指标分值合计 100,与评分方案「中央项目支出自评(财预〔2020〕10号)」的指标总分 90 不一致",)
    assert result.total_formula == "100 × 110.00 ÷ 110.00 = 100.00"


@pytest.mark.parametrize(
    ("code", "execution", "total"),
    [
        ("central-2020", "8.00", "98.00"),
        ("hubei", "16.00", "96.00"),
        ("sichuan", "8.00", "98.00"),
        ("cost-2021", "8.00", "98.00"),
    ],
)
def test_every_shipped_profile_scores(code, execution, total):
    # Given 80 % execution and every indicator met, with weights defaulted from the profile
    indicators = [
        ind("≤", 1500, 1500, None, level1="成本"),
        ind("≥", 100, 120, None, level1="产出"),
        ind("定性", "明显", "", None, tier="达成", level1="效益"),
        ind("≥", 90, 95, None, "%", level1="满意度"),
    ]
    profile = get_profile(code)
    result = score(profile, Budget(100, 80), indicators)
    assert (str(result.execution.score), str(result.total)) == (execution, total)
    assert sum(i.weight for i in result.indicators) + profile.execution_weight == 100


# --- mandatory explanations ---------------------------------------------------------------------------------------


def test_missing_explanations_are_listed_in_chinese():
    indicators = [
        ind("≥", 3000, 4600, 30, "人", name="受益人口"),
        ind("≥", 98, 95, 30, "%", name="合格率", explanation="雨季停工,已调整工期"),
        ind("=", 100, 90, 30, "%", name="验收合格率"),
    ]
    result = score(SICHUAN, Budget(100, 85), indicators)
    assert [p.message for p in missing_explanations(result)] == [
        "预算执行:预算执行率 85.00% 低于 90%,须填写偏差原因分析及改进措施",
        "第 1 项指标「受益人口」:实际完成值 4600人 超额完成年度指标值 ≥3000人(达到 1.5 倍及以上),"
        "目标值可能设置得过于保守,须填写偏差原因分析及改进措施",
        "第 3 项指标「验收合格率」:实际完成值 90% 未达到年度指标值 =100%,须填写偏差原因分析及改进措施",
    ]
    assert [(p.index, p.field) for p in missing_explanations(result)] == [
        (None, "explanation"),
        (0, "explanation"),
        (2, "explanation"),
    ]


def test_no_explanation_needed_when_everything_is_on_target():
    result = score(SICHUAN, Budget(100, 90), [ind("≥", 10, 12, 90)])
    assert (result.execution.explanation_required, result.indicators[0].explanation_required) == (False, False)
    assert missing_explanations(result) == []


# --- bad input ----------------------------------------------------------------------------------------------------


def test_every_input_problem_is_reported_at_once():
    indicators = [
        ind("≥", "3000", "约三千", 10, "人", name="受益人口"),
        ind("≥", 100, -5, 10, name="新建道路"),
        ind("≥", "98%", "101%", 10, "%", name="满意度"),
        ind("≥", 0, 5, 10, name="培训人次"),
        ind("约", 10, 5, 10, name="产值"),
        ind("定性", "效果明显", "", 10, name="带动效果"),
        ind("≥", 10, 5, "十", name="增收"),
    ]
    with pytest.raises(ScoringInputError) as caught:
        score(CENTRAL, Budget("一百万", -1), indicators)
    problems = caught.value.problems
    assert [(p.index, p.field, p.value) for p in problems] == [
        (None, "annual", "一百万"),
        (None, "executed", -1),
        (6, "weight", "十"),
        (0, "actual", "约三千"),
        (1, "actual", -5),
        (2, "actual", "101%"),
        (3, "target", 0),
        (4, "operator", "约"),
        (5, "tier", None),
    ]
    assert [p.message for p in problems] == [
        "预算执行的全年预算数「一百万」不是数字,应为数字(可带 % 和千分位逗号,如 3,000 或 95%)",
        "预算执行的全年执行数「-1」为负数,应为不小于 0 的数",
        "第 7 项指标「增收」的分值「十」不是数字,应为数字(可带 % 和千分位逗号,如 3,000 或 95%)",
        "第 1 项指标「受益人口」的实际完成值「约三千」不是数字,应为数字(可带 % 和千分位逗号,如 3,000 或 95%)",
        "第 2 项指标「新建道路」的实际完成值「-5」为负数,应为不小于 0 的数",
        "第 3 项指标「满意度」的实际完成值「101%」超过 100%,应为0–100 之间的百分数",
        "第 4 项指标「培训人次」的年度指标值「0」为 0,「≥」指标按 实际值 ÷ 目标值 计分,应为大于 0 的目标值",
        "第 5 项指标「产值」的指标性质(运算符)「约」无法识别,应为≥、≤、= 或 定性",
        "第 6 项指标「带动效果」的完成档次未选择或无效,应为达成、部分达成 或 未达成",
    ]
    assert str(caught.value).splitlines()[0] == problems[0].message
    assert caught.value.as_list()[3] == {
        "index": 0,
        "field": "actual",
        "value": "约三千",
        "expected": "数字(可带 % 和千分位逗号,如 3,000 或 95%)",
        "message": problems[3].message,
    }


def test_missing_actual_is_an_error_but_not_for_a_not_applicable_indicator():
    with pytest.raises(ScoringInputError) as caught:
        score(SICHUAN, FULL_BUDGET, [ind("≥", 10, None, 45, name="甲"), ind("≥", None, None, 45, applicable=False)])
    assert [p.message for p in caught.value.problems] == [
        "第 1 项指标「甲」的实际完成值未填写,应为数字(可带 % 和千分位逗号,如 3,000 或 95%)"
    ]


def test_a_table_without_indicators_is_an_error():
    with pytest.raises(ScoringInputError) as caught:
        preview({"profile": "hubei", "budget": {"annual": 100, "executed": 100}})
    assert [p.message for p in caught.value.problems] == ["自评表的指标列表为空,应为至少一项绩效指标"]


def test_nothing_applicable_is_an_error():
    with pytest.raises(ScoringInputError) as caught:
        score(SICHUAN, Budget(0, 0), [ind("≥", 10, 1, 90, applicable=False)])
    assert [p.message for p in caught.value.problems] == [
        "评分的分值合计为 0,没有可计分的项目,应为大于 0 的适用项分值合计"
    ]


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        (3000, (Decimal(3000), False)),
        (0.1, (Decimal("0.1"), False)),
        ("3,000", (Decimal(3000), False)),
        ("1,234,567.89", (Decimal("1234567.89"), False)),
        ("95%", (Decimal(95), True)),
        ("９５．５％", (Decimal("95.5"), True)),
        (" 12.50 ", (Decimal("12.50"), False)),
        ("-3", (Decimal(-3), False)),
        ("3,00", None),
        ("≥266", None),
        ("29.5亩", None),
        ("", None),
        (True, None),
        (float("nan"), None),
    ],
)
def test_parse_number(value, parsed):
    assert parse_number(value) == parsed


# --- preview (stateless API) ----------------------------------------------------------------------------------------


def test_preview_shape():
    payload = {
        "profile": "central-2020",
        "budget": {"annual": 1000000, "executed": "950,000"},
        "indicators": [
            {
                "level1": "产出",
                "level2": "数量",
                "name": "受益人口",
                "operator": "≥",
                "target": "3000",
                "actual": 3200,
                "unit": "人",
                "weight": 50,
                "applicable": True,
                "tier": None,
            },
            {
                "level1": "效益",
                "level2": "社会效益",
                "name": "带动效果",
                "operator": "定性",
                "target": "明显",
                "actual": "基本达到",
                "unit": "",
                "weight": 30,
                "applicable": True,
                "tier": "部分达成",
            },
            {
                "level1": "满意度",
                "level2": "服务对象满意度",
                "name": "满意度",
                "operator": "≥",
                "target": "95%",
                "actual": "",
                "unit": "%",
                "weight": 10,
                "applicable": False,
                "tier": None,
            },
        ],
    }
    assert preview(payload) == {
        "profile": "central-2020",
        "execution": {
            "rate": 95.0,
            "score": 9.5,
            "weight": 10.0,
            "applicable": True,
            "formula": "10 × min(950000 ÷ 1000000, 1) = 9.50",
            "explanation_required": False,
        },
        "indicators": [
            {
                "name": "受益人口",
                "score": 50.0,
                "weight": 50.0,
                "formula": "50 × min(3200 ÷ 3000, 1) = 50.00",
                "flags": [],
                "explanation_required": False,
            },
            {
                "name": "带动效果",
                "score": 21.0,
                "weight": 30.0,
                "formula": "定性:部分达成 30 × 70% = 21.00",
                "flags": ["below_target"],
                "explanation_required": True,
            },
            {
                "name": "满意度",
                "score": None,
                "weight": 10.0,
                "formula": "不适用,不计分",
                "flags": ["not_applicable"],
                "explanation_required": False,
            },
        ],
        "total": 89.44,
        "total_formula": "100 × 80.50 ÷ 90.00 = 89.44",
        "grade": "良",
        "warnings": [],
    }


def test_preview_lists_payload_problems_together_with_value_problems():
    payload = {
        "profile": "guangdong",
        "budget": {"annual": 100},
        "indicators": [
            "受益人口",
            {
                "name": "满意度",
                "operator": "≥",
                "target": "95%",
                "actual": "96",
                "unit": "%",
                "weight": 10,
                "applicable": "是",
            },
        ],
    }
    with pytest.raises(ScoringInputError) as caught:
        preview(payload)
    assert [(p.index, p.field) for p in caught.value.problems] == [
        (None, "profile"),
        (0, "indicator"),
        (1, "applicable"),
        (None, "executed"),
        (0, "weight"),
    ]
    assert [p.message for p in caught.value.problems[:2]] == [
        "请求的评分方案「guangdong」不存在,应为central-2020、hubei、sichuan、cost-2021 之一",
        "第 1 项指标的内容「受益人口」不是对象,应为含 name、operator、target、actual 等字段的对象",
    ]


# --- properties -----------------------------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=10**7, places=2)
positive = st.decimals(min_value=Decimal("0.01"), max_value=10**7, places=2)
weights = st.decimals(min_value=0, max_value=100, places=2)
operators = st.sampled_from(["≥", "≤", "="])


@given(operator=operators, target=positive, actual=amounts, weight=weights)
def test_property_indicator_score_within_zero_and_points(operator, target, actual, weight):
    result = one(ind(operator, target, actual, weight))
    assert 0 <= result.exact <= weight
    assert 0 <= result.score <= weight


@given(
    rows=st.lists(st.tuples(operators, positive, amounts, weights, st.booleans()), min_size=1, max_size=8),
    annual=positive,
    executed=amounts,
)
def test_property_total_within_zero_and_hundred(rows, annual, executed):
    indicators = [ind(op, t, a, w, applicable=applies) for op, t, a, w, applies in rows]
    result = score(SICHUAN, Budget(annual, executed), indicators)
    assert 0 <= result.exact_total <= 100
    assert 0 <= result.total <= 100


@given(target=positive, low=amounts, high=amounts, weight=weights)
def test_property_at_least_is_monotone_in_actual(target, low, high, weight):
    low, high = sorted((low, high))
    assert one(ind("≥", target, low, weight)).exact <= one(ind("≥", target, high, weight)).exact
