"""Fast path of the scoring engine for bulk re-scoring: what `scoring.score` gives, as the database stores it.

`scoring.score` is the reference: exact Fractions, one dataclass per score. Re-scoring a campaign of 100 000 自评表
with it costs about 1 ms each, nearly all of it Fraction arithmetic and formula formatting. This module computes the
same numbers with plain integers (numerator, denominator), renders the formulas from the same shown numbers, and
remembers the outcome of every distinct indicator input (a campaign repeats the same targets, weights and tiers).

Only the common case is computed here: numbers written as plain digits (`3000`, `95.5`, `100%`), weights given,
operators ≥ ≤ = 定性 written as such, budget amounts as Decimals. An indicator outside it (`3,000`, full-width
characters, a share inside a tier, …) is scored by the reference engine's own indicator rule; a 自评表 with any input
problem, blank weights or a zero budget is scored by `scoring.score` as a whole. tests/selfeval/test_fastscore.py
checks over generated inputs that every stored value is the reference engine's, character for character.
"""

from __future__ import annotations

import gc
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from math import gcd
from typing import Any, NamedTuple

from jixiao.selfeval.profiles import ScoringProfile, plain_number
from jixiao.selfeval.scoring import (
    QUALITATIVE,
    Budget,
    IndicatorInput,
    ScoreResult,
    ScoringInputError,
    score,
    score_indicator,
)

# The indicator columns a score depends on, as rescore_campaign reads them (id and 自评表 id first).
COLUMNS = ("id", "evaluation_id", "operator", "target", "actual", "unit", "weight", "applicable", "tier", "share")
_SIMPLE_NUMBER = re.compile(r"([0-9]+)(?:\.([0-9]+))?(%?)", re.ASCII)
_FLAGS = {
    (False, False): "[]",
    (True, False): json.dumps(["below_target"]),
    (False, True): json.dumps(["over_achieved"]),
    (True, True): json.dumps(["below_target", "over_achieved"]),
}
_NOT_APPLICABLE_FLAGS = json.dumps(["not_applicable"])
_MEMO_LIMIT = 200_000
_FALLBACK = object()  # memo marker: this indicator input has a problem, the reference engine scores the table


class Scores(NamedTuple):
    """A scored 自评表 as stored: decimals as text, JSON fields as JSON text."""

    evaluation: tuple  # execution_rate, execution_score, execution_weight, execution_formula, total, total_formula,
    # grade, score_problems, warnings
    indicators: list[tuple]  # per row: score, formula, flags, explanation_required
    fast: bool  # False when the reference engine scored the whole 自评表


# One scored indicator, memoised: (score, formula, flags, explanation_required) as stored, then the score text, the
# exact score as numerator and denominator, and the row's points in hundredths.
_Item = tuple[tuple[str | None, str, str, bool], str | None, int, int, int]


def _item(text: str | None, formula: str, flags: str, required: bool, num: int, den: int, weight: int) -> _Item:
    common = gcd(num, den)
    return (text, formula, flags, required), text, num // common, den // common, weight


def cents(numerator: int, denominator: int) -> int:
    """Return the non-negative fraction rounded half up to hundredths, in hundredths (scoring.round_half_up)."""
    return (200 * numerator + denominator) // (2 * denominator)


def fmt_cents(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


def fmt2(numerator: int, denominator: int) -> str:
    return fmt_cents(cents(numerator, denominator))


def _number(text: Any) -> tuple[int, int, str, bool] | None:
    """Return (numerator, denominator, shown text, written with %) of a plain-digit number, else None."""
    match = _SIMPLE_NUMBER.fullmatch(text) if type(text) is str else None
    if match is None:
        return None
    whole, fraction, percent = match.groups()
    if fraction is None:
        return int(whole), 1, whole.lstrip("0") or "0", bool(percent)
    shown_fraction = fraction.rstrip("0")
    shown = (whole.lstrip("0") or "0") + (f".{shown_fraction}" if shown_fraction else "")
    return int(whole + fraction), 10 ** len(fraction), shown, bool(percent)


def _plain_cents(value: int) -> str:
    return plain_number(Decimal(value).scaleb(-2))


def _ratio(value: Decimal) -> tuple[int, int]:
    return value.as_integer_ratio()


def stored(result: ScoreResult) -> Scores:
    """Return the reference engine's result as the database stores it."""
    ex = result.execution
    evaluation = (
        _text(ex.rate_percent), _text(ex.score), str(ex.weight), ex.formula, str(result.total),
        result.total_formula, result.grade, "[]", json.dumps(list(result.warnings), ensure_ascii=False),
    )  # fmt: skip
    rows = [(_text(i.score), i.formula, json.dumps(list(i.flags)), i.explanation_required) for i in result.indicators]
    return Scores(evaluation, rows, False)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def reference_scores(profile: ScoringProfile, budget: Budget, indicators: Sequence[IndicatorInput]) -> Scores | None:
    """Return what `scoring.score` gives, as stored; None when it refuses the 自评表."""
    try:
        return stored(score(profile, budget, indicators))
    except ScoringInputError:
        return None


def score_chunk(
    scorer: FastScorer, budgets: Sequence[tuple], rows: Mapping[int, Sequence[tuple]]
) -> tuple[list[tuple], list[tuple], list[int]]:
    """Return the UPDATE parameters (row id last) of the 自评表 the fast path scores, and the ids of the others.

    `budgets` are (id, 全年预算数, 全年执行数) per 自评表, `rows` its indicator rows (COLUMNS layout) by 自评表 id.
    """
    evaluation_params: list[tuple] = []
    indicator_params: list[tuple] = []
    others: list[int] = []
    for pk, annual, executed in budgets:
        items = rows.get(pk, ())
        scores = scorer.score(annual, executed, items)
        if scores is None:
            others.append(pk)
            continue
        evaluation_params.append((*scores.evaluation, pk))
        indicator_params += [(*s, r[0]) for s, r in zip(scores.indicators, items, strict=True)]
    return evaluation_params, indicator_params, others


# A scoring process (rescore_campaign on SQLite) holds one scorer for the whole campaign; it never touches the database.
_process_scorer: FastScorer | None = None


def start_scoring_process(profile: ScoringProfile) -> None:
    """Initialise a scoring process: its scorer, and no cyclic garbage collection (a bulk job making no cycles)."""
    global _process_scorer
    gc.disable()
    _process_scorer = FastScorer(profile, decimal=Decimal)


def score_chunk_in_process(
    budgets: Sequence[tuple], rows: Mapping[int, Sequence[tuple]]
) -> tuple[list[tuple], list[tuple], list[int]]:
    assert _process_scorer is not None, "start_scoring_process first"
    return score_chunk(_process_scorer, budgets, rows)


class FastScorer:
    """Scores the common 自评表 of one profile; keeps memos, so use one per campaign run.

    `decimal` turns weights and shares read otherwise (rescore_campaign reads them as text, exact on SQLite too) into
    Decimals; without it they must be Decimals, as the ORM gives them.
    """

    def __init__(self, profile: ScoringProfile, *, decimal: Callable[[Any], Any] | None = None):
        self.profile = profile
        self.decimal = decimal
        self.over = _ratio(profile.over_achievement)
        self.grades = [(band.minimum * 100, band.grade) for band in profile.grades]
        self.execution_weight = str(profile.execution_weight)
        self.execution_plain = plain_number(profile.execution_weight)
        xn, xd = _ratio(profile.execution_weight)
        total_n, total_d = _ratio(profile.indicator_total)
        # Weights and the indicator total are hundredths in every valid profile; otherwise score the slow way.
        self.enabled = 100 % xd == 0 and 100 % total_d == 0
        self.execution_cents = xn * (100 // xd) if self.enabled else 0
        self.indicator_total_cents = total_n * (100 // total_d) if self.enabled else 0
        self.total_warning = f",与评分方案「{profile.name}」的指标总分 {plain_number(profile.indicator_total)} 不一致"
        self.qualitative = {
            band.tier: (plain_number(band.default), *_ratio(band.default), band.tier != "达成")
            for band in profile.tiers
        }
        self._memo: dict[tuple, Any] = {}
        self._targets: dict[Any, Any] = {}
        self._percent_units: dict[str, bool] = {}
        self._weights: dict[Any, tuple[int, str] | None] = {}

    def score(self, annual: Any, executed: Any, rows: Sequence[tuple]) -> Scores | None:
        """Return the stored scores of a 自评表 (rows in COLUMNS layout, in position order).

        None when the 自评表 is outside the common case (input problems, blank weights, zero budget…): score it with
        `reference_scores` then.
        """
        return self._fast(annual, executed, rows) if self.enabled and rows else None

    def _fast(self, annual: Any, executed: Any, rows: Sequence[tuple]) -> Scores | None:
        execution = self._execution(annual, executed)
        if execution is None:
            return None
        exec_score, exec_formula, rate_text, num, den = execution
        applicable_cents = self.execution_cents
        points = 0
        parts = [exec_score]
        items: list[tuple] = []
        memo = self._memo
        for row in rows:
            weight = row[6]
            if weight is None:
                return None
            key = row[2:]  # operator, target, actual, unit, weight, applicable, tier, share
            if not weight or row[9] is not None:  # -0 and 0 are equal keys but print differently
                key = (*key, str(weight), str(row[9]))
            item = memo.get(key)
            if item is None:
                item = self._indicator(len(items), row)
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[key] = item
            if item is _FALLBACK:
                return None
            stored_row, text, n, d, w = item
            points += w
            items.append(stored_row)
            if text is not None:
                applicable_cents += w
                parts.append(text)
                if d == den:
                    num += n
                else:
                    num, den = num * d + n * den, den * d
        if applicable_cents == 0:
            return None
        total_cents = cents(10_000 * num, den * applicable_cents)
        total = fmt_cents(total_cents)
        if applicable_cents == 10_000:
            total_formula = " + ".join(parts) + f" = {total}"
        else:
            total_formula = f"100 × {fmt2(num, den)} ÷ {fmt_cents(applicable_cents)} = {total}"
        grade = next(grade for minimum, grade in self.grades if total_cents >= minimum)
        warnings = "[]"
        if points != self.indicator_total_cents:
            text = f"指标分值合计 {_plain_cents(points)}{self.total_warning}"
            warnings = json.dumps([text], ensure_ascii=False)
        evaluation = (
            rate_text,
            exec_score,
            self.execution_weight,
            exec_formula,
            total,
            total_formula,
            grade,
            "[]",
            warnings,
        )
        return Scores(evaluation, items, True)

    def _execution(self, annual: Any, executed: Any) -> tuple[str, str, str, int, int] | None:
        """Return score, formula, 执行率 text and the exact score (numerator, denominator) of budget execution."""
        if type(annual) is not Decimal or type(executed) is not Decimal:
            return None
        if not (annual.is_finite() and executed.is_finite()) or annual <= 0 or executed < 0:
            return None
        an, ad = _ratio(annual)
        en, ed = _ratio(executed)
        rate_n, rate_d = en * ad, ed * an
        if rate_n < rate_d:
            num, den = self.execution_cents * rate_n, 100 * rate_d
        else:
            num, den = self.execution_cents, 100
        exec_score = fmt2(num, den)
        formula = f"{self.execution_plain} × min({plain_number(executed)} ÷ {plain_number(annual)}, 1) = {exec_score}"
        return exec_score, formula, fmt2(100 * rate_n, rate_d), num, den

    # --- one indicator -----------------------------------------------------------------------------------------

    def _as_decimal(self, value: Any) -> Any:
        if type(value) is Decimal or value is None or self.decimal is None:
            return value
        return self.decimal(value)

    def _weight(self, raw: Any) -> tuple[int, str] | None:
        """Return the weight in hundredths and as shown in formulas; None when it is not a usable weight."""
        if raw:  # -0 and 0 are equal keys but print differently
            known = self._weights.get(raw, _FALLBACK)
            if known is not _FALLBACK:
                return known  # type: ignore[return-value]
        weight = self._as_decimal(raw)
        found = None
        if type(weight) is Decimal and weight.is_finite() and weight >= 0:
            n, d = _ratio(weight)
            if 100 % d == 0:
                found = (n * (100 // d), plain_number(weight))
        if raw:
            self._weights[raw] = found
        return found

    def _indicator(self, index: int, row: Sequence[Any]) -> Any:
        weight = self._weight(row[6])
        if weight is None:
            return _FALLBACK
        weight_cents, shown_weight = weight
        if not row[7]:
            return _item(None, "不适用,不计分", _NOT_APPLICABLE_FLAGS, False, 0, 1, weight_cents)
        operator = row[2]
        item = None
        if operator == QUALITATIVE:
            if row[9] is None and row[8] in self.qualitative:
                item = self._qualitative(row[8], weight_cents, shown_weight)
        elif operator in ("≥", "≤", "="):
            item = self._quantitative(operator, row[3], row[4], row[5], weight_cents, shown_weight)
        return item or self._reference_indicator(index, row, weight_cents)

    def _qualitative(self, tier: str, weight_cents: int, shown_weight: str) -> Any:
        """Return W × the tier's default share (a reviewer's own share goes through the reference engine)."""
        shown_share, share_n, share_d, below = self.qualitative[tier]
        num, den = weight_cents * share_n, 10_000 * share_d
        text = fmt2(num, den)
        formula = f"定性:{tier} {shown_weight} × {shown_share}% = {text}"
        return _item(text, formula, _FLAGS[below, False], below, num, den, weight_cents)

    def _target(self, text: Any) -> tuple[int, int, str, bool] | None:
        found = self._targets.get(text, _FALLBACK)
        if found is _FALLBACK:
            if len(self._targets) >= _MEMO_LIMIT:
                self._targets.clear()
            found = self._targets[text] = _number(text)
        return found  # type: ignore[return-value]

    def _percent_unit(self, unit: str) -> bool:
        known = self._percent_units.get(unit)
        if known is None:
            known = self._percent_units[unit] = unicodedata.normalize("NFKC", unit or "").strip() == "%"
        return known

    def _quantitative(self, operator: str, target_text: Any, actual_text: Any, unit: str, w: int, shown_w: str) -> Any:
        target, actual = self._target(target_text), _number(actual_text)
        if target is None or actual is None:
            return None
        tn, td, shown_t, t_percent = target
        an, ad, shown_a, a_percent = actual
        percent_unit = self._percent_unit(unit)
        if ((percent_unit or t_percent) and tn > 100 * td) or ((percent_unit or a_percent) and an > 100 * ad):
            return None  # a percentage above 100: the reference engine reports it
        # Compare actual and target as a·td against t·ad (both denominators are powers of ten).
        a_scaled, t_scaled = an * td, tn * ad
        p, q = self.over
        if operator == "≥":
            if tn == 0:
                return None  # an input error for ≥
            if a_scaled >= t_scaled:
                num, den = w, 100
            else:
                num, den = w * a_scaled, 100 * t_scaled
            text = fmt2(num, den)
            formula = f"{shown_w} × min({shown_a} ÷ {shown_t}, 1) = {text}"
            below, over = a_scaled < t_scaled, a_scaled * q >= t_scaled * p
        elif operator == "≤":
            if an == 0:
                text = fmt2(w, 100)
                formula = f"{shown_w} × 1 = {text}(实际值为 0,按满分计)"
                return _item(text, formula, _FLAGS[False, tn > 0], tn > 0, w, 100, w)
            if t_scaled >= a_scaled:
                num, den = w, 100
            else:
                num, den = w * t_scaled, 100 * a_scaled
            text = fmt2(num, den)
            formula = f"{shown_w} × min({shown_t} ÷ {shown_a}, 1) = {text}"
            below, over = a_scaled > t_scaled, t_scaled * q >= a_scaled * p
        else:
            if a_scaled == t_scaled:
                text = fmt2(w, 100)
                formula = f"{shown_w} × 1 = {text}(实际值等于目标值)"
                return _item(text, formula, _FLAGS[False, False], False, w, 100, w)
            low, high = sorted((a_scaled, t_scaled))
            num, den = w * low, 100 * high
            text = fmt2(num, den)
            formula = f"{shown_w} × min({shown_a}, {shown_t}) ÷ max({shown_a}, {shown_t}) = {text}"
            below, over = True, False
        return _item(text, formula, _FLAGS[below, over], below or over, num, den, w)

    def _reference_indicator(self, index: int, row: Sequence[Any], weight_cents: int) -> Any:
        """Score an indicator outside the common case with the reference engine's rule (memoised like the rest).

        Name, 一级/二级 and explanation only word the problems and are not stored: a problem sends the whole 自评表
        to the reference engine, which reads them.
        """
        _, _, operator, target, actual, unit, weight, applicable, tier, share = row
        ind = IndicatorInput(
            name="", operator=operator, target=target, actual=actual if actual.strip() else None, unit=unit,
            weight=self._as_decimal(weight), applicable=applicable, tier=tier or None, share=self._as_decimal(share),
        )  # fmt: skip
        try:
            scored = score_indicator(self.profile, ind, index=index)
        except ScoringInputError:
            return _FALLBACK
        if scored.exact is None:
            return _FALLBACK
        exact = scored.exact
        return _item(
            str(scored.score), scored.formula, json.dumps(list(scored.flags)), scored.explanation_required,
            exact.numerator, exact.denominator, weight_cents,
        )  # fmt: skip
