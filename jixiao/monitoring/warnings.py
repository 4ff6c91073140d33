"""Monitoring warning rules (DOMAIN §4), declared as data; thresholds come from the round's JSON settings.

序时进度 = N ÷ 12. W01/W02 yellow, W03–W05 red. Each rule evaluates to an Outcome carrying its evidence; a
report's level is red when any red rule fails, else yellow when any yellow rule fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from jixiao.monitoring.models import Likelihood, MonitoringLine, MonitoringReport, WarningLevel


@dataclass(frozen=True)
class Outcome:
    code: str
    name: str
    level: str
    passed: bool
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Facts:
    """What the rules read: cut-off month, 序时进度, 执行率 (exact, percent), budget and the lines' likelihoods."""

    month: int
    time_progress: Fraction
    rate: Fraction | None
    budget: Fraction
    lines: Sequence[tuple[str, str]]  # (indicator name, likelihood)


Check = Callable[[Facts, dict[str, Any]], tuple[bool, str, dict[str, Any]] | None]


@dataclass(frozen=True)
class WarningRule:
    code: str
    name: str
    level: str
    check: Check


def _pct(value: Fraction) -> str:
    return f"{float(value):.2f}%"


def _behind(gap_key: str) -> Check:
    def check(facts: Facts, thresholds: dict[str, Any]) -> tuple[bool, str, dict[str, Any]] | None:
        if facts.rate is None:
            return None
        floor = facts.time_progress - thresholds[gap_key]
        evidence = {"rate": _pct(facts.rate), "time_progress": _pct(facts.time_progress), "gap": thresholds[gap_key]}
        message = (
            f"执行率 {_pct(facts.rate)} 低于序时进度 {_pct(facts.time_progress)} 减 {thresholds[gap_key]} 个百分点"
        )
        return facts.rate >= floor, message, evidence

    return check


def _likelihood(value: str) -> Check:
    def check(facts: Facts, thresholds: dict[str, Any]) -> tuple[bool, str, dict[str, Any]] | None:
        names = [name for name, likelihood in facts.lines if likelihood == value]
        label = Likelihood(value).label
        return not names, f"{len(names)} 项指标完成可能性为“{label}”:{'、'.join(names)}", {"indicators": names}

    return check


def _large_and_late(facts: Facts, thresholds: dict[str, Any]) -> tuple[bool, str, dict[str, Any]] | None:
    if facts.rate is None:
        return None
    large = facts.budget >= Fraction(thresholds["large_budget_wan"]) * 10000
    failed = facts.month >= thresholds["late_month"] and facts.rate < thresholds["late_rate"] and large
    evidence = {"month": facts.month, "rate": _pct(facts.rate), "budget": str(float(facts.budget))}
    message = (
        f"截至 {facts.month} 月执行率 {_pct(facts.rate)} 低于 {thresholds['late_rate']}%,"
        f"且预算不少于 {thresholds['large_budget_wan']} 万元"
    )
    return not failed, message, evidence


WARNING_RULES: tuple[WarningRule, ...] = (
    WarningRule("W01", "执行进度偏慢", WarningLevel.YELLOW, _behind("yellow_gap")),
    WarningRule("W02", "目标有可能无法完成", WarningLevel.YELLOW, _likelihood(Likelihood.POSSIBLE)),
    WarningRule("W03", "执行进度严重滞后", WarningLevel.RED, _behind("red_gap")),
    WarningRule("W04", "目标不可能完成", WarningLevel.RED, _likelihood(Likelihood.IMPOSSIBLE)),
    WarningRule("W05", "大额项目后期执行率低", WarningLevel.RED, _large_and_late),
)


def facts_of(report: MonitoringReport, lines: Sequence[MonitoringLine]) -> Facts:
    return Facts(
        month=report.round.cutoff_month,
        time_progress=report.round.time_progress,
        rate=report.rate_fraction,
        budget=Fraction(report.annual_budget),
        lines=[(line.name, line.likelihood) for line in lines],
    )


def evaluate(facts: Facts, thresholds: dict[str, Any]) -> list[Outcome]:
    """Every applicable rule's outcome."""
    outcomes = []
    for rule in WARNING_RULES:
        result = rule.check(facts, thresholds)
        if result is not None:
            passed, message, evidence = result
            outcomes.append(Outcome(rule.code, rule.name, rule.level, passed, message, evidence))
    return outcomes


def level_of(outcomes: Sequence[Outcome]) -> str:
    failed = {o.level for o in outcomes if not o.passed}
    if WarningLevel.RED in failed:
        return WarningLevel.RED
    if WarningLevel.YELLOW in failed:
        return WarningLevel.YELLOW
    return WarningLevel.NONE
