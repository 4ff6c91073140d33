"""Scoring profiles (评分方案) for self-evaluation, declared as data (DOMAIN §5).

A profile says how the 100 points of a 自评表 are split: the budget-execution points, the indicator points and how
those are allocated to 一级指标, the qualitative tier bands, the over-achievement threshold and the grade bands.
Shipped profiles are plain dicts passed through the same validator that administrator-defined JSON profiles use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

TIERS = ("达成", "部分达成", "未达成")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
CATCH_ALL = "*"  # an allocation covering every 一级指标 (hubei 年度绩效目标, sichuan 绩效指标)


class ProfileError(ValueError):
    """A profile definition is invalid; `errors` lists every problem in Chinese."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__("评分方案无效:" + ";".join(self.errors))


@dataclass(frozen=True)
class Allocation:
    """Points given to one 一级指标 (or a pool of them); fixed when low == high."""

    name: str
    weight: Decimal  # default points, used to pre-fill indicator weights
    low: Decimal
    high: Decimal
    level1: tuple[str, ...]  # 一级指标 names covered; ("*",) covers every name

    def covers(self, level1: str) -> bool:
        return normalize_level1(level1) in self.level1


@dataclass(frozen=True)
class TierBand:
    """Share of W (in %) a qualitative tier may score: [low, high), or [low, 100] for the top tier."""

    tier: str
    low: Decimal
    high: Decimal
    default: Decimal

    def contains(self, share: Decimal) -> bool:
        if self.high == HUNDRED:
            return self.low <= share <= self.high
        return self.low <= share < self.high

    def label(self) -> str:
        closing = "]" if self.high == HUNDRED else ")"
        return f"[{plain_number(self.low)}%, {plain_number(self.high)}%{closing}"


@dataclass(frozen=True)
class GradeBand:
    grade: str
    minimum: Decimal  # inclusive lower bound of the total


@dataclass(frozen=True)
class ScoringProfile:
    code: str
    name: str
    execution_weight: Decimal
    indicator_total: Decimal
    allocations: tuple[Allocation, ...]
    tiers: tuple[TierBand, ...]
    grades: tuple[GradeBand, ...]
    over_achievement: Decimal  # actual ÷ target at or above this is flagged
    explanation_rate: Decimal  # 执行率 (%) below this requires 偏差原因分析

    def tier(self, name: str) -> TierBand:
        return next(band for band in self.tiers if band.tier == name)

    def grade_for(self, total: Decimal) -> str:
        return next(band.grade for band in self.grades if total >= band.minimum)

    def allocation_for(self, level1: str) -> Allocation | None:
        named = [a for a in self.allocations if a.covers(level1)]
        if named:
            return named[0]
        return next((a for a in self.allocations if CATCH_ALL in a.level1), None)


CENTRAL_TIERS = [
    {"tier": "达成", "low": 80, "high": 100, "default": 100},
    {"tier": "部分达成", "low": 60, "high": 80, "default": 70},
    {"tier": "未达成", "low": 0, "high": 60, "default": 30},
]
HUBEI_TIERS = [
    {"tier": "达成", "low": 80, "high": 100, "default": 100},
    {"tier": "部分达成", "low": 50, "high": 80, "default": 65},
    {"tier": "未达成", "low": 0, "high": 50, "default": 25},
]
DEFAULT_GRADES = [
    {"grade": "优", "min": 90},
    {"grade": "良", "min": 80},
    {"grade": "中", "min": 60},
    {"grade": "差", "min": 0},
]
SATISFACTION = {"name": "满意度", "level1": ["满意度", "服务对象满意度"]}

SHIPPED_PROFILE_DATA: list[dict[str, Any]] = [
    {
        "code": "central-2020",
        "name": "中央项目支出自评(财预〔2020〕10号)",
        "execution_weight": 10,
        "indicator_total": 90,
        "allocations": [
            {"name": "产出", "weight": 50},
            {"name": "效益", "weight": 30},
            {**SATISFACTION, "weight": 10},
        ],
    },
    {
        "code": "hubei",
        "name": "湖北省项目支出绩效自评",
        "execution_weight": 20,
        "indicator_total": 80,
        "allocations": [{"name": "年度绩效目标", "weight": 80, "level1": [CATCH_ALL]}],
        "tiers": HUBEI_TIERS,
    },
    {
        "code": "sichuan",
        "name": "四川省项目支出绩效自评",
        "execution_weight": 10,
        "indicator_total": 90,
        "allocations": [{"name": "绩效指标", "weight": 90, "level1": [CATCH_ALL]}],
    },
    {
        "code": "cost-2021",
        "name": "含成本指标的项目支出自评(财预〔2021〕101号)",
        "execution_weight": 10,
        "indicator_total": 90,
        "allocations": [
            {"name": "成本", "weight": 10, "min": 0, "max": 20},
            {"name": "产出", "weight": 40, "min": 40, "max": 50},
            {"name": "效益", "weight": 30, "min": 0, "max": 90},
            {**SATISFACTION, "weight": 10, "min": 0, "max": 90},
        ],
    },
]
DEFAULT_PROFILE_CODE = "central-2020"

_PROFILE_KEYS = {
    "code",
    "name",
    "execution_weight",
    "indicator_total",
    "allocations",
    "tiers",
    "grades",
    "over_achievement",
    "explanation_rate",
}
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def normalize_level1(name: str) -> str:
    """Return a 一级指标 name without spaces and the 「指标」 suffix (产出指标 → 产出)."""
    text = re.sub(r"\s+", "", str(name or ""))
    return text[: -len("指标")] if text.endswith("指标") and len(text) > 2 else text


def plain_number(value: Decimal) -> str:
    """Return a number without exponent or trailing zeros (20.00 → 20, 12.50 → 12.5)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Reader:
    """Collects Chinese error messages while reading values out of a profile dict."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def number(self, value: Any, label: str, *, default: Any = None) -> Decimal:
        if value is None or (isinstance(value, str) and not value.strip()):
            value = default
        if value is None:
            self.errors.append(f"{label}未填写")
            return Decimal(0)
        try:
            if isinstance(value, bool):
                raise TypeError
            number = Decimal(str(value).strip())
            if not number.is_finite():
                raise TypeError
        except (TypeError, InvalidOperation):
            self.errors.append(f"{label}「{value}」不是数字")
            return Decimal(0)
        if number < 0:
            self.errors.append(f"{label}为 {plain_number(number)},不能为负数")
        elif number != number.quantize(CENT):
            self.errors.append(f"{label}为 {plain_number(number)},最多保留两位小数")
        return number

    def items(self, value: Any, label: str) -> list[Mapping[str, Any]]:
        if not isinstance(value, list) or not value:
            self.errors.append(f"{label}必须是非空列表")
            return []
        good = [item for item in value if isinstance(item, Mapping)]
        if len(good) != len(value):
            self.errors.append(f"{label}的每一项必须是对象")
        return good


def profile_from_dict(data: Mapping[str, Any]) -> ScoringProfile:
    """Return the profile described by a plain dict (JSON); raise ProfileError listing every problem."""
    if not isinstance(data, Mapping):
        raise ProfileError(["评分方案必须是 JSON 对象"])
    reader = _Reader()
    unknown = sorted(set(data) - _PROFILE_KEYS)
    if unknown:
        reader.errors.append(f"未知字段:{'、'.join(unknown)}")
    code = str(data.get("code") or "")
    if not _CODE_RE.match(code):
        reader.errors.append(f"方案代码「{code}」无效:应为小写字母、数字和连字符,最长 40 个字符")
    name = str(data.get("name") or "").strip()
    if not name:
        reader.errors.append("方案名称不能为空")
    execution = reader.number(data.get("execution_weight"), "预算执行分值")
    total = reader.number(data.get("indicator_total"), "指标总分")
    if total <= 0:
        reader.errors.append("指标总分必须大于 0")
    if execution + total != HUNDRED:
        reader.errors.append(
            f"预算执行分值 {plain_number(execution)} 与指标总分 {plain_number(total)} 之和为 {plain_number(execution + total)},应为 100"
        )
    allocations = _read_allocations(reader, data.get("allocations"), total)
    tiers = _read_tiers(reader, data.get("tiers", CENTRAL_TIERS))
    grades = _read_grades(reader, data.get("grades", DEFAULT_GRADES))
    over = reader.number(data.get("over_achievement"), "超额完成阈值", default="1.5")
    if over <= 1:
        reader.errors.append(f"超额完成阈值为 {plain_number(over)},应大于 1(如 1.5 表示实际值达到目标值的 150%)")
    rate = reader.number(data.get("explanation_rate"), "须说明原因的执行率阈值(%)", default=90)
    if rate > HUNDRED:
        reader.errors.append(f"须说明原因的执行率阈值为 {plain_number(rate)}%,不能超过 100%")
    if reader.errors:
        raise ProfileError(reader.errors)
    return ScoringProfile(code, name, execution, total, allocations, tiers, grades, over, rate)


def _read_allocations(reader: _Reader, value: Any, total: Decimal) -> tuple[Allocation, ...]:
    result = []
    for item in reader.items(value, "一级指标权重分配(allocations)"):
        name = str(item.get("name") or "").strip()
        if not name:
            reader.errors.append("一级指标权重分配中有一项缺少名称")
            continue
        label = f"一级指标「{name}」"
        weight = reader.number(item.get("weight"), f"{label}的默认权重")
        low = reader.number(item.get("min"), f"{label}的最低权重", default=weight)
        high = reader.number(item.get("max"), f"{label}的最高权重", default=weight)
        if not low <= weight <= high:
            reader.errors.append(
                f"{label}的默认权重 {plain_number(weight)} 不在允许范围 {plain_number(low)}–{plain_number(high)} 内"
            )
        names = item.get("level1") or [name]
        level1 = tuple(CATCH_ALL if n == CATCH_ALL else normalize_level1(n) for n in names)
        result.append(Allocation(name, weight, low, high, level1))
    names = [a.name for a in result]
    for name in sorted({n for n in names if names.count(n) > 1}):
        reader.errors.append(f"一级指标「{name}」重复")
    allocated = sum((a.weight for a in result), Decimal(0))
    if result and allocated != total:
        reader.errors.append(f"一级指标默认权重合计 {plain_number(allocated)},应等于指标总分 {plain_number(total)}")
    return tuple(result)


def _read_tiers(reader: _Reader, value: Any) -> tuple[TierBand, ...]:
    bands = {}
    for item in reader.items(value, "定性指标档次(tiers)"):
        tier = str(item.get("tier") or "")
        if tier not in TIERS:
            reader.errors.append(f"定性档次「{tier}」无效:应为 达成、部分达成 或 未达成")
            continue
        low = reader.number(item.get("low"), f"「{tier}」档下限(%)")
        high = reader.number(item.get("high"), f"「{tier}」档上限(%)")
        default = reader.number(item.get("default"), f"「{tier}」档默认得分比例(%)")
        band = TierBand(tier, low, high, default)
        if not low < high or not band.contains(default):
            reader.errors.append(
                f"「{tier}」档 {band.label()} 无效:下限须小于上限,默认比例 {plain_number(default)}% 须在档内"
            )
        bands[tier] = band
    if set(bands) != set(TIERS):
        reader.errors.append("定性指标档次必须恰好包含 达成、部分达成、未达成 三档")
        return ()
    top, middle, bottom = (bands[t] for t in TIERS)
    if (top.high, top.low, middle.low, bottom.low) != (HUNDRED, middle.high, bottom.high, 0):
        reader.errors.append("定性指标档次必须首尾相接覆盖 0%–100%:未达成从 0 开始,达成到 100 为止")
    return top, middle, bottom


def _read_grades(reader: _Reader, value: Any) -> tuple[GradeBand, ...]:
    bands = []
    for item in reader.items(value, "等级(grades)"):
        grade = str(item.get("grade") or "").strip()
        if not grade:
            reader.errors.append("等级名称不能为空")
        bands.append(GradeBand(grade, reader.number(item.get("min"), f"等级「{grade}」的最低分")))
    minimums = [band.minimum for band in bands]
    if bands and (minimums != sorted(minimums, reverse=True) or len(set(minimums)) != len(minimums)):
        reader.errors.append("等级必须按最低分从高到低排列,且最低分不能重复")
    if bands and minimums[-1] != 0:
        reader.errors.append("最后一个等级的最低分必须为 0")
    return tuple(bands)


def profile_to_dict(profile: ScoringProfile) -> dict[str, Any]:
    """Return the JSON-ready dict that profile_from_dict reads back into the same profile."""
    return {
        "code": profile.code,
        "name": profile.name,
        "execution_weight": plain_number(profile.execution_weight),
        "indicator_total": plain_number(profile.indicator_total),
        "allocations": [
            {
                "name": a.name,
                "weight": plain_number(a.weight),
                "min": plain_number(a.low),
                "max": plain_number(a.high),
                "level1": list(a.level1),
            }
            for a in profile.allocations
        ],
        "tiers": [
            {
                "tier": t.tier,
                "low": plain_number(t.low),
                "high": plain_number(t.high),
                "default": plain_number(t.default),
            }
            for t in profile.tiers
        ],
        "grades": [{"grade": g.grade, "min": plain_number(g.minimum)} for g in profile.grades],
        "over_achievement": plain_number(profile.over_achievement),
        "explanation_rate": plain_number(profile.explanation_rate),
    }


SHIPPED_PROFILES: dict[str, ScoringProfile] = {data["code"]: profile_from_dict(data) for data in SHIPPED_PROFILE_DATA}


def get_profile(code: str | None, profiles: Mapping[str, ScoringProfile] | None = None) -> ScoringProfile:
    """Return the profile with this code (the default when code is empty); raise ProfileError when unknown."""
    available = SHIPPED_PROFILES if profiles is None else profiles
    try:
        return available[code or DEFAULT_PROFILE_CODE]
    except KeyError:
        raise ProfileError([f"评分方案「{code}」不存在,可选:{'、'.join(available)}"])


@dataclass(frozen=True)
class WeightPlan:
    """Default indicator weights for a goal: one per indicator, plus allocations no indicator could take."""

    weights: tuple[Decimal, ...]
    unallocated: dict[str, Decimal]
    messages: tuple[str, ...]


def split_evenly(amount: Decimal, parts: int) -> list[Decimal]:
    """Split amount into `parts` 2-decimal shares summing exactly to it; leftover cents go to the first shares."""
    cents = int(amount / CENT)
    base, extra = divmod(cents, parts)
    return [(Decimal(base + (1 if i < extra else 0)) * CENT) for i in range(parts)]


def default_weights(profile: ScoringProfile, level1s: Sequence[str]) -> WeightPlan:
    """Return default weights for indicators with these 一级指标: each allocation split equally among its indicators.

    Shares are rounded down to 0.01 and the leftover cents go one each to the first indicators in order, so the
    weights of an allocation add up to its default weight exactly (50 over 3 → 16.67, 16.67, 16.66).
    """
    members: dict[str, list[int]] = {a.name: [] for a in profile.allocations}
    weights = [Decimal("0.00")] * len(level1s)
    messages = []
    for index, level1 in enumerate(level1s):
        allocation = profile.allocation_for(level1)
        if allocation is None:
            messages.append(f"第 {index + 1} 项指标的一级指标「{level1}」不在评分方案「{profile.name}」中,权重记为 0")
        else:
            members[allocation.name].append(index)
    unallocated = {}
    for allocation in profile.allocations:
        indexes = members[allocation.name]
        if not indexes:
            if allocation.weight:
                unallocated[allocation.name] = allocation.weight
                messages.append(
                    f"一级指标「{allocation.name}」下没有指标,其默认权重 {plain_number(allocation.weight)} 分未分配"
                )
            continue
        for index, share in zip(indexes, split_evenly(allocation.weight, len(indexes)), strict=True):
            weights[index] = share
    return WeightPlan(tuple(weights), unallocated, tuple(messages))


def allocation_problems(profile: ScoringProfile, level1s: Sequence[str], weights: Sequence[Decimal]) -> list[str]:
    """Return Chinese messages where a goal's indicator weights break the profile's allocations (used by G15)."""
    sums = {a.name: Decimal(0) for a in profile.allocations}
    problems = []
    for index, (level1, weight) in enumerate(zip(level1s, weights, strict=True)):
        allocation = profile.allocation_for(level1)
        if allocation is None:
            problems.append(f"第 {index + 1} 项指标的一级指标「{level1}」不在评分方案「{profile.name}」中")
        else:
            sums[allocation.name] += Decimal(weight)
    for allocation in profile.allocations:
        got = sums[allocation.name]
        if not allocation.low <= got <= allocation.high:
            wanted = (
                plain_number(allocation.low)
                if allocation.low == allocation.high
                else f"{plain_number(allocation.low)}–{plain_number(allocation.high)}"
            )
            problems.append(f"一级指标「{allocation.name}」权重合计 {plain_number(got)},应为 {wanted}")
    total = sum((Decimal(w) for w in weights), Decimal(0))
    if total != profile.indicator_total:
        problems.append(
            f"指标权重合计 {plain_number(total)},应等于评分方案的指标总分 {plain_number(profile.indicator_total)}"
        )
    return problems
