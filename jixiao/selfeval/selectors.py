"""Scoped reads of self-evaluation: one-row fetches and the campaign dashboard's aggregates (in SQL)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import get_scoped_for_user
from jixiao.orgs.models import Region, Unit
from jixiao.selfeval.models import Campaign, EvaluationStatus, SelfEvaluation

GRADES = ("优", "良", "中", "差")


def get_evaluation_for_user(user: Any, pk: Any, *, write: bool = False) -> SelfEvaluation:
    return get_scoped_for_user(
        lambda u, p: SelfEvaluation.objects.visible_to(u, p).select_related(
            "campaign", "campaign__profile", "project", "project__unit", "project__department", "project__region"
        ),
        user,
        pk,
        read_perm=Perm.PROJECTS_VIEW,
        write_perm=Perm.SELFEVAL_FILL,
        write=write,
    )


def get_campaign_evaluation(user: Any, campaign_id: Any, project_id: Any, *, write: bool = False) -> SelfEvaluation:
    """Return the 自评表 of a project in a campaign through the scoped fetch (404 outside scope)."""
    row = SelfEvaluation.objects.filter(campaign_id=campaign_id, project_id=project_id).values_list("pk", flat=True)
    return get_evaluation_for_user(user, row.first() or 0, write=write)


def campaigns_for(user: Any):
    """Campaigns with at least one 自评表 the user may read (all of them for the organiser)."""
    if user.has_perm_code(Perm.SELFEVAL_MANAGE):
        return Campaign.objects.select_related("profile")
    visible = SelfEvaluation.objects.visible_to(user).values("campaign_id")
    return Campaign.objects.filter(pk__in=visible).select_related("profile")


def rate(part: Any, whole: Any) -> Decimal | None:
    """Return part ÷ whole as a percentage with 2 decimals, None when whole is 0 or missing."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


_METRICS = {
    "required": Count("id"),
    "submitted": Count("id", filter=~Q(status=EvaluationStatus.DRAFT)),
    "approved": Count("id", filter=Q(status=EvaluationStatus.APPROVED)),
    "allocated": Sum("budget_annual"),
    "paid": Sum("budget_executed"),
}


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    row["form_rate"] = rate(row["submitted"], row["required"])  # 自评表执行率
    row["fund_rate"] = rate(row["paid"], row["allocated"])  # 资金总量执行率
    return row


def _total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Add up the per-department groups (a handful of rows, already aggregated by the database)."""
    totals: dict[str, Any] = {k: sum(r[k] for r in rows) for k in ("required", "submitted", "approved")}
    for key in ("allocated", "paid"):
        amounts = [r[key] for r in rows if r[key] is not None]
        totals[key] = sum(amounts, Decimal(0)) if amounts else None
    return totals


def campaign_dashboard(user: Any, campaign: Campaign) -> dict[str, Any]:
    """Return 自评表执行率 and 资金总量执行率 overall, by department and by district, and the grade distribution.

    Three grouped queries, whatever the campaign's size: by department, by district, by (status, grade).
    """
    rows = SelfEvaluation.objects.visible_to(user).filter(campaign=campaign).order_by()
    by_department = [_with_rates(r) for r in rows.values("department_id").annotate(**_METRICS)]
    by_district = [_with_rates(r) for r in rows.values("district_id").annotate(**_METRICS)]
    overall = _with_rates(_total(by_department))
    units = dict(Unit.objects.filter(pk__in=[r["department_id"] for r in by_department]).values_list("pk", "name"))
    regions = dict(Region.objects.filter(pk__in=[r["district_id"] for r in by_district]).values_list("pk", "name"))
    for r in by_department:
        r["name"] = units.get(r["department_id"], "")
    for r in by_district:
        r["name"] = regions.get(r["district_id"], "市本级")
    grades: dict[str, int] = dict.fromkeys(GRADES, 0)
    statuses: dict[str, int] = {s.value: 0 for s in EvaluationStatus}
    pairs = rows.values_list("status", "grade").annotate(n=Count("id")).values_list("status", "grade", "n")
    for status, grade, n in pairs:
        statuses[status] = statuses.get(status, 0) + n
        if grade:
            grades[grade] = grades.get(grade, 0) + n
    return {
        "overall": overall,
        "by_department": sorted(by_department, key=lambda r: r["name"]),
        "by_district": sorted(by_district, key=lambda r: r["name"]),
        "grades": grades,
        "statuses": statuses,
    }
