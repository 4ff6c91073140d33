"""Scoped reads of self-evaluation: one-row fetches and the campaign dashboard's aggregates (in SQL)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Sum

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
    # EXISTS per campaign stops at the first visible 自评表 (an IN over every visible one reads them all).
    visible = SelfEvaluation.objects.visible_to(user).filter(campaign_id=OuterRef("pk"))
    return Campaign.objects.filter(Exists(visible)).select_related("profile")


def rate(part: Any, whole: Any) -> Decimal | None:
    """Return part ÷ whole as a percentage with 2 decimals, None when whole is 0 or missing."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def _bucket(**key: Any) -> dict[str, Any]:
    return {**key, "required": 0, "submitted": 0, "approved": 0, "allocated": None, "paid": None}


def _add(bucket: dict[str, Any], status: str, n: int, allocated: Any, paid: Any) -> None:
    bucket["required"] += n
    bucket["submitted"] += 0 if status == EvaluationStatus.DRAFT else n
    bucket["approved"] += n if status == EvaluationStatus.APPROVED else 0
    for key, amount in (("allocated", allocated), ("paid", paid)):
        if amount is not None:
            bucket[key] = amount if bucket[key] is None else bucket[key] + amount


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    row["form_rate"] = rate(row["submitted"], row["required"])  # 自评表执行率
    row["fund_rate"] = rate(row["paid"], row["allocated"])  # 资金总量执行率
    return row


def campaign_dashboard(user: Any, campaign: Campaign) -> dict[str, Any]:
    """Return 自评表执行率 and 资金总量执行率 overall, by department and by district, and the grade distribution.

    One grouped pass over the campaign's 自评表 the user may read — by (department, district, status, grade), a
    few hundred groups whatever the campaign's size, read from the covering index `selfeval_campaign_dashboard`
    when the scope needs no join — rolled up here into every figure of the page.
    """
    rows = SelfEvaluation.objects.visible_to(user).filter(campaign=campaign).order_by()
    groups = rows.values_list("department_id", "district_id", "status", "grade").annotate(
        n=Count("id"), allocated=Sum("budget_annual"), paid=Sum("budget_executed")
    )
    overall = _bucket()
    by_department: dict[int, dict[str, Any]] = {}
    by_district: dict[int | None, dict[str, Any]] = {}
    grades: dict[str, int] = dict.fromkeys(GRADES, 0)
    statuses: dict[str, int] = {s.value: 0 for s in EvaluationStatus}
    for department, district, status, grade, n, allocated, paid in groups:
        for bucket in (
            overall,
            by_department.setdefault(department, _bucket(department_id=department)),
            by_district.setdefault(district, _bucket(district_id=district)),
        ):
            _add(bucket, status, n, allocated, paid)
        statuses[status] = statuses.get(status, 0) + n
        if grade:
            grades[grade] = grades.get(grade, 0) + n
    units = dict(Unit.objects.filter(pk__in=list(by_department)).values_list("pk", "name"))
    regions = dict(Region.objects.filter(pk__in=[pk for pk in by_district if pk]).values_list("pk", "name"))
    for pk, row in by_department.items():
        row["name"] = units.get(pk, "")
    for district_id, row in by_district.items():
        row["name"] = regions.get(district_id, "市本级") if district_id else "市本级"
    return {
        "overall": _with_rates(overall),
        "by_department": sorted((_with_rates(r) for r in by_department.values()), key=lambda r: r["name"]),
        "by_district": sorted((_with_rates(r) for r in by_district.values()), key=lambda r: r["name"]),
        "grades": grades,
        "statuses": statuses,
    }
