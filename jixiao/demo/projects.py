"""Demo project library: 405 projects of 13 departments and 6 districts (the seed's numbers), 2019 and 2021.

Deterministic (seeded random), idempotent (existing codes are skipped) and bulk-inserted.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jixiao.audit.models import AuditAction
from jixiao.audit.recorder import record_many
from jixiao.demo.city import DEPARTMENTS, DISTRICTS
from jixiao.orgs.models import Region, RegionLevel, Unit
from jixiao.projects.categories import sync_categories
from jixiao.projects.models import (
    Category,
    EventKind,
    FundSource,
    Project,
    ProjectEvent,
    ProjectFund,
    ProjectStatus,
    Taxonomy,
)

S = ProjectStatus
# The role walk's target: a 新洲 project of 仓埠 (unit 420117-U2) under 区农业农村局, managed by 农业农村处, in
# progress (so its unit may report it completed); the same shape as tests/walk/funds.py's project.
WALK_PROJECT_CODE = "XJ2021-420117-0001"
PROJECTS_PER_DEPARTMENT = 15  # 13 × 15 = 195 city-level projects
PROJECTS_PER_DISTRICT = 35  # 6 × 35 = 210 district projects
CENT = Decimal("0.01")
EVALUATED_EVERY = 13  # about 30 projects assigned to the third party

PATHS = {
    S.RESERVE: [S.RESERVE],
    S.IN_LIBRARY: [S.RESERVE, S.IN_LIBRARY],
    S.APPROVED: [S.RESERVE, S.IN_LIBRARY, S.APPROVED],
    S.IN_PROGRESS: [S.RESERVE, S.IN_LIBRARY, S.APPROVED, S.IN_PROGRESS],
    S.COMPLETED: [S.RESERVE, S.IN_LIBRARY, S.APPROVED, S.IN_PROGRESS, S.COMPLETED],
    S.ACCEPTED: [S.RESERVE, S.IN_LIBRARY, S.APPROVED, S.IN_PROGRESS, S.COMPLETED, S.ACCEPTED],
    S.TERMINATED: [S.RESERVE, S.IN_LIBRARY, S.APPROVED, S.TERMINATED],
}
STATUS_WEIGHTS = {
    2019: {S.ACCEPTED: 70, S.COMPLETED: 15, S.IN_PROGRESS: 5, S.TERMINATED: 10},
    2021: {
        S.RESERVE: 12,
        S.IN_LIBRARY: 14,
        S.APPROVED: 16,
        S.IN_PROGRESS: 22,
        S.COMPLETED: 14,
        S.ACCEPTED: 16,
        S.TERMINATED: 6,
    },
}
SOURCES = {
    2019: [FundSource.CENTRAL, FundSource.PROVINCE, FundSource.CITY, FundSource.DISTRICT],
    2021: [FundSource.XIANJIE, FundSource.CITY, FundSource.DISTRICT, FundSource.INTEGRATED],
}


class _Maker:
    def __init__(self) -> None:
        self.rng = random.Random(2020)
        self.units = {u.code: u for u in Unit.objects.all()}
        self.villages = list(Region.objects.filter(level=RegionLevel.VILLAGE).order_by("code"))
        categories = list(Category.objects.select_related("parent"))
        self.subs: dict[str, list[Category]] = {}
        for taxonomy, year in ((Taxonomy.FUPIN, 2019), (Taxonomy.XIANJIE, 2021)):
            usable = [c for c in categories if c.taxonomy == taxonomy and c.valid_in(year)]
            tops = [c for c in usable if c.parent_id is None and not c.name.startswith("项目管理")]
            leaves = [c for c in usable if c.parent_id is not None and c.parent in tops]
            self.subs[str(year)] = leaves + [c for c in tops if not any(leaf.parent_id == c.pk for leaf in leaves)]

    def project(self, code: str, year: int, unit: Unit, department: Unit, villages: list[Region], n: int) -> Project:
        rng = self.rng
        leaf = rng.choice(self.subs[str(year)])
        top, sub = (leaf.parent, leaf) if leaf.parent is not None else (leaf, None)
        label = leaf.name
        village = rng.choice(villages)
        households = rng.randint(20, 400)
        persons = households * rng.randint(25, 35) // 10
        start = dt.date(year, 3, 1) + dt.timedelta(days=rng.randint(0, 90))
        weights = STATUS_WEIGHTS[year]
        status = rng.choices(list(weights), weights=list(weights.values()))[0]
        return Project(
            code=code,
            name=f"{year}年{village.name}{label}" + ("" if label.endswith("项目") else "项目"),
            year=year,
            category=top,
            subcategory=sub,
            region=village,
            unit=unit,
            department=department,
            division=self.units["CZJ-NYC"] if n % 10 else None,
            evaluator=self.units["DSF-CT"] if n % EVALUATED_EVERY == 0 else None,
            status=status,
            planned_start=start,
            planned_end=start + dt.timedelta(days=rng.randint(60, 240)),
            households=households,
            persons=persons,
            poverty_persons=persons * rng.randint(10, 40) // 100,
            monitored_persons=persons * rng.randint(0, 5) // 100,
            description=f"在{village.name}实施{label},受益 {households} 户。",
        )

    def funds(self, year: int) -> list[ProjectFund]:
        sources = self.rng.sample(SOURCES[year], self.rng.randint(1, 3))
        return [
            ProjectFund(
                source=s, amount_wan=(Decimal(self.rng.randint(1000, 50000)) / 100 / len(sources)).quantize(CENT)
            )
            for s in sources
        ]


def _plan() -> list[tuple[Project, list[ProjectFund]]]:
    maker = _Maker()
    units, rows = maker.units, []
    n = 0
    for year in (2019, 2021):
        prefix = "FP" if year == 2019 else "XJ"
        for code, _name, children in DEPARTMENTS:
            for i in range(PROJECTS_PER_DEPARTMENT // 2 + (year == 2021)):
                n += 1
                unit = units[f"{code}-{1 + i % len(children)}"]
                p = maker.project(f"{prefix}{year}-{code}-{i + 1:04d}", year, unit, units[code], maker.villages, n)
                rows.append((p, maker.funds(year)))
        for code, _name, _towns in DISTRICTS:
            for i in range(PROJECTS_PER_DISTRICT // 2 + (year == 2021)):
                n += 1
                unit = units[f"{code}-U{1 + i % 3}"]
                villages = [v for v in maker.villages if v.code.startswith(unit.region.code)]
                p = maker.project(f"{prefix}{year}-{code}-{i + 1:04d}", year, unit, units[f"{code}-NYJ"], villages, n)
                rows.append((p, maker.funds(year)))
    _fix_walk_target(rows, units)
    return rows


def _fix_walk_target(rows: list[tuple[Project, list[ProjectFund]]], units: dict[str, Unit]) -> None:
    target = next(p for p, _ in rows if p.code == WALK_PROJECT_CODE)
    target.unit, target.department = units["420117-U2"], units["420117-NYJ"]
    town = target.unit.region.code
    target.region = Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=town).order_by("code")[0]
    target.subcategory = Category.objects.select_related("parent").get(code="X21-XCJS-JCSS")
    target.category = Category.objects.get(code="X21-XCJS")
    target.name = f"2021年{target.region.name}农村基础设施项目"
    target.division, target.evaluator, target.status = units["CZJ-NYC"], None, S.IN_PROGRESS


@transaction.atomic
def load() -> dict[str, int]:
    """Create the demo projects that are missing; running it twice changes nothing."""
    if not Category.objects.exists():  # a transactional test flushed the migration's dictionary
        sync_categories()
    rows = _plan()
    existing = set(Project.objects.filter(code__in=[p.code for p, _ in rows]).values_list("code", flat=True))
    rows = [(p, funds) for p, funds in rows if p.code not in existing]
    for project, funds in rows:
        project.budget_wan = sum((f.amount_wan for f in funds), Decimal("0"))
    Project.objects.bulk_create([p for p, _ in rows], batch_size=1000)
    ProjectFund.objects.bulk_create([_with(f, p) for p, funds in rows for f in funds], batch_size=2000)
    ProjectEvent.objects.bulk_create([e for p, _ in rows for e in _events(p)], batch_size=2000)
    record_many(None, AuditAction.CREATE, [p for p, _ in rows], note="演示数据")
    return {"projects": Project.objects.count(), "new_projects": len(rows)}


def _with(fund: ProjectFund, project: Project) -> ProjectFund:
    fund.project = project
    return fund


def _events(project: Project) -> list[ProjectEvent]:
    path = PATHS[S(project.status)]
    events = [ProjectEvent(project=project, to_status=S.RESERVE, kind=EventKind.CREATE, note="演示数据")]
    events += [
        ProjectEvent(project=project, from_status=a, to_status=b, kind=EventKind.TRANSITION)
        for a, b in zip(path, path[1:], strict=False)
    ]
    return events
