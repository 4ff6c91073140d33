"""Self-evaluation scoring (单位自评计分, DOMAIN §5): pure Python, exact arithmetic, formulas as text.

Every intermediate value is an exact Fraction; a score is rounded to 2 decimals (half up) only when it is reported.
See docs/scoring.md for the rules, the rounding and worked examples.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from jixiao.selfeval.profiles import (
    CENT,
    HUNDRED,
    SHIPPED_PROFILES,
    TIERS,
    ProfileError,
    ScoringProfile,
    default_weights,
    get_profile,
    plain_number,
)

QUALITATIVE = "定性"
OVER_ACHIEVED = "over_achieved"
BELOW_TARGET = "below_target"
NOT_APPLICABLE = "not_applicable"

_OPERATORS = {
    ">=": "≥",
    "≥": "≥",
    ">": "≥",
    "<=": "≤",
    "≤": "≤",
    "<": "≤",
    "=": "=",
    "==": "=",
    QUALITATIVE: QUALITATIVE,
}
_NUMBER_RE = re.compile(r"^(-?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(%?)$")
_FIELD_LABELS = {
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "operator": "指标性质(运算符)",
    "tier": "完成档次",
    "share": "档内得分比例(%)",
    "annual": "全年预算数",
    "executed": "全年执行数",
    "applicable": "是否适用",
    "explanation": "偏差原因分析及改进措施",
    "profile": "评分方案",
    "indicators": "指标列表",
    "indicator": "内容",
    "payload": "内容",
}
NUMBER_EXPECTED = "数字(可带 % 和千分位逗号,如 3,000 或 95%)"


@dataclass(frozen=True)
class Budget:
    annual: Any  # 全年预算数 (元), number or numeric string
    executed: Any  # 全年执行数 (元)
    explanation: str = ""  # 偏差原因分析及改进措施 for a low 执行率


@dataclass(frozen=True)
class IndicatorInput:
    name: str
    operator: str  # ≥ ≤ = 定性 (also >= <= > < and full-width forms)
    target: Any = None  # number or numeric string ("3,000", "95%"); free text for 定性
    actual: Any = None
    unit: str = ""
    weight: Any = None  # points; when every weight is None they default from the profile
    level1: str = ""
    level2: str = ""
    applicable: bool = True
    tier: str | None = None  # 达成 / 部分达成 / 未达成, chosen by the reviewer for 定性
    share: Any = None  # optional % of W inside the tier's band
    explanation: str = ""  # 偏差原因分析及改进措施


@dataclass(frozen=True)
class InputProblem:
    index: int | None  # 0-based indicator index; None for the budget or the payload
    field: str
    value: Any
    expected: str
    message: str  # Chinese sentence for the clerk

    def as_dict(self) -> dict[str, Any]:
        value = self.value if isinstance(self.value, int | float | str | bool | None) else str(self.value)
        return {
            "index": self.index,
            "field": self.field,
            "value": value,
            "expected": self.expected,
            "message": self.message,
        }


class ScoringInputError(ValueError):
    """Raised with every problem in the input at once; `problems` are InputProblem."""

    def __init__(self, problems: Sequence[InputProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.message for p in self.problems))

    def as_list(self) -> list[dict[str, Any]]:
        return [p.as_dict() for p in self.problems]


@dataclass(frozen=True)
class ExecutionScore:
    weight: Decimal
    formula: str
    applicable: bool = True  # False when the annual budget is 0
    rate: Fraction | None = None  # executed ÷ annual, exact
    rate_percent: Decimal | None = None  # rate × 100, rounded half up to 2 decimals
    exact: Fraction | None = None
    score: Decimal | None = None  # exact rounded half up to 2 decimals
    explanation_required: bool = False
    explanation_reason: str = ""
    explanation: str = ""


@dataclass(frozen=True)
class IndicatorScore:
    index: int
    name: str
    operator: str  # normalised: ≥ ≤ = 定性 ("" when not applicable and unreadable)
    weight: Decimal
    formula: str
    applicable: bool = True
    exact: Fraction | None = None
    score: Decimal | None = None
    flags: tuple[str, ...] = ()  # below_target, over_achieved, not_applicable
    explanation_required: bool = False
    explanation_reason: str = ""
    explanation: str = ""


@dataclass(frozen=True)
class ScoreResult:
    profile_code: str
    execution: ExecutionScore
    indicators: tuple[IndicatorScore, ...]
    applicable_weight: Decimal  # Σ points of what applies, execution included
    exact_total: Fraction
    total: Decimal
    total_formula: str
    grade: str
    warnings: tuple[str, ...]


class Outcome(NamedTuple):
    exact: Fraction
    formula: str
    below: bool
    over: bool


def round_half_up(value: Fraction) -> Decimal:
    """Return value rounded to 2 decimals, ties away from zero (89.995 → 90.00)."""
    cents = math.floor(abs(value) * 100 + Fraction(1, 2))
    return (Decimal(cents if value >= 0 else -cents) * CENT).quantize(CENT)


def fmt2(value: Fraction) -> str:
    return str(round_half_up(value))


def parse_number(value: Any) -> tuple[Decimal, bool] | None:
    """Return (number, had_percent_sign) for a number or numeric string, or None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        return (number, False) if number.is_finite() else None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _NUMBER_RE.match(text)
    if not match:
        return None
    sign, whole, fraction, percent = match.groups()
    return Decimal(sign + whole.replace(",", "") + (fraction or "")), bool(percent)


def normalize_operator(operator: Any) -> str | None:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(operator or "")))
    return _OPERATORS.get(text)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Problems(list[InputProblem]):
    def add(self, index: int | None, subject: str, field: str, value: Any, problem: str, expected: str) -> None:
        label = _FIELD_LABELS.get(field, field)
        shown = "" if value is None else f"「{value}」"
        message = f"{subject}的{label}{shown}{problem},应为{expected}"
        self.append(InputProblem(index, field, value, expected, message))


def _subject(index: int, name: str) -> str:
    return f"第 {index + 1} 项指标「{name}」" if name else f"第 {index + 1} 项指标"


def _read_number(
    problems: _Problems, index: int | None, subject: str, field: str, value: Any, *, percent_unit: bool = False
) -> Decimal | None:
    """Return a non-negative number (≤ 100 for percentages) or record why it is not one."""
    if _is_blank(value):
        problems.add(index, subject, field, None, "未填写", NUMBER_EXPECTED)
        return None
    parsed = parse_number(value)
    if parsed is None:
        problems.add(index, subject, field, value, "不是数字", NUMBER_EXPECTED)
        return None
    number, had_percent = parsed
    if number < 0:
        problems.add(index, subject, field, value, "为负数", "不小于 0 的数")
        return None
    if (percent_unit or had_percent) and number > HUNDRED:
        problems.add(index, subject, field, value, "超过 100%", "0–100 之间的百分数")
        return None
    return number


def score_execution(profile: ScoringProfile, budget: Budget, *, weight: Decimal | None = None) -> ExecutionScore:
    """Return the budget-execution score W × min(执行率, 1); raise ScoringInputError on bad amounts."""
    problems = _Problems()
    result = _execution(profile, budget, profile.execution_weight if weight is None else weight, problems)
    if problems or result is None:
        raise ScoringInputError(problems)
    return result


def _execution(profile: ScoringProfile, budget: Budget, weight: Decimal, problems: _Problems) -> ExecutionScore | None:
    annual = _read_number(problems, None, "预算执行", "annual", budget.annual)
    executed = _read_number(problems, None, "预算执行", "executed", budget.executed)
    if annual is None or executed is None:
        return None
    if annual == 0:
        if executed > 0:
            problems.add(
                None, "预算执行", "executed", budget.executed, "在全年预算数为 0 时大于 0", "0(或先填写全年预算数)"
            )
            return None
        formula = "全年预算数为 0,预算执行不适用,不计分"
        return ExecutionScore(weight, formula, applicable=False, explanation=budget.explanation)
    rate = Fraction(executed) / Fraction(annual)
    exact = Fraction(weight) * min(rate, Fraction(1))
    formula = f"{plain_number(weight)} × min({plain_number(executed)} ÷ {plain_number(annual)}, 1) = {fmt2(exact)}"
    required = rate * 100 < Fraction(profile.explanation_rate)
    reason = f"预算执行率 {fmt2(rate * 100)}% 低于 {plain_number(profile.explanation_rate)}%" if required else ""
    return ExecutionScore(
        weight, formula, rate=rate, rate_percent=round_half_up(rate * 100), exact=exact, score=round_half_up(exact),
        explanation_required=required, explanation_reason=reason, explanation=budget.explanation,
    )  # fmt: skip


def score_indicator(profile: ScoringProfile, indicator: IndicatorInput, *, index: int = 0) -> IndicatorScore:
    """Return one indicator's score with the indicator's own weight; raise ScoringInputError on bad input."""
    problems = _Problems()
    weight = _read_number(problems, index, _subject(index, indicator.name), "weight", indicator.weight)
    result = None if weight is None else _indicator(profile, index, indicator, weight, problems)
    if problems or result is None:
        raise ScoringInputError(problems)
    return result


def _indicator(
    profile: ScoringProfile, index: int, ind: IndicatorInput, weight: Decimal, problems: _Problems
) -> IndicatorScore | None:
    subject, operator = _subject(index, ind.name), normalize_operator(ind.operator)
    if not ind.applicable:
        formula = "不适用,不计分"
        return IndicatorScore(index, ind.name, operator or "", weight, formula, False, flags=(NOT_APPLICABLE,))
    if operator is None:
        problems.add(index, subject, "operator", ind.operator, "无法识别", "≥、≤、= 或 定性")
        return None
    if operator == QUALITATIVE:
        outcome, reason = _qualitative(profile, index, subject, ind, weight, problems)
    else:
        outcome, reason = _quantitative(profile, index, subject, ind, operator, weight, problems)
    if outcome is None:
        return None
    flags = tuple(flag for flag, on in ((BELOW_TARGET, outcome.below), (OVER_ACHIEVED, outcome.over)) if on)
    return IndicatorScore(
        index, ind.name, operator, weight, outcome.formula, exact=outcome.exact, score=round_half_up(outcome.exact),
        flags=flags, explanation_required=bool(reason), explanation_reason=reason, explanation=ind.explanation,
    )  # fmt: skip


def _qualitative(
    profile: ScoringProfile, index: int, subject: str, ind: IndicatorInput, weight: Decimal, problems: _Problems
) -> tuple[Outcome | None, str]:
    """Return W × the tier's share: the reviewer's share inside the band, or the band's default."""
    tier = unicodedata.normalize("NFKC", str(ind.tier or "")).strip()
    if tier not in TIERS:
        problems.add(index, subject, "tier", ind.tier, "未选择或无效", "达成、部分达成 或 未达成")
        return None, ""
    band = profile.tier(tier)
    share: Decimal | None = band.default
    if not _is_blank(ind.share):
        share = _read_number(problems, index, subject, "share", ind.share, percent_unit=True)
        if share is not None and not band.contains(share):
            problem = f"不在「{tier}」档的区间 {band.label()} 内"
            problems.add(index, subject, "share", ind.share, problem, f"{band.label()} 内的比例")
            share = None
    if share is None:
        return None, ""
    exact = Fraction(weight) * Fraction(share) / 100
    formula = f"定性:{tier} {plain_number(weight)} × {plain_number(share)}% = {fmt2(exact)}"
    below = tier != "达成"
    return Outcome(exact, formula, below, False), f"定性指标评定为「{tier}」" if below else ""


def _at_least(w: Fraction, t: Fraction, a: Fraction, shown: tuple[str, str, str], over: Fraction) -> Outcome:
    exact = w * min(a / t, Fraction(1))
    formula = f"{shown[0]} × min({shown[2]} ÷ {shown[1]}, 1) = {fmt2(exact)}"
    return Outcome(exact, formula, a < t, a / t >= over)


def _at_most(w: Fraction, t: Fraction, a: Fraction, shown: tuple[str, str, str], over: Fraction) -> Outcome:
    if a == 0:  # nothing spent/happened: the ceiling is met, by an infinite margin when the target is positive
        return Outcome(w, f"{shown[0]} × 1 = {fmt2(w)}(实际值为 0,按满分计)", False, t > 0)
    exact = w * min(t / a, Fraction(1))
    formula = f"{shown[0]} × min({shown[1]} ÷ {shown[2]}, 1) = {fmt2(exact)}"
    return Outcome(exact, formula, a > t, t / a >= over)


def _exactly(w: Fraction, t: Fraction, a: Fraction, shown: tuple[str, str, str], over: Fraction) -> Outcome:
    if a == t:
        return Outcome(w, f"{shown[0]} × 1 = {fmt2(w)}(实际值等于目标值)", False, False)
    low, high = sorted((a, t))
    exact = w * low / high
    formula = f"{shown[0]} × min({shown[2]}, {shown[1]}) ÷ max({shown[2]}, {shown[1]}) = {fmt2(exact)}"
    return Outcome(exact, formula, True, False)


_RULES = {"≥": _at_least, "≤": _at_most, "=": _exactly}


def _quantitative(
    profile: ScoringProfile, index: int, subject: str, ind: IndicatorInput, operator: str, weight: Decimal,
    problems: _Problems,
) -> tuple[Outcome | None, str]:  # fmt: skip
    """Return the operator's rule applied to target and actual, with the reason an explanation is needed."""
    percent_unit = unicodedata.normalize("NFKC", ind.unit or "").strip() == "%"
    target = _read_number(problems, index, subject, "target", ind.target, percent_unit=percent_unit)
    actual = _read_number(problems, index, subject, "actual", ind.actual, percent_unit=percent_unit)
    if target == 0 and operator == "≥":
        problems.add(index, subject, "target", ind.target, "为 0,「≥」指标按 实际值 ÷ 目标值 计分", "大于 0 的目标值")
        return None, ""
    if target is None or actual is None:
        return None, ""
    shown = (plain_number(weight), plain_number(target), plain_number(actual))
    rule = _RULES[operator]
    outcome = rule(Fraction(weight), Fraction(target), Fraction(actual), shown, Fraction(profile.over_achievement))
    unit = ind.unit or ""
    goal = f"{operator}{shown[1]}{unit}"
    if outcome.below:
        return outcome, f"实际完成值 {shown[2]}{unit} 未达到年度指标值 {goal}"
    if outcome.over:
        times = plain_number(profile.over_achievement)
        return (
            outcome,
            f"实际完成值 {shown[2]}{unit} 超额完成年度指标值 {goal}(达到 {times} 倍及以上),目标值可能设置得过于保守",
        )
    return outcome, ""


def _weights(
    profile: ScoringProfile, indicators: Sequence[IndicatorInput], problems: _Problems
) -> tuple[list[Decimal | None], list[str]]:
    """Return each indicator's points: as given, or all defaulted from the profile when none is given."""
    if indicators and all(_is_blank(ind.weight) for ind in indicators):
        plan = default_weights(profile, [ind.level1 for ind in indicators])
        return list(plan.weights), ["分值未填写,已按评分方案默认分配", *plan.messages]
    weights = [
        _read_number(problems, i, _subject(i, ind.name), "weight", ind.weight) for i, ind in enumerate(indicators)
    ]
    return weights, []


def score(profile: ScoringProfile, budget: Budget, indicators: Sequence[IndicatorInput]) -> ScoreResult:
    """Return the self-evaluation score of a 自评表; raise ScoringInputError listing every input problem."""
    problems = _Problems()
    execution = _execution(profile, budget, profile.execution_weight, problems)
    if not indicators:
        problems.add(None, "自评表", "indicators", None, "为空", "至少一项绩效指标")
    weights, warnings = _weights(profile, indicators, problems)
    scored = [
        _indicator(profile, i, ind, weight, problems) if weight is not None else None
        for i, (ind, weight) in enumerate(zip(indicators, weights, strict=True))
    ]
    if problems or execution is None:
        raise ScoringInputError(problems)
    results = tuple(s for s in scored if s is not None)
    candidates: list[ExecutionScore | IndicatorScore] = [execution, *results]
    parts = [p for p in candidates if p.applicable]
    applicable_weight = sum((p.weight for p in parts), Decimal(0))
    if applicable_weight == 0:
        problems.add(None, "评分", "weight", None, "合计为 0,没有可计分的项目", "大于 0 的适用项分值合计")
        raise ScoringInputError(problems)
    points = sum((p.weight for p in results), Decimal(0))
    if points != profile.indicator_total:
        warnings.append(
            f"指标分值合计 {plain_number(points)},与评分方案「{profile.name}」的指标总分"
            f" {plain_number(profile.indicator_total)} 不一致"
        )
    sum_scores = sum((p.exact for p in parts if p.exact is not None), Fraction(0))
    exact_total = 100 * sum_scores / Fraction(applicable_weight)
    total = round_half_up(exact_total)
    if applicable_weight == HUNDRED:
        formula = " + ".join(fmt2(p.exact) for p in parts if p.exact is not None) + f" = {total}"
    else:
        formula = f"100 × {fmt2(sum_scores)} ÷ {fmt2(Fraction(applicable_weight))} = {total}"
    grade = profile.grade_for(total)
    return ScoreResult(
        profile.code, execution, results, applicable_weight, exact_total, total, formula, grade, tuple(warnings)
    )


def missing_explanations(result: ScoreResult) -> list[InputProblem]:
    """Return a Chinese problem for every score whose mandatory 偏差原因分析及改进措施 is blank."""
    expected = "填写偏差原因分析及改进措施"
    missing = []
    execution = result.execution
    if execution.explanation_required and _is_blank(execution.explanation):
        message = f"预算执行:{execution.explanation_reason},须填写偏差原因分析及改进措施"
        missing.append(InputProblem(None, "explanation", execution.explanation, expected, message))
    for item in result.indicators:
        if item.explanation_required and _is_blank(item.explanation):
            message = f"{_subject(item.index, item.name)}:{item.explanation_reason},须填写偏差原因分析及改进措施"
            missing.append(InputProblem(item.index, "explanation", item.explanation, expected, message))
    return missing


_TEXT_KEYS = ("name", "operator", "unit", "level1", "level2", "explanation")
_INDICATOR_KEYS = [f.name for f in fields(IndicatorInput) if f.name != "applicable"]


def preview(payload: Mapping[str, Any], *, profiles: Mapping[str, ScoringProfile] | None = None) -> dict[str, Any]:
    """Return the JSON answer of the stateless scoring API for a request body; raise ScoringInputError when bad."""
    problems = _Problems()
    if not isinstance(payload, Mapping):
        problems.add(None, "请求", "payload", None, "不是 JSON 对象", "含 profile、budget、indicators 的对象")
        raise ScoringInputError(problems)
    try:
        profile = get_profile(payload.get("profile"), profiles)
    except ProfileError:
        codes = "、".join(SHIPPED_PROFILES if profiles is None else profiles)
        problems.add(None, "请求", "profile", payload.get("profile"), "不存在", f"{codes} 之一")
        profile = None  # still score with the default profile so that every other problem is listed too
    budget_data = payload.get("budget")
    if not isinstance(budget_data, Mapping):
        budget_data = {}
    budget = Budget(budget_data.get("annual"), budget_data.get("executed"), str(budget_data.get("explanation") or ""))
    indicators = _read_indicators(payload.get("indicators"), problems)
    try:
        result = score(profile or get_profile(None), budget, indicators)
    except ScoringInputError as error:
        problems.extend(error.problems)
        result = None
    if problems or result is None:
        raise ScoringInputError(problems)
    return _result_json(result)


def _read_indicators(items: Any, problems: _Problems) -> list[IndicatorInput]:
    if items is None:
        items = []
    if not isinstance(items, list):
        problems.add(None, "请求", "indicators", None, "不是列表", "指标对象的列表")
        return []
    indicators = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            expected = "含 name、operator、target、actual 等字段的对象"
            problems.add(index, f"第 {index + 1} 项指标", "indicator", item, "不是对象", expected)
            item = {}
        applicable = item.get("applicable", True)
        if applicable is None:
            applicable = True
        if not isinstance(applicable, bool):
            problems.add(
                index, _subject(index, str(item.get("name") or "")), "applicable", applicable, "无效", "true 或 false"
            )
            applicable = True
        values = {key: item.get(key) for key in _INDICATOR_KEYS}
        values.update({key: "" if values[key] is None else str(values[key]) for key in _TEXT_KEYS})
        indicators.append(IndicatorInput(**values, applicable=applicable))
    return indicators


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _result_json(result: ScoreResult) -> dict[str, Any]:
    execution = result.execution
    return {
        "profile": result.profile_code,
        "execution": {
            "rate": _number(execution.rate_percent),  # percent, e.g. 95.5 means 95.50 %
            "score": _number(execution.score),
            "weight": float(execution.weight),
            "applicable": execution.applicable,
            "formula": execution.formula,
            "explanation_required": execution.explanation_required,
        },
        "indicators": [
            {
                "name": item.name,
                "score": _number(item.score),
                "weight": float(item.weight),
                "formula": item.formula,
                "flags": list(item.flags),
                "explanation_required": item.explanation_required,
            }
            for item in result.indicators
        ],
        "total": float(result.total),
        "total_formula": result.total_formula,
        "grade": result.grade,
        "warnings": list(result.warnings),
    }
