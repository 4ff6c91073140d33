from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.core.downloads import file_response
from jixiao.core.excel import WorkbookError, read_upload, write_workbook
from jixiao.core.listing import paginate, query_without, sort
from jixiao.orgs.models import Region, RegionLevel
from jixiao.projects import importer, spreadsheets, transitions
from jixiao.projects.actions import (
    ProjectRefused,
    can_transition,
    do_create_project,
    do_request_budget,
    do_transition_project,
    do_update_project,
)
from jixiao.projects.forms import ImportForm, ProjectForm, TransitionForm
from jixiao.projects.models import Category, Project, ProjectStatus
from jixiao.projects.selectors import SORTS, filter_projects, get_project_for_user, goal_of, goal_url


def _filtered(request: HttpRequest):
    g = request.GET
    projects = Project.objects.visible_to(request.user)
    return filter_projects(
        projects,
        year=g.get("year"),
        status=g.get("status"),
        category=g.get("category"),
        district=g.get("district"),
        unit=g.get("unit", "").strip(),
        q=g.get("q"),
    )


@perm_required(Perm.PROJECTS_VIEW)
def project_list(request: HttpRequest) -> HttpResponse:
    projects = _filtered(request).select_related("category", "region", "unit")
    projects, current_sort = sort(request, projects, SORTS, "-year")
    return render(
        request,
        "projects/project_list.html",
        {
            "page": paginate(request, projects),
            "statuses": ProjectStatus.choices,
            "categories": Category.objects.filter(parent__isnull=True),
            "districts": Region.objects.filter(level=RegionLevel.DISTRICT),
            "years": range(2018, 2027),
            "sort": current_sort,
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
            "can_edit": request.user.has_perm_code(Perm.PROJECTS_EDIT),  # type: ignore[union-attr]
        },
    )


@perm_required(Perm.PROJECTS_VIEW)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    moves = [t for t in transitions.leaving(project.status) if can_transition(request.user, project, t.target)]
    can_edit = project.status not in transitions.FINAL and _editable(request, project)
    goal = goal_of(project)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "funds": project.funds.all(),
            "events": project.events.select_related("actor"),
            "moves": moves,
            "goal": goal,
            "goal_url": goal_url(project, goal),
            "can_edit": can_edit,
        },
    )


def _editable(request: HttpRequest, project: Project) -> bool:
    return Project.objects.visible_to(request.user, Perm.PROJECTS_EDIT).filter(pk=project.pk).exists()


@perm_required(Perm.PROJECTS_EDIT)
def project_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    project = get_project_for_user(request.user, pk, write=True) if pk else Project()
    form = ProjectForm(request.POST or None, instance=project if pk else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if pk:
                saved = do_update_project(project, acting_user=request.user, changes=form.changes(), funds=form.funds())
            else:
                saved = do_create_project(acting_user=request.user, changes=form.changes(), funds=form.funds())
        except ValidationError as exc:
            _add_errors(form, exc)
        except ProjectRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存:{saved}")
            return redirect("projects:project_detail", pk=saved.pk)
    title = f"编辑项目:{project}" if pk else "新增项目"
    return render(request, "projects/project_form.html", {"form": form, "title": title, "project": project})


def _add_errors(form: ProjectForm, exc: ValidationError) -> None:
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for field, errs in pairs:
        for err in errs:
            form.add_error(field if field in form.fields else None, err)


@require_POST
@perm_required(Perm.PROJECTS_VIEW)
def project_transition(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    if not any(can_transition(request.user, project, t.target) for t in transitions.leaving(project.status)):
        raise PermissionDenied("您没有变更该项目状态的权限。")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择要变更的状态。")
        return redirect("projects:project_detail", pk=project.pk)
    try:
        do_transition_project(
            project, form.cleaned_data["to"], acting_user=request.user, note=form.cleaned_data["note"]
        )
    except ProjectRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"项目状态已变更为“{ProjectStatus(form.cleaned_data['to']).label}”。")
    return redirect("projects:project_detail", pk=project.pk)


@require_POST
@perm_required(Perm.PROJECTS_EDIT)
def project_request_budget(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk, write=True)
    try:
        do_request_budget(project, acting_user=request.user)
    except ProjectRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已申请预算。")
    return redirect("projects:project_detail", pk=project.pk)


@perm_required(Perm.PROJECTS_VIEW)
def project_export(request: HttpRequest) -> HttpResponse:
    projects = _filtered(request).order_by("year", "code")
    rows = spreadsheets.export_rows(projects)
    content = write_workbook([(spreadsheets.SHEET, spreadsheets.COLUMNS, rows)])
    return file_response(content, "项目库.xlsx")


@perm_required(Perm.PROJECTS_EDIT)
def project_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_upload(upload, file_name=upload.name)
            counts = importer.import_projects(data, file_name=upload.name, acting_user=request.user)
        except WorkbookError as exc:
            errors = exc.errors
        else:
            goals = f";绩效目标 {counts['goals']} 个、指标 {counts['indicators']} 项" if "goals" in counts else ""
            messages.success(
                request,
                f"导入完成:新增 {counts['created']} 个项目,更新 {counts['updated']} 个,未变化 {counts['unchanged']} 个"
                f"{goals}。",
            )
            return redirect("projects:project_list")
    return render(request, "projects/import.html", {"form": form, "errors": errors})
