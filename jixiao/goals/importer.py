"""Writing imported goal tables: the checks, the normative review G01–G16 of every goal, and bulk writes.

Two halves. `GoalSheet` is the pure half: it parses the sheet and, given the projects and the review's library,
builds every goal's and indicator's row and runs the same `run_checks` on the same drafts as a stored goal gets
(so the findings are the ones a recheck would store). It touches no database, so a large import runs it in a
side process (`jixiao.core.sideprocess`) on the second core, a chunk of goals at a time. `import_goal_sheet` is
the database half: scope and state checks, id reservation, then bulk inserts (`jixiao.core.bulk`) of each chunk
as it arrives — new goals, indicator rows, events and audit rows. Goals that already exist are updated through
the ORM (their old rows deleted first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.accounts.permissions import Perm
from jixiao.audit import recorder
from jixiao.audit.models import AuditAction
from jixiao.core.bulk import db_datetime, db_json, insert_rows, reserve_ids
from jixiao.core.excel import CellError, WorkbookError, cell_text, open_book, sheet_rows
from jixiao.core.sideprocess import Submit, side_process
from jixiao.goals import checks
from jixiao.goals.actions import clean_indicator
from jixiao.goals.models import EDITABLE, Goal, GoalEvent, GoalIndicator, GoalStatus
from jixiao.goals.review import run_checks
from jixiao.goals.review_types import ERROR, WARNING, IndicatorDraft
from jixiao.goals.spreadsheets import INDICATOR_KEYS, ParsedGoal, _name_key, parse_goals
from jixiao.indicators.library import db_library
from jixiao.indicators.library_data import LibraryView, normalize_name, style_for_year
from jixiao.indicators.models import IndicatorTemplate
from jixiao.projects.models import Project

CHUNK = 5000  # codes per IN (…) query: SQLite allows 32 766 parameters
GOALS_PER_CHUNK = 1000  # goals computed (in the side process) and written per step
FORK_ROWS = 5000  # indicator rows from which the pure half runs in a side process
NOTE = "Excel 导入绩效目标"


@dataclass(frozen=True, slots=True)
class GoalProject:
    """A project as its goal's review reads it."""

    pk: int
    code: str
    name: str
    year: int
    budget_wan: Decimal
    category: str  # the sub-category's code when there is one, as the review reads it
    population: int | None


@dataclass(frozen=True, slots=True)
class _Existing:
    """An existing goal, as its new rows and review need it."""

    pk: int
    year: int
    style: str
    profile: str
    status: str
    version: int


@dataclass(frozen=True)
class _Context:
    """What every goal's computation reads from the database and the clock, gathered once per import."""

    user_id: int | None
    now: dt.datetime
    stamp: Any  # `now` as the database stores it
    templates: dict[str, tuple[int, str]]  # normalised indicator name: (template id, template code)
    libraries: dict[int, LibraryView]  # by year


@dataclass(frozen=True)
class Parsed:
    """A parsed goals sheet: its cell errors, or per goal (project code, first row, its repeated-row errors)."""

    sheet: str
    errors: list[CellError]
    goals: list[tuple[str, int, list[CellError]]]
    empty: bool = False


@dataclass
class NewProjects:
    """The projects an import creates, with reserved ids, handed to the side process before they are inserted:
    their goals are computed while the projects go in."""

    projects: dict[str, GoalProject]  # by code
    goal_ids: dict[str, int]  # reserved, by project code (unused ones are simply never written)
    context: _Context

    @classmethod
    def of(cls, projects: list[GoalProject], actor: Any) -> NewProjects:
        ids = reserve_ids(Goal, len(projects))
        return cls({p.code: p for p in projects}, {p.code: pk for p, pk in zip(projects, ids, strict=True)},
                   context_for(actor, {p.year for p in projects}))  # fmt: skip

    def submit(self, submit: Submit) -> list[Future]:
        """Hand these projects to the side process; return the futures of their goals' chunks (`compute_new`)."""
        submit("plan_new", self)
        return [submit("compute_new", part) for part in range(-(-len(self.projects) // GOALS_PER_CHUNK))]


@dataclass
class _Computed:
    """One chunk's rows, ready to insert (GOAL_COLUMNS, INDICATOR_COLUMNS), and its updates of existing goals."""

    goal_rows: list[tuple] = field(default_factory=list)
    goal_audit: list[tuple[int, str, str]] = field(default_factory=list)  # goal id, repr, snapshot JSON
    indicator_rows: list[tuple] = field(default_factory=list)
    updates: list[tuple[int, str, list, int, int]] = field(default_factory=list)  # pk, overall, findings, E, W
    events: list[tuple[int, str, int]] = field(default_factory=list)  # goal id, status, version


GOAL_COLUMNS = ("id", "project_id", "year", "style", "profile", "overall_goal", "status", "grade", "locked", "version",
                "findings", "error_count", "warning_count", "checked_at", "submitted_at", "approved_at",
                "created_by_id", "updated_at")  # fmt: skip
INDICATOR_COLUMNS = ("goal_id", "sort", "level1", "level2", "name", "operator", "target", "target_number", "unit",
                     "weight", "core", "explanation", "data_source", "template_id", "review_opinion")  # fmt: skip
EVENT_COLUMNS = ("goal_id", "created_at", "actor_id", "kind", "from_status", "to_status", "step", "grade", "opinion",
                 "indicator_opinions", "version")  # fmt: skip


class GoalSheet:
    """The pure half of a goal import: parse the sheet once, then compute chunks of goals. No database access."""

    def __init__(self, *, file_name: str, sheet: str, parsed: dict[str, ParsedGoal] | None = None,
                 data: bytes = b"", cells_checked: bool = False):  # fmt: skip
        """Either `parsed` goals, or the workbook `data` whose sheet `parse` reads (`cells_checked`: formulas and
        merged cells are looked for by the caller, `formula_and_merge_errors`)."""
        self.file_name, self.sheet = file_name, sheet
        self.parsed = parsed
        self._read = (data, cells_checked)
        self.new: NewProjects | None = None
        self._new_codes: list[str] | None = None
        self.context: _Context | None = None
        self.cleaned: dict[tuple, tuple] = {}
        self.drafts: dict[tuple, IndicatorDraft] = {}
        self.profiles: dict[str, str] = {}

    def parse(self) -> Parsed:
        """Read and parse the sheet (unless given parsed); return its cell errors, or its goals. A sheet holding
        nothing below its header (a project workbook's goals sheet left empty) is `empty`."""
        if self.parsed is None:
            data, cells_checked = self._read
            self._read = (b"", False)
            rows = sheet_rows(open_book(data), self.sheet)
            if not any(cell_text(v) for row in rows[1:] for v in row):
                return Parsed(self.sheet, [], [], empty=True)
            try:
                self.sheet, self.parsed = parse_goals(data, file_name=self.file_name, sheet_name=self.sheet,
                                                      rows=rows, cells_checked=cells_checked)  # fmt: skip
            except WorkbookError as exc:
                return Parsed(self.sheet, exc.errors, [])
        goals = [(code, item.first_row, self._duplicates(item)) for code, item in self.parsed.items()]
        return Parsed(self.sheet, [], goals)

    def _duplicates(self, item: ParsedGoal) -> list[CellError]:
        seen: dict[tuple[str, str, str], int] = {}
        errors = []
        for row_no, (level1, level2, name, *_) in item.rows:
            key = (level1, level2, _name_key(name))
            if key in seen:
                errors.append(CellError(self.file_name, self.sheet, row_no, "三级指标", name,
                                        f"与第 {seen[key]} 行重复(同一项目同一指标只能填一行)"))  # fmt: skip
            else:
                seen[key] = row_no
        return errors

    def setup(self, context: _Context) -> None:
        """Set what the computation reads; a later call only adds libraries of more years."""
        if self.context is None:
            self.context = context
        else:
            self.context.libraries.update(context.libraries)

    def plan_new(self, new: NewProjects) -> None:
        self.new = new
        self.setup(new.context)

    def compute_new(self, part: int) -> _Computed:
        """The rows of part `part` (GOALS_PER_CHUNK goals, sheet order) of the goals of the import's new projects."""
        assert self.new is not None and self.parsed is not None, "parse first"
        if self._new_codes is None:
            self._new_codes = [code for code in self.parsed if code in self.new.projects]
        codes = self._new_codes[part * GOALS_PER_CHUNK : (part + 1) * GOALS_PER_CHUNK]
        return self.compute(codes, self.new.projects, {}, self.new.goal_ids)

    def compute(
        self,
        codes: Sequence[str],
        projects: dict[str, GoalProject],
        existing: dict[str, _Existing],
        ids: dict[str, int],
    ) -> _Computed:
        """The rows of these goals: new ones get `ids`, existing ones are updated."""
        assert self.parsed is not None and self.context is not None, "parse and setup first"
        ctx, out = self.context, _Computed()
        for code in codes:
            item, project, goal = self.parsed[code], projects[code], existing.get(code)
            if goal is None:
                style = style_for_year(project.year)
                goal_id, year, profile, status, version = ids[code], project.year, self._profile(style), \
                    GoalStatus.DRAFT.value, 1  # fmt: skip
            else:
                goal_id, year, style, profile, status, version = goal.pk, goal.year, goal.style, goal.profile, \
                    goal.status, goal.version  # fmt: skip
            rows = self._rows(goal_id, item, profile)
            findings = self._review(project, year, style, profile, item.overall_goal, rows)
            errors = sum(1 for f in findings if f["severity"] == ERROR)
            warnings = sum(1 for f in findings if f["severity"] == WARNING)
            out.indicator_rows += [r[:15] for r in rows]
            out.events.append((goal_id, status, version))
            if goal is None:
                values = (goal_id, project.pk, year, style, profile, item.overall_goal, status, "", False, 1,
                          findings, errors, warnings, ctx.now, None, None, ctx.user_id, ctx.now)  # fmt: skip
                out.goal_rows.append(values[:10] + (db_json(findings), errors, warnings, ctx.stamp, None, None,
                                                    ctx.user_id, ctx.stamp))  # fmt: skip
                snapshot = recorder.snapshot_values(Goal, dict(zip(GOAL_COLUMNS, values, strict=True)))
                out.goal_audit.append((goal_id, f"{project.code} {project.name} 绩效目标", db_json(snapshot)))
            else:
                out.updates.append((goal.pk, item.overall_goal, findings, errors, warnings))
        return out

    def _profile(self, style: str) -> str:
        if style not in self.profiles:
            self.profiles[style] = checks.profile_code_for(style)  # reads settings: once per import
        return self.profiles[style]

    def _rows(self, goal_id: int, item: ParsedGoal, profile: str) -> list[tuple]:
        """The goal's indicator rows as INDICATOR_COLUMNS tuples and the template's code (weights defaulted when
        none is given)."""
        cleaned = [self._clean(values) for _, values in item.rows]
        weights = [c[7] for c in cleaned]
        if all(w is None for w in weights):
            weights = checks.profile_weights(profile, [c[0] for c in cleaned])
        return [
            (goal_id, sort, *c[:7], weight, *c[8:12], "", c[12])
            for sort, (c, weight) in enumerate(zip(cleaned, weights, strict=True))
        ]

    def _clean(self, values: tuple) -> tuple:
        """The cleaned fields (INDICATOR_COLUMNS level1 … template_id, then the template's code) of an indicator
        as read from the sheet (INDICATOR_KEYS order); remembered per distinct row: `clean_indicator` is pure and
        sheets repeat rows."""
        found = self.cleaned.get(values)
        if found is None:
            assert self.context is not None
            c = clean_indicator(dict(zip(INDICATOR_KEYS, values, strict=True)))
            template_id, template_code = self.context.templates.get(_name_key(c["name"]), (None, None))
            found = self.cleaned[values] = (c["level1"], c["level2"], c["name"], c["operator"], c["target"],
                                         c["target_number"], c["unit"], c["weight"], c["core"], c["explanation"],
                                         c["data_source"], template_id, template_code)  # fmt: skip
        return found

    def _review(
        self, project: GoalProject, year: int, style: str, profile: str, overall_goal: str, rows: Sequence[tuple]
    ) -> list[dict[str, Any]]:
        """The findings (as stored on the goal) of the normative review of the goal these rows make."""
        assert self.context is not None
        drafts = tuple(map(self._draft, rows))
        draft = checks.goal_draft_of(category=project.category, year=year, style=style, budget_wan=project.budget_wan,
                                     overall_goal=overall_goal, indicators=drafts,
                                     region_population=project.population, profile=profile)  # fmt: skip
        return [f.to_dict() for f in run_checks(draft, self.context.libraries[year])]

    def _draft(self, r: tuple) -> IndicatorDraft:
        """The review input of an indicator row; one object per distinct row, so the review's memo of prepared
        rows finds repeats by identity."""
        key = r[2:]
        found = self.drafts.get(key)
        if found is None:
            found = self.drafts[key] = checks.indicator_draft_of(r[2], r[3], r[4], r[5], r[6], r[8], r[9], r[10], r[15])
        return found


def import_parsed_goals(
    parsed: dict[str, ParsedGoal], *, sheet: str, file_name: str, acting_user: Any, audit_file: bool = False
) -> dict[str, int]:
    """Checks the parsed goals against the database and the user's scope, then writes them; raises
    WorkbookError (nothing written) on any problem. `audit_file` adds the audit row naming the file (the
    project import writes its own)."""
    work = GoalSheet(file_name=file_name, sheet=sheet, parsed=parsed)
    rows = sum(len(item.rows) for item in parsed.values())
    with side_process(work, fork=rows >= FORK_ROWS) as submit:
        return import_goal_sheet(submit, submit("parse").result(), file_name=file_name, acting_user=acting_user,
                                 audit_file=audit_file)  # fmt: skip


@transaction.atomic
def import_goal_sheet(
    submit: Submit,
    parsed: Parsed,
    *,
    file_name: str,
    acting_user: Any,
    audit_file: bool = False,
    new: NewProjects | None = None,
    new_parts: Sequence[Future] = (),
) -> dict[str, int]:
    """The database half: `submit` runs a `GoalSheet`'s methods (here or in a side process), `parsed` is what its
    `parse` returned, `new` the projects this import created (their goals already being computed: `new_parts`).
    Checks scope and states, then writes each chunk of goals as it is computed."""
    if parsed.errors:
        raise WorkbookError(parsed.errors[:500])
    created = new.projects if new is not None else {}
    codes = [code for code, _, _ in parsed.goals]
    others = [code for code in codes if code not in created]
    projects = {**{code: created[code] for code in codes if code in created}, **_projects(others)}
    goals = _existing_goals([projects[code].pk for code in others if code in projects])
    chunks = list(new_parts)
    chunks += _compute(submit, [code for code in others if code in projects], projects, goals, acting_user)
    allowed = _fillable([p.pk for p in projects.values()], acting_user)  # meanwhile computed in the side process
    errors: list[CellError] = []
    for code, first_row, duplicates in parsed.goals:
        project = projects.get(code)
        if project is None or project.pk not in allowed:
            errors.append(CellError(file_name, parsed.sheet, first_row, "项目编码", code,
                                    "项目不存在或不在您的填报范围内"))  # fmt: skip
            continue
        goal = goals.get(project.pk)
        if goal is not None and (goal.locked or goal.status not in EDITABLE):
            errors.append(CellError(file_name, parsed.sheet, first_row, "项目编码", code,
                                    f"该项目的绩效目标处于“{goal.get_status_display()}”状态,不能导入修改"))  # fmt: skip
        errors += duplicates
    if errors:
        raise WorkbookError(errors[:500])
    counts = _write(chunks, goals, acting_user)
    if audit_file:
        recorder.record(actor=acting_user, action=AuditAction.IMPORT, model_label="goals.goal",
                        object_repr=file_name, after=counts,
                        note=f"Excel 导入《{file_name}》:绩效目标 {counts['goals']}、绩效指标 {counts['indicators']}")  # fmt: skip
    return counts


def context_for(actor: Any, years: set[int]) -> _Context:
    """What goals of these years are computed with: the acting user, the clock, templates and review libraries."""
    now = timezone.now()
    templates = {key: (t.pk, t.code) for key, t in _templates().items()}
    return _Context(actor.pk if getattr(actor, "pk", None) else None, now, db_datetime(now), templates,
                    {year: db_library(year) for year in years})  # fmt: skip


def _compute(
    submit: Submit, codes: list[str], projects: dict[str, GoalProject], goals: dict[int, Goal], actor: Any
) -> list[Future]:
    """Hand these goals to `GoalSheet.compute` chunk by chunk, new goals with reserved ids; return at once."""
    if not codes:
        return []
    submit("setup", context_for(actor, {projects[code].year for code in codes} | {g.year for g in goals.values()}))
    new_codes = [code for code in codes if projects[code].pk not in goals]
    ids = dict(zip(new_codes, reserve_ids(Goal, len(new_codes)), strict=True))
    existing = {p.code: _existing(goals[p.pk]) for p in projects.values() if p.pk in goals}
    chunks = []
    for start in range(0, len(codes), GOALS_PER_CHUNK):
        chunk = codes[start : start + GOALS_PER_CHUNK]
        chunks.append(submit("compute", chunk, {c: projects[c] for c in chunk},
                             {c: existing[c] for c in chunk if c in existing}, {c: ids[c] for c in chunk if c in ids}))  # fmt: skip
    return chunks


def _write(chunks: list[Future], goals: dict[int, Goal], actor: Any) -> dict[str, int]:
    """Insert each chunk as it arrives (the side process computes the next one meanwhile)."""
    if goals:
        GoalIndicator.objects.filter(goal__in=list(goals.values())).delete()  # the updated goals' rows: replaced
    now = timezone.now()
    stamp, user_id = db_datetime(now), actor.pk if getattr(actor, "pk", None) else None
    created = indicators = events = 0
    updates: list[tuple[int, str, list, int, int]] = []
    for future in chunks:
        done: _Computed = future.result()
        created += insert_rows(Goal, GOAL_COLUMNS, done.goal_rows)
        recorder.record_rows(actor, AuditAction.UPDATE, Goal, done.goal_audit, note=NOTE)
        indicators += insert_rows(GoalIndicator, INDICATOR_COLUMNS, done.indicator_rows)
        updates += done.updates
        _update_goals(goals, done.updates, actor, now)  # before their events (parents first)
        events += insert_rows(GoalEvent, EVENT_COLUMNS, ((goal_id, stamp, user_id, "import", status, status, "", "",
                                                          "", "{}", version) for goal_id, status, version in done.events))  # fmt: skip
    return {"goals": events, "created": created, "updated": len(updates), "indicators": indicators}


def _existing(goal: Goal) -> _Existing:
    return _Existing(goal.pk, goal.year, goal.style, goal.profile, goal.status, goal.version)


def _update_goals(goals: dict[int, Goal], updates: list[tuple[int, str, list, int, int]], actor: Any, now: Any) -> None:
    if not updates:
        return
    by_pk = {g.pk: g for g in goals.values()}
    changed = []
    for pk, overall_goal, findings, errors, warnings in updates:
        goal = by_pk[pk]
        goal.overall_goal, goal.findings, goal.error_count, goal.warning_count, goal.checked_at = \
            overall_goal, findings, errors, warnings, now  # fmt: skip
        changed.append(goal)
    Goal.objects.bulk_update(changed, ["overall_goal", "findings", "error_count", "warning_count", "checked_at"],
                             batch_size=500)  # fmt: skip
    recorder.record_many(actor, AuditAction.UPDATE, changed, note=NOTE)


def _projects(codes: list[str]) -> dict[str, GoalProject]:
    """The projects of these codes, by code (whoever may see them: `_fillable` judges the scope)."""
    found: dict[str, GoalProject] = {}
    fields = ("pk", "code", "name", "year", "budget_wan", "category__code", "subcategory__code", "region__population")
    for start in range(0, len(codes), CHUNK):
        queryset = Project.objects.filter(code__in=codes[start : start + CHUNK])
        for pk, code, name, year, budget, category, sub, population in queryset.values_list(*fields):
            found[code] = GoalProject(pk, code, name, year, budget, sub or category, population)
    return found


def _fillable(project_ids: list[int], user: Any) -> set[int]:
    """Those of these projects that the user may fill goals for (all of them for the console: no user)."""
    if user is None:
        return set(project_ids)
    allowed: set[int] = set()
    visible = Project.objects.visible_to(user, Perm.GOALS_FILL)
    for start in range(0, len(project_ids), CHUNK):
        chunk = project_ids[start : start + CHUNK]
        allowed.update(visible.filter(pk__in=chunk).values_list("pk", flat=True))
    return allowed


def _existing_goals(project_ids: list[int]) -> dict[int, Goal]:
    goals: dict[int, Goal] = {}
    for start in range(0, len(project_ids), CHUNK):
        for goal in Goal.objects.filter(project_id__in=project_ids[start : start + CHUNK]).select_related("project"):
            goals[goal.project_id] = goal
    return goals


def _templates() -> dict[str, IndicatorTemplate]:
    found: dict[str, IndicatorTemplate] = {}
    for template in IndicatorTemplate.objects.order_by("-valid_from", "pk"):
        found.setdefault(normalize_name(template.name), template)
    return found
