"""Demo self-evaluation: the campaign 2019年度扶贫项目资金绩效自评 over the 2019 demo projects (seed report).

A realistic mix: some 自评表 untouched, some being filled, some at each review stage, most approved; grades from
优 to 差 (actuals drawn around each goal's targets), one return with an opinion, and the results application.
Deterministic (seeded random) and idempotent (nothing is done when the campaign exists).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from jixiao.selfeval.actions import do_open_campaign, do_review_self_evaluation, do_submit_self_evaluation, rescore
from jixiao.selfeval.entry import sum_funds
from jixiao.selfeval.models import Campaign, ScoringProfileRecord, SelfEvaluation, SelfEvaluationIndicator
from jixiao.selfeval.results import do_apply_results
from jixiao.selfeval.scoring import QUALITATIVE, normalize_operator, parse_number

CAMPAIGN_NAME = "2019年度扶贫项目资金绩效自评"
YEAR = 2019
# Share of the target reached, by the kind of project: most do well, some fall short, a few fail.
QUALITY = [("good", 60), ("fair", 20), ("weak", 12), ("poor", 8)]
FACTORS = {"good": (0.97, 1.12), "fair": (0.75, 0.95), "weak": (0.5, 0.75), "poor": (0.2, 0.5)}
EXECUTION = {"good": (0.93, 1.0), "fair": (0.8, 0.95), "weak": (0.6, 0.85), "poor": (0.3, 0.6)}
TIER = {"good": "达成", "fair": "部分达成", "weak": "部分达成", "poor": "未达成"}
ACTUAL_WORDS = {"达成": "达成预期指标", "部分达成": "基本达到", "未达成": "未完成"}
EXPLANATION = "受汛期及物资价格影响,部分工程延期;已督促施工单位加快进度,次年一季度前完成并加强资金拨付跟踪。"


def _actual(row: SelfEvaluationIndicator, factor: float, quality: str) -> None:
    operator = normalize_operator(row.operator)
    if operator == QUALITATIVE:
        row.tier = TIER[quality]
        row.actual = ACTUAL_WORDS[row.tier]
        return
    parsed = parse_number(row.target)
    if parsed is None:
        row.applicable = False  # a target the engine cannot read (e.g. 「9月前」) is left out rather than guessed
        return
    target, percent = parsed
    value = float(target) * (factor if operator != "≤" else 1 / max(factor, 0.01))
    if operator == "=" and quality == "good":
        value = float(target)
    if percent or row.unit.strip() == "%":
        value = min(value, 100.0)
    text = f"{Decimal(value).quantize(Decimal('0.01')).normalize():f}"
    row.actual = f"{text}%" if percent else text


def _fill(ev: SelfEvaluation, rng: random.Random) -> None:
    quality = rng.choices([q for q, _ in QUALITY], weights=[w for _, w in QUALITY])[0]
    low, high = FACTORS[quality]
    rows = list(ev.indicators.order_by("position"))
    for row in rows:
        _actual(row, rng.uniform(low, high), quality)
    share = Decimal(str(round(rng.uniform(*EXECUTION[quality]), 4)))
    ev.fiscal_executed = (ev.fiscal_annual * share).quantize(Decimal("0.01"))
    if ev.carryover_annual:
        ev.carryover_executed = (ev.carryover_annual * share).quantize(Decimal("0.01"))
    sum_funds(ev)
    ev.overall_actual = (
        "基本完成年度建设任务,带动脱贫户增收。" if quality != "poor" else "项目进度滞后,部分内容未完成。"
    )
    ev.save()
    rescore(ev, rows)
    for row in rows:
        if row.explanation_required:
            row.explanation = EXPLANATION
    if ev.execution_rate is not None and ev.execution_rate < 90:
        ev.budget_explanation = EXPLANATION
        ev.save(update_fields=["budget_explanation"])
    SelfEvaluationIndicator.objects.bulk_update(
        rows, ["actual", "tier", "applicable", "explanation", "score", "formula", "flags", "explanation_required"]
    )
    rescore(ev, rows)


def _advance(ev: SelfEvaluation, stage: int) -> None:
    """Move a filled 自评表 through the review: stage 1 submitted, 2 passed the department, 3 approved."""
    try:
        do_submit_self_evaluation(evaluation=ev, acting_user=None)
    except ValidationError:
        return  # the goal's indicators leave something the unit still has to fix: it stays a draft
    if stage >= 2:
        do_review_self_evaluation(evaluation=ev, acting_user=None, decision="pass", opinion="同意")
    if stage >= 3:
        do_review_self_evaluation(evaluation=ev, acting_user=None, decision="pass")


@transaction.atomic
def load() -> dict[str, int]:
    """Create the demo campaign when missing; return counts."""
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        campaign = _create()
    evaluations = campaign.evaluations
    return {
        "evaluations": evaluations.count(),
        "submitted": evaluations.exclude(status="draft").count(),
        "approved": evaluations.filter(status="approved").count(),
    }


def _create() -> Campaign:
    rng = random.Random(2020)
    campaign = do_open_campaign(
        year=YEAR,
        name=CAMPAIGN_NAME,
        deadline=dt.date(2020, 3, 31),
        profile=ScoringProfileRecord.objects.get(code="central-2020"),
        acting_user=None,
    )
    for index, ev in enumerate(campaign.evaluations.select_related("campaign__profile").order_by("project__code")):
        kind = index % 10
        if kind == 0 or not ev.indicators.exists():
            continue  # not started
        if kind in (3, 7):  # some projects also spend money carried over from last year (上年结转资金)
            ev.carryover_initial = ev.carryover_annual = (ev.fiscal_annual * Decimal("0.1")).quantize(Decimal("0.01"))
        _fill(ev, rng)
        if kind == 1:
            continue  # being filled
        if kind == 5:  # returned once by the department, then corrected and resubmitted
            _advance(ev, 1)
            if ev.status == "dept_review":
                opinion = "满意度指标缺少问卷调查佐证材料,请补充后重新提交。"
                do_review_self_evaluation(evaluation=ev, acting_user=None, decision="return", opinion=opinion)
        _advance(ev, {2: 1, 3: 2}.get(kind, 3))
    do_apply_results(campaign=campaign, acting_user=None)
    return campaign
