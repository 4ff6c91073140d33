"""Fund figures per project and rolled up by unit, district and fund source (reads only, through scope)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Min, Q, QuerySet, Sum

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import get_scoped_for_user
from jixiao.funds.models import Allocation, Payment
from jixiao.projects.models import FundSource, Project

ZERO = Decimal("0.00")
SPENT = Q(is_final_recipient=True, is_retention=False)


def money(value: Decimal | None) -> Decimal:
    """An aggregate as 元 with two decimals (SQLite sums decimals with float noise)."""
    return (value or ZERO).quantize(Decimal("0.01"))


def execution_rate(paid: Decimal, base: Decimal) -> Decimal | None:
    """Return paid ÷ base as a percentage with two decimals, or None without a base."""
    if not base:
        return None
    return (paid * 100 / base).quantize(Decimal("0.01"))


@dataclass
class FundFigures:
    """Allocated, paid and spent (paid to the final recipient, retention excluded) of one project or group."""

    label: str
    allocated: Decimal = ZERO
    paid: Decimal = ZERO
    spent: Decimal = ZERO
    first_allocated_on: dt.date | None = None
    projects: int = 0
    project: Project | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> Decimal | None:
        """预算执行率 (%): spent ÷ allocated."""
        return execution_rate(self.spent, self.allocated)

    @property
    def balance(self) -> Decimal:
        return self.allocated - self.spent

    def days_since(self, today: dt.date) -> int | None:
        return (today - self.first_allocated_on).days if self.first_allocated_on else None

    def add(self, other: FundFigures) -> None:
        self.allocated += other.allocated
        self.paid += other.paid
        self.spent += other.spent
        self.projects += other.projects
        if other.first_allocated_on and (
            self.first_allocated_on is None or other.first_allocated_on < self.first_allocated_on
        ):
            self.first_allocated_on = other.first_allocated_on


def get_project_for_funds(user: Any, pk: Any, *, write: bool = False) -> Project:
    """The project for its fund pages: 404 outside read scope, 403 outside fund-management scope."""
    return get_scoped_for_user(
        lambda u, p: Project.objects.visible_to(u, p).select_related("unit", "department", "region"),
        user,
        pk,
        read_perm=Perm.PROJECTS_VIEW,
        write_perm=Perm.FUNDS_MANAGE,
        write=write,
    )


def spent_until(project: Project, until: dt.date) -> Decimal:
    """Payments to the final recipient (retention excluded) of the project up to and including `until`."""
    total = Payment.objects.filter(SPENT, project=project, paid_on__lte=until).aggregate(s=Sum("amount"))["s"]
    return money(total)


def project_figures(projects: QuerySet[Project], *, until: dt.date | None = None) -> list[FundFigures]:
    """One FundFigures per project of the queryset, in its order (three queries in all)."""
    ids = list(projects.values_list("pk", flat=True))
    payments = Payment.objects.filter(project_id__in=ids)
    allocations = Allocation.objects.filter(project_id__in=ids)
    if until is not None:
        payments = payments.filter(paid_on__lte=until)
        allocations = allocations.filter(allocated_on__lte=until)
    allocated = {
        row["project_id"]: row
        for row in allocations.values("project_id").annotate(total=Sum("amount"), first=Min("allocated_on"))
    }
    paid = {
        row["project_id"]: row
        for row in payments.values("project_id").annotate(total=Sum("amount"), spent=Sum("amount", filter=SPENT))
    }
    figures = []
    for project in projects.select_related("unit", "department", "region"):
        a, p = allocated.get(project.pk, {}), paid.get(project.pk, {})
        figures.append(
            FundFigures(
                label=f"{project.code} {project.name}",
                allocated=money(a.get("total")),
                paid=money(p.get("total")),
                spent=money(p.get("spent")),
                first_allocated_on=a.get("first"),
                projects=1,
                project=project,
            )
        )
    return figures


def district_code(project: Project) -> str:
    """The district (区) code of the project's region path /420100/420117/…."""
    parts = [p for p in project.region.path.split("/") if p]
    return parts[1] if len(parts) > 1 else parts[0]


def rollup(figures: Iterable[FundFigures], key: str) -> list[FundFigures]:
    """Group project figures by 'unit', 'department' or 'district'."""
    from jixiao.orgs.models import Region

    groups: dict[str, FundFigures] = {}
    for item in figures:
        assert item.project is not None
        if key == "unit":
            label = item.project.unit.name
        elif key == "department":
            label = item.project.department.name
        else:
            label = district_code(item.project)
        groups.setdefault(label, FundFigures(label=label)).add(item)
    if key == "district":
        names = dict(Region.objects.filter(code__in=groups).values_list("code", "name"))
        for code, group in groups.items():
            group.label = f"{names.get(code, code)}"
    return sorted(groups.values(), key=lambda g: g.label)


def rollup_by_source(projects: QuerySet[Project]) -> list[FundFigures]:
    """Allocated, paid and spent per fund source over the projects."""
    ids = projects.values("pk")
    groups: dict[str, FundFigures] = defaultdict(lambda: FundFigures(label=""))
    for row in (
        Allocation.objects.filter(project_id__in=ids)
        .values("source")
        .annotate(total=Sum("amount"), first=Min("allocated_on"))
    ):
        group = groups[row["source"]]
        group.allocated, group.first_allocated_on = money(row["total"]), row["first"]
    for row in (
        Payment.objects.filter(project_id__in=ids)
        .values("source")
        .annotate(total=Sum("amount"), spent=Sum("amount", filter=SPENT))
    ):
        group = groups[row["source"]]
        group.paid, group.spent = money(row["total"]), money(row["spent"])
    labels = dict(FundSource.choices)
    result = []
    for code in FundSource.values:
        if code in groups:
            groups[code].label = labels[code]
            result.append(groups[code])
    return result


def total_of(figures: Iterable[FundFigures]) -> FundFigures:
    total = FundFigures(label="合计")
    for item in figures:
        total.add(item)
    return total
