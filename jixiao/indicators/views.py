"""Standard indicator library pages: list with filters, edit form with history, Excel export and import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.audit.models import AuditLog
from jixiao.core.downloads import file_response
from jixiao.core.excel import WorkbookError, read_upload, write_workbook
from jixiao.core.listing import paginate, query_without
from jixiao.core.types import AuthedRequest
from jixiao.indicators import spreadsheets
from jixiao.indicators.actions import do_save_template
from jixiao.indicators.forms import TemplateForm
from jixiao.indicators.models import IndicatorTemplate
from jixiao.orgs.forms import ImportForm
from jixiao.projects.models import Category


def _filtered(request: AuthedRequest):
    rows = IndicatorTemplate.objects.select_related("category")
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(name__contains=q) | Q(code__icontains=q))
    category = request.GET.get("category", "").strip()
    if category:
        rows = rows.filter(Q(category__code=category) | Q(category__isnull=True))
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        rows = rows.filter(valid_from__lte=int(year)).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=int(year)))
    if request.GET.get("core") == "1":
        rows = rows.filter(core=True)
    return rows


@perm_required(Perm.PROJECTS_VIEW)
def template_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "indicators/template_list.html",
        {
            "page": paginate(request, _filtered(request)),
            "categories": Category.objects.order_by("taxonomy", "sort", "code"),
            "query": query_without(request, "page"),
            "can_manage": request.user.has_perm_code(Perm.INDICATORS_MANAGE),
        },
    )


@perm_required(Perm.INDICATORS_MANAGE)
def template_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    template = get_object_or_404(IndicatorTemplate, pk=pk) if pk else IndicatorTemplate()
    form = TemplateForm(request.POST or None, instance=IndicatorTemplate.objects.get(pk=pk) if pk else None)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in (form.changed_data if pk else form.cleaned_data)}
        try:
            saved = do_save_template(template, changes=changes, acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已保存:{saved}")
            return redirect("indicators:template_edit", pk=saved.pk)
    history = (
        AuditLog.objects.visible_to(request.user).filter(model="indicators.indicatortemplate", object_id=str(pk))[:50]
        if pk
        else []
    )
    return render(request, "indicators/template_form.html", {"form": form, "template": template, "history": history})


@perm_required(Perm.PROJECTS_VIEW)
def template_export(request: AuthedRequest) -> HttpResponse:
    rows = spreadsheets.export_rows(_filtered(request))
    return file_response(write_workbook([(spreadsheets.SHEET, spreadsheets.COLUMNS, rows)]), "标准指标库.xlsx")


@perm_required(Perm.INDICATORS_MANAGE)
def template_import(request: AuthedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_upload(upload, file_name=upload.name)
            counts = spreadsheets.import_templates(data, file_name=upload.name, acting_user=request.user)
        except WorkbookError as exc:
            errors = exc.errors
        else:
            messages.success(request, f"导入完成:新增 {counts['created']} 条,更新 {counts['updated']} 条。")
            return redirect("indicators:template_list")
    return render(request, "goals/import.html", {"form": form, "errors": errors, "title": "导入标准指标库",
                                                 "back": "indicators:template_list"})  # fmt: skip
