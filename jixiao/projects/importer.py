"""Excel import of the project library (and, from the same workbook, the projects' goals): all-or-nothing.

Every row is validated in memory against lookups loaded once; then new projects, fund lines, events and audit
rows go in as plain rows (`jixiao.core.bulk`: COPY on PostgreSQL, executemany on SQLite) in one transaction —
10 000 projects in well under a second of inserts. Changed existing projects take the ORM's bulk_update.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit.models import AuditAction
from jixiao.audit.recorder import record, record_many, record_rows, snapshot_values
from jixiao.core.bulk import (
    constraints_checked_per_statement,
    db_datetime,
    insert_rows,
    reserve_ids,
    with_gc_paused,
)
from jixiao.core.excel import (
    CellError,
    SheetRows,
    WorkbookError,
    formula_and_merge_errors,
    open_book,
    read_table,
    read_upload,
    sheet_xml_size,
)
from jixiao.core.sideprocess import side_process
from jixiao.goals.importer import GoalProject, GoalSheet, NewProjects, import_goal_sheet
from jixiao.goals.spreadsheets import MANY_SHEET
from jixiao.orgs.models import Region, Unit
from jixiao.projects import transitions
from jixiao.projects.models import Category, EventKind, Project, ProjectEvent, ProjectFund, ProjectStatus
from jixiao.projects.spreadsheets import COLUMNS, FUND_HEADERS, HEADER_OF, SHEET
from jixiao.projects.validation import project_errors, total_wan

FORK_SHEET_BYTES = 1_000_000  # a goals sheet this large (≈ 3 000 indicator rows) is read in a side process
FIELD_COLUMN = {"persons": "受益人数", "funds": "项目总投资(万元)", "planned_end": "计划完工"}


@dataclass
class Lookups:
    """Everything a row refers to, loaded once per import."""

    categories: dict[tuple[str, str], list[Category]]
    regions: dict[str, Region]
    units: dict[str, Unit]
    existing: dict[str, Project]
    editable: set[str] | None = None  # codes of existing projects the user may edit; None: anyone (console)

    @classmethod
    def load(cls, codes: set[str], user: Any) -> Lookups:
        categories: dict[tuple[str, str], list[Category]] = {}
        for category in Category.objects.select_related("parent"):
            parent = category.parent.code if category.parent else ""
            for key in (category.name, category.code):
                categories.setdefault((parent, key), []).append(category)
        existing = Project.objects.filter(code__in=codes).prefetch_related("funds") if codes else []
        return cls(
            categories=categories,
            regions={r.code: r for r in Region.objects.all()},
            units={u.code: u for u in Unit.objects.all()},
            existing={p.code: p for p in existing},
            editable=None
            if user is None
            else set(
                Project.objects.visible_to(user, Perm.PROJECTS_EDIT)
                .filter(code__in=codes)
                .values_list("code", flat=True)
            ),
        )

    def category(self, text: str, year: int, parent: Category | None = None) -> Category | None:
        found = self.categories.get((parent.code if parent else "", text), [])
        in_year = [c for c in found if c.valid_in(year)]
        candidates = in_year or found
        return candidates[0] if candidates else None


class _RowErrors:
    def __init__(self, file_name: str, sheet: str):
        self.file_name, self.sheet = file_name, sheet
        self.errors: list[CellError] = []

    def add(self, row: int, key: str, value: Any, expected: str) -> None:
        header = HEADER_OF.get(key) or FIELD_COLUMN.get(key, key)
        self.errors.append(CellError(self.file_name, self.sheet, row, header, value, expected))


def _resolve(values: dict[str, Any], row: int, look: Lookups, errs: _RowErrors) -> dict[str, Any] | None:
    """Return the model field values of a row, or None after recording why its references are unknown."""
    year = values["year"]
    ok = True
    category = look.category(values["category"], year)
    if category is None:
        errs.add(row, "category", values["category"], f"不在 {year} 年度项目类别字典中")
        ok = False
    sub = None
    if values.get("subcategory") and category is not None:
        sub = look.category(values["subcategory"], year, parent=category)
        if sub is None:
            errs.add(row, "subcategory", values["subcategory"], f"不是类别“{category.name}”的子类")
            ok = False
    region = look.regions.get(values["region"])
    if region is None:
        errs.add(row, "region", values["region"], "区划代码不存在")
        ok = False
    units: dict[str, Unit | None] = {}
    for key in ("unit", "department", "division", "evaluator"):
        code = values.get(key)
        units[key] = look.units.get(code) if code else None
        if code and units[key] is None:
            errs.add(row, key, code, "单位编码不存在")
            ok = False
    if not ok:
        return None
    return {"category": category, "subcategory": sub, "region": region, **units}


@dataclass
class _Line:
    source: str
    amount_wan: Decimal


def _fund_lines(values: dict[str, Any]) -> list[_Line]:
    return [_Line(source, values[f"fund_{source}"]) for source in FUND_HEADERS if values.get(f"fund_{source}")]


SIMPLE_FIELDS = ("name", "year", "planned_start", "planned_end", "description")
COUNT_FIELDS = ("households", "persons", "poverty_persons", "monitored_persons")


def _build(values: dict[str, Any], refs: dict[str, Any], project: Project) -> Project:
    for name in SIMPLE_FIELDS:
        setattr(project, name, values.get(name) if values.get(name) is not None else _blank(name))
    for name in COUNT_FIELDS:
        setattr(project, name, values.get(name) or 0)
    for name, obj in refs.items():
        setattr(project, name, obj)
    return project


def _blank(name: str) -> Any:
    return "" if name == "description" else None


def _signature(project: Project, funds: Iterable[ProjectFund | _Line]) -> tuple:
    fields = (*SIMPLE_FIELDS, *COUNT_FIELDS)
    ids = ("category_id", "subcategory_id", "region_id", "unit_id", "department_id", "division_id", "evaluator_id")
    lines = sorted((f.source, f.amount_wan.normalize()) for f in funds)
    return (*(getattr(project, f) for f in fields), *(getattr(project, i) for i in ids), tuple(lines))


def _check_status(values: dict[str, Any], row: int, current: Project | None, errs: _RowErrors) -> None:
    text = values.get("status")
    if not text:
        return
    expected = current.get_status_display() if current else ProjectStatus.RESERVE.label
    if text not in (expected, current.status if current else ProjectStatus.RESERVE):
        errs.add(row, "status", text, f"状态只能通过流转操作变更,此处应为“{expected}”或留空")


@dataclass
class _Planned:
    """An existing project whose row changes it."""

    row: int
    project: Project
    funds: list[_Line]
    creating: bool = False


@dataclass(slots=True)
class _Draft:
    """A new project's values while the import checks them (the `ProjectFields` that project_errors reads)."""

    row: int
    code: str
    name: str
    year: int
    category: Category
    subcategory: Category | None
    region: Region
    unit: Unit
    department: Unit
    division: Unit | None
    evaluator: Unit | None
    planned_start: Any
    planned_end: Any
    households: int
    persons: int
    poverty_persons: int
    monitored_persons: int
    description: str
    funds: list[_Line]
    budget: Decimal

    @classmethod
    def of(cls, row: int, values: dict[str, Any], refs: dict[str, Any], funds: list[_Line]) -> _Draft:
        """Field values as `_build` would set them on a new Project."""
        get = values.get
        return cls(row, values["code"], values["name"], values["year"], refs["category"], refs["subcategory"],
                   refs["region"], refs["unit"], refs["department"], refs["division"], refs["evaluator"],
                   get("planned_start"), get("planned_end"), get("households") or 0, get("persons") or 0,
                   get("poverty_persons") or 0, get("monitored_persons") or 0, get("description") or "", funds,
                   total_wan(funds))  # fmt: skip

    category_id = property(lambda self: self.category.pk)
    subcategory_id = property(lambda self: self.subcategory.pk if self.subcategory else None)
    region_id = property(lambda self: self.region.pk)
    department_id = property(lambda self: self.department.pk)
    division_id = property(lambda self: self.division.pk if self.division else None)
    evaluator_id = property(lambda self: self.evaluator.pk if self.evaluator else None)


def _plan(table, look: Lookups, errs: _RowErrors) -> tuple[list[_Draft], list[_Planned]]:
    """Check every row; return the new projects and the changed existing ones (unchanged rows are dropped)."""
    new: list[_Draft] = []
    changed: list[_Planned] = []
    seen: dict[str, int] = {}
    for row, values in table.rows:
        code = values["code"]
        if code in seen:
            errs.add(row, "code", code, f"与第 {seen[code]} 行项目编码重复")
            continue
        seen[code] = row
        current = look.existing.get(code)
        _check_status(values, row, current, errs)
        refs = _resolve(values, row, look, errs)
        if refs is None:
            continue
        funds = _fund_lines(values)
        if values.get("total") is not None and values["total"] != total_wan(funds):
            errs.add(
                row,
                "total",
                f"{values['total'].normalize():f}",
                f"应等于各资金来源之和 {total_wan(funds).normalize():f}",
            )
        if current is None:
            draft = _Draft.of(row, values, refs, funds)
            for field, message in project_errors(draft, funds).items():
                errs.add(row, field, values.get(field, ""), message)
            new.append(draft)
            continue
        if look.editable is not None and code not in look.editable:
            errs.add(row, "code", code, "该项目已存在且不在您的填报范围内,不能修改")
            continue
        if _signature(current, current.funds.all()) == _signature(_build(values, refs, Project()), funds):
            continue
        if current.status in transitions.FINAL:
            errs.add(row, "code", code, f"项目状态为“{current.get_status_display()}”,不能修改")
            continue
        project = _build(values, refs, current)
        for field, message in project_errors(project, funds).items():
            errs.add(row, field, values.get(field, ""), message)
        project.budget_wan = total_wan(funds)
        changed.append(_Planned(row, project, funds))
    return new, changed


@with_gc_paused
@transaction.atomic
def import_projects(data: bytes, *, file_name: str, acting_user: Any) -> dict[str, int]:
    """Create or update projects from the 项目库 sheet by code; raise WorkbookError and write nothing on any problem.

    A workbook that also holds the 绩效指标 sheet (项目编码 + indicator rows, as the goal import reads it) imports
    those goals too, in the same transaction: both sheets are checked, and either both are written or nothing.
    The two cores share a large workbook: a side process (`GoalSheet`) reads and checks the goals sheet and
    builds the goals' rows while this process checks and inserts the projects, then the goals chunk by chunk.
    """
    require_perm(acting_user, Perm.PROJECTS_EDIT)
    data = read_upload(data, file_name=file_name)
    book = open_book(data)
    sheet = SHEET if SHEET in book.sheet_names else book.sheet_names[0]
    goals_sheet = MANY_SHEET if MANY_SHEET in book.sheet_names and sheet != MANY_SHEET else None
    if goals_sheet and acting_user is not None and not acting_user.has_perm_code(Perm.GOALS_FILL):
        expected = f"您没有填报绩效目标的权限,不能导入工作表「{goals_sheet}」;请删除该工作表后重新上传"
        raise WorkbookError([CellError(file_name, goals_sheet, expected=expected)])
    work = GoalSheet(file_name=file_name, sheet=goals_sheet, data=data, cells_checked=True) if goals_sheet else None
    fork = goals_sheet is not None and sheet_xml_size(data, goals_sheet) >= FORK_SHEET_BYTES
    with side_process(work, fork=fork) as submit, constraints_checked_per_statement():
        parsed = submit("parse") if work is not None else None  # the goals sheet, read in the side process meanwhile
        table, errors = _read_projects(data, book, file_name, sheet)
        if table is not None:
            errs = _RowErrors(file_name, table.sheet)
            new, changed = _plan(table, Lookups.load({values["code"] for _, values in table.rows}, acting_user), errs)
            errors += errs.errors
        cell_errors = formula_and_merge_errors(data, file_name, goals_sheet) if goals_sheet else []
        if errors or cell_errors:  # every problem of the workbook at once: the goals sheet's too
            goal_errors = cell_errors or (parsed.result().errors if parsed is not None else [])
            raise WorkbookError((errors + goal_errors)[:500])
        assert table is not None
        ids = reserve_ids(Project, len(new))
        new_goals, new_parts = None, []
        if parsed is not None and new:  # their goals: computed in the side process while the projects go in here
            new_goals = NewProjects.of([_goal_project(pk, d) for pk, d in zip(ids, new, strict=True)], acting_user)
            new_parts = new_goals.submit(submit)
        now = timezone.now()
        _insert_new(new, ids, acting_user, now, note=_note(file_name))
        _update_changed(changed)
        _check_write_scope(new, changed, ids, acting_user, errs)
        _write_children(new, ids, changed, acting_user, file_name, now)
        counts = {"created": len(new), "updated": len(changed), "unchanged": len(table.rows) - len(new) - len(changed)}
        if parsed is not None and not parsed.result().empty:
            written = import_goal_sheet(submit, parsed.result(), file_name=file_name, acting_user=acting_user,
                                        new=new_goals, new_parts=new_parts)  # fmt: skip
            counts.update(goals=written["goals"], indicators=written["indicators"])
    _record_import(acting_user, file_name, counts)
    return counts


def _read_projects(data: bytes, book: Any, file_name: str, sheet: str) -> tuple[SheetRows | None, list[CellError]]:
    """Return the projects table, or its cell problems (raised later, together with the goals sheet's)."""
    try:
        return read_table(data, file_name=file_name, columns=COLUMNS, sheet_name=sheet, book=book), []
    except WorkbookError as exc:
        return None, exc.errors


PROJECT_COLUMNS = ("id", "code", "name", "year", "category_id", "subcategory_id", "region_id", "unit_id",
                   "department_id", "division_id", "evaluator_id", "status", "budget_wan", "planned_start",
                   "planned_end", "households", "persons", "poverty_persons", "monitored_persons", "description",
                   "budget_requested_at", "created_by_id", "created_at", "updated_at")  # fmt: skip


def _goal_project(pk: int, draft: _Draft) -> GoalProject:
    category = draft.subcategory or draft.category
    return GoalProject(pk, draft.code, draft.name, draft.year, draft.budget, category.code, draft.region.population)


def _insert_new(new: list[_Draft], ids: list[int], user: Any, now: Any, note: str) -> None:
    """Insert the new projects (with their reserved `ids`) as plain rows and audit each (the rows record_created
    would write)."""
    user_id = user.pk if user is not None else None
    stamp = db_datetime(now)
    values = [
        (pk, d.code, d.name, d.year, d.category.pk, d.subcategory_id, d.region.pk, d.unit.pk, d.department.pk,
         d.division_id, d.evaluator_id, ProjectStatus.RESERVE.value, d.budget, d.planned_start, d.planned_end,
         d.households, d.persons, d.poverty_persons, d.monitored_persons, d.description, None, user_id, now, now)
        for pk, d in zip(ids, new, strict=True)
    ]  # fmt: skip
    insert_rows(Project, PROJECT_COLUMNS, (v[:-2] + (stamp, stamp) for v in values))
    audited = ((v[0], f"{v[1]} {v[2]}", snapshot_values(Project, dict(zip(PROJECT_COLUMNS, v, strict=True))))
               for v in values)  # fmt: skip
    record_rows(user, AuditAction.CREATE, Project, audited, note=note)


def _update_changed(changed: list[_Planned]) -> None:
    if not changed:
        return
    Project.objects.bulk_update(
        [p.project for p in changed],
        [*SIMPLE_FIELDS, *COUNT_FIELDS, "category", "subcategory", "region", "unit", "department", "division"]
        + ["evaluator", "budget_wan"],
        batch_size=1000,
    )
    ProjectFund.objects.filter(project__in=[p.project for p in changed]).delete()


def _write_children(
    new: list[_Draft], ids: list[int], changed: list[_Planned], user: Any, file_name: str, now: Any
) -> None:
    """Fund lines and an import event for every written project; audit rows of the changed ones."""
    lines = [(pk, line.source, line.amount_wan, "") for pk, d in zip(ids, new, strict=True) for line in d.funds]
    lines += [(p.project.pk, line.source, line.amount_wan, "") for p in changed for line in p.funds]
    insert_rows(ProjectFund, ("project_id", "source", "amount_wan", "document_no"), lines)
    stamp, actor_id, note = db_datetime(now), user.pk if user is not None else None, file_name[:500]
    events = [(pk, ProjectStatus.RESERVE.value) for pk in ids] + [(p.project.pk, p.project.status) for p in changed]
    insert_rows(
        ProjectEvent,
        ("project_id", "created_at", "actor_id", "from_status", "to_status", "kind", "note"),
        ((pk, stamp, actor_id, "", status, EventKind.IMPORT.value, note) for pk, status in events),
    )
    record_many(user, AuditAction.IMPORT, [p.project for p in changed], note=_note(file_name) + "(更新)")


def _note(file_name: str) -> str:
    return f"Excel 导入《{file_name}》"


def _record_import(user: Any, file_name: str, counts: dict[str, int]) -> None:
    """One audit row for the import as a whole, naming the file and what it wrote."""
    labels = {"created": "新增项目", "updated": "更新项目", "unchanged": "未变化项目", "goals": "绩效目标",
              "indicators": "绩效指标"}  # fmt: skip
    summary = "、".join(f"{labels[k]} {v}" for k, v in counts.items() if k in labels)
    record(actor=user, action=AuditAction.IMPORT, model_label="projects.project", object_repr=file_name,
           after=counts, note=f"{_note(file_name)}:{summary}")  # fmt: skip


def _check_write_scope(new: list[_Draft], changed: list[_Planned], ids: list[int], user: Any, errs: _RowErrors) -> None:
    """Refuse (rolling everything back) rows that the user could not edit, judged by the one scoping entry point."""
    if user is None:
        return
    rows = [(pk, d.row, d.unit.code) for pk, d in zip(ids, new, strict=True)]
    rows += [(p.project.pk, p.row, p.project.unit.code) for p in changed]
    allowed: set[int] = set()
    for start in range(0, len(rows), 5000):
        chunk = [pk for pk, _, _ in rows[start : start + 5000]]
        allowed.update(
            Project.objects.visible_to(user, Perm.PROJECTS_EDIT).filter(pk__in=chunk).values_list("pk", flat=True)
        )
    for pk, row, unit in sorted(rows, key=lambda r: r[1]):
        if pk not in allowed:
            errs.add(row, "unit", unit, "该项目的实施单位、主管部门或实施地点不在您的填报范围内")
    if errs.errors:
        raise WorkbookError(errs.errors[:500])
