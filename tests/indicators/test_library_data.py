"""The standard indicator library (标准体系): coverage, internal consistency, both styles."""

import re

import pytest

from jixiao.indicators.library_data import (
    CATEGORIES,
    COMMON,
    COST_LEVEL2,
    DIMENSIONS_88,
    DIMENSIONS_101,
    STYLE_88,
    STYLE_101,
    TAXONOMY_FUPIN,
    TAXONOMY_XIANJIE,
    TEMPLATES,
    default_library,
    name_variants,
    normalize_level,
    normalize_name,
    style_for_year,
)
from jixiao.indicators.values import (
    LE,
    OPERATORS,
    QUALITATIVE,
    canonical_unit,
    convert,
    is_cost_context,
    parse_target,
)

LIBRARY = default_library()
CATEGORY_CODES = {c.code for c in CATEGORIES}
TOP_LEVEL = [c for c in CATEGORIES if c.parent is None]


def own_templates(code):
    return [t for t in TEMPLATES if code in t.categories]


# --- categories ----------------------------------------------------------------------------------------


def test_category_codes_are_unique_ascii_and_follow_the_scheme():
    codes = [c.code for c in CATEGORIES]

    assert len(codes) == len(set(codes))
    for category in CATEGORIES:
        assert re.fullmatch(r"(F18|X21)-[A-Z]+(-[A-Z]+)?", category.code), category.code
        prefix = "F18" if category.taxonomy == TAXONOMY_FUPIN else "X21"
        assert category.code.startswith(prefix)
        if category.parent:
            assert category.code.startswith(category.parent + "-")
            assert category.parent in CATEGORY_CODES


def test_both_taxonomies_have_the_official_top_level_categories():
    fupin = {c.name for c in LIBRARY.categories_for_year(2019) if c.parent is None}
    xianjie = {c.name for c in LIBRARY.categories_for_year(2021) if c.parent is None}

    assert fupin == {
        "产业发展", "就业扶贫", "易地扶贫搬迁", "教育扶贫", "健康扶贫", "危房改造", "金融扶贫", "生活条件改善",
        "综合保障性扶贫", "村基础设施", "村公共服务", "项目管理费", "其他",
    }  # fmt: skip
    assert xianjie == {
        "产业发展", "就业项目", "乡村建设行动", "易地搬迁后扶", "巩固三保障成果", "乡村治理和精神文明建设",
        "项目管理费", "其他",
    }  # fmt: skip


def test_seed_sub_categories_sit_under_industry():
    subs = {c.name: c.parent for c in CATEGORIES if c.taxonomy == TAXONOMY_FUPIN}

    assert subs["光伏扶贫"] == subs["资产收益扶贫"] == subs["电商扶贫"] == "F18-CYFZ"


@pytest.mark.parametrize(
    ("year", "taxonomy"), [(2018, TAXONOMY_FUPIN), (2020, TAXONOMY_FUPIN), (2021, TAXONOMY_XIANJIE)]
)
def test_categories_are_versioned_by_year(year, taxonomy):
    assert {c.taxonomy for c in LIBRARY.categories_for_year(year)} == {taxonomy}


def test_category_lookup_by_code_or_name_within_year():
    assert LIBRARY.category("f18-cyfz").code == "F18-CYFZ"
    assert LIBRARY.category("产业发展", 2019).code == "F18-CYFZ"
    assert LIBRARY.category("产业发展", 2022).code == "X21-CYFZ"
    assert LIBRARY.category("光伏扶贫", 2019).code == "F18-CYFZ-GF"
    assert LIBRARY.category("不存在的类别", 2019) is None


# --- styles --------------------------------------------------------------------------------------------


def test_style_for_year_switches_in_2021_and_is_configurable():
    assert style_for_year(2020) == STYLE_88
    assert style_for_year(2021) == STYLE_101
    assert style_for_year(2021, first_101_year=2022) == STYLE_88


def test_dimension_trees_differ_only_by_cost():
    assert DIMENSIONS_88["产出"] == ("数量", "质量", "时效", "成本")
    assert DIMENSIONS_101["产出"] == ("数量", "质量", "时效")
    assert DIMENSIONS_101["成本"] == ("经济成本", "社会成本", "生态环境成本")
    assert set(DIMENSIONS_101) - set(DIMENSIONS_88) == {"成本"}
    assert DIMENSIONS_88["效益"] == DIMENSIONS_101["效益"]


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("产出指标", "产出"),
        (" 数量指标 ", "数量"),
        ("成本指标", "成本"),
        ("满意度指标", "满意度"),
        ("服务对象满意度指标", "服务对象满意度"),
    ],
)
def test_level_names_normalise(written, level):
    assert normalize_level(written) == level


# --- coverage ------------------------------------------------------------------------------------------


def test_at_least_fifteen_categories_with_four_own_templates():
    rich = [c for c in TOP_LEVEL if len(own_templates(c.code)) >= 4]

    assert len(rich) >= 15
    assert rich == TOP_LEVEL  # every top-level category, in fact


def test_every_sub_category_offers_at_least_four_templates():
    for category in CATEGORIES:
        own = [t for t in LIBRARY.templates_for(category.code) if COMMON not in t.categories]
        assert len(own) >= 4, category.code


@pytest.mark.parametrize("category", CATEGORIES, ids=lambda c: c.code)
@pytest.mark.parametrize("style", [STYLE_88, STYLE_101])
def test_every_category_can_fill_every_required_dimension(category, style):
    # Every required 一级 (and 产出/数量) must be coverable from the library in both styles.
    dims = {t.levels(style) for t in LIBRARY.templates_for(category.code)}
    tree = DIMENSIONS_88 if style == STYLE_88 else DIMENSIONS_101

    assert {level1 for level1, _ in dims} == set(tree)
    assert ("产出", "数量") in dims


@pytest.mark.parametrize("category", CATEGORIES, ids=lambda c: c.code)
def test_every_category_has_a_core_indicator_and_unique_names(category):
    templates = LIBRARY.templates_for(category.code)
    keys = [key for t in templates for key in t.match_keys()]

    assert any(t.core for t in templates)
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]


def test_cross_cutting_beneficiaries_are_core_except_for_management_fees():
    beneficiaries = LIBRARY.match("受益脱贫人口数")

    assert beneficiaries.code == "COM.01" and beneficiaries.core
    assert beneficiaries in LIBRARY.core_templates("X21-JYXM-GYGW")
    assert beneficiaries not in LIBRARY.templates_for("F18-XMGL")


# --- template consistency --------------------------------------------------------------------------------


def test_template_codes_unique_and_categories_known():
    codes = [t.code for t in TEMPLATES]

    assert len(codes) == len(set(codes))
    for template in TEMPLATES:
        assert re.fullmatch(r"[A-Z]+\.\d{2}", template.code), template.code
        assert set(template.categories) <= CATEGORY_CODES | {COMMON}, template.code


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.code)
def test_template_levels_fit_both_trees(template):
    level1, level2 = template.levels(STYLE_88)
    level1_101, level2_101 = template.levels(STYLE_101)

    assert level2 in DIMENSIONS_88[level1]
    assert level2_101 in DIMENSIONS_101[level1_101]
    if level2 == "成本":
        assert level1 == "产出" and level1_101 == "成本" and level2_101 in COST_LEVEL2
    else:
        assert (level1, level2) == (level1_101, level2_101)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.code)
def test_template_unit_operator_target_and_range_agree(template):
    assert template.operator in OPERATORS
    assert template.name and template.explanation and template.data_source
    if template.operator == QUALITATIVE:
        assert template.unit == "" and template.plausible_range is None
        assert isinstance(template.default_target, str) and template.default_target
        return
    assert template.unit and canonical_unit(template.unit) == template.unit
    low, high = template.plausible_range
    assert low <= high
    if template.unit == "%":
        assert low >= 0 and high <= 100
    if template.default_target is not None:
        assert low <= template.default_target <= high
        parsed = parse_target(f"{template.default_target}{template.unit}")
        assert (parsed.number, parsed.unit) == (float(template.default_target), template.unit)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.code)
def test_cost_templates_are_reverse_or_exact(template):
    # A bare number in cost context reads as ≤ (DOMAIN §6): the library must not say ≥ there.
    level1, level2 = template.levels(STYLE_88)
    if is_cost_context(level1, level2, template.name):
        assert template.operator in (LE, "="), template.code


@pytest.mark.parametrize("template", [t for t in TEMPLATES if t.policy_standard], ids=lambda t: t.code)
def test_policy_standards_agree_with_unit_and_range(template):
    standard = template.policy_standard
    low, high = template.plausible_range

    assert standard.unit == template.unit
    assert standard.operator in ("≥", "≤", "=")
    assert low <= standard.value <= high
    assert standard.basis


def test_domain_examples_are_in_the_library():
    # The examples DOMAIN §3 quotes from published goal tables.
    def check(name, unit, operator, default=None):
        template = LIBRARY.match(name)
        assert template is not None, name
        assert (template.unit, template.operator) == (unit, operator), name
        if default is not None:
            assert template.default_target == default, name
        return template

    check("受益脱贫(建档立卡)人口数", "人", "≥")
    check("项目(工程)验收合格率", "%", "=", 100)
    check("项目(工程)完成及时率", "%", "=", 100)
    check("受益群众满意度", "%", "≥", 90)
    solar = check("光伏电站装机容量", "kW", "≥", 300)
    assert solar.plausible_range[1] == 500
    check("资产股权年收益率", "%", "≥", 8)
    assert check("雨露计划补助标准", "元/生·学期", "=", 1500).policy_standard.value == 1500
    check("危房改造户均补助", "元/户", "≤", 14000)
    assert check("易地搬迁人均住房面积", "㎡", "≤", 25).policy_standard.value == 25
    check("公益岗位补贴标准", "元/人·月", "≤")
    check("道路硬化里程", "公里", "≥")
    check("新增灌溉面积", "亩", "≥")


def test_ranges_are_in_template_units_and_convert():
    # 万元/户 and 元/户 are the same kind: a range check can convert a unit's target.
    subsidy = LIBRARY.match("危房改造户均补助")

    assert convert(1.4, "万元/户", subsidy.unit) == pytest.approx(14000)


# --- name matching -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "受益脱贫(建档立卡)人口数",
        "受益脱贫（建档立卡）人口数",
        "受益脱贫人口数",
        " 受益脱贫 人口数 ",
        "受益建档立卡贫困人口数",
    ],
)
def test_name_variants_match_the_cross_cutting_template(written):
    assert LIBRARY.match(written, "F18-CYFZ").code == "COM.01"


def test_match_prefers_template_code_then_category_then_library():
    assert LIBRARY.match("随便写的名字", code="GF.01").code == "GF.01"
    assert LIBRARY.match("光伏电站装机容量", "F18-WFGZ").code == "GF.01"
    assert LIBRARY.match("完全不存在的指标") is None


def test_normalize_name_and_variants():
    assert normalize_name("项目(工程)验收合格率") == "项目验收合格率"
    assert name_variants("项目(工程)验收合格率") == {"项目验收合格率", "项目工程验收合格率"}
    assert name_variants("") == frozenset()
