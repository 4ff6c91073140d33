"""The bulk fast path (fastscore.FastScorer) stores exactly what the reference engine (scoring.score) gives.

Generated 自评表 for all four shipped profiles: every operator (≥ ≤ = 定性 and other spellings), not-applicable rows
(rescaled totals), over-achievement at and around 1.5×, zero and negative targets, percentages above 100, tiers with
and without a reviewer's share, blank and zero weights, zero budgets, numbers with thousands separators or
full-width digits. One scorer per profile and weight type lives across examples, so its memos are exercised too.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from jixiao.selfeval.fastscore import FastScorer, Scores, cents, reference_scores
from jixiao.selfeval.profiles import SHIPPED_PROFILES
from jixiao.selfeval.scoring import Budget, IndicatorInput, round_half_up

PROFILES = sorted(SHIPPED_PROFILES)
# One scorer per (profile, weights as Decimal or as text): SQLite rows arrive as text, PostgreSQL rows as Decimal.
SCORERS = {
    (code, text): FastScorer(SHIPPED_PROFILES[code], decimal=Decimal if text else None)
    for code in PROFILES
    for text in (False, True)
}
LEVEL1 = ["产出指标", "效益指标", "满意度指标", "成本指标", "其他"]


def _places(low: int, high: int, most: int = 4) -> st.SearchStrategy[Decimal]:
    return st.integers(0, most).flatmap(lambda p: st.decimals(min_value=low, max_value=high, places=p))


def _text(value: Decimal) -> str:
    return format(value, "f")


amounts = st.decimals(min_value=0, max_value=10**9, places=2)
weights = st.decimals(min_value=0, max_value=60, places=2)
factors = st.sampled_from(["0", "0.5", "0.9999", "1", "1.4999", "1.5", "1.5001", "2", "3"]).map(Decimal)


@st.composite
def common_row(draw) -> dict:
    """A row the fast path computes itself: plain digits, operator as written by the goal, weights given."""
    operator = draw(st.sampled_from(["≥", "≤", "=", "定性"]))
    unit = draw(st.sampled_from(["", "%", "亩", "人", "元/户"]))
    high = 100 if unit == "%" else 10**6
    target = draw(_places(0 if operator != "≥" else 1, high))
    actual = draw(st.one_of(_places(0, high), factors.map(lambda f: target * f)))
    if unit == "%":
        actual = min(actual, Decimal(100))
    percent = draw(st.booleans()) and target <= 100
    return {
        "operator": operator,
        "target": _text(target) + ("%" if percent else ""),
        "actual": _text(actual) + ("%" if percent and actual <= 100 and draw(st.booleans()) else ""),
        "unit": unit,
        "weight": draw(weights),
        "applicable": draw(st.sampled_from([True, True, True, True, False])),
        "tier": draw(st.sampled_from(["达成", "部分达成", "未达成"])) if operator == "定性" else "",
        "share": None,
        "level1": draw(st.sampled_from(LEVEL1)),
    }


odd_numbers = st.sampled_from(
    ["", "  ", "0", "0.00", "000", "007.50", "100%", "101%", "100.5%", "3,000", "1,234,567.89", "-5", "-0", "约三千",
     "９５", "９５％", "95 %", " 12 ", "1e3", ".5", "5.", "≥266米", "29.5亩"]
)  # fmt: skip


@st.composite
def any_row(draw) -> dict:
    """Anything a 自评表 row may hold, including what the reference engine refuses (one oddity per row at most)."""
    row = draw(common_row())
    oddity = draw(st.sampled_from(["none"] * 6 + ["operator", "target", "actual", "weight", "tier", "share", "unit"]))
    if oddity == "operator":
        row["operator"] = draw(st.sampled_from([">=", "＞＝", "<", " ≤ ", "==", "＝", "约", "", "定 性"]))
    elif oddity in ("target", "actual"):
        row[oddity] = draw(odd_numbers)
    elif oddity == "weight":
        row["weight"] = draw(st.sampled_from([None, Decimal("0"), Decimal("-0.00"), Decimal("-1.00"), Decimal("0.01")]))
    elif oddity == "tier":
        row["tier"] = draw(st.sampled_from(["", "达成", "部分达成", "未达成", " 达成 ", "优秀"]))
    elif oddity == "share":
        row["share"] = draw(st.one_of(st.decimals(min_value=0, max_value=110, places=2), st.just(Decimal("-0.00"))))
    elif oddity == "unit":
        row["unit"] = draw(st.sampled_from([" % ", "％", "%"]))
    return row


@st.composite
def budgets(draw, *, odd: bool) -> tuple[Decimal, Decimal | None]:
    annual = draw(st.decimals(min_value=Decimal("0.01"), max_value=10**9, places=2))
    executed = draw(st.one_of(amounts, factors.map(lambda f: (annual * f).quantize(Decimal("0.01")))))
    if odd and draw(st.integers(0, 3)) == 0:
        annual = draw(st.sampled_from([Decimal("0.00"), Decimal("-1.00"), annual]))
        executed = draw(st.sampled_from([None, Decimal("0.00"), Decimal("-0.01"), executed]))
    return annual, executed


def _db_row(index: int, row: dict, text: bool) -> tuple:
    """The row as rescore_campaign reads it (weight and share as text on request, as the task reads them)."""

    def value(number: Decimal | None) -> Decimal | str | None:
        return None if number is None or not text else str(number)

    return (
        index, 1, row["operator"], row["target"], row["actual"], row["unit"],
        value(row["weight"]) if text else row["weight"], row["applicable"], row["tier"],
        value(row["share"]) if text else row["share"],
    )  # fmt: skip


def _engine_input(row: dict) -> IndicatorInput:
    """What rescore.indicator_input makes of the same stored row."""
    return IndicatorInput(
        name="受益脱贫人口数", operator=row["operator"], target=row["target"],
        actual=row["actual"] if row["actual"].strip() else None, unit=row["unit"], weight=row["weight"],
        level1=row["level1"], level2="数量指标", applicable=row["applicable"], tier=row["tier"] or None,
        share=row["share"], explanation="",
    )  # fmt: skip


def _both(code: str, text: bool, budget: tuple, rows: list[dict]) -> tuple[Scores | None, Scores | None]:
    """Return (fast path, else the reference for it, as rescore_campaign does; the reference engine)."""
    profile = SHIPPED_PROFILES[code]
    annual, executed = budget
    reference = reference_scores(profile, Budget(annual, executed, ""), [_engine_input(r) for r in rows])
    fast = SCORERS[code, text].score(annual, executed, [_db_row(i, r, text) for i, r in enumerate(rows)])
    return fast, reference


def _stored(scores: Scores | None) -> tuple | None:
    return None if scores is None else (scores.evaluation, scores.indicators)


@settings(max_examples=400, deadline=None)
@given(
    code=st.sampled_from(PROFILES),
    text=st.booleans(),
    budget=budgets(odd=False),
    rows=st.lists(common_row(), min_size=1, max_size=12),
)
def test_fast_path_stores_what_the_engine_gives(code, text, budget, rows):
    fast, reference = _both(code, text, budget, rows)
    if reference is None:  # nothing applies (every weight of what applies is 0): the engine refuses, so must we
        assert fast is None
        return
    assert fast is not None and fast.fast, "a common 自评表 must not leave the fast path"
    assert _stored(fast) == _stored(reference)


@settings(max_examples=600, deadline=None)
@given(
    code=st.sampled_from(PROFILES),
    text=st.booleans(),
    budget=budgets(odd=True),
    rows=st.lists(any_row(), min_size=0, max_size=6),
)
def test_any_input_stores_what_the_engine_gives_or_is_refused_alike(code, text, budget, rows):
    fast, reference = _both(code, text, budget, rows)
    event("fast path" if fast is not None else "reference engine" if reference is not None else "refused")
    if fast is None:  # outside the fast path: rescore_campaign hands the 自评表 to the reference engine
        return
    assert _stored(fast) == _stored(reference)


@given(numerator=st.integers(0, 10**18), denominator=st.integers(1, 10**18))
def test_integer_rounding_is_the_engines_half_up(numerator, denominator):
    from fractions import Fraction

    expected = round_half_up(Fraction(numerator, denominator))
    assert Decimal(cents(numerator, denominator)).scaleb(-2) == expected


@pytest.mark.parametrize(
    ("target", "actual", "formula", "flags"),
    [
        ("3000", "3200", "10 × min(3200 ÷ 3000, 1) = 10.00", "[]"),
        ("3000", "4500", "10 × min(4500 ÷ 3000, 1) = 10.00", '["over_achieved"]'),
        ("3000", "4499.99", "10 × min(4499.99 ÷ 3000, 1) = 10.00", "[]"),
        ("3,000", "2700", "10 × min(2700 ÷ 3000, 1) = 9.00", '["below_target"]'),  # through the engine's own rule
    ],
)
def test_formulas_carry_the_numbers(target, actual, formula, flags):
    row = {"operator": "≥", "target": target, "actual": actual, "unit": "人", "weight": Decimal("10.00"),
           "applicable": True, "tier": "", "share": None, "level1": "产出指标"}  # fmt: skip
    fast, reference = _both("central-2020", False, (Decimal("100.00"), Decimal("100.00")), [row])
    assert fast is not None and _stored(fast) == _stored(reference)
    assert fast.indicators[0][1:3] == (formula, flags)


def test_the_sum_of_exact_scores_decides_the_grade():
    # docs/scoring.md: 26.664 + 26.664 + 26.667 + 10 = 89.995 → 90.00, 优 (rounding each first would give 良).
    rows = [
        {"operator": "≥", "target": "10000", "actual": actual, "unit": "", "weight": Decimal("30.00"),
         "applicable": True, "tier": "", "share": None, "level1": "绩效指标"}
        for actual in ("8888", "8888", "8889")
    ]  # fmt: skip
    fast, reference = _both("sichuan", True, (Decimal("1000.00"), Decimal("1000.00")), rows)
    assert fast is not None and fast.fast
    assert fast.evaluation[4:7] == ("90.00", "10.00 + 26.66 + 26.66 + 26.67 = 90.00", "优")
    assert _stored(fast) == _stored(reference)


def test_not_applicable_rows_rescale_the_total():
    rows = [
        {"operator": "≥", "target": "100", "actual": "50", "unit": "", "weight": Decimal("45.00"), "applicable": True,
         "tier": "", "share": None, "level1": "产出指标"},
        {"operator": "≥", "target": "100", "actual": "", "unit": "", "weight": Decimal("45.00"), "applicable": False,
         "tier": "", "share": None, "level1": "产出指标"},
    ]  # fmt: skip
    fast, reference = _both("sichuan", False, (Decimal("100.00"), Decimal("80.00")), rows)
    assert fast is not None and fast.fast and _stored(fast) == _stored(reference)
    assert fast.evaluation[4:6] == ("55.45", "100 × 30.50 ÷ 55.00 = 55.45")
    assert fast.indicators[1] == (None, "不适用,不计分", '["not_applicable"]', False)


@pytest.mark.parametrize("text", [False, True])
def test_zero_and_negative_zero_weights_print_as_the_engine_prints_them(text):
    scorer = FastScorer(SHIPPED_PROFILES["sichuan"], decimal=Decimal if text else None)
    for weight in (Decimal("0.00"), Decimal("-0.00"), Decimal("0"), Decimal("-0.00")):
        row = {"operator": "≥", "target": "100", "actual": "90", "unit": "", "weight": weight, "applicable": True,
               "tier": "", "share": None, "level1": "绩效指标"}  # fmt: skip
        other = {**row, "weight": Decimal("90.00")}
        budget = (Decimal("100.00"), Decimal("100.00"))
        reference = reference_scores(
            SHIPPED_PROFILES["sichuan"], Budget(*budget, ""), [_engine_input(r) for r in (row, other)]
        )
        fast = scorer.score(*budget, [_db_row(i, r, text) for i, r in enumerate((row, other))])
        assert _stored(fast) == _stored(reference)
