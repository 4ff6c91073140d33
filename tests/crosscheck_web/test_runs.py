"""Datasets, uploads and runs: the background job end to end on a small synthetic city, and bad input."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.crosscheck.models import Clue, Dataset, DatasetFile, Run, RunStatus
from jixiao.crosscheck.tasks import RunProgress, run_crosscheck_task

KINDS = ["payments", "programs", "standards", "deaths", "public_servants", "households", "disabilities"]


def _upload(client, dataset: Dataset, kind: str, path: Path, **extra):
    with path.open("rb") as handle:
        data = {"kind": kind, "file": SimpleUploadedFile(path.name, handle.read()), **extra}
    return client.post(f"/crosscheck/datasets/{dataset.pk}/upload/", data)


def _dataset(login, synth_city: Path, kinds=KINDS) -> Dataset:
    admin = login("perf_admin")
    assert admin.post("/crosscheck/datasets/new/", {"name": "2024 年比对"}).status_code == 302
    dataset = Dataset.objects.get(name="2024 年比对")
    for kind in kinds:
        assert _upload(admin, dataset, kind, synth_city / f"{kind}.parquet").status_code == 302, kind
    return dataset


def test_run_end_to_end_through_the_task(login, synth_city, huey_immediate, django_capture_on_commit_callbacks):
    dataset = _dataset(login, synth_city)
    assert (
        dataset.files.get(kind="payments").rows_written
        == pq.ParquetFile(synth_city / "payments.parquet").metadata.num_rows
    )
    admin = login("perf_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/crosscheck/runs/new/", {"dataset": dataset.pk})
    run = Run.objects.get(dataset=dataset)
    assert response["Location"] == f"/crosscheck/runs/{run.pk}/"
    assert (run.status, run.progress, run.started_at is not None) == (RunStatus.DONE, 100, True)
    clues = pq.read_table(run.out_dir / "clues.parquet")
    assert run.clues_loaded == clues.num_rows == Clue.objects.filter(run=run).count() > 0
    rules = run.summary["rules"]
    assert rules["R01"]["status"] == "ok" and rules["R01"]["clues"] >= 1
    assert rules["R22"]["skipped"] and "prisoners" in rules["R22"]["reason"]
    death = Clue.objects.filter(run=run, rule="R01").first()
    assert death.rule_title == "死亡后仍发放" and death.program_name and death.program_kind
    matched = Clue.objects.filter(run=run, region__isnull=False)
    assert matched.exists() and all(c.region.code == c.region_code for c in matched)
    assert not Clue.objects.filter(run=run, region__isnull=True, region_code__in=["420117", "420115"]).exists()
    page = admin.get(f"/crosscheck/runs/{run.pk}/").content.decode()
    assert "缺少文件:prisoners(服刑人员)" in page and "100%" in page and "every 2s" not in page


def test_task_function_called_directly(login, synth_city, huey_immediate):
    dataset = _dataset(login, synth_city, ["payments", "programs"])
    run = Run.objects.create(dataset=dataset, rules="R15,R19")
    run_crosscheck_task.call_local(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and set(run.summary["rules"]) == {"R15", "R19"}
    assert set(Clue.objects.filter(run=run).values_list("rule", flat=True)) <= {"R15", "R19"}
    raw = Clue.objects.filter(run=run, rule="R19").exclude(person_id_raw="").first()
    assert raw is not None


def test_progress_callback_writes_percent_and_message(run):
    run.status = RunStatus.RUNNING
    run.progress = 0
    run.save()
    RunProgress(run.pk, interval=0)(3, 10, "R03 低保/特困家庭有机动车")
    run.refresh_from_db()
    assert (run.progress, run.message) == (26, "R03 低保/特困家庭有机动车")


def test_progress_fragment_polls_while_running_and_refreshes_at_the_end(login, run):
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=40, message="R12 年龄不符合项目条件")
    admin = login("perf_admin")
    running = admin.get(f"/crosscheck/runs/{run.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in running and "width: 40%" in running and "R12" in running
    Run.objects.filter(pk=run.pk).update(status=RunStatus.DONE, progress=100)
    fragment = admin.get(f"/crosscheck/runs/{run.pk}/progress/?was=active", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true" and "every 2s" not in fragment.content.decode()


def test_missing_columns_give_a_chinese_report_and_save_nothing(login, data_dir):
    admin = login("perf_admin")
    dataset = Dataset.objects.create(name="缺列")
    csv = SimpleUploadedFile("发放名册.csv", "payment_id,姓名,金额\n1,张三,100\n".encode())
    response = admin.post(f"/crosscheck/datasets/{dataset.pk}/upload/", {"kind": "payments", "file": csv})
    body = response.content.decode()
    assert response.status_code == 200 and "导入失败,未保存任何数据" in body
    assert "文件 发放名册.csv" in body and "缺少必需的列:payee_id" in body
    assert not DatasetFile.objects.exists()
    assert not list((data_dir / "crosscheck" / "datasets").rglob("*.parquet"))


def test_rejected_rows_refuse_the_file_unless_accepted(login):
    admin = login("perf_admin")
    dataset = Dataset.objects.create(name="坏行")
    text = (
        "payment_id,身份证号码,姓名,program,region_code,period,amount\n"
        "1,420117195001011234,张三,P01,420117,2024-01,800\n"
        "2,420117195001011234,张三,P01,420117,2024-13,abc\n"
    )
    mapping = {"columns": "身份证号码=payee_id\n姓名=payee_name", "encoding": "gbk"}
    first = admin.post(
        f"/crosscheck/datasets/{dataset.pk}/upload/",
        {"kind": "payments", "file": SimpleUploadedFile("名册.csv", text.encode("gbk")), **mapping},
    )
    body = first.content.decode()
    assert "第 3 行" in body and "amount" in body and not DatasetFile.objects.exists()
    second = admin.post(
        f"/crosscheck/datasets/{dataset.pk}/upload/",
        {
            "kind": "payments",
            "file": SimpleUploadedFile("名册.csv", text.encode("gbk")),
            "accept_partial": "on",
            "save_as": "民政名册",
            **mapping,
        },
    )
    assert second.status_code == 302
    saved = DatasetFile.objects.get()
    assert (saved.rows_read, saved.rows_written, saved.rows_rejected) == (2, 1, 1)
    row = pq.read_table(saved.path).to_pylist()[0]
    assert row["payee_id"] == "420117195001011234" and row["payee_name"] == "张三"
    from jixiao.crosscheck.models import ColumnMap

    assert ColumnMap.objects.get(name="民政名册").columns == {"身份证号码": "payee_id", "姓名": "payee_name"}


def test_run_refused_without_payments(login, client, api_token):
    dataset = Dataset.objects.create(name="无名册")
    DatasetFile.objects.create(dataset=dataset, kind="deaths", original_name="deaths.csv")
    page = login("perf_admin").post("/crosscheck/runs/new/", {"dataset": dataset.pk}).content.decode()
    assert "没有 payments(发放名册)文件,无法比对" in page
    response = client.post(
        f"/api/v1/crosscheck/datasets/{dataset.pk}/runs", {}, content_type="application/json", **api_token("perf_admin")
    )
    assert response.status_code == 422 and "没有 payments" in response.json()["message"]
    assert not Run.objects.filter(dataset=dataset).exists()


def test_engine_failure_marks_the_run_failed(login, huey_immediate):
    dataset = Dataset.objects.create(name="空目录")
    DatasetFile.objects.create(dataset=dataset, kind="payments", original_name="payments.csv")
    run = Run.objects.create(dataset=dataset)
    run_crosscheck_task.call_local(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "不存在" in run.message
    assert "text-danger" in login("perf_admin").get(f"/crosscheck/runs/{run.pk}/").content.decode()


def test_api_lists_runs_with_progress(client, api_token, run):
    rows = client.get("/api/v1/crosscheck/runs", **api_token("inspector")).json()
    assert rows[0]["id"] == run.pk and rows[0]["progress"] == 100 and rows[0]["status_label"] == "已完成"
    detail = client.get(f"/api/v1/crosscheck/runs/{run.pk}", **api_token("perf_admin")).json()
    assert detail["summary"] == {}


def test_run_summary_export(login, run):
    run.summary = {
        "rules": {
            "R22": {
                "title": "服刑期间领取",
                "clues": 0,
                "amount_at_risk": 0,
                "skipped": True,
                "status": "skipped",
                "reason": "缺少文件:prisoners(服刑人员)",
                "seconds": 0,
            }
        }
    }
    run.save()
    response = login("inspector").get(f"/crosscheck/runs/{run.pk}/export/")
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[1][:3] == ["R22", "服刑期间领取", "已跳过"] and rows[1][5] == "缺少文件:prisoners(服刑人员)"


def test_rerun_keeps_known_clues_and_their_workflow(login, synth_city, huey_immediate):
    from jixiao.crosscheck.actions import do_classify_clue

    dataset = _dataset(login, synth_city, ["payments", "programs"])
    first = Run.objects.create(dataset=dataset, rules="R15,R19")
    run_crosscheck_task.call_local(first.pk)
    first.refresh_from_db()
    clue = Clue.objects.filter(run=first).first()
    do_classify_clue(clue, category="data_error", acting_user=None)
    second = Run.objects.create(dataset=dataset, rules="R15,R19")
    run_crosscheck_task.call_local(second.pk)
    second.refresh_from_db()
    assert (second.clues_loaded, second.clues_known) == (0, first.clues_loaded)
    assert "此前已发现" in second.message
    clue.refresh_from_db()
    assert clue.status == "classified" and Clue.objects.count() == first.clues_loaded


def test_xlsx_upload_with_saved_mapping(login):
    from jixiao.core.excel import Column, write_workbook
    from jixiao.crosscheck.models import ColumnMap

    mapping = ColumnMap.objects.create(
        name="公安死亡名单", kind="deaths", columns={"身份证号": "person_id", "死亡日期": "death_date"}
    )
    content = write_workbook(
        [("死亡", [Column("a", "身份证号"), Column("b", "死亡日期")], [["420117195001011234", "2024年3月5日"]])]
    )
    dataset = Dataset.objects.create(name="Excel")
    response = login("perf_admin").post(
        f"/crosscheck/datasets/{dataset.pk}/upload/",
        {"kind": "deaths", "file": SimpleUploadedFile("死亡名单.xlsx", content), "saved_mapping": mapping.pk},
    )
    assert response.status_code == 302
    row = pq.read_table(DatasetFile.objects.get(dataset=dataset).path).to_pylist()[0]
    assert row["person_id"] == "420117195001011234" and str(row["death_date"]) == "2024-03-05"
