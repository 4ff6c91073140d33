"""Monitoring warning rules W01–W05 on hand-computed facts, each with a near miss (序时进度 = N ÷ 12)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from jixiao.monitoring.models import default_thresholds
from jixiao.monitoring.warnings import Facts, evaluate, level_of

T = default_thresholds()


def facts(month: int, rate: str | None, budget: int = 1_000_000, lines=()) -> Facts:
    return Facts(
        month=month,
        time_progress=Fraction(month * 100, 12),
        rate=None if rate is None else Fraction(rate),
        budget=Fraction(budget),
        lines=list(lines),
    )


def failed(f: Facts) -> list[str]:
    return [o.code for o in evaluate(f, T) if not o.passed]


@pytest.mark.parametrize(
    "rate, codes, level",
    [
        ("40", [], ""),  # 序时进度 50 − 10: exactly on the yellow line
        ("39.99", ["W01"], "yellow"),
        ("30", ["W01"], "yellow"),  # exactly on the red line
        ("29.99", ["W01", "W03"], "red"),
    ],
)
def test_rate_behind_time_progress_at_june(rate, codes, level):
    outcomes = evaluate(facts(6, rate), T)

    assert [o.code for o in outcomes if not o.passed] == codes
    assert level_of(outcomes) == level


def test_w01_message_carries_the_evidence():
    (w01,) = [o for o in evaluate(facts(6, "39.99"), T) if o.code == "W01"]

    assert w01.message == "执行率 39.99% 低于序时进度 50.00% 减 10 个百分点"
    assert w01.evidence == {"rate": "39.99%", "time_progress": "50.00%", "gap": 10}


def test_likelihoods():
    assert failed(facts(6, "80", lines=[("新增灌溉面积", "sure"), ("受益人口", "possible")])) == ["W02"]
    outcomes = evaluate(facts(6, "80", lines=[("受益人口", "impossible")]), T)
    assert [o.code for o in outcomes if not o.passed] == ["W04"] and level_of(outcomes) == "red"


def test_w05_large_project_late_in_the_year():
    # August: 序时进度 66.67, so 59.99 is neither yellow (< 56.67) nor red by gap (< 46.67).
    assert failed(facts(8, "59.99", budget=2_000_000)) == ["W05"]
    assert failed(facts(8, "60", budget=2_000_000)) == []
    assert failed(facts(8, "59.99", budget=1_999_999)) == []
    assert failed(facts(7, "59.99", budget=2_000_000)) == []  # 序时进度 58.33: fine, and before month 8


def test_rate_rules_skip_without_budget():
    assert [o.code for o in evaluate(facts(6, None), T)] == ["W02", "W04"]


def test_thresholds_are_data_on_the_round():
    stricter = {**T, "yellow_gap": 5}

    assert [o.code for o in evaluate(facts(6, "44.99"), stricter) if not o.passed] == ["W01"]
    assert failed(facts(6, "44.99")) == []
