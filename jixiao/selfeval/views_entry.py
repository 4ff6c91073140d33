"""Filling a 自评表 in the browser: the inline htmx sheet (a row or the funds block saved on change, re-scored at
once), the whole-form save and submit, and the import of a filled 自评表 in the official layout."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.core.excel import WorkbookError, parse_decimal, read_upload
from jixiao.core.types import AuthedRequest
from jixiao.selfeval.actions import do_save_self_evaluation, do_submit_self_evaluation
from jixiao.selfeval.entry import (
    FUND_FIELDS,
    TIERS,
    EntryProblem,
    EntryRefused,
    fund_rows,
    read_amount,
    read_applicable,
    sum_funds,
)
from jixiao.selfeval.models import SelfEvaluation, SelfEvaluationIndicator
from jixiao.selfeval.selectors import get_evaluation_for_user
from jixiao.selfeval.table_import import import_evaluation_table

TEXT_FIELDS = ("budget_explanation", "overall_target", "overall_actual")


def posted_funds(post: QueryDict) -> tuple[dict[str, Any], list[EntryProblem]]:
    """Return the funds block and texts as posted (only the fields present) and the amounts that are not amounts."""
    changes: dict[str, Any] = {}
    problems = []
    for field in FUND_FIELDS:
        if field not in post:
            continue
        value, problem = read_amount(field, post[field])
        if problem is not None:
            problems.append(problem)
            continue
        changes[field] = value if value is not None or field.endswith("_executed") else Decimal(0)
    changes.update({name: post.get(name, "").strip() for name in TEXT_FIELDS if name in post})
    return changes, problems


def posted_row(post: QueryDict, row: SelfEvaluationIndicator) -> tuple[dict[str, Any], list[EntryProblem]]:
    """Return one row's entries as posted (`actual_3`, `tier_3` …; only the fields present)."""
    p = row.position
    values: dict[str, Any] = {
        name: post.get(f"{name}_{p}", "").strip() for name in ("actual", "tier", "explanation") if f"{name}_{p}" in post
    }
    if f"applicable_{p}" in post:
        values["applicable"] = read_applicable(post[f"applicable_{p}"])
    problems = []
    if f"share_{p}" in post:
        text = post.get(f"share_{p}", "").strip()
        try:
            values["share"] = parse_decimal(text) if text else None
        except ValueError:
            message = f"第 {p} 项指标「{row.name}」的档内得分比例「{text}」不是数字,应为 0–100 之间的数"
            problems.append(EntryProblem(p, "share", text, message))
    return values, problems


def _rows_with(rows: list[SelfEvaluationIndicator], problems: list[EntryProblem]) -> list[SelfEvaluationIndicator]:
    """Attach each row's problems (`row.errors`) for the template."""
    for row in rows:
        row.errors = [p.message for p in problems if p.position == row.position]  # type: ignore[attr-defined]
    return rows


def _sheet_context(ev: SelfEvaluation, rows: list[SelfEvaluationIndicator], problems: list[EntryProblem]) -> dict:
    return {
        "ev": ev,
        "rows": _rows_with(rows, problems),
        "funds": fund_rows(ev),
        "errors": [p.message for p in problems],
        "fund_errors": [p.message for p in problems if p.position == 0],
        "tiers": TIERS,
    }


def _editable(request: AuthedRequest, pk: int) -> SelfEvaluation:
    evaluation = get_evaluation_for_user(request.user, pk, write=True)
    if not evaluation.can_edit():
        raise ValidationError("该自评表已提交或任务已结束,不能修改。")
    return evaluation


def _save(ev: SelfEvaluation, user: Any, changes: dict, actuals: dict, problems: list) -> list[EntryProblem]:
    """Save through the action; return every problem (the form's and the action's), and then nothing is saved."""
    with transaction.atomic():
        try:
            do_save_self_evaluation(evaluation=ev, acting_user=user, changes=changes, actuals=actuals)
        except EntryRefused as exc:
            problems = problems + exc.problems
        except ValidationError as exc:
            problems = problems + [EntryProblem(-1, "", None, m) for m in exc.messages]
        if problems:
            transaction.set_rollback(True)
    return problems


@perm_required(Perm.SELFEVAL_FILL)
def evaluation_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The 自评表 form; a POST saves the whole sheet at once (all or nothing), then may submit it."""
    try:
        evaluation = _editable(request, pk)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("selfeval:evaluation_detail", pk=pk)
    rows = list(evaluation.indicators.order_by("position"))
    problems: list[EntryProblem] = []
    if request.method == "POST":
        changes, problems = posted_funds(request.POST)
        actuals = {}
        for row in rows:
            actuals[row.position], refused = posted_row(request.POST, row)
            problems += refused
        problems = _save(evaluation, request.user, changes, actuals, problems)
        if not problems:
            messages.success(request, "已保存并重新计分。")
            if request.POST.get("then") == "submit":
                return _submit(request, evaluation)
            return redirect("selfeval:evaluation_edit", pk=evaluation.pk)
        evaluation.refresh_from_db()
        rows = list(evaluation.indicators.order_by("position"))
        _show_posted(evaluation, rows, changes, actuals)
    return render(request, "selfeval/evaluation_form.html", _sheet_context(evaluation, rows, problems))


def _show_posted(ev: SelfEvaluation, rows: list[SelfEvaluationIndicator], changes: dict, actuals: dict) -> None:
    """Put refused values back on the (unsaved) objects so the form shows what the user typed."""
    for name, value in changes.items():
        setattr(ev, name, value)
    sum_funds(ev)
    for row in rows:
        for name, value in actuals.get(row.position, {}).items():
            setattr(row, name, value)


def _submit(request: AuthedRequest, evaluation: SelfEvaluation) -> HttpResponse:
    try:
        do_submit_self_evaluation(evaluation=evaluation, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("selfeval:evaluation_edit", pk=evaluation.pk)
    messages.success(request, "已提交主管部门审核。")
    return redirect("selfeval:evaluation_detail", pk=evaluation.pk)


@require_POST
@perm_required(Perm.SELFEVAL_FILL)
def evaluation_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    evaluation = get_evaluation_for_user(request.user, pk, write=True)
    if not evaluation.can_submit():
        messages.error(request, f"当前状态为「{evaluation.get_status_display()}」,不能提交。")
        return redirect("selfeval:evaluation_detail", pk=evaluation.pk)
    return _submit(request, evaluation)


def _refused_fragment(message: str) -> HttpResponse:
    return HttpResponse(f'<div class="alert alert-danger" id="entry-refused">{message}</div>')


@require_POST
@perm_required(Perm.SELFEVAL_FILL)
def evaluation_row(request: AuthedRequest, pk: int) -> HttpResponse:
    """htmx: save one indicator row (actual, 适用, tier, share, explanation) and return it re-scored, or refused."""
    try:
        evaluation = _editable(request, pk)
    except ValidationError as exc:
        return _refused_fragment(exc.messages[0])
    rows = list(evaluation.indicators.order_by("position"))
    row = next((r for r in rows if str(r.position) == request.POST.get("position", "")), None)
    if row is None:
        return _refused_fragment("未找到该指标行,请刷新页面后重试。")
    values, problems = posted_row(request.POST, row)
    problems = _save(evaluation, request.user, {}, {row.position: values}, problems)
    evaluation.refresh_from_db()
    row.refresh_from_db()
    if problems:
        _show_posted(evaluation, [row], {}, {row.position: values})
    context = _sheet_context(evaluation, [row], problems) | {"r": row, "saved": not problems, "oob": True}
    return render(request, "selfeval/_entry_row.html", context)


@require_POST
@perm_required(Perm.SELFEVAL_FILL)
def evaluation_funds(request: AuthedRequest, pk: int) -> HttpResponse:
    """htmx: save the funds block and the overall goal texts, and return them with the execution score."""
    try:
        evaluation = _editable(request, pk)
    except ValidationError as exc:
        return _refused_fragment(exc.messages[0])
    changes, problems = posted_funds(request.POST)
    problems = _save(evaluation, request.user, changes, {}, problems) if changes or problems else []
    evaluation.refresh_from_db()
    if problems:
        _show_posted(evaluation, [], changes, {})
    context = _sheet_context(evaluation, [], problems) | {"saved": bool(changes) and not problems, "oob": True}
    return render(request, "selfeval/_entry_funds.html", context)


@perm_required(Perm.SELFEVAL_FILL)
def evaluation_import(request: AuthedRequest, pk: int) -> HttpResponse:
    """Upload the filled 自评表 (the exported official layout); all or nothing."""
    try:
        evaluation = _editable(request, pk)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("selfeval:evaluation_detail", pk=pk)
    errors: list[str] = []
    if request.method == "POST" and request.FILES.get("file"):
        upload: Any = request.FILES["file"]
        name = upload.name or "upload.xlsx"
        try:
            data = read_upload(upload, file_name=name)
            count = import_evaluation_table(data, file_name=name, evaluation=evaluation, acting_user=request.user)
        except WorkbookError as exc:
            errors = [str(e) for e in exc.errors]
        else:
            messages.success(request, f"已导入自评表({count} 项指标)并重新计分。")
            return redirect("selfeval:evaluation_edit", pk=evaluation.pk)
    elif request.method == "POST":
        errors = ["请选择要上传的 .xlsx 文件"]
    return render(request, "selfeval/evaluation_import.html", {"ev": evaluation, "errors": errors})
