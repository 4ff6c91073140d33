"""The library in the database: seeded from the constants, edited by 预算绩效管理处, used by the review."""

from __future__ import annotations

import pytest

from jixiao.core.excel import WorkbookError, write_workbook
from jixiao.goals import checks
from jixiao.indicators import spreadsheets
from jixiao.indicators.library import db_library
from jixiao.indicators.library_data import default_library
from jixiao.indicators.models import IndicatorTemplate
from tests.goals.factories import make_goal

pytestmark = pytest.mark.django_db


def test_seeded_library_matches_the_constants():
    db, shipped = db_library(), default_library()
    assert {t.code for t in db.templates} == {t.code for t in shipped.templates}
    for template in shipped.templates:
        assert db.match(template.name, code=template.code) is not None
    mine = {t.code: t for t in db.templates}["COM.01"]
    assert mine.core and mine.unit == "人" and mine.categories == ("*",)
    assert [t.code for t in db.core_templates("X21-CYFZ")] == [t.code for t in shipped.core_templates("X21-CYFZ")]


def test_year_filter_drops_templates_of_retired_categories():
    only_2026 = {t.code for t in db_library(2026).templates}
    assert "COM.01" in only_2026 and len(only_2026) < len(default_library().templates)


def test_editing_the_library_changes_the_review(login, demo):
    goal = make_goal()
    assert "G07" not in [f["code"] for f in goal.findings]
    template = IndicatorTemplate.objects.get(code="CYFZ.01", category__code="F18-CYFZ")
    response = login("perf_admin").post(
        f"/indicators/{template.pk}/edit/",
        {**{f: getattr(template, f) or "" for f in ("code", "name", "level1", "level2", "level1_101", "level2_101",
                                                     "operator", "default_target", "explanation", "data_source",
                                                     "policy_operator", "policy_unit", "policy_basis", "aliases")},
         "category": template.category_id, "unit": "公顷", "range_low": 10, "range_high": 20000,
         "valid_from": template.valid_from, "valid_to": template.valid_to or "", "sort": template.sort},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "G07" in [f["code"] for f in checks.recheck(goal).findings]


def test_only_perf_admin_may_edit(login):
    template = IndicatorTemplate.objects.first()
    assert login("dept_agri").get(f"/indicators/{template.pk}/edit/").status_code == 403
    assert login("dept_agri").get("/indicators/?category=X21-CYFZ&year=2026").status_code == 200


def test_template_import_is_all_or_nothing(demo):
    rows = spreadsheets.export_rows(IndicatorTemplate.objects.filter(code="COM.04"))
    rows[0][2] = "受益群众满意度(修订)"
    bad = [list(rows[0]), list(rows[0])]
    bad[1][1] = "NO-SUCH-CATEGORY"
    with pytest.raises(WorkbookError, match="不存在的项目类别编码"):
        spreadsheets.import_templates(
            write_workbook([(spreadsheets.SHEET, spreadsheets.COLUMNS, bad)]),
            file_name="t.xlsx",
            acting_user=demo["perf_admin"],
        )
    assert not IndicatorTemplate.objects.filter(name="受益群众满意度(修订)").exists()
    counts = spreadsheets.import_templates(
        write_workbook([(spreadsheets.SHEET, spreadsheets.COLUMNS, rows)]),
        file_name="t.xlsx",
        acting_user=demo["perf_admin"],
    )
    assert counts == {"created": 0, "updated": 1}
    assert IndicatorTemplate.objects.get(code="COM.04").name == "受益群众满意度(修订)"
