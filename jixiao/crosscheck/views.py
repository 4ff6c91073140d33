"""Pages for datasets, runs and the ID check. Clue pages live in ``clue_views``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.core.downloads import file_response
from jixiao.core.excel import Column, write_workbook
from jixiao.core.listing import paginate
from jixiao.crosscheck import idnumber
from jixiao.crosscheck.actions import do_create_dataset, do_save_column_map, do_start_run, do_upload_dataset_file
from jixiao.crosscheck.forms import DatasetForm, IdCheckForm, RunForm, UploadForm
from jixiao.crosscheck.layout import TABLES
from jixiao.crosscheck.models import Dataset
from jixiao.crosscheck.selectors import datasets_visible_to, get_dataset_for_user, get_run_for_user, runs_visible_to

IDCHECK_LIMIT = 10_000
READ_PERMS = (Perm.CROSSCHECK_VIEW, Perm.CROSSCHECK_VERIFY)


def can(request: HttpRequest, perm: str) -> bool:
    """True when the logged-in user holds the permission through some role."""
    user: Any = request.user
    return bool(user.has_perm_code(perm))


def require_reader(user) -> None:
    """Raise PermissionDenied unless the user may read cross-check clues (view or verify)."""
    if not any(user.has_perm_code(p) for p in READ_PERMS):
        raise PermissionDenied("您没有查看大数据比对线索的权限。")


def _messages_from(exc: ValidationError) -> list[str]:
    return list(exc.messages)


@perm_required(Perm.CROSSCHECK_VIEW)
def dataset_list(request: HttpRequest) -> HttpResponse:
    datasets = datasets_visible_to(request.user).prefetch_related("files")
    return render(
        request,
        "crosscheck/dataset_list.html",
        {"page": paginate(request, datasets), "query": "", "can_run": can(request, Perm.CROSSCHECK_RUN)},
    )


@perm_required(Perm.CROSSCHECK_RUN)
def dataset_create(request: HttpRequest) -> HttpResponse:
    form = DatasetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = do_create_dataset(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("name", exc.message_dict.get("name", exc.messages))
        else:
            messages.success(request, f"已创建数据集“{dataset}”,请上传文件。")
            return redirect("crosscheck:dataset_detail", pk=dataset.pk)
    return render(request, "crosscheck/form.html", {"form": form, "title": "新建比对数据集"})


@perm_required(Perm.CROSSCHECK_VIEW)
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_dataset_for_user(request.user, pk)
    present = dataset.kinds()
    layout = [(name, table.title, name in present, table.optional_file) for name, table in TABLES.items()]
    return render(
        request,
        "crosscheck/dataset_detail.html",
        {
            "dataset": dataset,
            "files": dataset.files.select_related("uploaded_by"),
            "layout": layout,
            "runs": dataset.runs.all()[:20],
            "can_run": can(request, Perm.CROSSCHECK_RUN),
        },
    )


@perm_required(Perm.CROSSCHECK_RUN)
def dataset_upload(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_dataset_for_user(request.user, pk, write=True)
    form = UploadForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
    report = None
    if request.method == "POST" and form.is_valid():
        saved, report = _import_upload(request, dataset, form)
        if saved is not None:
            messages.success(
                request, f"已导入 {saved.original_name}:{saved.rows_written} 行(拒收 {saved.rows_rejected} 行)。"
            )
            return redirect("crosscheck:dataset_detail", pk=dataset.pk)
    return render(
        request,
        "crosscheck/upload.html",
        {"form": form, "dataset": dataset, "report": report, "layout": TABLES.values()},
    )


def _import_upload(request: HttpRequest, dataset: Dataset, form: UploadForm):
    upload = form.cleaned_data["file"]
    mapping = form.mapping()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "upload"
        with source.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        saved, report = do_upload_dataset_file(
            dataset=dataset,
            kind=form.cleaned_data["kind"],
            source=source,
            original_name=upload.name,
            mapping=mapping,
            accept_partial=form.cleaned_data["accept_partial"],
            acting_user=request.user,
        )
    if saved is not None and form.cleaned_data["save_as"]:
        do_save_column_map(
            name=form.cleaned_data["save_as"], mapping=mapping, kind=form.cleaned_data["kind"], acting_user=request.user
        )
    return saved, report


@perm_required(Perm.CROSSCHECK_VIEW)
def run_list(request: HttpRequest) -> HttpResponse:
    runs = runs_visible_to(request.user).select_related("dataset", "created_by")
    return render(
        request,
        "crosscheck/run_list.html",
        {"page": paginate(request, runs), "query": "", "can_run": can(request, Perm.CROSSCHECK_RUN)},
    )


@perm_required(Perm.CROSSCHECK_RUN)
def run_create(request: HttpRequest) -> HttpResponse:
    form = RunForm(request.POST or None, initial={"dataset": request.GET.get("dataset")})
    if request.method == "POST" and form.is_valid():
        try:
            run = do_start_run(dataset=form.cleaned_data["dataset"], rules=form.rule_spec(), acting_user=request.user)
        except ValidationError as exc:
            for message in _messages_from(exc):
                form.add_error(None, message)
        else:
            messages.success(request, "比对任务已排队,后台开始运行后本页会显示进度。")
            return redirect("crosscheck:run_detail", pk=run.pk)
    return render(request, "crosscheck/form.html", {"form": form, "title": "发起比对"})


@perm_required(Perm.CROSSCHECK_VIEW)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for_user(request.user, pk)
    return render(request, "crosscheck/run_detail.html", {"run": run, "rules": run.rule_rows()})


@perm_required(Perm.CROSSCHECK_VIEW)
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment polled by htmx; tells the page to reload once the run has ended."""
    run = get_run_for_user(request.user, pk)
    response = render(request, "crosscheck/_run_progress.html", {"run": run})
    if not run.is_active and request.headers.get("HX-Request") and request.GET.get("was") == "active":
        response["HX-Refresh"] = "true"
    return response


SUMMARY_COLUMNS = [
    Column("code", "规则编号", width=10),
    Column("title", "规则名称", width=36),
    Column("status", "状态", width=10),
    Column("clues", "线索数", width=10),
    Column("amount", "涉及金额(元)", width=16),
    Column("reason", "说明(跳过或出错原因)", width=50),
    Column("seconds", "耗时(秒)", width=10),
]
STATUS_LABELS = {"ok": "已执行", "skipped": "已跳过", "error": "出错"}


@perm_required(Perm.CROSSCHECK_VIEW)
def run_export(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for_user(request.user, pk)
    rows = [
        [
            r["code"],
            r["title"],
            STATUS_LABELS.get(r["status"], r["status"]),
            r["clues"],
            r["amount_at_risk"],
            r.get("reason") or "",
            r.get("seconds"),
        ]
        for r in run.rule_rows()
    ]
    content = write_workbook([("运行摘要", SUMMARY_COLUMNS, rows)])
    return file_response(content, f"比对运行{run.pk}摘要.xlsx")


@login_required
def idcheck(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    form = IdCheckForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        values = [line.strip() for line in form.cleaned_data["ids"].splitlines() if line.strip()]
        if len(values) > IDCHECK_LIMIT:
            form.add_error("ids", f"一次最多校验 {IDCHECK_LIMIT} 个身份证号,本次 {len(values)} 个")
        else:
            results = [idnumber.check_id(v) for v in values]
    return render(request, "crosscheck/idcheck.html", {"form": form, "results": results})
