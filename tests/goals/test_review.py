"""Goal normative review (规范性审核), checks G01–G16 of DOMAIN.md §3.

Every code has a case that triggers it and a near miss that does not; each test starts from a clean goal
and changes one thing, so the change is the whole story.
"""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.goals.review import CHECKS, evaluate, has_blocking_errors, run_checks
from jixiao.goals.review_types import ERROR, WARNING, Finding, GoalDraft, IndicatorDraft, ReviewSettings
from jixiao.indicators.library_data import STYLE_88, STYLE_101, default_library

# Row positions in the clean goal below.
QUANTITY, QUALITY, TIMELY, DEADLINE, COST, BENEFICIARIES, SAFETY, DURABILITY, SATISFACTION = range(9)


def clean_goal(**changes) -> GoalDraft:
    """A 2019 危房改造 goal written the way a careful unit writes it (88号 style): no findings."""
    goal = GoalDraft(
        category="F18-WFGZ",
        year=2019,
        style=STYLE_88,
        budget=140,
        overall_goal="完成100户农村危房改造,保障350名脱贫人口住房安全。",
        indicators=(
            IndicatorDraft("产出指标", "数量指标", "危房改造户数", "≥", "100", "户", 20, True),
            IndicatorDraft("产出指标", "质量指标", "项目(工程)验收合格率", "=", "100", "%", 10),
            IndicatorDraft("产出指标", "时效指标", "项目(工程)完成及时率", "=", "100", "%", 5),
            IndicatorDraft("产出指标", "时效指标", "改造任务完成时限", "≤", "2019年11月底前", "月", 5),
            IndicatorDraft("产出指标", "成本指标", "危房改造户均补助", "≤", "14000", "元/户", 10),
            IndicatorDraft("效益指标", "社会效益指标", "受益脱贫(建档立卡)人口数", "≥", "350", "人", 10, True),
            IndicatorDraft("效益指标", "社会效益指标", "住房安全保障水平", "定性", "达到住房安全有保障标准", "", 5),
            IndicatorDraft("效益指标", "可持续影响指标", "改造后房屋安全使用年限", "≥", "20", "年", 15),
            IndicatorDraft("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%", 10),
        ),
        region_population=5000,
    )
    return replace(goal, **changes)


def clean_goal_101(**changes) -> GoalDraft:
    """The same project as a 2021 巩固三保障成果/住房 goal in 101号 style (成本 is its own 一级)."""
    rows = list(clean_goal().indicators)
    rows[COST] = replace(rows[COST], level1="成本指标", level2="经济成本指标")
    rows[DEADLINE] = replace(rows[DEADLINE], target="2021年11月底前")
    goal = clean_goal(category="X21-GGSBZ-ZF", year=2021, style=STYLE_101, indicators=tuple(rows))
    return replace(goal, **changes)


def with_row(goal: GoalDraft, index: int, **changes) -> GoalDraft:
    rows = list(goal.indicators)
    rows[index] = replace(rows[index], **changes)
    return replace(goal, indicators=tuple(rows))


def without_row(goal: GoalDraft, index: int) -> GoalDraft:
    return replace(goal, indicators=tuple(r for i, r in enumerate(goal.indicators) if i != index))


def with_extra(goal: GoalDraft, row: IndicatorDraft) -> GoalDraft:
    return replace(goal, indicators=(*goal.indicators, row))


def codes(goal: GoalDraft) -> list[str]:
    return [f.code for f in run_checks(goal)]


def only(goal: GoalDraft, code: str) -> list[Finding]:
    return [f for f in run_checks(goal) if f.code == code]


# --- clean goals ---------------------------------------------------------------------------------------


def test_clean_goal_has_no_findings():
    assert run_checks(clean_goal()) == []


def test_clean_101_goal_has_no_findings():
    assert run_checks(clean_goal_101()) == []


def test_every_check_runs_on_a_clean_goal_and_passes():
    outcomes = evaluate(clean_goal())

    assert [o.code for o in outcomes] == [f"G{n:02d}" for n in range(1, 17)]
    assert {o.status for o in outcomes} == {"pass"}


def test_registry_severities_match_domain_table():
    errors = {"G01", "G02", "G03", "G04", "G05", "G06", "G10", "G11", "G15"}

    assert {c.code: c.severity for c in CHECKS} == {
        f"G{n:02d}": (ERROR if f"G{n:02d}" in errors else WARNING) for n in range(1, 17)
    }


# --- G01 overall goal ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   "])
def test_g01_missing_overall_goal(text):
    findings = only(clean_goal(overall_goal=text), "G01")

    assert [(f.severity, f.indicator, f.message) for f in findings] == [(ERROR, None, "年度总体目标未填写。")]


def test_g01_near_miss_short_goal_is_present():
    assert "G01" not in codes(clean_goal(overall_goal="完成改造"))


# --- G02 required dimensions ----------------------------------------------------------------------------


def test_g02_missing_satisfaction():
    findings = only(without_row(clean_goal(weight_total=80), SATISFACTION), "G02")

    assert len(findings) == 1
    assert findings[0].evidence["missing"] == "满意度"
    assert "满意度" in findings[0].message


def test_g02_101_style_requires_cost_as_first_level():
    # Cost written the 88号 way (产出/成本) in a 101号 goal leaves 成本 missing.
    goal = clean_goal_101(indicators=clean_goal().indicators)

    findings = only(goal, "G02")

    assert [f.evidence["missing"] for f in findings] == ["成本"]
    assert "101号" in findings[0].message


def test_g02_near_miss_88_style_has_no_cost_dimension():
    assert "G02" not in codes(clean_goal())


def test_g02_style_follows_year_when_not_given():
    goal = clean_goal_101(style=None, indicators=clean_goal().indicators)

    assert [f.evidence["missing"] for f in only(goal, "G02")] == ["成本"]


# --- G03 quantity -------------------------------------------------------------------------------------


def test_g03_output_without_quantity():
    goal = with_row(clean_goal(), QUANTITY, level2="质量")

    assert codes(goal).count("G03") == 1


def test_g03_near_miss_level_written_with_suffix():
    assert "G03" not in codes(with_row(clean_goal(), QUANTITY, level2=" 数量指标 "))


# --- G04 core indicators -------------------------------------------------------------------------------


def test_g04_missing_cross_cutting_core():
    goal = without_row(clean_goal(weight_total=80), BENEFICIARIES)

    findings = only(goal, "G04")

    assert [f.evidence["template"] for f in findings] == ["COM.01"]
    assert "受益脱贫(建档立卡)人口数" in findings[0].message


def test_g04_missing_category_core_in_2021_taxonomy():
    goal = without_row(clean_goal_101(weight_total=70), QUANTITY)

    assert [f.evidence["template"] for f in only(goal, "G04")] == ["WFGZ.01"]


@pytest.mark.parametrize("name", ["受益脱贫人口数", "受益脱贫（建档立卡）人口数", "受益建档立卡贫困人口数"])
def test_g04_near_miss_core_under_another_spelling(name):
    assert "G04" not in codes(with_row(clean_goal(), BENEFICIARIES, name=name))


def test_g04_unknown_category_is_skipped_not_failed():
    outcome = next(o for o in evaluate(clean_goal(category="不存在")) if o.code == "G04")

    assert (outcome.status, outcome.findings) == ("skip", ())
    assert "不存在" in outcome.note


def test_g04_category_by_chinese_name():
    goal = without_row(clean_goal(category="危房改造", weight_total=70), QUANTITY)

    assert [f.evidence["template"] for f in only(goal, "G04")] == ["WFGZ.01"]


# --- G05 operator and numeric target ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "target", "words"),
    [
        (None, "100", "未填写指标性质"),
        ("约", "100", "无效"),
        ("≥", "≤100", "不一致"),
        ("≥", "大幅增加", "不是数值"),
        ("≥", "", "不是数值"),
    ],
)
def test_g05_operator_or_number_problem(operator, target, words):
    findings = only(with_row(clean_goal(), QUANTITY, operator=operator, target=target), "G05")

    assert len(findings) == 1
    assert (findings[0].indicator, findings[0].severity) == (QUANTITY, ERROR)
    assert words in findings[0].message and "危房改造户数" in findings[0].message


@pytest.mark.parametrize(
    ("operator", "target"), [(None, "≥100"), (">=", "100"), ("不低于", "100户"), ("≥", 100), ("≥", "≥100")]
)
def test_g05_near_miss_operator_spellings(operator, target):
    assert "G05" not in codes(with_row(clean_goal(), QUANTITY, operator=operator, target=target))


# --- G06 unit ------------------------------------------------------------------------------------------


def test_g06_quantitative_without_unit():
    findings = only(with_row(clean_goal(), QUANTITY, unit=""), "G06")

    assert [(f.indicator, f.severity) for f in findings] == [(QUANTITY, ERROR)]


def test_g06_near_miss_unit_written_in_target():
    assert "G06" not in codes(with_row(clean_goal(), QUANTITY, unit="", target="100户"))


def test_g06_near_miss_qualitative_needs_no_unit():
    assert "G06" not in codes(clean_goal())  # SAFETY row is 定性 with unit ""


# --- G07 unit vs library --------------------------------------------------------------------------------


def test_g07_unit_differs_from_library():
    goal = with_row(clean_goal(), COST, target="1.4", unit="万元/户")

    findings = only(goal, "G07")

    assert [(f.indicator, f.severity) for f in findings] == [(COST, WARNING)]
    assert findings[0].evidence["library_unit"] == "元/户" and findings[0].evidence["convertible"] is True
    assert "G08" not in codes(goal) and "G12" not in codes(goal)  # 1.4万元/户 is 14000元/户


@pytest.mark.parametrize("unit", ["元/户", " 元 / 户 ", "元／户"])
def test_g07_near_miss_same_unit_spelled_differently(unit):
    assert "G07" not in codes(with_row(clean_goal(), COST, unit=unit))


def test_g07_near_miss_indicator_not_in_library():
    assert "G07" not in codes(with_row(clean_goal(), DEADLINE, unit="天", target="≤300"))


# --- G08 plausible range --------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "verdict"), [("50000", "目标偏高"), ("5000", "目标偏低")])
def test_g08_target_outside_range(target, verdict):
    goal = with_row(clean_goal(budget=None), COST, target=target)

    findings = only(goal, "G08")

    assert [(f.indicator, f.evidence["verdict"]) for f in findings] == [(COST, verdict)]
    assert verdict in findings[0].message and "[8000, 40000]" in findings[0].message


def test_g08_low_satisfaction_target():
    findings = only(with_row(clean_goal(), SATISFACTION, target="80"), "G08")

    assert [f.evidence["verdict"] for f in findings] == ["目标偏低"]


@pytest.mark.parametrize("target", ["40000", "8000"])
def test_g08_near_miss_range_edges(target):
    assert "G08" not in codes(with_row(clean_goal(budget=None), COST, target=target))


# --- G09 vague wording ---------------------------------------------------------------------------------


def test_g09_vague_qualitative_target():
    findings = only(with_row(clean_goal(), SAFETY, target="居住条件明显改善"), "G09")

    assert [(f.indicator, f.severity) for f in findings] == [(SAFETY, WARNING)]
    assert findings[0].evidence["words"] == ["改善", "明显"]


def test_g09_vague_name_without_number():
    assert "G09" in codes(with_row(clean_goal(), SAFETY, name="住房条件改善情况"))


def test_g09_near_miss_vague_name_with_a_number():
    goal = with_row(clean_goal(), DURABILITY, name="房屋使用年限提高", target="≥20")

    assert "G09" not in codes(goal)


# --- G10 percentages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "unit", "target"), [(SATISFACTION, "%", "120"), (QUALITY, "", "105")])
def test_g10_percentage_above_hundred(index, unit, target):
    findings = only(with_row(clean_goal(), index, unit=unit, target=target), "G10")

    assert [(f.indicator, f.severity) for f in findings] == [(index, ERROR)]


def test_g10_negative_percentage():
    assert "G10" in codes(with_row(clean_goal(), SATISFACTION, target="-5"))


def test_g10_near_miss_hundred_percent_and_non_percent_above_hundred():
    assert "G10" not in codes(with_row(clean_goal(), SATISFACTION, target="100"))
    assert "G10" not in codes(clean_goal())  # 危房改造户数 100 户 and 14000 元/户 are not percentages


# --- G11 duplicates ------------------------------------------------------------------------------------


def test_g11_same_indicator_twice_under_another_spelling():
    goal = with_extra(clean_goal(), IndicatorDraft("效益指标", "社会效益指标", "受益脱贫人口数", "≥", "350", "人", 0))

    findings = only(goal, "G11")

    assert [(f.indicator, f.evidence["duplicate_of"]) for f in findings] == [(9, BENEFICIARIES)]
    assert "第10项" in findings[0].message and "第6项" in findings[0].message


def test_g11_two_library_names_of_one_indicator():
    goal = with_extra(
        clean_goal(), IndicatorDraft("效益指标", "社会效益指标", "受益建档立卡贫困人口数", "≥", "350", "人", 0)
    )

    assert [f.indicator for f in only(goal, "G11")] == [9]


def test_g11_near_miss_bracketed_qualifiers_make_different_indicators():
    goal = with_extra(
        clean_goal(), IndicatorDraft("产出指标", "数量指标", "改造户数(四类重点对象)", "≥", "80", "户", 0)
    )
    goal = with_row(goal, QUANTITY, name="改造户数(一般户)")

    assert "G11" not in codes(goal)


# --- G12 cost × quantity vs budget --------------------------------------------------------------------


def test_g12_cost_times_quantity_far_from_budget():
    findings = only(clean_goal(budget=300), "G12")

    assert [(f.indicator, f.severity) for f in findings] == [(COST, WARNING)]
    assert findings[0].evidence["implied_wan"] == 140
    assert findings[0].evidence["pairs"] == [{"cost": COST, "quantity": QUANTITY, "amount_wan": 140}]
    assert "140万元" in findings[0].message and "300万元" in findings[0].message


@pytest.mark.parametrize("budget", [114, 176])
def test_g12_just_beyond_twenty_percent(budget):
    # 140 ÷ 114 = +22.8 %, 140 ÷ 176 = −20.5 %.
    assert "G12" in codes(clean_goal(budget=budget))


@pytest.mark.parametrize("budget", [117, 174, 140])
def test_g12_near_miss_within_twenty_percent(budget):
    # 140 ÷ 117 = +19.7 %, 140 ÷ 174 = −19.5 %.
    assert "G12" not in codes(clean_goal(budget=budget))


def test_g12_cost_written_in_another_magnitude_converts():
    # Unit field 元/户 but the target written as 1.4万元/户: still 140万元 for 100户.
    goal = with_row(clean_goal(budget=300), COST, target="1.4万元/户")

    assert only(goal, "G12")[0].evidence["implied_wan"] == 140


def test_g12_tolerance_is_a_setting():
    findings = run_checks(clean_goal(budget=120), settings=ReviewSettings(cost_tolerance=0.1))

    assert [f.code for f in findings] == ["G12"]


def test_g12_skipped_without_budget_or_pair():
    no_budget = next(o for o in evaluate(clean_goal(budget=None)) if o.code == "G12")
    no_pair = next(o for o in evaluate(with_row(clean_goal(budget=999), COST, unit="元")) if o.code == "G12")

    assert (no_budget.status, no_pair.status) == ("skip", "skip")


# --- G13 deadlines -------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["2020年3月底前", "次年3月前", "13月前", "2020-03-31"])
def test_g13_deadline_outside_budget_year(target):
    findings = only(with_row(clean_goal(), DEADLINE, target=target), "G13")

    assert [(f.indicator, f.severity) for f in findings] == [(DEADLINE, WARNING)]
    assert "2019年" in findings[0].message


@pytest.mark.parametrize("target", ["11月底前", "2019年12月31日前", "年底前", "12月"])
def test_g13_near_miss_deadline_inside_the_year(target):
    assert "G13" not in codes(with_row(clean_goal(), DEADLINE, target=target))


def test_g13_near_miss_date_outside_year_in_a_non_timeliness_row():
    assert "G13" not in codes(with_row(clean_goal(), SAFETY, target="2020年3月底前完成鉴定"))


# --- G14 beneficiaries vs population ------------------------------------------------------------------


def test_g14_beneficiaries_above_registered_population():
    findings = only(clean_goal(region_population=300), "G14")

    assert [(f.indicator, f.evidence["value"]) for f in findings] == [(BENEFICIARIES, 350)]


def test_g14_scales_wan_ren():
    goal = with_row(clean_goal(region_population=10000), BENEFICIARIES, target="1.2", unit="万人")

    assert only(goal, "G14")[0].evidence["value"] == pytest.approx(12000)


def test_g14_near_miss_equal_population_and_unknown_population():
    assert "G14" not in codes(clean_goal(region_population=350))
    skipped = next(o for o in evaluate(clean_goal(region_population=None)) if o.code == "G14")
    assert skipped.status == "skip"


# --- G15 weights ---------------------------------------------------------------------------------------


def test_g15_weights_do_not_sum_to_profile_total():
    findings = only(with_row(clean_goal(), QUANTITY, weight=25), "G15")

    assert [(f.indicator, f.evidence["total"], f.evidence["expected"]) for f in findings] == [(None, 95, 90)]
    assert "95分" in findings[0].message and "90分" in findings[0].message


def test_g15_missing_weight_is_named():
    findings = only(with_row(clean_goal(), QUANTITY, weight=None), "G15")

    assert findings[0].evidence["missing_weights"] == 1 and "1项未填写权重" in findings[0].message


def test_g15_near_miss_other_profile_total_and_rounding():
    assert "G15" not in codes(with_row(clean_goal(weight_total=95), QUANTITY, weight=25))
    assert "G15" not in codes(with_row(clean_goal(), QUANTITY, weight=19.995))


# --- G16 graded qualitative targets ----------------------------------------------------------------------


@pytest.mark.parametrize("target", ["住房安全", "", "群众居住环境"])
def test_g16_qualitative_target_not_graded(target):
    findings = only(with_row(clean_goal(), SAFETY, target=target), "G16")

    assert [(f.indicator, f.severity) for f in findings] == [(SAFETY, WARNING)]


@pytest.mark.parametrize("target", ["达到住房安全有保障标准", "良好", "是", "好/较好/一般/差"])
def test_g16_near_miss_graded_targets(target):
    assert "G16" not in codes(with_row(clean_goal(), SAFETY, target=target))


# --- outputs and API mapping --------------------------------------------------------------------------


def test_has_blocking_errors():
    assert has_blocking_errors(run_checks(clean_goal(overall_goal=""))) is True
    assert has_blocking_errors(run_checks(clean_goal(budget=300))) is False  # G12 is a warning
    assert has_blocking_errors([]) is False


def test_findings_come_in_code_then_table_order():
    goal = with_row(clean_goal(overall_goal="", budget=300), SATISFACTION, target="120")
    goal = with_row(with_row(goal, DURABILITY, unit=""), QUALITY, unit="")

    findings = run_checks(goal)

    assert [(f.code, f.indicator) for f in findings] == [
        ("G01", None),
        ("G06", QUALITY),
        ("G06", DURABILITY),
        ("G08", SATISFACTION),
        ("G10", SATISFACTION),
        ("G12", COST),
    ]


def test_api_body_maps_one_to_one():
    body = {
        "category": "F18-WFGZ",
        "year": 2019,
        "style": "88",
        "budget": 140,
        "overall_goal": "完成100户农村危房改造。",
        "indicators": [
            {
                "level1": r.level1,
                "level2": r.level2,
                "name": r.name,
                "operator": r.operator,
                "target": r.target,
                "unit": r.unit,
                "weight": r.weight,
                "core": r.core,
            }
            for r in clean_goal().indicators
        ],
    }

    goal = GoalDraft.from_dict(body)

    assert goal.indicators == clean_goal().indicators
    assert run_checks(goal) == []
    body["indicators"][0]["unit"] = ""
    assert [f.to_dict() for f in run_checks(GoalDraft.from_dict(body))] == [
        {
            "code": "G06",
            "severity": "error",
            "indicator": 0,
            "message": "第1项指标「危房改造户数」为定量指标,未填写计量单位。",
        }
    ]


def test_api_body_with_odd_types_does_not_raise():
    goal = GoalDraft.from_dict({"year": "二〇一九", "budget": "abc", "indicators": [{"weight": "x"}, 5, None]})

    assert (goal.year, goal.budget, len(goal.indicators)) == (None, None, 1)
    assert "G01" in [f.code for f in run_checks(goal)]


# --- library-built goals and robustness ---------------------------------------------------------------


@pytest.mark.parametrize("category", default_library().categories, ids=lambda c: c.code)
def test_goal_built_from_the_library_is_clean(category):
    # Every category's own templates, with their defaults, must pass the review in the category's style.
    library = default_library()
    year = category.valid_from
    style = STYLE_101 if year >= 2021 else STYLE_88
    templates = library.templates_for(category.code)
    rows = []
    for t in templates:
        level1, level2 = t.levels(style)
        target = t.default_target if t.default_target is not None else t.plausible_range[0]
        rows.append(IndicatorDraft(level1, level2, t.name, t.operator, target, t.unit, 90 / len(templates), t.core))
    goal = GoalDraft(category.code, year, style, None, "按标准体系设定的年度目标。", tuple(rows))

    assert run_checks(goal, library) == []


_texts = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["≥90%", "9月前", "14000元/户", "明显改善"]))
_rows = st.builds(
    IndicatorDraft,
    level1=st.sampled_from(["产出", "效益", "满意度", "成本", "", "x"]),
    level2=st.sampled_from(["数量", "质量", "时效", "成本", "经济成本", "社会效益", ""]),
    name=st.one_of(st.text(max_size=10), st.sampled_from(["受益脱贫人口数", "危房改造户均补助", "危房改造户数"])),
    operator=st.one_of(st.none(), st.sampled_from(["≥", "≤", "=", "定性", "?"])),
    target=st.one_of(_texts, st.floats(allow_nan=True, allow_infinity=True)),
    unit=st.one_of(st.sampled_from(["", "户", "元/户", "%", "人", "万元/户"]), st.text(max_size=4)),
    weight=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=32)),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(_rows, max_size=8),
    budget=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
    year=st.one_of(st.none(), st.integers(2015, 2030)),
    population=st.one_of(st.none(), st.integers(0, 10**6)),
    style=st.sampled_from([None, "88", "101", "99"]),
)
def test_review_never_raises_and_every_finding_is_well_formed(rows, budget, year, population, style):
    goal = GoalDraft("F18-WFGZ", year, style, budget, "目标", tuple(rows), population)

    findings = run_checks(goal)

    for finding in findings:
        assert finding.severity in (ERROR, WARNING) and finding.message
        assert finding.indicator is None or 0 <= finding.indicator < len(rows)


@given(weights=st.lists(st.integers(0, 30), min_size=1, max_size=9))
def test_g15_fires_exactly_when_the_sum_differs(weights):
    rows = tuple(replace(r, weight=0) for r in clean_goal().indicators)
    rows = tuple(replace(r, weight=w) for r, w in zip(rows, weights, strict=False)) + rows[len(weights) :]

    assert ("G15" in codes(clean_goal(indicators=rows))) == (sum(weights) != 90)
