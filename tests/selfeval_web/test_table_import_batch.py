"""Many filled 自评表 of a campaign at once, in the forms the campaign exports: a zip of workbooks, or a sheet each."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jixiao.core.excel import WorkbookError
from jixiao.selfeval.models import SelfEvaluation
from jixiao.selfeval.spreadsheets import campaign_workbook, campaign_zip
from jixiao.selfeval.table_import import import_campaign_tables
from tests.selfeval_web import factories as f
from tests.selfeval_web.test_table_import import FIRST, _grid, _workbook

pytestmark = pytest.mark.django_db
ZIP = "自评表.zip"


def _two(demo) -> tuple[SelfEvaluation, SelfEvaluation]:
    campaign = f.campaign()
    return f.evaluation(campaign, f.project(f.XINZHOU_U2)), f.evaluation(campaign, f.project("FP2019-420117-0005"))


def _filled(ev: SelfEvaluation, actual) -> bytes:
    grid = _grid(campaign_zip_member(ev))
    grid[FIRST][4] = actual
    return _workbook(grid, sheet=ev.project.code)


def campaign_zip_member(ev: SelfEvaluation) -> bytes:
    with zipfile.ZipFile(io.BytesIO(campaign_zip(SelfEvaluation.objects.filter(pk=ev.pk)))) as archive:
        return archive.read(archive.namelist()[0])


class _GbkName(zipfile.ZipInfo):
    """A member named as Windows' own zip tool in China names it: GBK bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self):  # zipfile's own name
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _zip(members: dict[str, bytes], *, utf8: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name) if utf8 else _GbkName(name), content)
    return buffer.getvalue()


def _actuals(*evaluations: SelfEvaluation) -> list[str]:
    return [SelfEvaluation.objects.get(pk=ev.pk).indicators.get(position=1).actual for ev in evaluations]


def test_the_exported_zip_imports_back_and_a_filled_one_saves_every_table(demo):
    a, b = _two(demo)
    unit = demo["unit_xinzhou"]
    exported = campaign_zip(SelfEvaluation.objects.filter(pk__in=[a.pk, b.pk]))
    assert import_campaign_tables(exported, file_name=ZIP, campaign=a.campaign, acting_user=unit) == 2

    members = {f"{ev.project.code}_{ev.project.name}.xlsx": _filled(ev, 3000 + i) for i, ev in enumerate((a, b))}
    assert import_campaign_tables(_zip(members, utf8=False), file_name=ZIP, campaign=a.campaign, acting_user=unit) == 2

    assert _actuals(a, b) == ["3000", "3001"]
    assert SelfEvaluation.objects.get(pk=a.pk).total is not None


def test_a_zip_holding_other_files_is_refused_before_anything_is_read(demo):
    a, b = _two(demo)
    members = {
        f"{a.project.code}_甲.xlsx": _filled(a, 3010),
        "说明.docx": b"not a workbook",
    }
    with pytest.raises(WorkbookError) as caught:
        import_campaign_tables(_zip(members), file_name=ZIP, campaign=a.campaign, acting_user=demo["unit_xinzhou"])
    messages = [str(e) for e in caught.value.errors]
    assert len(messages) == 1 and f"{ZIP}/说明.docx" in messages[0] and "只能放" in messages[0], messages


def test_problems_inside_the_tables_are_listed_together(demo):
    a, b = _two(demo)
    members = {
        f"{a.project.code}_甲.xlsx": _filled(a, 3010),
        f"{b.project.code}_乙.xlsx": _filled(b, -3),
        "FP2019-420115-0001_江夏.xlsx": _filled(a, 1),
    }
    before = _actuals(a, b)
    with pytest.raises(WorkbookError) as caught:  # member names in GBK: shown in Chinese all the same
        import_campaign_tables(
            _zip(members, utf8=False), file_name=ZIP, campaign=a.campaign, acting_user=demo["unit_xinzhou"]
        )
    messages = [str(e) for e in caught.value.errors]
    assert any(f"{b.project.code}_乙.xlsx" in m and "「-3」为负数" in m for m in messages), messages
    assert any("FP2019-420115-0001" in m and "没有您可填报" in m for m in messages), messages
    assert _actuals(a, b) == before  # the good table was not saved either


def test_a_workbook_with_a_sheet_per_project_imports_too(demo):
    a, b = _two(demo)
    exported = campaign_workbook(SelfEvaluation.objects.filter(pk__in=[a.pk, b.pk]))
    names = CalamineWorkbook.from_filelike(io.BytesIO(exported)).sheet_names
    assert sorted(names) == sorted([a.project.code, b.project.code])

    count = import_campaign_tables(exported, file_name="自评表.xlsx", campaign=a.campaign,
                                   acting_user=demo["unit_xinzhou"])  # fmt: skip

    assert count == 2


def test_the_campaign_import_page_takes_the_zip(demo, login):
    a, b = _two(demo)
    members = {f"{ev.project.code}.xlsx": _filled(ev, 3000) for ev in (a, b)}
    url = reverse("selfeval:campaign_import", args=[a.campaign.pk])

    response = login("unit_xinzhou").post(url, {"file": SimpleUploadedFile(ZIP, _zip(members))})

    assert response.status_code == 302
    assert _actuals(a, b) == ["3000", "3000"]
