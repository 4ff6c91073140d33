"""Results application (结果应用): next year's budget consequence of each project's grade (DOMAIN §5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.models import AuditAction
from jixiao.audit.recorder import record
from jixiao.selfeval.models import Campaign, Consequence, EvaluationStatus, ResultApplication

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Outcome:
    consequence: str
    next_budget: Decimal
    reason: str


def consequence_for(grade: str, *, base: Decimal, cut_share: Decimal, rectified: bool = True) -> Outcome:
    """Return the next year's budget consequence of a grade (优 priority, 良 funded, 中 cut, 差 cancel).

    A project that has not rectified what its self-evaluation found is reduced by the same share as 中, unless its
    grade already costs it more.
    """
    cut = (base * (100 - cut_share) / 100).quantize(CENT)
    share = f"{cut_share.normalize():f}%"
    if grade == "差":
        return Outcome(Consequence.CANCEL, Decimal("0.00"), "自评等级为“差”,取消或暂停下年预算安排")
    if grade == "中":
        return Outcome(Consequence.CUT, cut, f"自评等级为“中”,下年预算压减 {share}")
    if not rectified:
        return Outcome(Consequence.REDUCED, cut, f"自评发现的问题未整改,下年预算压减 {share}")
    if grade == "优":
        return Outcome(Consequence.PRIORITY, base.quantize(CENT), "自评等级为“优”,下年优先保障")
    return Outcome(Consequence.FUNDED, base.quantize(CENT), "自评等级为“良”,下年正常安排")


@transaction.atomic
def do_apply_results(
    *, campaign: Campaign, acting_user: Any, unrectified_project_ids: frozenset[int] = frozenset()
) -> int:
    """(Re)compute the results application of every approved, graded 自评表 of the campaign; return how many."""
    require_perm(acting_user, Perm.SELFEVAL_MANAGE)
    evaluations = campaign.evaluations.filter(status=EvaluationStatus.APPROVED).exclude(grade="")
    ResultApplication.objects.filter(evaluation__campaign=campaign).delete()
    rows = []
    # The consequence bears on next year's appropriation, so its base is this year's 当年财政拨款 (not 上年结转/其他).
    for ev in evaluations.only("id", "project_id", "grade", "fiscal_annual"):
        rectified = ev.project_id not in unrectified_project_ids
        outcome = consequence_for(ev.grade, base=ev.fiscal_annual, cut_share=campaign.cut_share, rectified=rectified)
        rows.append(
            ResultApplication(
                evaluation=ev,
                project_id=ev.project_id,
                year=campaign.year,
                grade=ev.grade,
                consequence=outcome.consequence,
                rectified=rectified,
                base_budget=ev.fiscal_annual,
                next_budget=outcome.next_budget,
                reason=outcome.reason,
                flag_poor=ev.grade == "差",
            )
        )
    ResultApplication.objects.bulk_create(rows, batch_size=2000)
    record(actor=acting_user, action=AuditAction.UPDATE, obj=campaign, note=f"生成结果应用 {len(rows)} 条")
    return len(rows)


def poor_grade_projects(year: int):
    """Return the ids of projects whose self-evaluation for that year was graded 差 (flagged in the library)."""
    return ResultApplication.objects.filter(year=year, flag_poor=True).values_list("project_id", flat=True)
