"""Apply the scoring engine (jixiao.selfeval.scoring) to stored 自评表 rows; never a formula of its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from jixiao.selfeval.models import SelfEvaluation, SelfEvaluationIndicator
from jixiao.selfeval.profiles import ScoringProfile
from jixiao.selfeval.scoring import (
    Budget,
    IndicatorInput,
    InputProblem,
    ScoreResult,
    ScoringInputError,
    score,
    score_execution,
    score_indicator,
)

EVALUATION_SCORE_FIELDS = [
    "execution_rate",
    "execution_score",
    "execution_weight",
    "execution_formula",
    "total",
    "total_formula",
    "grade",
    "score_problems",
    "warnings",
]
INDICATOR_SCORE_FIELDS = ["score", "formula", "flags", "explanation_required"]


def budget_input(evaluation: SelfEvaluation) -> Budget:
    return Budget(evaluation.budget_annual, evaluation.budget_executed, evaluation.budget_explanation)


def indicator_input(row: SelfEvaluationIndicator) -> IndicatorInput:
    return IndicatorInput(
        name=row.name,
        operator=row.operator,
        target=row.target,
        actual=row.actual if row.actual.strip() else None,
        unit=row.unit,
        weight=row.weight,
        level1=row.level1,
        level2=row.level2,
        applicable=row.applicable,
        tier=row.tier or None,
        share=row.share,
        explanation=row.explanation,
    )


@dataclass
class Scored:
    result: ScoreResult | None
    problems: list[InputProblem] = field(default_factory=list)


def apply_scores(
    evaluation: SelfEvaluation, rows: Sequence[SelfEvaluationIndicator], profile: ScoringProfile
) -> Scored:
    """Score the 自评表 with the engine and copy scores, formulas and flags onto the (unsaved) objects.

    When some input is missing or bad, the rows that can be scored alone still get their score and formula, the
    total stays empty and the problems are kept on the evaluation.
    """
    inputs = [indicator_input(row) for row in rows]
    try:
        result = score(profile, budget_input(evaluation), inputs)
    except ScoringInputError as error:
        _apply_partial(evaluation, rows, inputs, profile, error.problems)
        return Scored(None, error.problems)
    execution = result.execution
    evaluation.execution_rate = execution.rate_percent
    evaluation.execution_score = execution.score
    evaluation.execution_weight = execution.weight
    evaluation.execution_formula = execution.formula
    evaluation.total = result.total
    evaluation.total_formula = result.total_formula
    evaluation.grade = result.grade
    evaluation.score_problems = []
    evaluation.warnings = list(result.warnings)
    for row, item in zip(rows, result.indicators, strict=True):
        row.score = item.score
        row.formula = item.formula
        row.flags = list(item.flags)
        row.explanation_required = item.explanation_required
    return Scored(result)


def _apply_partial(
    evaluation: SelfEvaluation,
    rows: Sequence[SelfEvaluationIndicator],
    inputs: Sequence[IndicatorInput],
    profile: ScoringProfile,
    problems: Sequence[InputProblem],
) -> None:
    evaluation.total = None
    evaluation.total_formula = ""
    evaluation.grade = ""
    evaluation.warnings = []
    evaluation.score_problems = [p.as_dict() for p in problems]
    try:
        execution = score_execution(profile, budget_input(evaluation))
    except ScoringInputError:
        evaluation.execution_rate = evaluation.execution_score = None
        evaluation.execution_formula = ""
        evaluation.execution_weight = profile.execution_weight
    else:
        evaluation.execution_rate = execution.rate_percent
        evaluation.execution_score = execution.score
        evaluation.execution_weight = execution.weight
        evaluation.execution_formula = execution.formula
    for index, (row, item) in enumerate(zip(rows, inputs, strict=True)):
        apply_row_score(row, item, profile, index)


def apply_row_score(
    row: SelfEvaluationIndicator, item: IndicatorInput, profile: ScoringProfile, index: int
) -> list[InputProblem]:
    """Score one row alone (the form's live re-score); return its problems."""
    try:
        scored = score_indicator(profile, item, index=index)
    except ScoringInputError as error:
        row.score, row.formula, row.flags, row.explanation_required = None, "", [], False
        return error.problems
    row.score = scored.score
    row.formula = scored.formula
    row.flags = list(scored.flags)
    row.explanation_required = scored.explanation_required
    return []
