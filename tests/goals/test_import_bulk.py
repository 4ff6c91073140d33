"""The goal import's bulk path stores what the ORM path (clean_indicator, GoalIndicator, checks.recheck) would."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.audit.models import AuditLog
from jixiao.audit.recorder import snapshot
from jixiao.core.excel import write_workbook
from jixiao.goals import checks, spreadsheets
from jixiao.goals.actions import clean_indicator
from jixiao.goals.models import Goal, GoalEvent, GoalIndicator
from jixiao.goals.review import _g11_duplicates, _same_indicator, evaluate, prepare, run_checks
from jixiao.goals.review_types import GoalDraft, IndicatorDraft, ReviewSettings
from jixiao.indicators.library_data import default_library
from tests.goals.factories import make_goal, make_project

pytestmark = pytest.mark.django_db

FIELDS = ("sort", "level1", "level2", "name", "operator", "target", "target_number", "unit", "weight", "core",
          "explanation", "data_source", "template_id", "review_opinion")  # fmt: skip
# Rows that trip most checks: vague wording, a % above 100, a unit unlike the library's, a number where a date
# is wanted, one indicator under two spellings (G11), a qualitative target without grading, blank weights.
DEFECTS = [
    ["产出", "数量", "新增(改造)产业基地面积", "≥", "200", "亩", 20, "否", "", ""],
    ["产出", "数量", "带动脱贫户数", "≥", "明显提高", "户", 10, "否", "", ""],
    ["产出", "质量", "项目(工程)验收合格率", "=", "120", "%", 10, "是", "按验收报告", "验收报告"],
    ["产出", "时效", "项目(工程)完成及时率", "≥", "2030年12月底前", "%", 10, "否", "", ""],
    ["产出", "数量", "受益脱贫人口数", "≥", "3", "万人", 10, "否", "", ""],
    ["效益", "社会效益", "受益脱贫(建档立卡)人口数", "≥", "150", "人", 10, "否", "", ""],
    ["效益", "可持续影响", "联农带农机制", "定性", "有效", "", 5, "否", "", ""],
    ["满意度", "服务对象满意度", "受益群众满意度", "≥", "90", "%", 5, "否", "", ""],
]


def _many(rows):
    return write_workbook([(spreadsheets.MANY_SHEET, spreadsheets.MANY_COLUMNS, rows)])


@pytest.mark.parametrize("fork_rows", [None, 0], ids=["here", "side process"])
def test_stored_rows_findings_events_and_audit_match_the_orm_path(demo, monkeypatch, fork_rows):
    if fork_rows is not None:  # the side process large imports use computes the same rows
        monkeypatch.setattr("jixiao.goals.importer.FORK_ROWS", fork_rows)
    new, existing = make_project("T-BULK-1"), make_goal(make_project("T-BULK-2")).project
    blank_weights = [[*r[:6], None, *r[7:]] for r in DEFECTS[:4]]
    rows = [[new.code, "目标", *r] for r in DEFECTS] + [[existing.code, "", *r] for r in blank_weights]
    events_before = GoalEvent.objects.count()

    counts = spreadsheets.import_goals(_many(rows), file_name="批量.xlsx", acting_user=demo["unit_xinzhou"])

    assert counts == {"goals": 2, "created": 1, "updated": 1, "indicators": 12}
    for project, sheet_rows in ((new, DEFECTS), (existing, blank_weights)):
        goal = Goal.objects.get(project=project)
        stored = list(GoalIndicator.objects.filter(goal=goal).order_by("sort").values(*FIELDS))
        assert stored == _orm_rows(goal, sheet_rows)
        findings = [f.to_dict() for f in checks.review(goal)]  # the ORM path: drafts from the stored rows
        assert findings and goal.findings == findings
        assert (goal.error_count, goal.warning_count) == (
            sum(f["severity"] == "error" for f in findings),
            sum(f["severity"] == "warning" for f in findings),
        )
    assert GoalEvent.objects.count() == events_before + 2
    created = Goal.objects.get(project=new)
    audit = AuditLog.objects.get(model="goals.goal", object_id=str(created.pk), note="Excel 导入绩效目标")
    assert audit.after == snapshot(created) and audit.object_repr == f"{new.code} {new.name} 绩效目标"
    assert AuditLog.objects.filter(model="goals.goal", object_repr="批量.xlsx", action="import").count() == 1


def _orm_rows(goal: Goal, sheet_rows: list[list]) -> list[dict]:
    """What the ORM path stores: clean_indicator on the parsed cells, profile weights when all are blank."""
    keys = ("level1", "level2", "name", "operator", "target", "unit", "weight", "core", "explanation", "data_source")
    cleaned = []
    for cells in sheet_rows:
        record = dict(zip(keys, cells, strict=True))
        record["weight"] = None if record["weight"] is None else Decimal(str(record["weight"]))
        record["core"] = record["core"] == "是"
        cleaned.append(clean_indicator(record))
    if all(c["weight"] is None for c in cleaned):
        for c, w in zip(cleaned, checks.suggested_weights(goal, [c["level1"] for c in cleaned]), strict=True):
            c["weight"] = w
    templates = spreadsheets_templates()
    rows = []
    for sort, c in enumerate(cleaned):
        template = templates.get(spreadsheets._name_key(c["name"]))
        row = GoalIndicator(goal=goal, sort=sort, **{**c, "template": template})
        rows.append({f: getattr(row, f) for f in FIELDS})
    return rows


def spreadsheets_templates():
    from jixiao.goals.importer import _templates

    return _templates()


# --- the review's fast paths ------------------------------------------------------------------------------

NAMES = st.sampled_from([
    "受益脱贫人口数", "受益脱贫(建档立卡)人口数", "受益脱贫（建档立卡）人口数", "受益脱贫建档立卡人口数",
    "种植面积(梨树)", "种植面积(桃树)", "种植面积", "受益群众满意度", "群众满意度", "服务对象满意度", "", "()",
    "项目(工程)验收合格率", "项目验收合格率", "工程验收合格率",
])  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(NAMES, min_size=0, max_size=8))
def test_linear_g11_finds_what_the_pairwise_rule_finds(names):
    goal = GoalDraft(category="X21-CYFZ", year=2021, indicators=tuple(IndicatorDraft("产出", "数量", n) for n in names))
    ctx = prepare(goal, default_library(), ReviewSettings())

    expected = []
    for row in ctx.rows:
        earlier = next((e for e in ctx.rows[: row.index] if _same_indicator(e, row)), None)
        if earlier is not None:
            expected.append((row.index, earlier.index))

    assert [(h.indicator, h.evidence["duplicate_of"]) for h in _g11_duplicates(ctx)] == expected


def test_run_checks_gives_the_findings_of_evaluate_and_repeats_them():
    rows = tuple(
        IndicatorDraft(r[0], r[1], r[2], r[3], r[4], r[5], float(r[6]), r[7] == "是") for r in DEFECTS
    )  # fmt: skip
    goal = GoalDraft(category="X21-CYFZ", year=2021, budget=30, indicators=rows, region_population=100)
    library = default_library()

    first = run_checks(goal, library)

    assert first == [f for outcome in evaluate(goal, library) for f in outcome.findings]
    assert run_checks(goal, library) == first  # the second review reads memoised rows
    assert {f.code for f in first} >= {"G05", "G09", "G10", "G11", "G13", "G14"}
