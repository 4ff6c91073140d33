"""Writing imported goal tables: the checks, the normative review G01–G16 of every goal, and bulk writes.

Every goal and indicator row is built in memory as plain values and reviewed there (the same `run_checks` on
the same drafts as a stored goal gets, so the findings are the ones a recheck would store); then new goals,
all indicator rows, events and audit rows go in as plain rows (`jixiao.core.bulk`). Goals that already exist
are updated through the ORM (their old rows deleted first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.accounts.permissions import Perm
from jixiao.audit import recorder
from jixiao.audit.models import AuditAction
from jixiao.core.bulk import db_datetime, db_json, insert_rows, reserve_ids
from jixiao.core.excel import CellError, WorkbookError
from jixiao.goals import checks
from jixiao.goals.actions import clean_indicator
from jixiao.goals.models import EDITABLE, Goal, GoalEvent, GoalIndicator, GoalStatus
from jixiao.goals.review import run_checks
from jixiao.goals.review_types import ERROR, WARNING, IndicatorDraft
from jixiao.goals.spreadsheets import ParsedGoal, _name_key
from jixiao.indicators.library import db_library
from jixiao.indicators.library_data import LibraryView, normalize_name, style_for_year
from jixiao.indicators.models import IndicatorTemplate
from jixiao.projects.models import Project

CHUNK = 5000  # codes per IN (…) query: SQLite allows 32 766 parameters


@dataclass(frozen=True, slots=True)
class _Project:
    pk: int
    code: str
    name: str
    year: int
    budget_wan: Decimal
    category: str  # the sub-category's code when there is one, as the review reads it
    population: int | None


@transaction.atomic
def import_parsed_goals(
    parsed: dict[str, ParsedGoal], *, sheet: str, file_name: str, acting_user: Any, audit_file: bool = False
) -> dict[str, int]:
    """Checks the parsed goals against the database and the user's scope, then writes them; raises
    WorkbookError (nothing written) on any problem. `audit_file` adds the audit row naming the file (the
    project import writes its own)."""
    projects = _fillable(list(parsed), acting_user)
    goals = _existing_goals([p.pk for p in projects.values()])
    errors: list[CellError] = []
    for code, item in parsed.items():
        project = projects.get(code)
        if project is None:
            errors.append(
                CellError(file_name, sheet, item.first_row, "项目编码", code, "项目不存在或不在您的填报范围内")
            )
            continue
        goal = goals.get(project.pk)
        if goal is not None and (goal.locked or goal.status not in EDITABLE):
            errors.append(CellError(file_name, sheet, item.first_row, "项目编码", code,
                                    f"该项目的绩效目标处于“{goal.get_status_display()}”状态,不能导入修改"))  # fmt: skip
        errors += _duplicates(item, file_name, sheet)
    if errors:
        raise WorkbookError(errors[:500])
    counts = _Writer(acting_user, file_name).write(parsed, projects, goals)
    if audit_file:
        recorder.record(actor=acting_user, action=AuditAction.IMPORT, model_label="goals.goal",
                        object_repr=file_name, after=counts,
                        note=f"Excel 导入《{file_name}》:绩效目标 {counts['goals']}、绩效指标 {counts['indicators']}")  # fmt: skip
    return counts


def _fillable(codes: list[str], user: Any) -> dict[str, _Project]:
    """The projects of these codes that the user may fill goals for, by code."""
    found: dict[str, _Project] = {}
    fields = ("pk", "code", "name", "year", "budget_wan", "category__code", "subcategory__code", "region__population")
    for start in range(0, len(codes), CHUNK):
        queryset = Project.objects.filter(code__in=codes[start : start + CHUNK])
        if user is not None:
            queryset = queryset.filter(pk__in=Project.objects.visible_to(user, Perm.GOALS_FILL))
        for pk, code, name, year, budget, category, sub, population in queryset.values_list(*fields):
            found[code] = _Project(pk, code, name, year, budget, sub or category, population)
    return found


def _existing_goals(project_ids: list[int]) -> dict[int, Goal]:
    goals: dict[int, Goal] = {}
    for start in range(0, len(project_ids), CHUNK):
        for goal in Goal.objects.filter(project_id__in=project_ids[start : start + CHUNK]).select_related("project"):
            goals[goal.project_id] = goal
    return goals


def _duplicates(item: ParsedGoal, file_name: str, sheet: str) -> list[CellError]:
    seen: dict[tuple[str, str, str], int] = {}
    errors = []
    for row_no, record in item.rows:
        key = (record["level1"], record["level2"], _name_key(record["name"]))
        if key in seen:
            errors.append(CellError(file_name, sheet, row_no, "三级指标", record["name"],
                                    f"与第 {seen[key]} 行重复(同一项目同一指标只能填一行)"))  # fmt: skip
        else:
            seen[key] = row_no
    return errors


GOAL_COLUMNS = ("id", "project_id", "year", "style", "profile", "overall_goal", "status", "grade", "locked", "version",
                "findings", "error_count", "warning_count", "checked_at", "submitted_at", "approved_at",
                "created_by_id", "updated_at")  # fmt: skip
INDICATOR_COLUMNS = ("goal_id", "sort", "level1", "level2", "name", "operator", "target", "target_number", "unit",
                     "weight", "core", "explanation", "data_source", "template_id", "review_opinion")  # fmt: skip
EVENT_COLUMNS = ("goal_id", "created_at", "actor_id", "kind", "from_status", "to_status", "step", "grade", "opinion",
                 "indicator_opinions", "version")  # fmt: skip


class _Writer:
    """One import's writes: every goal's rows and review built in memory, then bulk inserts."""

    def __init__(self, actor: Any, file_name: str):
        self.actor = actor
        self.user_id = actor.pk if getattr(actor, "pk", None) else None
        self.now = timezone.now()
        self.stamp = db_datetime(self.now)
        self.templates = _templates()
        self.libraries: dict[int, LibraryView] = {}
        self.cleaned: dict[tuple, tuple] = {}
        self.drafts: dict[tuple, IndicatorDraft] = {}
        self.profiles: dict[str, str] = {}

    def write(self, parsed: dict[str, ParsedGoal], projects: dict[str, _Project], goals: dict[int, Goal]) -> dict:
        new = [item for code, item in parsed.items() if projects[code].pk not in goals]
        ids = iter(reserve_ids(Goal, len(new)))
        new_rows: list[tuple] = []
        indicator_rows: list[tuple] = []
        updated: list[Goal] = []
        events: list[tuple[int, str, int]] = []  # goal id, status, version
        for code, item in parsed.items():
            project = projects[code]
            goal = goals.get(project.pk)
            if goal is None:
                style = style_for_year(project.year)
                goal_id, year, profile, status, version = next(ids), project.year, self._profile(style), \
                    GoalStatus.DRAFT.value, 1  # fmt: skip
            else:
                goal_id, year, style, profile, status, version = goal.pk, goal.year, goal.style, goal.profile, \
                    goal.status, goal.version  # fmt: skip
            rows = self._rows(goal_id, item, profile)
            findings = self._review(project, year, style, profile, item.overall_goal, rows)
            errors = sum(1 for f in findings if f["severity"] == ERROR)
            warnings = sum(1 for f in findings if f["severity"] == WARNING)
            indicator_rows += rows
            events.append((goal_id, status, version))
            if goal is None:
                new_rows.append((goal_id, project.pk, year, style, profile, item.overall_goal, status, "", False, 1,
                                 findings, errors, warnings, self.now, None, None, self.user_id, self.now))  # fmt: skip
            else:
                goal.overall_goal, goal.findings, goal.error_count, goal.warning_count, goal.checked_at = \
                    item.overall_goal, findings, errors, warnings, self.now  # fmt: skip
                updated.append(goal)
        self._insert_goals(new_rows, projects)
        self._update_goals(updated)
        insert_rows(GoalIndicator, INDICATOR_COLUMNS, (r[:15] for r in indicator_rows))
        insert_rows(GoalEvent, EVENT_COLUMNS, ((goal_id, self.stamp, self.user_id, "import", status, status, "", "",
                                                "", "{}", version) for goal_id, status, version in events))  # fmt: skip
        return {"goals": len(events), "created": len(new_rows), "updated": len(updated),
                "indicators": len(indicator_rows)}  # fmt: skip

    def _profile(self, style: str) -> str:
        if style not in self.profiles:
            self.profiles[style] = checks.profile_code_for(style)  # reads settings: once per import
        return self.profiles[style]

    def _rows(self, goal_id: int, item: ParsedGoal, profile: str) -> list[tuple]:
        """The goal's indicator rows as INDICATOR_COLUMNS tuples and the template's code (weights defaulted when
        none is given)."""
        cleaned = [self._clean(record) for _, record in item.rows]
        weights = [c[7] for c in cleaned]
        if all(w is None for w in weights):
            weights = checks.profile_weights(profile, [c[0] for c in cleaned])
        return [
            (goal_id, sort, *c[:7], weight, *c[8:12], "", c[12])
            for sort, (c, weight) in enumerate(zip(cleaned, weights, strict=True))
        ]

    def _clean(self, record: dict[str, Any]) -> tuple:
        """The cleaned fields (INDICATOR_COLUMNS level1 … template_id, then the template's code) of an indicator
        as read from the sheet; remembered per distinct row: `clean_indicator` is pure and sheets repeat rows."""
        key = tuple(map(record.get, _CLEAN_KEYS))
        found = self.cleaned.get(key)
        if found is None:
            c = clean_indicator(record)
            template = self.templates.get(_name_key(c["name"]))
            found = self.cleaned[key] = (c["level1"], c["level2"], c["name"], c["operator"], c["target"],
                                         c["target_number"], c["unit"], c["weight"], c["core"], c["explanation"],
                                         c["data_source"], template.pk if template else None,
                                         template.code if template else None)  # fmt: skip
        return found

    def _review(
        self, project: _Project, year: int, style: str, profile: str, overall_goal: str, rows: Sequence[tuple]
    ) -> list[dict[str, Any]]:
        """The findings (as stored on the goal) of the normative review of the goal these rows make."""
        if year not in self.libraries:
            self.libraries[year] = db_library(year)
        drafts = tuple(map(self._draft, rows))
        draft = checks.goal_draft_of(category=project.category, year=year, style=style, budget_wan=project.budget_wan,
                                     overall_goal=overall_goal, indicators=drafts,
                                     region_population=project.population, profile=profile)  # fmt: skip
        return [f.to_dict() for f in run_checks(draft, self.libraries[year])]

    def _draft(self, r: tuple) -> IndicatorDraft:
        """The review input of an indicator row; one object per distinct row, so the review's memo of prepared
        rows finds repeats by identity."""
        key = r[2:]
        found = self.drafts.get(key)
        if found is None:
            found = self.drafts[key] = checks.indicator_draft_of(r[2], r[3], r[4], r[5], r[6], r[8], r[9], r[10], r[15])
        return found

    def _insert_goals(self, rows: list[tuple], projects: dict[str, _Project]) -> None:
        names = {p.pk: f"{p.code} {p.name}" for p in projects.values()}
        stamp = self.stamp
        insert_rows(Goal, GOAL_COLUMNS, (r[:10] + (db_json(r[10]), r[11], r[12], stamp, None, None, r[16], stamp)
                                         for r in rows))  # fmt: skip
        audited = ((r[0], f"{names[r[1]]} 绩效目标", recorder.snapshot_values(Goal, dict(zip(GOAL_COLUMNS, r,
                    strict=True)))) for r in rows)  # fmt: skip
        recorder.record_rows(self.actor, AuditAction.UPDATE, Goal, audited, note=NOTE)

    def _update_goals(self, goals: list[Goal]) -> None:
        if not goals:
            return
        GoalIndicator.objects.filter(goal__in=goals).delete()
        Goal.objects.bulk_update(goals, ["overall_goal", "findings", "error_count", "warning_count", "checked_at"],
                                 batch_size=500)  # fmt: skip
        recorder.record_many(self.actor, AuditAction.UPDATE, goals, note=NOTE)


NOTE = "Excel 导入绩效目标"
_CLEAN_KEYS = ("level1", "level2", "name", "operator", "target", "unit", "weight", "core", "explanation",
               "data_source")  # fmt: skip


def _templates() -> dict[str, IndicatorTemplate]:
    found: dict[str, IndicatorTemplate] = {}
    for template in IndicatorTemplate.objects.order_by("-valid_from", "pk"):
        found.setdefault(normalize_name(template.name), template)
    return found
