"""Excel import of the project library: a good file, and bad files each refused precisely with nothing written."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.audit.models import AuditLog
from jixiao.core.excel import WorkbookError, write_workbook
from jixiao.projects.importer import import_projects
from jixiao.projects.models import Project, ProjectEvent, ProjectFund
from jixiao.projects.spreadsheets import COLUMNS, SHEET, export_rows

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]
FILE = "项目导入.xlsx"


def row(**values) -> list:
    """A valid 2021 新洲 row; keyword arguments override cells by header."""
    cells = {
        "项目编码": "IMP-0001",
        "项目名称": "仓埠红星村产业路项目",
        "预算年度": 2021,
        "项目类别": "乡村建设行动",
        "项目子类": "农村基础设施",
        "实施地点区划代码": "420117101202",
        "实施单位编码": "420117-U2",
        "主管部门编码": "420117-NYJ",
        "财政归口处室编码": "CZJ-NYC",
        "计划开工": "2021-04-01",
        "计划完工": "2021-10-31",
        "受益户数": 80,
        "受益人数": 260,
        "其中脱贫人口": 40,
        "其中监测对象": 3,
        "建设内容": "硬化产业路 2.5 公里",
        "衔接资金(万元)": 120,
        "区级资金(万元)": 30.5,
        "项目总投资(万元)": 150.5,
    }
    cells.update(values)
    return [cells.get(h) for h in HEADERS]


def workbook(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    columns = [c for c in COLUMNS if c.header in headers] if headers == HEADERS else []
    if columns:
        return write_workbook([(SHEET, columns, rows)])
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(SHEET)
    for c, header in enumerate(headers):
        sheet.write(0, c, header)
    for r, cells in enumerate(rows, start=1):
        for c, value in enumerate(cells):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def counts() -> tuple[int, int, int, int]:
    return Project.objects.count(), ProjectFund.objects.count(), ProjectEvent.objects.count(), AuditLog.objects.count()


def refused(data: bytes, user, file_name: str = FILE) -> list[str]:
    before = counts()
    with pytest.raises(WorkbookError) as exc:
        import_projects(data, file_name=file_name, acting_user=user)
    assert counts() == before, "a refused import must write nothing"
    return [str(e) for e in exc.value.errors]


def test_good_file_creates_projects_with_funds_events_and_audit(demo):
    data = workbook([row(), row(**{"项目编码": "IMP-0002", "项目名称": "仓埠永丰村光伏项目", "项目子类": ""})])

    result = import_projects(data, file_name=FILE, acting_user=demo["unit_xinzhou"])

    assert result == {"created": 2, "updated": 0, "unchanged": 0}
    project = Project.objects.get(code="IMP-0001")
    assert (project.status, project.budget_wan, project.category.code, project.subcategory.code) == (
        "reserve",
        Decimal("150.5"),
        "X21-XCJS",
        "X21-XCJS-JCSS",
    )
    assert {(f.source, f.amount_wan) for f in project.funds.all()} == {
        ("xianjie", Decimal("120")),
        ("district", Decimal("30.5")),
    }
    assert project.events.get().kind == "import"
    assert AuditLog.objects.filter(model="projects.project", object_id=str(project.pk), action="create").exists()


def test_reimporting_the_same_file_changes_nothing_and_an_edit_updates(demo):
    import_projects(workbook([row()]), file_name=FILE, acting_user=demo["unit_xinzhou"])

    assert import_projects(workbook([row()]), file_name=FILE, acting_user=demo["unit_xinzhou"]) == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
    }
    edited = row(**{"项目名称": "仓埠红星村产业路(二期)", "区级资金(万元)": 50, "项目总投资(万元)": 170})
    assert import_projects(workbook([edited]), file_name=FILE, acting_user=demo["unit_xinzhou"])["updated"] == 1
    project = Project.objects.get(code="IMP-0001")
    assert (project.name, project.budget_wan) == ("仓埠红星村产业路(二期)", Decimal("170"))


def test_export_then_import_round_trips(demo, login):
    import_projects(workbook([row(), row(**{"项目编码": "IMP-0002"})]), file_name=FILE, acting_user=None)
    user = demo["perf_admin"]
    exported = write_workbook([(SHEET, COLUMNS, export_rows(Project.objects.visible_to(user).order_by("code")))])

    result = import_projects(exported, file_name="项目库.xlsx", acting_user=user)

    assert result == {"created": 0, "updated": 0, "unchanged": Project.objects.count()}


def test_export_of_a_fresh_database_imports_elsewhere(demo):
    exported = write_workbook([(SHEET, COLUMNS, export_rows(Project.objects.filter(code__startswith="XJ2021-420117")))])
    codes = list(Project.objects.filter(code__startswith="XJ2021-420117").values_list("code", flat=True))
    Project.objects.filter(code__in=codes).delete()

    refusals = None
    try:
        import_projects(exported, file_name="项目库.xlsx", acting_user=None)
    except WorkbookError as exc:  # non-reserve status of a new project is refused by design
        refusals = [e.expected for e in exc.errors]
    assert refusals and all("状态只能通过流转操作变更" in r for r in refusals)


def test_wrong_header(demo):
    headers = [("项目名" if h == "项目名称" else h) for h in HEADERS]
    errors = refused(workbook([row()], headers=headers), demo["unit_xinzhou"])

    assert f"文件《{FILE}》工作表「{SHEET}」第 1 行「B」列:值“项目名” — 不认识的列标题,请使用导出的模板" in errors
    assert f"文件《{FILE}》工作表「{SHEET}」第 1 行「项目名称」列 — 缺少必填列" in errors


def test_merged_cells(demo):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(SHEET)
    for c, header in enumerate(HEADERS):
        sheet.write(0, c, header)
    for c, value in enumerate(row()):
        if value is not None:
            sheet.write(1, c, value)
    sheet.merge_range("B2:B3", "仓埠红星村产业路项目")
    book.close()

    errors = refused(buffer.getvalue(), demo["unit_xinzhou"])

    assert errors == [f"文件《{FILE}》工作表「{SHEET}」 — 含合并单元格 B2:B3,请取消合并后每格填写"]


def test_formula(demo):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(SHEET)
    for c, header in enumerate(HEADERS):
        sheet.write(0, c, header)
    for c, value in enumerate(row()):
        if value is not None:
            sheet.write(1, c, value)
    total_col = HEADERS.index("项目总投资(万元)")
    sheet.write_formula(1, total_col, "=120+30.5", None, 150.5)
    book.close()

    errors = refused(buffer.getvalue(), demo["unit_xinzhou"])

    assert len(errors) == 1 and "第 2 行" in errors[0] and "含公式,请复制后“选择性粘贴为数值”" in errors[0]


def test_text_in_number_columns(demo):
    errors = refused(workbook([row(**{"受益人数": "约三百", "衔接资金(万元)": "一百二十万"})]), demo["unit_xinzhou"])

    assert f"文件《{FILE}》工作表「{SHEET}」第 2 行「受益人数」列:值“约三百” — 应为整数" in errors
    assert f"文件《{FILE}》工作表「{SHEET}」第 2 行「衔接资金(万元)」列:值“一百二十万” — 应为数字" in errors


def test_unknown_category_unit_and_region(demo):
    bad = row(**{"项目类别": "扶贫车间", "实施单位编码": "NO-SUCH", "实施地点区划代码": "420117999999"})

    errors = refused(workbook([bad]), demo["perf_admin"])

    where = f"文件《{FILE}》工作表「{SHEET}」第 2 行"
    assert errors == [
        f"{where}「项目类别」列:值“扶贫车间” — 不在 2021 年度项目类别字典中",
        f"{where}「实施地点区划代码」列:值“420117999999” — 区划代码不存在",
        f"{where}「实施单位编码」列:值“NO-SUCH” — 单位编码不存在",
    ]


def test_category_of_the_other_taxonomy_year(demo):
    errors = refused(workbook([row(**{"预算年度": 2019, "项目子类": ""})]), demo["perf_admin"])

    assert errors == [
        f"文件《{FILE}》工作表「{SHEET}」第 2 行「项目类别」列:值“乡村建设行动” — 类别“乡村建设行动”不适用于 2019 年度(适用 2021 年起)"
    ]


def test_duplicate_codes(demo):
    errors = refused(workbook([row(), row(), row(**{"项目编码": "IMP-0003"})]), demo["unit_xinzhou"])

    assert errors == [f"文件《{FILE}》工作表「{SHEET}」第 3 行「项目编码」列:值“IMP-0001” — 与第 2 行项目编码重复"]


def test_total_must_match_fund_lines(demo):
    errors = refused(workbook([row(**{"项目总投资(万元)": 160})]), demo["unit_xinzhou"])

    assert errors == [
        f"文件《{FILE}》工作表「{SHEET}」第 2 行「项目总投资(万元)」列:值“160” — 应等于各资金来源之和 150.5"
    ]


def test_rows_outside_the_users_scope(demo):
    jiangxia = row(
        **{
            "项目编码": "IMP-0002",
            "实施地点区划代码": "420115100201",
            "实施单位编码": "420115-U1",
            "主管部门编码": "420115-NYJ",
        }
    )

    errors = refused(workbook([row(), jiangxia]), demo["unit_xinzhou"])

    assert errors == [
        f"文件《{FILE}》工作表「{SHEET}」第 3 行「实施单位编码」列:值“420115-U1” — "
        "该项目的实施单位、主管部门或实施地点不在您的填报范围内"
    ]


def test_not_xlsx(demo):
    errors = refused("项目编码,项目名称\n".encode("gbk"), demo["unit_xinzhou"], file_name="项目.csv")

    assert errors == ["文件《项目.csv》 — 不是 Excel 2007 及以上格式(.xlsx)的文件,请另存为 .xlsx 后上传"]


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_over_size(demo):
    errors = refused(workbook([row()]), demo["unit_xinzhou"])

    assert len(errors) == 1 and "超过上限 0 MB" in errors[0]


def test_page_shows_errors_and_writes_nothing(demo, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = counts()
    upload = SimpleUploadedFile(FILE, workbook([row(**{"受益人数": "很多"})]))

    response = login("unit_xinzhou").post("/projects/import/", {"file": upload})

    assert response.status_code == 200
    assert "导入失败,未写入任何数据" in response.content.decode() and "应为整数" in response.content.decode()
    assert counts() == before


NUMBER_COLUMNS = ["预算年度", "受益户数", "受益人数", "其中脱贫人口", "中央资金(万元)", "衔接资金(万元)"]
JUNK = st.sampled_from(["abc", "十二", "1,2,3x", "12..5", "--3", "#REF!", "N/A", "∞", "1e", "3万"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(NUMBER_COLUMNS), junk=JUNK, position=st.integers(min_value=0, max_value=4))
def test_any_broken_number_cell_is_named_precisely(demo, column, junk, position):
    rows = [row(**{"项目编码": f"HYP-{i}"}) for i in range(5)]
    rows[position][HEADERS.index(column)] = junk

    errors = refused(workbook(rows), demo["perf_admin"])

    assert errors[0].startswith(f"文件《{FILE}》工作表「{SHEET}」第 {position + 2} 行「{column}」列:值“{junk}” — 应为")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=st.sampled_from(["项目类别", "实施单位编码", "主管部门编码", "实施地点区划代码"]),
    value=st.text(alphabet="ABCXYZ甲乙丙丁0123456789", min_size=1, max_size=12),
)
def test_any_unknown_reference_is_named_precisely(demo, field, value):
    errors = refused(workbook([row(**{field: value})]), demo["perf_admin"])

    assert errors[0].startswith(f"文件《{FILE}》工作表「{SHEET}」第 2 行「{field}」列:值“{value}”")


def test_existing_project_outside_the_users_scope_cannot_be_overwritten(demo):
    jiangxia = (
        Project.objects.filter(unit__code="420115-U1", status="reserve").first()
        or Project.objects.filter(unit__code="420115-U1").first()
    )
    assert jiangxia is not None
    errors = refused(workbook([row(**{"项目编码": jiangxia.code})]), demo["xinzhou_fin"])

    assert errors == [
        f"文件《{FILE}》工作表「{SHEET}」第 2 行「项目编码」列:值“{jiangxia.code}” — 该项目已存在且不在您的填报范围内,不能修改"
    ]
