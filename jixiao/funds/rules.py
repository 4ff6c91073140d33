"""Fund warning rules (DOMAIN §4), declared as data. Each evaluates to outcome objects carrying evidence.

F01 资金下达超期: an allocation passed down more than `days` days after the upper-level document arrived.
F02 年末结余超标: after 31 December of the budget year, unspent allocation ÷ allocation > `ratio` %.
F03 超预算支付: payments (all, retention included) exceed the project budget (项目总投资).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet, Sum

from jixiao.funds.models import Allocation, Payment
from jixiao.funds.selectors import SPENT, FundFigures, money, project_figures
from jixiao.projects.models import Project


@dataclass(frozen=True)
class Outcome:
    """The result of one rule on one project (or one allocation of it)."""

    code: str
    name: str
    level: str
    passed: bool
    project: Project
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    project: Project
    figures: FundFigures
    year_end: FundFigures
    allocations: list[Allocation]
    as_of: dt.date


Check = Callable[[Context, dict[str, Any]], list[tuple[bool, str, dict[str, Any]]]]


@dataclass(frozen=True)
class FundRule:
    code: str
    name: str
    level: str
    params: dict[str, Any]
    check: Check


def _late_allocation(ctx: Context, params: dict[str, Any]) -> list[tuple[bool, str, dict[str, Any]]]:
    results = []
    for allocation in ctx.allocations:
        if allocation.received_on is None:
            continue
        delay = (allocation.allocated_on - allocation.received_on).days
        evidence = {
            "document_no": allocation.document_no,
            "received_on": allocation.received_on.isoformat(),
            "allocated_on": allocation.allocated_on.isoformat(),
            "days": delay,
        }
        message = f"指标文件 {allocation.document_no} 收到后 {delay} 天才下达(上限 {params['days']} 天)"
        results.append((delay <= params["days"], message, evidence))
    return results


def _year_end_balance(ctx: Context, params: dict[str, Any]) -> list[tuple[bool, str, dict[str, Any]]]:
    year_end = dt.date(ctx.project.year, 12, 31)
    figures = ctx.year_end
    if ctx.as_of <= year_end or not figures.allocated:
        return []
    ratio = (figures.balance * 100 / figures.allocated).quantize(Decimal("0.01"))
    evidence = {"allocated": str(figures.allocated), "spent": str(figures.spent), "balance_ratio": str(ratio)}
    message = f"{ctx.project.year} 年末结余 {figures.balance} 元,占下达资金 {ratio}%(上限 {params['ratio']}%)"
    # Compare exactly: 7.004 % must fail although it displays as 7.00 %.
    return [(figures.balance * 100 <= Decimal(str(params["ratio"])) * figures.allocated, message, evidence)]


def _over_budget(ctx: Context, params: dict[str, Any]) -> list[tuple[bool, str, dict[str, Any]]]:
    budget = (ctx.project.budget_wan * 10000).quantize(Decimal("0.01"))
    if not budget:
        return []
    evidence = {"budget": str(budget), "paid": str(ctx.figures.paid)}
    message = f"累计支付 {ctx.figures.paid} 元,超过项目预算 {budget} 元"
    return [(ctx.figures.paid <= budget, message, evidence)]


FUND_RULES: tuple[FundRule, ...] = (
    FundRule("F01", "资金下达超期", "yellow", {"days": 30}, _late_allocation),
    FundRule("F02", "年末结余超标", "yellow", {"ratio": 7}, _year_end_balance),
    FundRule("F03", "超预算支付", "red", {}, _over_budget),
)


def _year_end(projects: QuerySet[Project]) -> dict[int, FundFigures]:
    """Allocated and spent of each project within its own budget year (two grouped queries)."""
    ids = projects.values("pk")
    within = {"project_id__in": ids}
    allocated = (
        Allocation.objects.filter(allocated_on__year__lte=F("project__year"), **within)
        .values("project_id")
        .annotate(total=Sum("amount"))
    )
    spent = (
        Payment.objects.filter(SPENT, paid_on__year__lte=F("project__year"), **within)
        .values("project_id")
        .annotate(total=Sum("amount"))
    )
    figures: dict[int, FundFigures] = {}
    for row in allocated:
        figures.setdefault(row["project_id"], FundFigures(label="")).allocated = money(row["total"])
    for row in spent:
        figures.setdefault(row["project_id"], FundFigures(label="")).spent = money(row["total"])
    return figures


def evaluate(
    projects: QuerySet[Project],
    *,
    as_of: dt.date,
    figures: list[FundFigures] | None = None,
    rules: tuple[FundRule, ...] = FUND_RULES,
) -> list[Outcome]:
    """Every outcome (passed or not) of every rule on every project of the queryset.

    `figures` may pass the projects' current figures when the caller already has them (counted up to `as_of`).
    """
    if figures is None:
        figures = project_figures(projects, until=as_of)
    year_end = _year_end(projects)
    allocations: dict[int, list[Allocation]] = {}
    for allocation in Allocation.objects.filter(project__in=projects.values("pk"), received_on__isnull=False):
        allocations.setdefault(allocation.project_id, []).append(allocation)
    outcomes = []
    for item in figures:
        project = item.project
        assert project is not None
        ends = year_end.get(project.pk, FundFigures(label=""))
        ctx = Context(project, item, ends, allocations.get(project.pk, []), as_of)
        for rule in rules:
            for passed, message, evidence in rule.check(ctx, rule.params):
                outcomes.append(Outcome(rule.code, rule.name, rule.level, passed, project, message, evidence))
    return outcomes


def warnings(projects: QuerySet[Project], *, as_of: dt.date, figures: list[FundFigures] | None = None) -> list[Outcome]:
    """The failed outcomes only: the fund warnings to show."""
    return [o for o in evaluate(projects, as_of=as_of, figures=figures) if not o.passed]
