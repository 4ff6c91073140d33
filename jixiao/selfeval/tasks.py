"""Bulk re-scoring of a whole campaign (after a profile change, or for the benchmark): engine scores, SQL writes.

Rows are read as plain tuples in chunks, scored by `scoring.score` (the same inputs `rescore.indicator_input`
builds), and written with one parameterised UPDATE per row through `executemany` (no model instances, no CASE
statements). A 自评表 the engine refuses (missing actuals…) goes through the ordinary `actions.rescore`.
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.db import connection, transaction

from jixiao.selfeval.models import Campaign, SelfEvaluation, SelfEvaluationIndicator
from jixiao.selfeval.scoring import Budget, IndicatorInput, ScoreResult, ScoringInputError, score

INDICATOR_COLUMNS = (
    "id", "evaluation_id", "name", "operator", "target", "actual", "unit", "weight", "level1", "level2",
    "applicable", "tier", "share", "explanation",
)  # fmt: skip


def _input(row: tuple) -> IndicatorInput:
    _, _, name, operator, target, actual, unit, weight, level1, level2, applicable, tier, share, explanation = row
    return IndicatorInput(
        name=name, operator=operator, target=target, actual=actual if actual.strip() else None, unit=unit,
        weight=weight, level1=level1, level2=level2, applicable=applicable, tier=tier or None, share=share,
        explanation=explanation,
    )  # fmt: skip


def _evaluation_params(pk: int, result: ScoreResult) -> tuple:
    ex = result.execution
    return (
        ex.rate_percent, ex.score, ex.weight, ex.formula, result.total, result.total_formula, result.grade,
        "[]", json.dumps(list(result.warnings), ensure_ascii=False), pk,
    )  # fmt: skip


def _sql(table: str, columns: list[str]) -> str:
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sets = ", ".join(f"{c} = %s{json_cast if c in ('flags', 'score_problems', 'warnings') else ''}" for c in columns)
    return f"UPDATE {table} SET {sets} WHERE id = %s"


EVALUATION_SQL_COLUMNS = [
    "execution_rate", "execution_score", "execution_weight", "execution_formula", "total", "total_formula", "grade",
    "score_problems", "warnings",
]  # fmt: skip
INDICATOR_SQL_COLUMNS = ["score", "formula", "flags", "explanation_required"]


def rescore_campaign(campaign: Campaign, *, chunk: int = 5000) -> dict[str, int]:
    """Re-score every 自评表 of the campaign with its profile; return how many were scored and refused."""
    from jixiao.selfeval.actions import rescore

    profile = campaign.profile.profile()
    ids = list(SelfEvaluation.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True))
    scored = refused = 0
    evaluation_sql = _sql(SelfEvaluation._meta.db_table, EVALUATION_SQL_COLUMNS)
    indicator_sql = _sql(SelfEvaluationIndicator._meta.db_table, INDICATOR_SQL_COLUMNS)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        budgets = SelfEvaluation.objects.filter(pk__in=part).values_list(
            "pk", "budget_annual", "budget_executed", "budget_explanation"
        )
        rows: dict[int, list[tuple]] = defaultdict(list)
        for row in (
            SelfEvaluationIndicator.objects.filter(evaluation_id__in=part)
            .order_by("evaluation_id", "position")
            .values_list(*INDICATOR_COLUMNS)
        ):
            rows[row[1]].append(row)
        evaluation_params: list[tuple] = []
        indicator_params: list[tuple] = []
        failed: list[int] = []
        for pk, annual, executed, explanation in budgets:
            items = rows.get(pk, [])
            try:
                result = score(profile, Budget(annual, executed, explanation), [_input(r) for r in items])
            except ScoringInputError:
                failed.append(pk)
                continue
            evaluation_params.append(_evaluation_params(pk, result))
            indicator_params += [
                (s.score, s.formula, json.dumps(list(s.flags)), s.explanation_required, r[0])
                for r, s in zip(items, result.indicators, strict=True)
            ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(evaluation_sql, evaluation_params)
            cursor.executemany(indicator_sql, indicator_params)
            for evaluation in SelfEvaluation.objects.filter(pk__in=failed).select_related("campaign__profile"):
                rescore(evaluation)
        scored += len(evaluation_params)
        refused += len(failed)
    return {"scored": scored, "refused": refused}
