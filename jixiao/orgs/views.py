from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.audit.models import AuditLog
from jixiao.core.downloads import file_response
from jixiao.core.excel import WorkbookError, read_upload, write_workbook
from jixiao.core.listing import paginate, query_without, sort
from jixiao.core.types import AuthedRequest
from jixiao.orgs import spreadsheets
from jixiao.orgs.actions import do_save_region, do_save_unit
from jixiao.orgs.forms import ImportForm, RegionForm, UnitForm
from jixiao.orgs.models import Region, RegionLevel, Unit, UnitKind
from jixiao.orgs.selectors import get_region_for_user, get_unit_for_user


def _can_manage(request: AuthedRequest) -> bool:
    return request.user.has_perm_code(Perm.ORGS_MANAGE)


def _filtered_regions(request: AuthedRequest):
    regions = Region.objects.visible_to(request.user).select_related("parent")
    q = request.GET.get("q", "").strip()
    if q:
        regions = regions.filter(Q(name__contains=q) | Q(code__startswith=q))
    level = request.GET.get("level")
    if level in RegionLevel.values:
        regions = regions.filter(level=level)
    return regions


@perm_required(Perm.ORGS_VIEW)
def region_list(request: AuthedRequest) -> HttpResponse:
    regions, current_sort = sort(
        request, _filtered_regions(request), {"path": "path", "code": "code", "name": "name", "level": "level"}, "path"
    )
    return render(
        request,
        "orgs/region_list.html",
        {
            "page": paginate(request, regions),
            "levels": RegionLevel.choices,
            "sort": current_sort,
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
            "can_manage": _can_manage(request),
        },
    )


@perm_required(Perm.ORGS_VIEW)
def region_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    region = get_region_for_user(request.user, pk)
    children = Region.objects.visible_to(request.user).filter(parent=region)
    units = Unit.objects.visible_to(request.user).filter(region=region)
    history = AuditLog.objects.visible_to(request.user).filter(model="orgs.region", object_id=str(region.pk))[:50]
    return render(
        request,
        "orgs/region_detail.html",
        {
            "region": region,
            "ancestors": region.ancestors(),
            "children": children,
            "units": units,
            "history": history,
            "can_manage": _can_manage(request),
        },
    )


def _save_form(request: AuthedRequest, form, save_action, obj, template: str, title: str, success_url: str):
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data} if obj.pk else form.cleaned_data
        try:
            saved = save_action(obj, changes)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, f"已保存:{saved}")
            return redirect(success_url, pk=saved.pk)
    return render(request, template, {"form": form, "title": title, "object": obj})


@perm_required(Perm.ORGS_MANAGE)
def region_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    region = get_region_for_user(request.user, pk, write=True) if pk else Region()
    form = RegionForm(
        request.POST or None, instance=Region.objects.get(pk=region.pk) if pk else None, user=request.user
    )
    return _save_form(
        request,
        form,
        lambda obj, changes: do_save_region(region=obj, acting_user=request.user, changes=changes),
        region,
        "orgs/form.html",
        f"编辑区划:{region}" if pk else "新增区划",
        "orgs:region_detail",
    )


@perm_required(Perm.ORGS_VIEW)
def region_export(request: AuthedRequest) -> HttpResponse:
    rows = spreadsheets.export_regions(_filtered_regions(request).order_by("path"))
    content = write_workbook([(spreadsheets.REGION_SHEET, spreadsheets.REGION_COLUMNS, rows)])
    return file_response(content, "行政区划.xlsx")


def _import_view(request: AuthedRequest, importer, template_title: str, back: str) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_upload(upload, file_name=upload.name)
            counts = importer(data, file_name=upload.name, acting_user=request.user)
        except WorkbookError as exc:
            errors = exc.errors
        else:
            messages.success(request, f"导入完成:新增 {counts['created']} 条,更新 {counts['updated']} 条。")
            return redirect(back)
    return render(request, "orgs/import.html", {"form": form, "errors": errors, "title": template_title, "back": back})


@perm_required(Perm.ORGS_MANAGE)
def region_import(request: AuthedRequest) -> HttpResponse:
    return _import_view(request, spreadsheets.import_regions, "导入行政区划", "orgs:region_list")


def _filtered_units(request: AuthedRequest):
    units = Unit.objects.visible_to(request.user).select_related("region", "parent")
    q = request.GET.get("q", "").strip()
    if q:
        units = units.filter(Q(name__contains=q) | Q(code__icontains=q))
    kind = request.GET.get("kind")
    if kind in UnitKind.values:
        units = units.filter(kind=kind)
    region = request.GET.get("region", "").strip()
    if region:
        units = units.filter(region__path__contains=f"/{region}")
    return units


@perm_required(Perm.ORGS_VIEW)
def unit_list(request: AuthedRequest) -> HttpResponse:
    units, current_sort = sort(
        request,
        _filtered_units(request),
        {"path": "path", "code": "code", "name": "name", "kind": "kind", "region": "region__code"},
        "path",
    )
    return render(
        request,
        "orgs/unit_list.html",
        {
            "page": paginate(request, units),
            "kinds": UnitKind.choices,
            "sort": current_sort,
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
            "can_manage": _can_manage(request),
        },
    )


@perm_required(Perm.ORGS_VIEW)
def unit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    children = Unit.objects.visible_to(request.user).filter(parent=unit).annotate(n_users=Count("users"))
    history = AuditLog.objects.visible_to(request.user).filter(model="orgs.unit", object_id=str(unit.pk))[:50]
    return render(
        request,
        "orgs/unit_detail.html",
        {"unit": unit, "children": children, "history": history, "can_manage": _can_manage(request)},
    )


@perm_required(Perm.ORGS_MANAGE)
def unit_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk, write=True) if pk else Unit()
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk) if pk else None, user=request.user)
    return _save_form(
        request,
        form,
        lambda obj, changes: do_save_unit(unit=obj, acting_user=request.user, changes=changes),
        unit,
        "orgs/form.html",
        f"编辑单位:{unit}" if pk else "新增单位",
        "orgs:unit_detail",
    )


@perm_required(Perm.ORGS_VIEW)
def unit_export(request: AuthedRequest) -> HttpResponse:
    rows = spreadsheets.export_units(_filtered_units(request).order_by("path"))
    content = write_workbook([(spreadsheets.UNIT_SHEET, spreadsheets.UNIT_COLUMNS, rows)])
    return file_response(content, "单位.xlsx")


@perm_required(Perm.ORGS_MANAGE)
def unit_import(request: AuthedRequest) -> HttpResponse:
    return _import_view(request, spreadsheets.import_units, "导入单位", "orgs:unit_list")


@require_POST
@perm_required(Perm.ORGS_MANAGE)
def unit_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk, write=True)
    do_save_unit(unit=unit, acting_user=request.user, changes={"is_active": not unit.is_active})
    messages.success(request, f"单位“{unit}”已{'启用' if unit.is_active else '停用'}。")
    return redirect("orgs:unit_detail", pk=unit.pk)
