"""What a unit enters in a 自评表 — fund amounts and indicator actuals — and the checks that refuse bad entries.

The form, the API and both Excel imports check entries here, with the scoring engine, before anything is written,
so they refuse the same things with the same Chinese sentences: text where a number is due, negative numbers,
percentages above 100 %, a 定性 tier that does not exist or a share outside its band, spending without a budget,
and a blank 偏差原因分析及改进措施 where the engine says one is mandatory. A blank actual is not an error: a draft
may be saved half filled; submitting checks completeness (`actions.submission_problems`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from jixiao.core.excel import parse_decimal
from jixiao.selfeval.models import SelfEvaluation, SelfEvaluationIndicator
from jixiao.selfeval.profiles import ScoringProfile, plain_number
from jixiao.selfeval.rescore import budget_input, indicator_input
from jixiao.selfeval.scoring import QUALITATIVE, ScoringInputError, normalize_operator, score_execution, score_indicator

FUND_SOURCES = (("fiscal", "当年财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金"))
FUND_AMOUNTS = (("initial", "年初预算数"), ("annual", "全年预算数"), ("executed", "全年执行数"))
FUND_FIELDS = tuple(f"{source}_{amount}" for source, _ in FUND_SOURCES for amount, _ in FUND_AMOUNTS)
FUND_LABELS = {
    f"{source}_{amount}": f"{source_label}的{amount_label}"
    for source, source_label in FUND_SOURCES
    for amount, amount_label in FUND_AMOUNTS
}
ROW_FIELDS = ("actual", "applicable", "tier", "share", "explanation")
TIERS = ("达成", "部分达成", "未达成")
EXPLANATION = "偏差原因分析及改进措施"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class FundRow:
    """One row of the 自评表's funds block (年度资金总额 or one of its sources)."""

    key: str  # total, fiscal, carryover, other
    label: str
    initial: Decimal
    annual: Decimal
    executed: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        """执行率 in % (2 decimals), None without a budget or an executed amount."""
        if not self.annual or self.executed is None:
            return None
        return (self.executed * 100 / self.annual).quantize(CENT)


def fund_rows(ev: SelfEvaluation) -> list[FundRow]:
    """Return the funds block as the official table prints it: the total, then 其中 each source."""
    rows = [FundRow("total", "年度资金总额", ev.budget_initial, ev.budget_annual, ev.budget_executed)]
    for source, label in FUND_SOURCES:
        amounts = [getattr(ev, f"{source}_{amount}") for amount, _ in FUND_AMOUNTS]
        rows.append(FundRow(source, label, *amounts))
    return rows


def sum_funds(ev: SelfEvaluation) -> None:
    """Set 年度资金总额 to the sum of the sources (what the engine scores).

    The total executed amount stays empty while a source with a budget has no executed amount: the engine then
    says 全年执行数 is missing instead of scoring a partial sum.
    """
    ev.budget_initial = sum((getattr(ev, f"{s}_initial") for s, _ in FUND_SOURCES), Decimal(0))
    ev.budget_annual = sum((getattr(ev, f"{s}_annual") for s, _ in FUND_SOURCES), Decimal(0))
    executed = [(getattr(ev, f"{s}_annual"), getattr(ev, f"{s}_executed")) for s, _ in FUND_SOURCES]
    if all(spent is None for _, spent in executed) or any(budget and spent is None for budget, spent in executed):
        ev.budget_executed = None
    else:
        ev.budget_executed = sum((spent or Decimal(0) for _, spent in executed), Decimal(0))


@dataclass(frozen=True)
class EntryProblem:
    """One refused entry: where it is (序号 0 = the funds block), which field, the value and a Chinese sentence."""

    position: int
    field: str
    value: Any
    message: str

    def as_dict(self) -> dict[str, Any]:
        value = self.value if isinstance(self.value, int | float | str | bool | None) else str(self.value)
        return {"position": self.position, "field": self.field, "value": value, "message": self.message}


class EntryRefused(ValidationError):
    """Entries refused as a whole (nothing was saved); `problems` locate each one."""

    def __init__(self, problems: Iterable[EntryProblem]):
        self.problems = list(problems)
        super().__init__([p.message for p in self.problems])


def read_amount(field: str, text: Any) -> tuple[Decimal | None, EntryProblem | None]:
    """Return a typed fund amount (元) or the problem with it; blank is None (0 for budgets is the caller's call)."""
    shown = "" if text is None else str(text).strip()
    if shown == "":
        return None, None
    label = FUND_LABELS.get(field, field)
    try:
        value = parse_decimal(shown)
    except ValueError:
        return None, EntryProblem(0, field, shown, f"{label}「{shown}」不是数字,应为金额(元),如 950000 或 950,000.50")
    if value < 0:
        return None, EntryProblem(0, field, shown, f"{label}「{shown}」为负数,应为不小于 0 的金额(元)")
    if value != value.quantize(CENT):
        return None, EntryProblem(0, field, shown, f"{label}「{shown}」最多保留两位小数(分)")
    return value, None


def fund_problems(ev: SelfEvaluation, profile: ScoringProfile) -> list[EntryProblem]:
    """Return what is wrong with the funds block as it stands on `ev` (after `sum_funds`)."""
    problems = []
    for field in FUND_FIELDS:
        value = getattr(ev, field)
        if value is not None and value < 0:
            label = FUND_LABELS[field]
            problems.append(EntryProblem(0, field, value, f"{label} {plain_number(value)} 为负数,应为不小于 0 的金额"))
    for source, label in FUND_SOURCES:
        annual, executed = getattr(ev, f"{source}_annual"), getattr(ev, f"{source}_executed")
        if not annual and executed:
            message = f"{label}的全年执行数 {plain_number(executed)} 元大于 0,但全年预算数为 0;请先填写全年预算数"
            problems.append(EntryProblem(0, f"{source}_executed", executed, message))
    if problems or ev.budget_executed is None:
        return problems
    try:
        scored = score_execution(profile, budget_input(ev))
    except ScoringInputError as exc:
        return [EntryProblem(0, "budget_executed", p.value, p.message) for p in exc.problems]
    if scored.explanation_required and not ev.budget_explanation.strip():
        message = f"预算执行:{scored.explanation_reason},须填写{EXPLANATION}"
        problems.append(EntryProblem(0, "budget_explanation", "", message))
    return problems


def row_problems(
    row: SelfEvaluationIndicator, profile: ScoringProfile, *, fields: Collection[str] | None = ROW_FIELDS
) -> list[EntryProblem]:
    """Return what is wrong with one indicator row as it stands; a row with nothing entered yet is fine.

    Only problems on `fields` are reported (a unit entering actuals is not blamed for the goal's target); None
    reports every field (the API replacing whole rows).
    """
    if not row.applicable:
        return []
    if normalize_operator(row.operator) == QUALITATIVE:
        if not row.tier.strip() and row.share is None:
            return []
    elif not row.actual.strip():
        return []
    try:
        scored = score_indicator(profile, indicator_input(row), index=row.position - 1)
    except ScoringInputError as exc:
        return [
            EntryProblem(row.position, p.field, p.value, p.message)
            for p in exc.problems
            if fields is None or p.field in fields
        ]
    if scored.explanation_required and not row.explanation.strip():
        message = f"第 {row.position} 项指标「{row.name}」:{scored.explanation_reason},须填写{EXPLANATION}"
        return [EntryProblem(row.position, "explanation", "", message)]
    return []


def read_applicable(text: Any) -> bool:
    """Read a 适用 mark from a form or a cell (适用/是/on/1 → True, 不适用/否/0 → False)."""
    return str(text).strip().lower() in {"1", "on", "true", "是", "适用", "yes", "y"}
