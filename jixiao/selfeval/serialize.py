"""JSON shapes of a stored 自评表 and of the campaign dashboard (API and htmx share them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.selfeval.entry import fund_rows
from jixiao.selfeval.models import ScoringProfileRecord, SelfEvaluation
from jixiao.selfeval.profiles import profile_to_dict


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def evaluation_json(evaluation: SelfEvaluation) -> dict[str, Any]:
    """Return a 自评表 with its scores, formulas, flags, problems and review history."""
    return {
        "id": evaluation.pk,
        "campaign_id": evaluation.campaign_id,
        "project_id": evaluation.project_id,
        "project_code": evaluation.project.code,
        "project_name": evaluation.project.name,
        "status": evaluation.status,
        "status_label": evaluation.get_status_display(),
        "budget": {  # 年度资金总额 (the sum of the sources; what budget execution is scored on)
            "initial": _num(evaluation.budget_initial),
            "annual": _num(evaluation.budget_annual),
            "executed": _num(evaluation.budget_executed),
            "explanation": evaluation.budget_explanation,
        },
        "funds": [
            {
                "source": row.key,
                "label": row.label,
                "initial": _num(row.initial),
                "annual": _num(row.annual),
                "executed": _num(row.executed),
                "rate": _num(row.rate),
            }
            for row in fund_rows(evaluation)
        ],
        "overall_target": evaluation.overall_target,
        "overall_actual": evaluation.overall_actual,
        "execution": {
            "rate": _num(evaluation.execution_rate),  # percent
            "weight": _num(evaluation.execution_weight),
            "score": _num(evaluation.execution_score),
            "formula": evaluation.execution_formula,
        },
        "indicators": [
            {
                "position": row.position,
                "level1": row.level1,
                "level2": row.level2,
                "name": row.name,
                "operator": row.operator,
                "target": row.target,
                "unit": row.unit,
                "weight": _num(row.weight),
                "actual": row.actual,
                "applicable": row.applicable,
                "tier": row.tier,
                "share": _num(row.share),
                "explanation": row.explanation,
                "score": _num(row.score),
                "formula": row.formula,
                "flags": row.flags,
                "explanation_required": row.explanation_required,
            }
            for row in evaluation.indicators.order_by("position")
        ],
        "total": _num(evaluation.total),
        "total_formula": evaluation.total_formula,
        "grade": evaluation.grade,
        "problems": evaluation.score_problems,
        "warnings": evaluation.warnings,
        "events": [
            {
                "kind": e.kind,
                "from": e.from_status,
                "to": e.to_status,
                "actor": e.actor.get_username() if e.actor else None,
                "opinion": e.opinion,
                "at": e.created_at.isoformat(),
            }
            for e in evaluation.events.select_related("actor")
        ],
    }


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": row.get("name", ""),
        "required": row["required"],
        "submitted": row["submitted"],
        "approved": row["approved"],
        "form_rate": _num(row["form_rate"]),
        "allocated": _num(row["allocated"]),
        "paid": _num(row["paid"]),
        "fund_rate": _num(row["fund_rate"]),
    }


def dashboard_json(data: dict[str, Any]) -> dict[str, Any]:
    """Return the dashboard with rates as percentages (自评表执行率 form_rate, 资金总量执行率 fund_rate)."""
    return {
        "overall": _row(data["overall"]),
        "by_department": [_row(r) for r in data["by_department"]],
        "by_district": [_row(r) for r in data["by_district"]],
        "grades": data["grades"],
        "statuses": data["statuses"],
    }


_PROFILE_NUMBERS = {"execution_weight", "indicator_total", "weight", "min", "max", "low", "high", "default",
                    "over_achievement", "explanation_rate"}  # fmt: skip


def _numbers(value: Any, key: str = "") -> Any:
    """Turn the stored profile's number strings ("12.5") back into JSON numbers."""
    if isinstance(value, dict):
        return {k: _numbers(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    if key in _PROFILE_NUMBERS:
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else float(number)
    return value


def profile_json(record: ScoringProfileRecord, *, campaigns: list[str] | None = None) -> dict[str, Any]:
    """Return a stored profile in the JSON layout of docs/scoring.md (numbers as numbers), 内置 and its campaigns."""
    data = _numbers(profile_to_dict(record.profile()))
    return {**data, "builtin": record.builtin, "campaigns": campaigns or []}
