"""Excel import of regions and units: all-or-nothing, with Chinese errors naming sheet, row, column and value."""

from __future__ import annotations

import io
import zipfile

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.audit.models import AuditLog
from jixiao.core.excel import WorkbookError, read_upload
from jixiao.orgs.models import Region, Unit
from jixiao.orgs.spreadsheets import UNIT_COLUMNS, import_regions, import_units

UNIT_HEADERS = [c.header for c in UNIT_COLUMNS]


def workbook(
    rows: list[list],
    headers: list[str] = UNIT_HEADERS,
    *,
    merge: str | None = None,
    formula_at: tuple[int, int] | None = None,
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("单位")
    sheet.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    if merge:
        sheet.merge_range(merge, "合并")
    if formula_at:
        sheet.write_formula(*formula_at, "=1+1")
    book.close()
    return buffer.getvalue()


def unit_row(
    code="XZ-NEW",
    name="新洲区测试合作社",
    kind="项目单位",
    parent="420117-NYJ",
    region="420117100",
    contact="张三",
    phone="13800000000",
    active="是",
) -> list:
    return [code, name, "", kind, parent, region, contact, phone, active]


def messages(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(e) for e in exc.value.errors]


def test_valid_units_are_created_with_audit_rows(demo):
    data = workbook([unit_row(), unit_row(code="XZ-NEW2", name="新洲区测试二", parent="XZ-NEW")])
    counts = import_units(data, file_name="单位.xlsx", acting_user=demo["sysadmin"])
    assert counts == {"created": 2, "updated": 0}
    child = Unit.objects.get(code="XZ-NEW2")
    assert child.parent.code == "XZ-NEW" and child.path.endswith("/420117-NYJ/XZ-NEW/XZ-NEW2/")
    assert AuditLog.objects.filter(model="orgs.unit", object_id__in=[child.pk, child.parent_id]).count() == 2


def test_reimport_updates_by_code(demo):
    import_units(workbook([unit_row()]), file_name="a.xlsx", acting_user=demo["sysadmin"])
    counts = import_units(workbook([unit_row(name="改名后")]), file_name="a.xlsx", acting_user=demo["sysadmin"])
    assert counts == {"created": 0, "updated": 1}
    assert Unit.objects.get(code="XZ-NEW").name == "改名后"


@pytest.mark.parametrize(
    "row, expected",
    [
        (unit_row(kind="合作社"), "「单位类型」列:值“合作社” — 应为以下之一"),
        (unit_row(region="999999"), "「所在区划代码」列:值“999999” — 区划代码不存在"),
        (unit_row(parent="NOPE"), "「上级单位编码」列:值“NOPE” — 上级单位不存在"),
        (unit_row(active="也许"), "「启用」列:值“也许” — 应为“是”或“否”"),
        (unit_row(name="名" * 101), "「单位名称」列:值“" + "名" * 30 + "” — 超过 100 个字符"),
        (unit_row(code="坏 编码"), "「单位编码」列"),
    ],
)
def test_bad_rows_are_reported_precisely_and_nothing_is_written(demo, row, expected):
    before = Unit.objects.count(), AuditLog.objects.count()
    data = workbook([unit_row(code="GOOD-1"), row])
    with pytest.raises(WorkbookError) as exc:
        import_units(data, file_name="单位.xlsx", acting_user=demo["sysadmin"])
    text = "\n".join(messages(exc))
    assert "文件《单位.xlsx》工作表「单位」第 3 行" in text
    assert expected in text
    assert (Unit.objects.count(), AuditLog.objects.count()) == before


def test_wrong_headers_are_named(demo):
    headers = UNIT_HEADERS[:-1] + ["备注"]
    with pytest.raises(WorkbookError) as exc:
        import_units(workbook([unit_row()], headers=headers), file_name="u.xlsx", acting_user=demo["sysadmin"])
    assert any("“备注” — 不认识的列标题" in m for m in messages(exc))


def test_missing_required_header(demo):
    headers = [h for h in UNIT_HEADERS if h != "单位类型"]
    row = unit_row()
    del row[3]
    with pytest.raises(WorkbookError) as exc:
        import_units(workbook([row], headers=headers), file_name="u.xlsx", acting_user=demo["sysadmin"])
    assert any("「单位类型」列 — 缺少必填列" in m for m in messages(exc))


def test_duplicate_codes_in_one_file(demo):
    with pytest.raises(WorkbookError) as exc:
        import_units(workbook([unit_row(), unit_row()]), file_name="u.xlsx", acting_user=demo["sysadmin"])
    assert any("第 3 行「单位编码」列:值“XZ-NEW” — 与第 2 行重复" in m for m in messages(exc))
    assert not Unit.objects.filter(code="XZ-NEW").exists()


def test_merged_cells_and_formulas_are_refused(demo):
    with pytest.raises(WorkbookError) as exc:
        import_units(workbook([unit_row()], merge="A5:B5"), file_name="u.xlsx", acting_user=demo["sysadmin"])
    assert any("合并单元格 A5:B5" in m for m in messages(exc))
    with pytest.raises(WorkbookError) as exc:
        import_units(workbook([unit_row()], formula_at=(1, 7)), file_name="u.xlsx", acting_user=demo["sysadmin"])
    assert any("H2" in m and "公式" in m for m in messages(exc))


def test_not_xlsx_and_oversized_files_are_refused():
    with pytest.raises(WorkbookError) as exc:
        read_upload(b"name,code\n", file_name="units.csv")
    assert ".xlsx" in str(exc.value)
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("hello.txt", "x")
    with pytest.raises(WorkbookError):
        read_upload(broken.getvalue(), file_name="fake.xlsx")
    with override_settings(UPLOAD_MAX_BYTES=10), pytest.raises(WorkbookError) as exc:
        read_upload(workbook([unit_row()]), file_name="big.xlsx")
    assert "超过上限" in str(exc.value)


def test_a_user_without_scope_cannot_import_into_other_districts(demo):
    with pytest.raises(PermissionDenied):
        import_units(workbook([unit_row()]), file_name="u.xlsx", acting_user=demo["xinzhou_fin"])
    assert not Unit.objects.filter(code="XZ-NEW").exists()


def test_region_import_checks_levels_and_code_prefixes(demo):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("行政区划")
    sheet.write_row(0, 0, ["区划代码", "名称", "级别", "上级区划代码", "户籍人口", "启用"])
    sheet.write_row(1, 0, ["420117100299", "新村", "村(社区)", "420117100", 1500, "是"])
    sheet.write_row(2, 0, ["420115100299", "错村", "村(社区)", "420117100", 1500, "是"])
    book.close()
    with pytest.raises(WorkbookError) as exc:
        import_regions(buffer.getvalue(), file_name="区划.xlsx", acting_user=demo["sysadmin"])
    assert any("第 3 行" in m and "不一致" in m for m in messages(exc))
    assert not Region.objects.filter(code="420117100299").exists()


cells = st.one_of(
    st.none(), st.text(max_size=12), st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(broken=st.lists(cells, min_size=9, max_size=9), position=st.integers(0, 8))
def test_generated_broken_rows_never_write_partially(demo, broken, position):
    row = unit_row(code="HYP-OK")
    row[position] = broken[position]
    before = Unit.objects.count(), AuditLog.objects.count()
    data = workbook([unit_row(code="HYP-FIRST"), row])
    try:
        counts = import_units(data, file_name="h.xlsx", acting_user=demo["sysadmin"])
    except WorkbookError as exc:
        assert exc.errors and all(str(e).startswith("文件《h.xlsx》") for e in exc.errors)
        assert (Unit.objects.count(), AuditLog.objects.count()) == before
    else:
        assert counts["created"] + counts["updated"] == 2
        Unit.objects.filter(code__startswith="HYP-").delete()


def test_import_page_shows_the_error_list(demo, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login("sysadmin")
    upload = SimpleUploadedFile("单位.xlsx", workbook([unit_row(kind="合作社")]))
    response = client.post("/orgs/units/import/", {"file": upload})
    assert response.status_code == 200
    assert "导入失败,未写入任何数据" in response.content.decode()
    assert "合作社" in response.content.decode()


def test_export_then_import_round_trips(demo, login):
    client = login("sysadmin")
    exported = client.get("/orgs/units/export/").content
    counts = import_units(exported, file_name="单位.xlsx", acting_user=demo["sysadmin"])
    assert counts == {"created": 0, "updated": Unit.objects.count()}
