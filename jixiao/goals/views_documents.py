"""Document pages: 审核意见书 (issue, list, download) and the public page of approved goals per budget year."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.core.downloads import file_response
from jixiao.core.types import AuthedRequest
from jixiao.goals.letters import do_issue_review_letter, render_letter
from jixiao.goals.models import Goal, GoalIndicator, GoalStatus, ReviewLetter
from jixiao.goals.selectors import visible_goals
from jixiao.orgs.models import Unit


@perm_required(Perm.GOALS_REVIEW_FINANCE)
def letter_list(request: AuthedRequest) -> HttpResponse:
    reviewed = visible_goals(request.user, Perm.GOALS_REVIEW_FINANCE).exclude(grade="")
    departments = Unit.objects.filter(pk__in=reviewed.values("project__department")).order_by("code")
    letters = ReviewLetter.objects.filter(goals__in=reviewed).distinct().select_related("department").order_by("-id")
    return render(request, "goals/letter_list.html", {"letters": letters[:100], "departments": departments})


@require_POST
@perm_required(Perm.GOALS_REVIEW_FINANCE)
def letter_create(request: AuthedRequest) -> HttpResponse:
    """Issues a letter for the department's reviewed goals of a budget year (those the user may review)."""
    department = Unit.objects.filter(code=request.POST.get("department", "")).first()
    year = request.POST.get("year", "")
    queryset = visible_goals(request.user, Perm.GOALS_REVIEW_FINANCE).exclude(grade="")
    queryset = queryset.filter(project__department=department)
    if year.isdigit():
        queryset = queryset.filter(year=int(year))
    goals = list(queryset.order_by("project__code"))
    if department is None or not goals:
        messages.error(request, "请选择有已审核项目的主管部门(及年度)。")
        return redirect("goals:letter_list")
    letter = do_issue_review_letter(department, goals, acting_user=request.user)
    messages.success(request, f"已生成审核意见书 {letter.number}({len(goals)} 个项目)。")
    return redirect("goals:letter_list")


@perm_required(Perm.GOALS_REVIEW_FINANCE)
def letter_download(request: AuthedRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(ReviewLetter.objects.select_related("department"), pk=pk)
    goals = visible_goals(request.user, Perm.GOALS_REVIEW_FINANCE).filter(letters=letter).order_by("project__code")
    if not goals.exists():
        return render(request, "core/error.html", {"code": 404, "message": "无权查看该审核意见书。"}, status=404)
    return file_response(render_letter(letter, list(goals)), f"审核意见书_{letter.number}.docx")


def public_year(request: HttpRequest, year: int) -> HttpResponse:
    """Approved goal tables of a budget year, for the public (信息公开): no login, no personal data."""
    goals = list(
        Goal.objects.filter(year=year, status=GoalStatus.APPROVED)
        .select_related("project", "project__department", "project__unit", "project__region")
        .order_by("project__department__code", "project__code")[:2000]
    )
    rows: dict[int, list[GoalIndicator]] = {}
    for row in GoalIndicator.objects.filter(goal__in=goals).order_by("goal", "sort", "id"):
        rows.setdefault(row.goal_id, []).append(row)
    for goal in goals:
        goal.public_rows = rows.get(goal.pk, [])  # type: ignore[attr-defined]
    return render(request, "goals/public_year.html", {"year": year, "goals": goals})
