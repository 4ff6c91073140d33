from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.core.downloads import file_response
from jixiao.core.excel import WorkbookError, write_workbook
from jixiao.core.listing import query_without
from jixiao.funds import rules, spreadsheets
from jixiao.funds.actions import do_release_hold
from jixiao.funds.forms import FundImportForm
from jixiao.funds.importer import import_funds, template_rows
from jixiao.funds.models import Allocation, Payment, PaymentHold
from jixiao.funds.selectors import get_project_for_funds, project_figures, rollup, rollup_by_source, total_of
from jixiao.projects.models import Project

MAX_UPLOAD = 20 * 1024 * 1024


def _year(request: HttpRequest) -> str:
    """The year filter: as asked, “all”, or by default the latest year with fund records in scope."""
    if "year" in request.GET:
        return request.GET["year"].strip()
    latest = (
        Allocation.objects.visible_to(request.user).order_by("-project__year").values_list("project__year", flat=True)
    ).first()
    return str(latest) if latest else "all"


def _projects(request: HttpRequest) -> QuerySet[Project]:
    projects = Project.objects.visible_to(request.user)
    year = _year(request)
    if year.isdigit():
        projects = projects.filter(year=int(year))
    q = request.GET.get("q", "").strip()
    if q:
        projects = projects.filter(Q(name__contains=q) | Q(code__icontains=q))
    return projects.order_by("code")


def _rollups(figures, projects) -> dict:
    return {
        "按实施单位": rollup(figures, "unit"),
        "按主管部门": rollup(figures, "department"),
        "按区": rollup(figures, "district"),
        "按资金来源": rollup_by_source(projects),
    }


def _user(request: HttpRequest) -> Any:
    """The signed-in user (views run behind perm_required)."""
    return request.user


@perm_required(Perm.PROJECTS_VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    projects = _projects(request)
    figures = project_figures(projects)
    today = timezone.localdate()
    outcomes = rules.warnings(projects, as_of=today, figures=figures)
    for item in figures:
        item.extra["days"] = item.days_since(today)
    holds = PaymentHold.objects.visible_to(request.user).filter(released_at__isnull=True).select_related("project")
    years = Project.objects.visible_to(request.user).values_list("year", flat=True).distinct().order_by("-year")
    return render(
        request,
        "funds/overview.html",
        {
            "page": Paginator(figures, 50).get_page(request.GET.get("page")),
            "total": total_of(figures),
            "rollups": _rollups(figures, projects),
            "outcomes": outcomes,
            "holds": holds[:50],
            "today": today,
            "years": years,
            "year": _year(request),
            "query": query_without(request, "page"),
            "can_manage": _user(request).has_perm_code(Perm.FUNDS_MANAGE),
        },
    )


@perm_required(Perm.PROJECTS_VIEW)
def export(request: HttpRequest) -> HttpResponse:
    projects = _projects(request)
    figures = project_figures(projects)
    today = timezone.localdate()
    content = spreadsheets.export_overview(
        figures=figures,
        rollups=_rollups(figures, projects),
        outcomes=rules.warnings(projects, as_of=today, figures=figures),
        today=today,
    )
    return file_response(content, "资金执行情况.xlsx")


@perm_required(Perm.FUNDS_MANAGE)
def import_file(request: HttpRequest) -> HttpResponse:
    form = FundImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD:
                raise WorkbookError([])
            result = import_funds(upload.read(), file_name=upload.name, acting_user=request.user)
        except WorkbookError as exc:
            errors = exc.errors or ["文件过大(上限 20 MB)"]
        else:
            messages.success(
                request,
                f"导入完成:新增 {result.created} 条,更新 {result.updated} 条,未变化 {result.unchanged} 条。",
            )
            return redirect("funds:overview")
    return render(request, "funds/import.html", {"form": form, "errors": errors})


@perm_required(Perm.PROJECTS_VIEW)
def template(request: HttpRequest) -> HttpResponse:
    return file_response(write_workbook(template_rows()), "资金导入模板.xlsx")


@perm_required(Perm.PROJECTS_VIEW)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_funds(request.user, pk)
    one = Project.objects.filter(pk=project.pk)
    today = timezone.localdate()
    return render(
        request,
        "funds/project_detail.html",
        {
            "project": project,
            "figures": project_figures(one)[0],
            "allocations": Allocation.objects.filter(project=project),
            "payments": Payment.objects.filter(project=project),
            "holds": PaymentHold.objects.filter(project=project),
            "can_manage": _user(request).has_perm_code(Perm.FUNDS_MANAGE),
            "outcomes": rules.warnings(one, as_of=today),
            "today": today,
        },
    )


@require_POST
@perm_required(Perm.FUNDS_MANAGE)
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(PaymentHold.objects.visible_to(request.user), pk=pk)
    get_project_for_funds(request.user, hold.project_id, write=True)
    try:
        do_release_hold(hold=hold, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已解除暂缓拨款。")
    return redirect("funds:project_detail", pk=hold.project_id)
