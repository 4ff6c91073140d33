"""Goal tables in Excel: both layouts round-trip; bad files are refused whole with Chinese errors."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.core.excel import WorkbookError, write_workbook
from jixiao.goals import spreadsheets
from jixiao.goals.models import GoalIndicator
from jixiao.projects.models import Project
from tests.goals.factories import make_goal, make_project

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in spreadsheets.MANY_COLUMNS]


def _many(rows):
    return write_workbook([(spreadsheets.MANY_SHEET, spreadsheets.MANY_COLUMNS, rows)])


def test_single_project_workbook_round_trips(demo):
    goal = make_goal()
    data = spreadsheets.export_goal(goal)
    goal.indicators.all().delete()
    counts = spreadsheets.import_goals(data, file_name="a.xlsx", acting_user=demo["unit_xinzhou"])
    assert counts == {"goals": 1, "created": 0, "updated": 1, "indicators": 7}
    goal.refresh_from_db()
    assert goal.error_count == 0 and goal.indicators.count() == 7


def test_many_projects_sheet_imports_and_defaults_weights(demo):
    a, b = make_project("T-X-1"), make_project("T-X-2")
    rows = [[p.code, "目标", "产出", "数量", "带动脱贫户数", "≥", "50", "户", None, "否", "", ""] for p in (a, b)]
    counts = spreadsheets.import_goals(_many(rows), file_name="m.xlsx", acting_user=demo["unit_xinzhou"])
    assert counts["goals"] == 2 and counts["created"] == 2
    assert GoalIndicator.objects.get(goal__project=a).weight == 50  # central-2020: 产出 50


def test_bad_rows_are_all_reported_and_nothing_written(demo):
    project = make_project("T-X-3")
    rows = [
        [project.code, "", "产出", "数量", "带动脱贫户数", "≥", "50", "户", "十分", "否", "", ""],
        [project.code, "", "产出", "数量", "带动脱贫户数", "≥", "50", "户", "5", "否", "", ""],
        [project.code, "", "产出", "数量", "面积", "≥", "5", "光年", "5", "否", "", ""],
        ["NO-SUCH", "", "产出", "数量", "x", "≥", "5", "亩", "5", "否", "", ""],
    ]
    with pytest.raises(WorkbookError) as caught:
        spreadsheets.import_goals(_many(rows), file_name="bad.xlsx", acting_user=demo["unit_xinzhou"])
    text = "\n".join(str(e) for e in caught.value.errors)
    assert "「分值」列:值“十分”" in text and "光年" in text
    assert not GoalIndicator.objects.filter(goal__project=project).exists()


def test_outsider_cannot_import_into_another_district(demo):
    project = make_project("T-X-4")
    rows = [[project.code, "", "产出", "数量", "带动脱贫户数", "≥", "50", "户", "5", "否", "", ""]]
    with pytest.raises(WorkbookError, match="不在您的填报范围内"):
        spreadsheets.import_goals(_many(rows), file_name="x.xlsx", acting_user=demo["dept_agri"])


def test_not_an_xlsx_is_refused():
    from jixiao.core.excel import read_upload

    with pytest.raises(WorkbookError, match="xlsx"):
        read_upload(b"not a workbook", file_name="a.xls")


cell = st.one_of(
    st.none(), st.text(max_size=8), st.integers(-5, 500), st.sampled_from(["产出", "数量", "≥", "亩", "%"])
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell, min_size=12, max_size=12), min_size=1, max_size=4))
def test_random_rows_never_half_write(demo, rows):
    project = Project.objects.filter(code="T-HYP-1").first() or make_project("T-HYP-1")
    for row in rows:
        row[0] = project.code if row[0] is None else row[0]
    before = GoalIndicator.objects.count()
    try:
        spreadsheets.import_goals(_many(rows), file_name="h.xlsx", acting_user=demo["unit_xinzhou"])
    except WorkbookError as exc:
        assert exc.errors and all(str(e).startswith("文件《h.xlsx》") for e in exc.errors)
        assert GoalIndicator.objects.count() == before


def _workbook(write) -> bytes:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(spreadsheets.MANY_SHEET)
    for col, header in enumerate(HEADERS):
        sheet.write(0, col, header)
    write(sheet)
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (lambda s: s.merge_range("C2:D2", "产出"), "合并单元格"),
        (lambda s: s.write_formula("I2", "=1+1"), "公式"),
        (lambda s: s.write(0, 12, "备注栏"), "不认识的列标题"),
    ],
)
def test_structural_problems_are_named(demo, write, expected):
    with pytest.raises(WorkbookError, match=expected):
        spreadsheets.import_goals(_workbook(write), file_name="s.xlsx", acting_user=demo["unit_xinzhou"])


def test_oversized_upload_is_refused(settings):
    from jixiao.core.excel import read_upload

    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(WorkbookError, match="超过上限"):
        read_upload(b"PK" + b"x" * 20, file_name="big.xlsx")
