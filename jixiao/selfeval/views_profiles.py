"""Scoring-profile pages: the list (shipped ones marked 内置), a read-only view, and the create/edit form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.audit.models import AuditLog
from jixiao.core.types import AuthedRequest
from jixiao.selfeval.forms import form_rows, profile_data
from jixiao.selfeval.models import ScoringProfileRecord
from jixiao.selfeval.profile_actions import (
    ProfileRefused,
    campaigns_using,
    do_create_scoring_profile,
    do_update_scoring_profile,
    edit_refusal,
)
from jixiao.selfeval.profiles import ProfileError, profile_to_dict


@perm_required(Perm.PROJECTS_VIEW)
def profile_list(request: AuthedRequest) -> HttpResponse:
    records = list(ScoringProfileRecord.objects.annotate(campaigns=Count("campaign")))
    for record in records:
        record.summary = record.profile()  # type: ignore[attr-defined]
    return render(
        request,
        "selfeval/profile_list.html",
        {"records": records, "can_manage": request.user.has_perm_code(Perm.SELFEVAL_MANAGE)},
    )


@perm_required(Perm.PROJECTS_VIEW)
def profile_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ScoringProfileRecord, pk=pk)
    history = AuditLog.objects.visible_to(request.user).filter(
        model="selfeval.scoringprofilerecord", object_id=str(record.pk)
    )[:50]
    can_manage = request.user.has_perm_code(Perm.SELFEVAL_MANAGE)
    return render(
        request,
        "selfeval/profile_detail.html",
        {
            "record": record,
            "profile": record.profile(),
            "campaigns": campaigns_using(record),
            "refusal": edit_refusal(record),
            "can_manage": can_manage,
            "history": history,
        },
    )


def _form(request: AuthedRequest, record: ScoringProfileRecord | None, data: Any, errors: list[str]) -> HttpResponse:
    context = {
        "record": record,
        "form": form_rows(data),
        "errors": errors,
        "sources": ScoringProfileRecord.objects.all(),
        "copied": request.GET.get("copy", ""),
    }
    return render(request, "selfeval/profile_form.html", context)


def _copy_of(code: str) -> dict[str, Any]:
    """Return a profile's data as the start of a new one (code blank, name marked as a copy)."""
    source = ScoringProfileRecord.objects.filter(code=code).first()
    if source is None:
        return {}
    return {**profile_to_dict(source.profile()), "code": "", "name": f"{source.name}(副本)"}


@perm_required(Perm.SELFEVAL_MANAGE)
def profile_create(request: AuthedRequest) -> HttpResponse:
    if request.method != "POST":
        return _form(request, None, _copy_of(request.GET.get("copy", "central-2020")), [])
    data = profile_data(request.POST)
    try:
        record = do_create_scoring_profile(data=data, acting_user=request.user)
    except ProfileError as exc:
        return _form(request, None, data, exc.errors)
    except ProfileRefused as exc:
        return _form(request, None, data, [exc.message])
    messages.success(request, f"已新增评分方案「{record.name}」。")
    return redirect("selfeval:profile_detail", pk=record.pk)


@perm_required(Perm.SELFEVAL_MANAGE)
def profile_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ScoringProfileRecord, pk=pk)
    refusal = edit_refusal(record)
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect("selfeval:profile_detail", pk=record.pk)
    if request.method != "POST":
        return _form(request, record, profile_to_dict(record.profile()), [])
    data = profile_data(request.POST)
    try:
        record = do_update_scoring_profile(record=record, data=data, acting_user=request.user)
    except ProfileError as exc:
        return _form(request, record, data, exc.errors)
    except ProfileRefused as exc:
        return _form(request, record, data, [exc.message])
    messages.success(request, f"已保存评分方案「{record.name}」。")
    return redirect("selfeval:profile_detail", pk=record.pk)
