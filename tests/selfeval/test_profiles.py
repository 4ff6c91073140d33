"""Scoring profiles as data: shipped profiles, JSON validation with Chinese errors, default weight distribution."""

import copy
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.selfeval.profiles import (
    SHIPPED_PROFILE_DATA,
    SHIPPED_PROFILES,
    ProfileError,
    allocation_problems,
    default_weights,
    get_profile,
    normalize_level1,
    profile_from_dict,
    profile_to_dict,
    split_evenly,
)

CENTRAL_DATA = next(d for d in SHIPPED_PROFILE_DATA if d["code"] == "central-2020")


def errors_of(data):
    with pytest.raises(ProfileError) as caught:
        profile_from_dict(data)
    return caught.value.errors


def with_changes(**changes):
    data = copy.deepcopy(CENTRAL_DATA)
    data.update(changes)
    return data


# --- shipped profiles ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "execution", "allocations"),
    [
        ("central-2020", 10, [("产出", 50, 50, 50), ("效益", 30, 30, 30), ("满意度", 10, 10, 10)]),
        ("hubei", 20, [("年度绩效目标", 80, 80, 80)]),
        ("sichuan", 10, [("绩效指标", 90, 90, 90)]),
        ("cost-2021", 10, [("成本", 10, 0, 20), ("产出", 40, 40, 50), ("效益", 30, 0, 90), ("满意度", 10, 0, 90)]),
    ],
)
def test_shipped_profiles(code, execution, allocations):
    profile = get_profile(code)
    assert profile.execution_weight == execution
    assert profile.execution_weight + profile.indicator_total == 100
    assert [(a.name, a.weight, a.low, a.high) for a in profile.allocations] == allocations
    assert (profile.over_achievement, profile.explanation_rate) == (Decimal("1.5"), 90)
    assert [(g.grade, g.minimum) for g in profile.grades] == [("优", 90), ("良", 80), ("中", 60), ("差", 0)]


@pytest.mark.parametrize(
    ("code", "bands"),
    [
        ("central-2020", [("达成", 80, 100, 100), ("部分达成", 60, 80, 70), ("未达成", 0, 60, 30)]),
        ("sichuan", [("达成", 80, 100, 100), ("部分达成", 60, 80, 70), ("未达成", 0, 60, 30)]),
        ("cost-2021", [("达成", 80, 100, 100), ("部分达成", 60, 80, 70), ("未达成", 0, 60, 30)]),
        ("hubei", [("达成", 80, 100, 100), ("部分达成", 50, 80, 65), ("未达成", 0, 50, 25)]),
    ],
)
def test_tier_bands(code, bands):
    assert [(t.tier, t.low, t.high, t.default) for t in get_profile(code).tiers] == bands


def test_top_tier_includes_100_and_the_others_exclude_their_upper_bound():
    central = get_profile("central-2020")
    assert central.tier("达成").contains(Decimal(100))
    assert not central.tier("部分达成").contains(Decimal(80))
    assert central.tier("部分达成").contains(Decimal("79.99"))
    assert (central.tier("达成").label(), central.tier("未达成").label()) == ("[80%, 100%]", "[0%, 60%)")


def test_default_profile_and_unknown_code():
    assert get_profile(None).code == "central-2020"
    with pytest.raises(ProfileError) as caught:
        get_profile("guangdong")
    assert caught.value.errors == ["评分方案「guangdong」不存在,可选:central-2020、hubei、sichuan、cost-2021"]


@pytest.mark.parametrize("code", list(SHIPPED_PROFILES))
def test_profile_round_trips_through_json(code):
    profile = SHIPPED_PROFILES[code]
    assert profile_from_dict(json.loads(json.dumps(profile_to_dict(profile)))) == profile


def test_administrator_profile_from_json():
    data = json.loads(
        '{"code": "henan-2022", "name": "河南省项目支出自评", "execution_weight": "15", "indicator_total": 85,'
        ' "allocations": [{"name": "产出", "weight": 50}, {"name": "效益", "weight": 25},'
        ' {"name": "满意度", "weight": 10, "level1": ["满意度", "服务对象满意度"]}],'
        ' "over_achievement": 2, "explanation_rate": 85}'
    )
    profile = profile_from_dict(data)
    assert (profile.code, profile.execution_weight, profile.over_achievement, profile.explanation_rate) == (
        "henan-2022",
        15,
        2,
        85,
    )
    assert profile.allocation_for("服务对象满意度指标").name == "满意度"
    assert profile.tiers == get_profile("central-2020").tiers


# --- validation ---------------------------------------------------------------------------------------------------


def test_every_problem_of_a_profile_is_listed_in_chinese():
    data = {
        "code": "Hubei 2",
        "name": " ",
        "execution_weight": 20,
        "indicator_total": 70,
        "allocations": [{"name": "产出", "weight": 50}, {"name": "效益", "weight": 30}, {"name": "产出", "weight": 0}],
        "colour": "red",
    }
    assert errors_of(data) == [
        "未知字段:colour",
        "方案代码「Hubei 2」无效:应为小写字母、数字和连字符,最长 40 个字符",
        "方案名称不能为空",
        "预算执行分值 20 与指标总分 70 之和为 90,应为 100",
        "一级指标「产出」重复",
        "一级指标默认权重合计 80,应等于指标总分 70",
    ]


def test_weights_not_summing_to_the_indicator_total():
    data = with_changes(allocations=[{"name": "产出", "weight": 50}, {"name": "效益", "weight": 30}])
    assert errors_of(data) == ["一级指标默认权重合计 80,应等于指标总分 90"]


@pytest.mark.parametrize(
    ("allocation", "message"),
    [
        ({"name": "产出", "weight": 60, "min": 40, "max": 50}, "一级指标「产出」的默认权重 60 不在允许范围 40–50 内"),
        ({"name": "产出", "weight": "五十"}, "一级指标「产出」的默认权重「五十」不是数字"),
        ({"name": "产出", "weight": -50}, "一级指标「产出」的默认权重为 -50,不能为负数"),
        ({"name": "产出", "weight": "49.999"}, "一级指标「产出」的默认权重为 49.999,最多保留两位小数"),
        ({"weight": 50}, "一级指标权重分配中有一项缺少名称"),
    ],
)
def test_bad_allocation(allocation, message):
    data = with_changes(allocations=[allocation, {"name": "效益", "weight": 30}, {"name": "满意度", "weight": 10}])
    assert message in errors_of(data)


@pytest.mark.parametrize(
    ("tiers", "messages"),
    [
        (
            [
                {"tier": "达成", "low": 80, "high": 100, "default": 100},
                {"tier": "部分达成", "low": 60, "high": 75, "default": 70},
                {"tier": "未达成", "low": 0, "high": 60, "default": 30},
            ],
            ["定性指标档次必须首尾相接覆盖 0%–100%:未达成从 0 开始,达成到 100 为止"],
        ),
        (
            [
                {"tier": "达成", "low": 80, "high": 100, "default": 100},
                {"tier": "部分达成", "low": 60, "high": 80, "default": 80},
                {"tier": "未达成", "low": 0, "high": 60, "default": 30},
            ],
            ["「部分达成」档 [60%, 80%) 无效:下限须小于上限,默认比例 80% 须在档内"],
        ),
        (
            [
                {"tier": "达成", "low": 80, "high": 100, "default": 100},
                {"tier": "基本达成", "low": 0, "high": 80, "default": 50},
            ],
            [
                "定性档次「基本达成」无效:应为 达成、部分达成 或 未达成",
                "定性指标档次必须恰好包含 达成、部分达成、未达成 三档",
            ],
        ),
        ("central", ["定性指标档次(tiers)必须是非空列表", "定性指标档次必须恰好包含 达成、部分达成、未达成 三档"]),
    ],
)
def test_bad_tiers(tiers, messages):
    assert errors_of(with_changes(tiers=tiers)) == messages


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"grades": [{"grade": "良", "min": 80}, {"grade": "优", "min": 90}, {"grade": "差", "min": 0}]},
            "等级必须按最低分从高到低排列,且最低分不能重复",
        ),
        ({"grades": [{"grade": "合格", "min": 60}]}, "最后一个等级的最低分必须为 0"),
        ({"over_achievement": 1}, "超额完成阈值为 1,应大于 1(如 1.5 表示实际值达到目标值的 150%)"),
        ({"explanation_rate": 120}, "须说明原因的执行率阈值为 120%,不能超过 100%"),
        ({"execution_weight": True}, "预算执行分值「True」不是数字"),
        ({"indicator_total": 0, "execution_weight": 100}, "指标总分必须大于 0"),
    ],
)
def test_other_validation_errors(changes, message):
    assert message in errors_of(with_changes(**changes))


def test_not_a_dict():
    assert errors_of(["central-2020"]) == ["评分方案必须是 JSON 对象"]


def test_profile_error_message_joins_every_problem():
    with pytest.raises(ProfileError, match="评分方案无效:方案名称不能为空"):
        profile_from_dict(with_changes(name=""))


# --- default weights ----------------------------------------------------------------------------------------------


def test_level1_names_are_normalised():
    assert [normalize_level1(n) for n in ("产出指标", " 效益 指标", "满意度", "指标")] == [
        "产出",
        "效益",
        "满意度",
        "指标",
    ]


def test_default_weights_split_each_allocation_equally_with_exact_sums():
    # Given three 产出, two 效益 and one 满意度 indicators under the central profile
    level1s = ["产出指标", "效益指标", "产出指标", "满意度指标", "效益指标", "产出指标"]
    # When default weights are distributed
    plan = default_weights(get_profile("central-2020"), level1s)
    # Then 50 splits into 16.67 + 16.67 + 16.66 in order, 30 into 15 + 15, 10 stays whole
    assert plan.weights == tuple(Decimal(w) for w in ("16.67", "15.00", "16.67", "10.00", "15.00", "16.66"))
    assert sum(plan.weights) == Decimal(90)
    assert (plan.unallocated, plan.messages) == ({}, ())


def test_pooled_profile_splits_across_every_indicator():
    plan = default_weights(get_profile("hubei"), ["产出", "产出", "效益", "满意度", "成本", "其他"])
    assert plan.weights == tuple(Decimal(w) for w in ("13.34", "13.34", "13.33", "13.33", "13.33", "13.33"))
    assert sum(plan.weights) == 80


def test_missing_level1_and_unknown_level1_are_reported():
    plan = default_weights(get_profile("cost-2021"), ["产出", "效益", "满意度", "其他"])
    assert plan.weights == (Decimal(40), Decimal(30), Decimal(10), Decimal(0))
    assert plan.unallocated == {"成本": Decimal(10)}
    assert plan.messages == (
        "第 4 项指标的一级指标「其他」不在评分方案「含成本指标的项目支出自评(财预〔2021〕101号)」中,权重记为 0",
        "一级指标「成本」下没有指标,其默认权重 10 分未分配",
    )


@given(amount=st.decimals(min_value=0, max_value=100, places=2), parts=st.integers(min_value=1, max_value=60))
def test_property_even_split_is_exact_and_fair(amount, parts):
    shares = split_evenly(amount, parts)
    assert sum(shares) == amount
    assert max(shares) - min(shares) <= Decimal("0.01")
    assert shares == sorted(shares, reverse=True)


@given(
    level1s=st.lists(st.sampled_from(["产出", "效益", "满意度"]), min_size=1, max_size=30).filter(
        lambda xs: len(set(xs)) == 3
    )
)
def test_property_default_weights_sum_to_the_indicator_total(level1s):
    plan = default_weights(get_profile("central-2020"), level1s)
    assert sum(plan.weights) == 90
    assert allocation_problems(get_profile("central-2020"), level1s, plan.weights) == []


# --- allocation check (G15) ---------------------------------------------------------------------------------------


def test_allocation_problems():
    profile = get_profile("cost-2021")
    problems = allocation_problems(
        profile,
        ["成本", "产出", "效益", "满意度", "其他"],
        [Decimal(25), Decimal(35), Decimal(20), Decimal(10), Decimal(5)],
    )
    assert problems == [
        "第 5 项指标的一级指标「其他」不在评分方案「含成本指标的项目支出自评(财预〔2021〕101号)」中",
        "一级指标「成本」权重合计 25,应为 0–20",
        "一级指标「产出」权重合计 35,应为 40–50",
        "指标权重合计 95,应等于评分方案的指标总分 90",
    ]


def test_allocation_inside_ranges_is_accepted():
    weights = [Decimal(20), Decimal(45), Decimal(15), Decimal(10)]
    assert allocation_problems(get_profile("cost-2021"), ["成本", "产出", "效益", "满意度"], weights) == []
