"""Goal pages: list with batch review and export, the goal page with its htmx indicator table, review, import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.core.downloads import file_response
from jixiao.core.excel import WorkbookError, read_upload, write_workbook
from jixiao.core.listing import paginate, query_without
from jixiao.core.types import AuthedRequest
from jixiao.goals import actions, checks, spreadsheets
from jixiao.goals.models import Goal, GoalIndicator, GoalStatus, Grade
from jixiao.goals.selectors import visible_goals
from jixiao.goals.tasks import start_batch_review
from jixiao.indicators.library import db_library
from jixiao.indicators.models import IndicatorTemplate
from jixiao.orgs.forms import ImportForm
from jixiao.projects.selectors import get_project_for_user

REVIEW_PERMS = (Perm.GOALS_REVIEW_DEPT, Perm.GOALS_REVIEW_FINANCE)


def _goal(request: AuthedRequest, pk: int) -> Goal:
    goal = get_object_or_404(visible_goals(request.user), pk=pk)
    return goal


def _filtered(request: AuthedRequest, perm: str = Perm.PROJECTS_VIEW):
    goals = visible_goals(request.user, perm)
    q = request.GET.get("q", "").strip()
    if q:
        goals = goals.filter(Q(project__name__contains=q) | Q(project__code__icontains=q))
    for param, lookup in (("year", "year"), ("status", "status"), ("department", "project__department__code")):
        value = request.GET.get(param, "").strip()
        if value:
            goals = goals.filter(**{lookup: value})
    district = request.GET.get("district", "").strip()
    if district:
        goals = goals.filter(project__region__path__contains=f"/{district}/")
    if request.GET.get("errors") == "1":
        goals = goals.filter(error_count__gt=0)
    return goals


LIST_FIELDS = ("id", "year", "status", "grade", "locked", "error_count", "warning_count", "project__code",
               "project__name", "project__department__name")  # fmt: skip


def _list_page(request: AuthedRequest):
    """Pages over goal ids only (a narrow sort on year + project code), then loads the page's 50 rows with just
    the columns the list shows: sorting 10 000 full joined rows dominated the page."""
    ids = _filtered(request).order_by("-year", "project__code").values_list("pk", flat=True)
    page = paginate(request, ids)
    page_ids = list(page.object_list)
    rows = (
        Goal.objects.filter(pk__in=page_ids)
        .select_related("project", "project__department")
        .only(*LIST_FIELDS)
        .order_by()
    ).in_bulk()
    page.object_list = [rows[pk] for pk in page_ids if pk in rows]
    return page


@perm_required(Perm.PROJECTS_VIEW)
def goal_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "goals/goal_list.html",
        {
            "page": _list_page(request),
            "statuses": GoalStatus.choices,
            "query": query_without(request, "page"),
            "can_review": any(user.has_perm_code(p) for p in REVIEW_PERMS),
            "can_fill": user.has_perm_code(Perm.GOALS_FILL),
            "can_letter": user.has_perm_code(Perm.GOALS_REVIEW_FINANCE),
        },
    )


def _table_context(request: AuthedRequest, goal: Goal) -> dict[str, Any]:
    rows = list(goal.indicators.select_related("template"))
    for index, row in enumerate(rows):
        row.row_findings = goal.findings_for(index)  # type: ignore[attr-defined]
    can_fill = goal.can_edit() and _may(request.user, goal, Perm.GOALS_FILL)
    library = db_library(goal.year).templates_for(checks.category_code(goal)) if can_fill else []
    templates = [
        t for t in IndicatorTemplate.objects.filter(code__in=[t.code for t in library]) if t.valid_in(goal.year)
    ]
    return {
        "goal": goal,
        "rows": rows,
        "goal_findings": goal.findings_for(None),
        "can_fill": can_fill,
        "templates": list({t.code: t for t in templates}.values()),
    }


def _may(user: Any, goal: Goal, perm: str) -> bool:
    try:
        actions.require_goal_perm(user, goal.project, perm)
    except PermissionDenied:
        return False
    return True


@perm_required(Perm.PROJECTS_VIEW)
def goal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = _goal(request, pk)
    step = goal.review_step()
    context = _table_context(request, goal)
    context.update(
        {
            "events": goal.events.select_related("actor"),
            "can_submit": goal.can_submit() and context["can_fill"],
            "can_accept": goal.can_accept() and _may(request.user, goal, Perm.GOALS_REVIEW_DEPT),
            "can_review": step is not None and _may(request.user, goal, actions.STEP_PERMS[step]),
            "can_adjust": goal.can_adjust() and _may(request.user, goal, Perm.GOALS_FILL),
        }
    )
    return render(request, "goals/goal_detail.html", context)


def _table(request: AuthedRequest, goal: Goal, error: str = "") -> HttpResponse:
    goal.refresh_from_db()
    context = _table_context(request, goal)
    context["error"] = error
    return render(request, "goals/_table.html", context)


def _fill_call(request: AuthedRequest, goal: Goal, call) -> HttpResponse:
    try:
        call()
    except actions.GoalConflict as exc:
        return _table(request, goal, exc.message)
    except ValidationError as exc:
        return _table(request, goal, ";".join(exc.messages))
    return _table(request, goal)


@require_POST
@perm_required(Perm.GOALS_FILL)
def goal_create(request: AuthedRequest, project_id: int) -> HttpResponse:
    project = get_project_for_user(request.user, project_id)
    try:
        goal = actions.do_create_goal(project, acting_user=request.user)
    except actions.GoalConflict as exc:
        messages.error(request, exc.message)
        existing = Goal.objects.filter(project=project).first()
        return redirect("goals:goal_detail", pk=existing.pk) if existing else redirect("goals:goal_list")
    return redirect("goals:goal_detail", pk=goal.pk)


@require_POST
@perm_required(Perm.GOALS_FILL)
def goal_text(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = _goal(request, pk)
    text = request.POST.get("overall_goal", "")
    return _fill_call(
        request, goal, lambda: actions.do_save_goal_text(goal, overall_goal=text, acting_user=request.user)
    )


@require_POST
@perm_required(Perm.GOALS_FILL)
def goal_indicator_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Adds a row from the library (`template` id) or a custom row (`name` …); returns the table."""
    goal = _goal(request, pk)
    template_id = request.POST.get("template", "").strip()
    if template_id.isdigit():
        template = get_object_or_404(IndicatorTemplate, pk=template_id)
        return _fill_call(
            request, goal, lambda: actions.do_add_indicator(goal, template=template, acting_user=request.user)
        )
    if not request.POST.get("name", "").strip():
        actions.require_goal_perm(request.user, goal.project, Perm.GOALS_FILL)
        return _table(request, goal, "请选择库指标,或填写自定义指标的名称。")
    data = {name: request.POST.get(name, "") for name in actions.INDICATOR_FIELDS}
    return _fill_call(request, goal, lambda: actions.do_add_indicator(goal, data=data, acting_user=request.user))


def _indicator(request: AuthedRequest, pk: int) -> GoalIndicator:
    row = get_object_or_404(GoalIndicator.objects.select_related("goal"), pk=pk)
    row.goal = _goal(request, row.goal_id)
    return row


@require_POST
@perm_required(Perm.GOALS_FILL)
def indicator_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Saves the cells posted for one indicator (htmx, one cell at a time) and returns the table."""
    row = _indicator(request, pk)
    changes: dict[str, Any] = {name: request.POST[name] for name in actions.INDICATOR_FIELDS if name in request.POST}
    if "core" in changes:
        changes["core"] = changes["core"] in ("on", "1", "true", "是")
    if not changes:
        actions.require_goal_perm(request.user, row.goal.project, Perm.GOALS_FILL)
        return _table(request, row.goal)
    return _fill_call(
        request, row.goal, lambda: actions.do_update_indicator(row, changes=changes, acting_user=request.user)
    )


@require_POST
@perm_required(Perm.GOALS_FILL)
def indicator_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    row = _indicator(request, pk)
    return _fill_call(request, row.goal, lambda: actions.do_delete_indicator(row, acting_user=request.user))


def _transition(request: AuthedRequest, pk: int, call) -> HttpResponse:
    goal = _goal(request, pk)
    try:
        call(goal)
    except actions.GoalConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, f"绩效目标当前状态:{goal.get_status_display()}")
    return redirect("goals:goal_detail", pk=goal.pk)


@require_POST
@perm_required(Perm.GOALS_FILL)
def goal_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, lambda g: actions.do_submit_goal(g, acting_user=request.user))


@require_POST
@perm_required(Perm.GOALS_REVIEW_DEPT)
def goal_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, lambda g: actions.do_accept_goal(g, acting_user=request.user))


@require_POST
@perm_required(Perm.GOALS_FILL)
def goal_adjust(request: AuthedRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _transition(
        request, pk, lambda g: actions.do_start_goal_adjustment(g, reason=reason, acting_user=request.user)
    )


@login_required
def goal_review(request: AuthedRequest, pk: int) -> HttpResponse:
    """The review form of the goal's current step: decision, grade, opinion and an opinion per indicator."""
    goal = _goal(request, pk)
    step = goal.review_step()
    if step is None:
        messages.error(request, "该绩效目标不在审核环节。")
        return redirect("goals:goal_detail", pk=goal.pk)
    actions.require_goal_perm(request.user, goal.project, actions.STEP_PERMS[step])
    rows = list(goal.indicators.all())
    error = ""
    if request.method == "POST":
        opinions = {r.pk: request.POST.get(f"opinion_{r.pk}", "") for r in rows}
        try:
            actions.do_review_goal(
                goal,
                decision=request.POST.get("decision", ""),
                grade=request.POST.get("grade", ""),
                opinion=request.POST.get("opinion", ""),
                indicator_opinions=opinions,
                acting_user=request.user,
            )
        except (ValidationError, actions.GoalConflict) as exc:
            error = exc.message if isinstance(exc, actions.GoalConflict) else ";".join(exc.messages)
        else:
            messages.success(request, f"审核完成,当前状态:{goal.get_status_display()}")
            return redirect("goals:goal_detail", pk=goal.pk)
    for index, row in enumerate(rows):
        row.row_findings = goal.findings_for(index)  # type: ignore[attr-defined]
    return render(request, "goals/goal_review.html", {"goal": goal, "rows": rows, "step": actions.STEP_LABELS[step],
                                                      "grades": Grade.choices, "error": error})  # fmt: skip


@perm_required(Perm.PROJECTS_VIEW)
def goal_export(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = _goal(request, pk)
    return file_response(spreadsheets.export_goal(goal), f"绩效目标申报表_{goal.project.code}.xlsx")


@perm_required(Perm.PROJECTS_VIEW)
def batch_export(request: AuthedRequest) -> HttpResponse:
    goals = list(_filtered(request).order_by("project__code")[:20000])
    return file_response(write_workbook([spreadsheets.many_sheet(goals)]), "绩效目标(批量).xlsx")


@perm_required(Perm.GOALS_FILL)
def goal_import(request: AuthedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_upload(upload, file_name=upload.name)
            counts = spreadsheets.import_goals(data, file_name=upload.name, acting_user=request.user)
        except WorkbookError as exc:
            errors = exc.errors
        else:
            messages.success(request, f"导入完成:{counts['goals']} 个项目、{counts['indicators']} 项指标。")
            return redirect("goals:goal_list")
    return render(
        request,
        "goals/import.html",
        {"form": form, "errors": errors, "title": "导入绩效目标", "back": "goals:goal_list"},
    )


@require_POST
@login_required
def batch_review(request: AuthedRequest) -> HttpResponse:
    """Re-runs the normative review over the filtered goals the user may review (a department or district)."""
    perm = next((p for p in REVIEW_PERMS if request.user.has_perm_code(p)), None)
    if perm is None:
        raise PermissionDenied("您没有执行该操作的权限。")
    ids = list(_filtered(request, perm).values_list("pk", flat=True))
    queued, counts = start_batch_review(ids)
    if queued:
        messages.info(request, f"已提交后台批量审核 {len(ids)} 个绩效目标,稍后刷新查看结果。")
    elif counts:
        messages.success(request, f"批量审核完成:{counts['goals']} 个绩效目标,其中 {counts['errors']} 个有错误。")
    return redirect(reverse("goals:goal_list") + "?" + request.GET.urlencode())
