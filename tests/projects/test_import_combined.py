"""One workbook, two sheets: the project import also imports the goals sheet, all-or-nothing across both."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.audit.models import AuditLog
from jixiao.audit.recorder import snapshot
from jixiao.core.excel import WorkbookError, write_workbook
from jixiao.goals import checks
from jixiao.goals.models import Goal, GoalIndicator
from jixiao.goals.spreadsheets import MANY_COLUMNS, MANY_SHEET
from jixiao.projects.importer import import_projects
from jixiao.projects.models import Project, ProjectEvent
from jixiao.projects.spreadsheets import COLUMNS, SHEET
from tests.projects.test_import import counts, row

pytestmark = pytest.mark.django_db
FILE = "项目及绩效目标.xlsx"
INDICATORS = [
    ["产出", "数量", "硬化道路里程", "≥", "2.5", "公里", 20, "否", "", ""],
    ["产出", "质量", "项目(工程)验收合格率", "=", "100", "%", 10, "否", "", ""],
    ["产出", "时效", "项目(工程)完成及时率", "=", "100", "%", 10, "否", "", ""],
    ["成本", "经济成本", "每公里建设成本", "≤", "60", "万元/公里", 10, "否", "", ""],
    ["效益", "社会效益", "受益脱贫(建档立卡)人口数", "≥", "40", "人", 30, "否", "", ""],
    ["满意度", "服务对象满意度", "受益群众满意度", "≥", "90", "%", 10, "否", "", ""],
]


def workbook(projects: list[list], goals: list[list]) -> bytes:
    return write_workbook([(SHEET, COLUMNS, projects), (MANY_SHEET, MANY_COLUMNS, goals)])


def goal_rows(code: str, rows: list[list] = INDICATORS) -> list[list]:
    return [[code, "硬化产业路 2.5 公里,受益脱贫人口 40 人。" if i == 0 else "", *r] for i, r in enumerate(rows)]


def everything() -> tuple:
    return (*counts(), Goal.objects.count(), GoalIndicator.objects.count())


@pytest.fixture(params=["here", "side process"])
def side(request, monkeypatch):
    """Run the goals' checks in this process and, as large workbooks do, in the forked side process."""
    if request.param == "side process":
        monkeypatch.setattr("jixiao.projects.importer.FORK_SHEET_BYTES", 0)
        monkeypatch.setattr("jixiao.goals.importer.FORK_ROWS", 0)
    return request.param


def test_projects_and_their_goals_in_one_workbook(demo, side):
    data = workbook([row(), row(**{"项目编码": "IMP-0002"})], goal_rows("IMP-0001") + goal_rows("IMP-0002"))

    result = import_projects(data, file_name=FILE, acting_user=demo["unit_xinzhou"])

    assert result == {"created": 2, "updated": 0, "unchanged": 0, "goals": 2, "indicators": 12}
    project = Project.objects.get(code="IMP-0001")
    goal = Goal.objects.get(project=project)
    assert goal.indicators.count() == 6 and goal.overall_goal.startswith("硬化产业路")
    assert goal.findings == [f.to_dict() for f in checks.review(goal)]
    assert ProjectEvent.objects.get(project=project).kind == "import"
    audit = AuditLog.objects.get(model="projects.project", object_id=str(project.pk), action="create")
    expected = snapshot(project)
    assert Decimal(audit.after.pop("budget_wan")) == Decimal(expected.pop("budget_wan"))
    assert audit.after == expected and audit.object_repr == str(project)
    summary = AuditLog.objects.get(model="projects.project", object_repr=FILE, action="import")
    assert summary.after == result and FILE in summary.note


def test_errors_in_both_sheets_are_listed_together_and_nothing_is_written(demo, side):
    before = everything()
    bad_goal = [["IMP-0001", "", "产出", "数量", "硬化道路里程", "≥", "2.5", "光年", 20, "否", "", ""]]
    data = workbook([row(**{"受益人数": "很多"})], bad_goal)

    with pytest.raises(WorkbookError) as exc:
        import_projects(data, file_name=FILE, acting_user=demo["unit_xinzhou"])

    sheets = {e.sheet for e in exc.value.errors}
    assert sheets == {SHEET, MANY_SHEET} and everything() == before


def test_a_goal_problem_found_after_the_projects_are_written_rolls_them_back(demo, side):
    before = everything()
    twice = goal_rows("IMP-0001") + goal_rows("IMP-0001", INDICATORS[:1])
    unknown = goal_rows("NO-SUCH-PROJECT", INDICATORS[:1])

    with pytest.raises(WorkbookError) as exc:
        import_projects(workbook([row()], twice + unknown), file_name=FILE, acting_user=demo["unit_xinzhou"])

    messages = [e.expected for e in exc.value.errors]
    assert any("重复" in m for m in messages) and any("不存在或不在您的填报范围内" in m for m in messages)
    assert everything() == before


def test_goals_sheet_needs_the_goal_filling_permission(demo):
    before = everything()
    data = workbook([row()], goal_rows("IMP-0001"))

    with pytest.raises(WorkbookError) as exc:
        import_projects(data, file_name=FILE, acting_user=demo["xinzhou_fin"])  # may edit projects, not fill goals

    assert [str(e) for e in exc.value.errors] == [
        f"文件《{FILE}》工作表「{MANY_SHEET}」 — 您没有填报绩效目标的权限,不能导入工作表「{MANY_SHEET}」;请删除该工作表后重新上传"
    ]
    assert everything() == before


def test_goals_sheet_first_is_still_found(demo):
    data = write_workbook([(MANY_SHEET, MANY_COLUMNS, goal_rows("IMP-0001")), (SHEET, COLUMNS, [row()])])

    result = import_projects(data, file_name=FILE, acting_user=demo["unit_xinzhou"])

    assert (result["created"], result["goals"]) == (1, 1)


def test_page_reports_both_counts(demo, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(FILE, workbook([row()], goal_rows("IMP-0001")))

    response = login("unit_xinzhou").post("/projects/import/", {"file": upload}, follow=True)

    assert "绩效目标 1 个、指标 6 项" in response.content.decode()


def test_the_goal_import_reads_the_goals_sheet_of_such_a_workbook(demo):
    from jixiao.goals.spreadsheets import import_goals

    assert "goals" not in import_projects(workbook([row()], []), file_name=FILE, acting_user=demo["unit_xinzhou"])

    result = import_goals(workbook([row()], goal_rows("IMP-0001")), file_name=FILE, acting_user=demo["unit_xinzhou"])

    assert (result["goals"], result["indicators"]) == (1, 6)


def test_formulas_and_merged_cells_of_the_goals_sheet_are_refused(demo, side):
    import io

    import xlsxwriter

    before = everything()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for title, columns, rows in ((SHEET, COLUMNS, [row()]), (MANY_SHEET, MANY_COLUMNS, goal_rows("IMP-0001"))):
        sheet = book.add_worksheet(title)
        for r, values in enumerate([[c.header for c in columns], *rows]):
            for c, value in enumerate(values):
                sheet.write(r, c, value)
        if title == MANY_SHEET:
            sheet.write_formula("I3", "=5+5", None, 10)
            sheet.merge_range("L4:L5", "合并")
    book.close()

    with pytest.raises(WorkbookError) as exc:
        import_projects(buffer.getvalue(), file_name=FILE, acting_user=demo["unit_xinzhou"])

    messages = [str(e) for e in exc.value.errors]
    assert all(f"工作表「{MANY_SHEET}」" in m for m in messages), messages
    assert any("L4:L5" in m and "合并单元格" in m for m in messages)
    assert any("第 3 行「I3」列" in m and "含公式" in m for m in messages)
    assert everything() == before


def test_goals_of_new_and_of_existing_projects_in_one_workbook(demo, side):
    from tests.goals.factories import make_goal, make_project

    existing = make_goal(make_project("T-OLD-1")).project  # a draft goal of a project the unit fills
    fresh = make_project("T-OLD-2")  # an existing project without a goal yet
    goals = goal_rows("IMP-0001") + goal_rows(existing.code, INDICATORS[:3]) + goal_rows(fresh.code, INDICATORS[:2])
    data = workbook([row(), row(**{"项目编码": "IMP-0002"})], goals)

    result = import_projects(data, file_name=FILE, acting_user=demo["unit_xinzhou"])

    assert result == {"created": 2, "updated": 0, "unchanged": 0, "goals": 3, "indicators": 11}
    counts = {code: Goal.objects.get(project__code=code).indicators.count()
              for code in ("IMP-0001", existing.code, fresh.code)}  # fmt: skip
    assert counts == {"IMP-0001": 6, existing.code: 3, fresh.code: 2}
    assert not Goal.objects.filter(project__code="IMP-0002").exists()
    ids = list(Goal.objects.values_list("pk", flat=True))
    assert len(ids) == len(set(ids))
    for code in ("IMP-0001", existing.code, fresh.code):
        goal = Goal.objects.get(project__code=code)
        assert goal.findings == [f.to_dict() for f in checks.review(goal)]
