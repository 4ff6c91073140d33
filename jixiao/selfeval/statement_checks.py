"""Checks of a unit's STATED self-evaluation scores against the scoring rules (DOMAIN §6: Q15, Q16, Q17, Q19).

Each check yields outcome objects (code, Chinese message, row, evidence), never an exception. For one row only the
most specific finding is reported, in the order Q16 (above the points) → Q17 (full marks for a miss) → Q15 (differs
from the rule score), so a unit verifies each mistaken cell once. Rows whose values cannot be read as numbers are
skipped here: reading problems belong to Q18 and the table reader.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from jixiao.selfeval.profiles import HUNDRED, ScoringProfile, get_profile, normalize_level1, plain_number
from jixiao.selfeval.scoring import (
    BELOW_TARGET,
    QUALITATIVE,
    Budget,
    IndicatorInput,
    ScoringInputError,
    fmt2,
    normalize_operator,
    parse_number,
    round_half_up,
    score_execution,
    score_indicator,
)

STATEMENT_CHECKS = {
    "Q15": "自评得分与按规则计算的得分不一致(相差超过 0.1)",
    "Q16": "自评得分超过该项分值(超额完成未封顶)",
    "Q17": "实际完成值未达到年度指标值,却给了满分",
    "Q19": "分值或得分不平衡:指标分值与预算执行分值合计不等于 100,或总分不等于各项得分之和",
}
DEFAULT_TOLERANCE = Decimal("0.1")

# How units word a qualitative actual (DOMAIN §6); the target's own wording also reads as 达成.
QUALITATIVE_ACTUALS = {
    "达成": ("达成预期指标", "达成", "已完成", "是", "及时", "合格", "效果明显"),
    "部分达成": ("部分达成", "基本达到", "基本完成"),
    "未达成": ("未达成", "未完成", "否"),
}


@dataclass(frozen=True)
class StatedIndicator:
    """One row of a filled-in 自评表 indicator grid."""

    name: str
    operator: str
    target: Any
    actual: Any
    points: Any  # 分值
    stated_score: Any  # 得分 as the unit wrote it
    unit: str = ""
    level1: str = ""
    level2: str = ""
    applicable: bool = True
    tier: str | None = None  # 定性 tier when known; otherwise read from the actual's wording


@dataclass(frozen=True)
class StatedExecution:
    """The 预算执行率 row: amounts in 元, its points and the stated score."""

    annual: Any
    executed: Any
    points: Any
    stated_score: Any


@dataclass(frozen=True)
class Statement:
    indicators: Sequence[StatedIndicator]
    execution: StatedExecution | None = None
    stated_total: Any = None  # 总分 as the unit wrote it


@dataclass(frozen=True)
class StatementFinding:
    code: str  # Q15 / Q16 / Q17 / Q19
    message: str  # Chinese, names the row, the values and what was expected
    indicator_index: int | None  # 0-based row of the indicator grid; None for the execution row or the whole table
    evidence: dict[str, Any] = field(default_factory=dict)


def check_statement(
    statement: Statement, profile: ScoringProfile | None = None, *, tolerance: Decimal = DEFAULT_TOLERANCE
) -> list[StatementFinding]:
    """Return the Q15/Q16/Q17/Q19 findings of a filled-in self-evaluation table."""
    profile = profile or get_profile(None)
    findings = []
    if statement.execution is not None:
        findings += _check_execution(profile, statement.execution, tolerance)
    for index, row in enumerate(statement.indicators):
        findings += _check_row(profile, index, row, tolerance)
    findings += _check_balance(profile, statement, tolerance)
    return findings


def _number(value: Any, unit: str = "") -> Decimal | None:
    """Return the value as a number, accepting the row's own unit written after it (4604人)."""
    if isinstance(value, str):
        text, unit = unicodedata.normalize("NFKC", value).strip(), unicodedata.normalize("NFKC", unit or "").strip()
        if unit and unit != "%" and text.endswith(unit):
            value = text[: -len(unit)]
    parsed = parse_number(value)
    return None if parsed is None else parsed[0]


def _row_name(index: int, row: StatedIndicator) -> str:
    return f"第 {index + 1} 项指标「{row.name}」" if row.name else f"第 {index + 1} 项指标"


def _first(*candidates: StatementFinding | None) -> list[StatementFinding]:
    return [next(c for c in candidates if c is not None)] if any(candidates) else []


def _above_points(
    index: int | None, label: str, points: Decimal, stated: Decimal, evidence: dict
) -> StatementFinding | None:
    if stated <= points:
        return None
    message = f"{label}自评得分 {plain_number(stated)} 超过分值 {plain_number(points)},超额完成也不能超过分值"
    return StatementFinding("Q16", message, index, evidence)


def _differs(
    index: int | None, label: str, rule: Fraction, stated: Decimal, tolerance: Decimal, evidence: dict
) -> StatementFinding | None:
    gap = abs(Fraction(stated) - rule)
    if gap <= Fraction(tolerance):
        return None
    message = (
        f"{label}自评得分 {plain_number(stated)} 与按规则计算的得分 {fmt2(rule)} 相差 {fmt2(gap)},"
        f"超过 {plain_number(tolerance)}(计算:{evidence['formula']})"
    )
    return StatementFinding("Q15", message, index, evidence)


def _check_execution(profile: ScoringProfile, row: StatedExecution, tolerance: Decimal) -> list[StatementFinding]:
    points, stated = _number(row.points), _number(row.stated_score)
    if points is None or stated is None:
        return []
    try:
        rule = score_execution(profile, Budget(row.annual, row.executed), weight=points)
    except ScoringInputError:
        return []
    evidence = {"row": "预算执行率", "points": str(points), "stated_score": str(stated), "formula": rule.formula}
    if rule.exact is None:  # annual budget 0: nothing to compare
        return _first(_above_points(None, "预算执行率", points, stated, evidence))
    evidence.update(rule_score=str(round_half_up(rule.exact)), rate_percent=str(rule.rate_percent))
    full_for_miss = None
    if stated >= points and rule.rate is not None and rule.rate < 1 and round_half_up(rule.exact) < points:
        message = f"预算执行率 {rule.rate_percent}% 未达到 100%,自评却给了满分 {plain_number(stated)}"
        full_for_miss = StatementFinding("Q17", message, None, evidence)
    return _first(
        _above_points(None, "预算执行率", points, stated, evidence),
        full_for_miss,
        _differs(None, "预算执行率", rule.exact, stated, tolerance, evidence),
    )


def _check_row(profile: ScoringProfile, index: int, row: StatedIndicator, tolerance: Decimal) -> list[StatementFinding]:
    points, stated = _number(row.points), _number(row.stated_score)
    if not row.applicable or points is None or stated is None:
        return []
    label = _row_name(index, row)
    evidence: dict[str, Any] = {
        "indicator": row.name,
        "operator": row.operator,
        "target": row.target,
        "actual": row.actual,
        "unit": row.unit,
        "points": str(points),
        "stated_score": str(stated),
    }
    above = _above_points(index, label, points, stated, evidence)
    if normalize_operator(row.operator) == QUALITATIVE:
        return _first(above, *_check_qualitative(profile, index, label, row, points, stated, tolerance, evidence))
    operator, target = _operator_and_target(row)
    indicator = IndicatorInput(
        row.name, operator, _number(target, row.unit), _number(row.actual, row.unit), row.unit, points
    )
    try:
        rule = score_indicator(profile, indicator, index=index)
    except ScoringInputError:
        return _first(above)
    assert rule.exact is not None and rule.score is not None  # an applicable indicator always has a score
    evidence.update(rule_score=str(rule.score), formula=rule.formula)
    full_for_miss = None
    # A tiny shortfall may round to full points (45 × 9999 ÷ 10000 = 44.9955 → 45.00): that is not a Q17.
    if stated >= points and BELOW_TARGET in rule.flags and rule.score < points:
        message = (
            f"{label}实际完成值 {row.actual} 未达到年度指标值 {rule.operator}{target},"
            f"自评却给了满分 {plain_number(stated)}(按规则应得 {rule.score})"
        )
        full_for_miss = StatementFinding("Q17", message, index, evidence)
    return _first(above, full_for_miss, _differs(index, label, rule.exact, stated, tolerance, evidence))


def _operator_and_target(row: StatedIndicator) -> tuple[str, Any]:
    """Return the row's operator and target, reading an operator written into the target cell («≥4754»).

    A bare number is read as ≥, or as ≤ under 成本 and for names with 成本/单价/标准 (DOMAIN §6).
    """
    target = row.target
    if isinstance(target, str):
        text = unicodedata.normalize("NFKC", target).strip()
        for length in (2, 1):
            if normalize_operator(text[:length]) not in (None, QUALITATIVE):
                return (row.operator or text[:length]), text[length:].strip()
    if str(row.operator or "").strip():
        return row.operator, target
    reverse = normalize_level1(row.level1) == "成本" or any(word in row.name for word in ("成本", "单价", "标准"))
    return ("≤" if reverse else "≥"), target


def read_tier(row: StatedIndicator) -> str | None:
    """Return the qualitative tier of a row: as given, or read from the actual's wording; None when unclear."""
    if row.tier:
        return row.tier
    actual = unicodedata.normalize("NFKC", str(row.actual or "")).strip()
    if actual and actual == unicodedata.normalize("NFKC", str(row.target or "")).strip():
        return "达成"
    return next((tier for tier, words in QUALITATIVE_ACTUALS.items() if actual in words), None)


def _check_qualitative(
    profile: ScoringProfile,
    index: int,
    label: str,
    row: StatedIndicator,
    points: Decimal,
    stated: Decimal,
    tolerance: Decimal,
    evidence: dict,
) -> tuple[StatementFinding | None, StatementFinding | None]:
    """Return (Q17, Q15) candidates: a qualitative score is accepted anywhere inside its tier's band."""
    tier = read_tier(row)
    if tier not in QUALITATIVE_ACTUALS:
        return None, None
    band = profile.tier(tier)
    low, high = points * band.low / HUNDRED, points * band.high / HUNDRED
    evidence.update(tier=tier, band=f"{plain_number(low)}–{plain_number(high)}", band_share=band.label())
    full_for_miss = None
    if stated >= points and tier != "达成":
        message = f"{label}定性评定为「{tier}」,自评却给了满分 {plain_number(stated)}(该档得分区间 {band.label()})"
        full_for_miss = StatementFinding("Q17", message, index, evidence)
    outside = None
    if not low - tolerance <= stated <= high + tolerance:
        message = (
            f"{label}定性评定为「{tier}」,自评得分 {plain_number(stated)} 不在该档得分区间 "
            f"{plain_number(low)}–{plain_number(high)}(分值 {plain_number(points)} 的 {band.label()})内"
        )
        outside = StatementFinding("Q15", message, index, evidence)
    return full_for_miss, outside


def _check_balance(profile: ScoringProfile, statement: Statement, tolerance: Decimal) -> list[StatementFinding]:
    """Return Q19 findings: points not adding to 100, or a stated total that is not the sum of the stated scores."""
    rows = [(r.applicable, _number(r.points), _number(r.stated_score)) for r in statement.indicators]
    execution = statement.execution
    exec_points = profile.execution_weight if execution is None else _number(execution.points)
    findings = []
    indicator_points = sum((p for _, p, _ in rows if p is not None), Decimal(0))
    if exec_points is not None and indicator_points + exec_points != HUNDRED:
        message = (
            f"指标分值合计 {plain_number(indicator_points)} 与预算执行分值 {plain_number(exec_points)} "
            f"相加为 {plain_number(indicator_points + exec_points)},应为 100"
        )
        evidence = {"indicator_points": str(indicator_points), "execution_points": str(exec_points)}
        findings.append(StatementFinding("Q19", message, None, evidence))
    parts = [(p, s) for applicable, p, s in rows if applicable]
    if execution is not None:
        parts.append((exec_points, _number(execution.stated_score)))
    readable = [(p, s) for p, s in parts if p is not None and s is not None]
    stated_total = _number(statement.stated_total)
    if stated_total is not None and len(readable) == len(parts):
        some_dropped = not all(applicable for applicable, _, _ in rows)
        findings += _check_total(stated_total, readable, some_dropped, tolerance)
    return findings


def _check_total(
    stated_total: Decimal, parts: list[tuple[Decimal, Decimal]], some_dropped: bool, tolerance: Decimal
) -> list[StatementFinding]:
    """Return a Q19 finding when the stated total is not Σ scores (rescaled to 100 when rows were dropped)."""
    stated_sum = sum((s for _, s in parts), Decimal(0))
    applicable_points = sum((p for p, _ in parts), Decimal(0))
    expected = Fraction(stated_sum)
    how = "各项得分之和"
    if some_dropped and applicable_points > 0:  # total = 100 × Σ scores ÷ Σ points of what applies
        expected = 100 * expected / Fraction(applicable_points)
        how = f"按适用项折算的总分 100 × {plain_number(stated_sum)} ÷ {plain_number(applicable_points)} ="
    if abs(Fraction(stated_total) - expected) <= Fraction(tolerance):
        return []
    message = f"自评总分 {plain_number(stated_total)} 不等于{how} {fmt2(expected)}"
    evidence = {"stated_total": str(stated_total), "expected_total": fmt2(expected), "sum_of_scores": str(stated_sum)}
    return [StatementFinding("Q19", message, None, evidence)]
