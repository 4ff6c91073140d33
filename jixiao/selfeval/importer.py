"""Validate an Excel import of actuals (实际完成值) for a campaign: every problem found, nothing written."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from jixiao.accounts.permissions import Perm
from jixiao.core.excel import CellError, WorkbookError, parse_bool, parse_int, read_table
from jixiao.selfeval.entry import EXPLANATION, fund_problems, row_problems, sum_funds
from jixiao.selfeval.models import SelfEvaluation
from jixiao.selfeval.scoring import parse_number
from jixiao.selfeval.spreadsheets import ACTUAL_COLUMNS

Plan = dict[SelfEvaluation, tuple[Decimal | None, dict[int, dict[str, Any]]]]


def _columns() -> list:
    parsers = {"position": parse_int, "applicable": parse_bool}
    return [replace(c, parse=parsers.get(c.key)) for c in ACTUAL_COLUMNS]


def _number_problem(text: str, unit: str) -> str | None:
    """Return what is wrong with an actual value for a quantitative indicator, None when it is a usable number."""
    parsed = parse_number(text)
    if parsed is None:
        return "不是数字,应为数字(可带 % 和千分位逗号,如 3,000 或 95%)"
    number, had_percent = parsed
    if number < 0:
        return "为负数,应为不小于 0 的数"
    if (had_percent or unit.strip() == "%") and number > 100:
        return "超过 100%,应为 0–100 之间的百分数"
    return None


def validate_actuals(data: bytes, *, file_name: str, campaign: Any, acting_user: Any) -> Plan:
    """Return, per 自评表, the executed amount and the actuals by row position; raise WorkbookError otherwise."""
    table = read_table(data, file_name=file_name, columns=_columns())
    sheet = table.sheet
    errors: list[CellError] = []
    evaluations = SelfEvaluation.objects.filter(campaign=campaign).select_related("project", "campaign")
    writable = (
        set(
            SelfEvaluation.objects.visible_to(acting_user, Perm.SELFEVAL_FILL)
            .filter(campaign=campaign)
            .values_list("pk", flat=True)
        )
        if acting_user is not None
        else None
    )
    by_code = {ev.project.code: ev for ev in evaluations}
    plan: Plan = {}
    located: dict[tuple[int, int], int] = {}  # (evaluation id, position) → Excel row
    for row_no, record in table.rows:
        code = record.get("code") or ""
        evaluation = by_code.get(code)
        if evaluation is None:
            errors.append(CellError(file_name, sheet, row_no, "项目编码", code, "不是本次自评任务中的项目"))
            continue
        if (writable is not None and evaluation.pk not in writable) or not evaluation.can_edit():
            expected = "不在您的填报范围内,或自评表已提交、任务已结束"
            errors.append(CellError(file_name, sheet, row_no, "项目编码", code, expected))
            continue
        executed, rows = plan.setdefault(evaluation, (None, {}))
        position = record["position"]
        if (evaluation.pk, position) in located:
            errors.append(CellError(file_name, sheet, row_no, "序号", position, "与前面的行重复"))
            continue
        located[(evaluation.pk, position)] = row_no
        actual = record.get("actual") or ""
        if position == 0:
            problem = _number_problem(actual, "") if actual else "未填写,应为全年执行数(元)"
            if problem:
                errors.append(CellError(file_name, sheet, row_no, "实际完成值", actual, f"全年执行数{problem}"))
                continue
            parsed = parse_number(actual)
            plan[evaluation] = (parsed[0] if parsed else None, rows)
            rows[0] = {"explanation": record.get("explanation") or ""}
            continue
        rows[position] = {
            "actual": actual,
            "tier": record.get("tier") or "",
            "applicable": True if record.get("applicable") is None else record["applicable"],
            "explanation": record.get("explanation") or "",
        }
    if errors:
        raise WorkbookError(errors)
    for evaluation, (executed, rows) in plan.items():
        errors += _check_evaluation(evaluation, executed, rows, located, file_name, sheet)
    if errors:
        raise WorkbookError(errors)
    return plan


COLUMNS_BY_FIELD = {"tier": "完成档次", "share": "完成档次", "applicable": "是否适用", "explanation": EXPLANATION}


def _check_evaluation(
    evaluation: SelfEvaluation,
    executed: Decimal | None,
    rows: dict[int, dict[str, Any]],
    located: dict[tuple[int, int], int],
    file_name: str,
    sheet: str,
) -> list[CellError]:
    """Check each row's value against its indicator, then the mandatory explanations, with the engine."""
    errors: list[CellError] = []
    profile = evaluation.campaign.profile.profile()
    indicators = {row.position: row for row in evaluation.indicators.all()}
    budget_row = rows.get(0)
    if budget_row is not None:
        if executed is not None:
            evaluation.fiscal_executed = executed
        evaluation.budget_explanation = budget_row["explanation"]
        sum_funds(evaluation)
        for problem in fund_problems(evaluation, profile):
            column = EXPLANATION if problem.field == "budget_explanation" else "实际完成值"
            errors.append(_error(file_name, sheet, located, evaluation, 0, column, problem.value, problem.message))
    for position, values in rows.items():
        if position == 0:
            continue
        item = indicators.get(position)
        if item is None:
            errors.append(
                _error(file_name, sheet, located, evaluation, position, "序号", position, "该项目没有这个序号的指标")
            )
            continue
        for name, value in values.items():
            setattr(item, name, value)
        for problem in row_problems(item, profile):
            column = COLUMNS_BY_FIELD.get(problem.field, "实际完成值")
            errors.append(
                _error(file_name, sheet, located, evaluation, position, column, problem.value, problem.message)
            )
    return errors


def _error(file_name, sheet, located, evaluation, position, column, value, expected) -> CellError:
    return CellError(file_name, sheet, located.get((evaluation.pk, position)), column, value, expected)
