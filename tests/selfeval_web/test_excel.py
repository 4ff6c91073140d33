"""The 自评表 export in the official layout, the campaign zip, and the all-or-nothing import of actuals."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from jixiao.core.excel import WorkbookError, write_workbook
from jixiao.selfeval.spreadsheets import ACTUAL_COLUMNS, FUND_HEADERS, INDICATOR_HEADERS, import_actuals
from tests.selfeval_web import factories as f


def _cells(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_export_follows_the_official_layout(demo, login):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    response = login("unit_xinzhou").get(reverse("selfeval:evaluation_export", args=[ev.pk]))
    cells = _cells(response.content)
    project = ev.project
    assert cells[0][0] == "项目支出绩效自评表"
    assert (cells[2][0], cells[2][1]) == ("项目名称", project.name)
    assert (cells[3][0], cells[3][1], cells[3][4], cells[3][5]) == (
        "主管部门", project.department.name, "实施单位", project.unit.name
    )  # fmt: skip
    assert cells[4][0] == "项目资金(元)" and cells[4][2:8] == FUND_HEADERS
    assert [cells[r][1] for r in range(5, 9)] == ["年度资金总额", "其中:当年财政拨款", "上年结转资金", "其他资金"]
    assert cells[5][2:8] == [1000000.0, 1000000.0, 950000.0, 10.0, 95.0, 9.5]
    assert cells[6][2:8] == [1000000.0, 1000000.0, 950000.0, "—", 95.0, "—"]
    assert cells[7][2:8] == [0.0, 0.0, "", "—", "", "—"]
    assert (cells[9][0], cells[9][1], cells[9][5]) == ("年度总体目标", "预期目标", "实际完成情况")
    assert (cells[10][1], cells[10][5]) == ("完成年度建设任务。", "已完成年度目标。")
    assert cells[11][:8] == INDICATOR_HEADERS
    assert cells[12][:8] == ["产出指标", "数量指标", "新增灌溉面积", "≥3000亩", "3200亩", 50.0, 50.0, ""]
    assert cells[14][3:5] == ["≥90%", "95%"]
    assert (cells[15][0], cells[15][6]) == ("总分", 99.5)
    assert (cells[16][0], cells[16][1]) == ("等级", "优")


def test_campaign_zip_has_a_workbook_per_visible_project(demo, login):
    camp = f.campaign()
    own = f.evaluation(camp, f.project(f.XINZHOU_U2))
    f.evaluation(camp, f.project(f.JIANGXIA))
    response = login("xinzhou_fin").get(reverse("selfeval:campaign_export", args=[camp.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [f"{own.project.code}_{own.project.name}.xlsx"]
    assert _cells(archive.read(archive.namelist()[0]))[2][1] == own.project.name


def _upload(rows: list[list]) -> bytes:
    return write_workbook([("实际完成值", ACTUAL_COLUMNS, rows)])


def _row(code: str, position: int, actual, explanation: str = "", tier: str = "") -> list:
    return [code, position, "", "", "", "", actual, tier, "是", explanation]


def test_import_saves_actuals_and_rescores(demo):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2), executed=None)
    code = ev.project.code
    data = _upload(
        [_row(code, 0, "980000"), _row(code, 1, "2700", "汛期推迟施工,明年一季度补足。"), _row(code, 3, "96%")]
    )
    assert import_actuals(data, file_name="实际.xlsx", campaign=ev.campaign, acting_user=demo["unit_xinzhou"]) == 1
    ev.refresh_from_db()
    rows = list(ev.indicators.order_by("position"))
    assert ev.budget_executed == 980000
    assert (rows[0].actual, rows[0].formula) == ("2700", "50 × min(2700 ÷ 3000, 1) = 45.00")
    assert ev.total is not None and ev.total_formula.endswith(f"= {ev.total}")


def test_import_lists_a_missing_explanation_and_writes_nothing(demo):
    ev = f.evaluation(f.campaign(), f.project(f.XINZHOU_U2))
    data = _upload([_row(ev.project.code, 1, "2700")])
    with pytest.raises(WorkbookError) as caught:
        import_actuals(data, file_name="实际.xlsx", campaign=ev.campaign, acting_user=demo["unit_xinzhou"])
    error = caught.value.errors[0]
    assert (error.row, error.column) == (2, "偏差原因分析及改进措施")
    assert "未达到年度指标值 ≥3000亩,须填写偏差原因分析及改进措施" in error.expected
    assert ev.indicators.get(position=1).actual == "3200"


def test_import_refuses_another_units_project(demo):
    camp = f.campaign()
    other = f.evaluation(camp, f.project(f.XINZHOU_U1))
    with pytest.raises(WorkbookError) as caught:
        import_actuals(
            _upload([_row(other.project.code, 1, "3100")]),
            file_name="x.xlsx", campaign=camp, acting_user=demo["unit_xinzhou"],
        )  # fmt: skip
    assert caught.value.errors[0].column == "项目编码"


BAD_ACTUALS = st.one_of(
    st.text(alphabet="约三千米亩≥abc", min_size=1, max_size=6),
    st.integers(min_value=-(10**6), max_value=-1).map(str),
    st.decimals(min_value="100.01", max_value=10**4, places=2).map(lambda d: f"{d}%"),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=BAD_ACTUALS, position=st.sampled_from([1, 3]))
def test_bad_actuals_are_refused_with_their_cell_and_nothing_is_written(demo, bad, position):
    ev = f.evaluation(f.campaign(name=f"hypothesis {bad}"), f.project(f.XINZHOU_U2))
    good = _row(ev.project.code, 2, "510")
    with pytest.raises(WorkbookError) as caught:
        import_actuals(
            _upload([good, _row(ev.project.code, position, bad, "说明")]),
            file_name="坏.xlsx", campaign=ev.campaign, acting_user=demo["unit_xinzhou"],
        )  # fmt: skip
    error = caught.value.errors[0]
    assert (error.row, error.column) == (3, "实际完成值")
    assert any(word in error.expected for word in ("不是数字", "为负数", "超过 100%"))
    assert list(ev.indicators.order_by("position").values_list("actual", flat=True)) == ["3200", "520", "95"]
