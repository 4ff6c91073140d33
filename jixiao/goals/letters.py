"""审核意见书: one numbered Word letter per department for a batch of reviewed goals (docxtpl template)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from docxtpl import DocxTemplate

from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import require_perm
from jixiao.audit import recorder
from jixiao.goals.models import Goal, Grade, ReviewLetter
from jixiao.orgs.models import Unit

TEMPLATE_NAME = "goal_review_letter.docx"
CONSEQUENCES = {
    Grade.EXCELLENT: "审核通过,进入预算编审流程",
    Grade.GOOD: "与单位协商完善后进入预算编审流程",
    Grade.FAIR: "退回修改,完善后重新报送",
    Grade.POOR: "审核不通过,不得进入预算安排流程",
}


def template_path() -> Path:
    """Returns the letter template: the GOALS_LETTER_TEMPLATE setting, else DATA_DIR/templates/, else shipped."""
    configured = getattr(settings, "GOALS_LETTER_TEMPLATE", "")
    if configured and Path(configured).exists():
        return Path(configured)
    local = Path(settings.DATA_DIR) / "templates" / TEMPLATE_NAME
    return local if local.exists() else Path(__file__).resolve().parent / "docx" / TEMPLATE_NAME


@transaction.atomic
def do_issue_review_letter(department: Unit, goals: Sequence[Goal], *, acting_user: Any) -> ReviewLetter:
    """Numbers a new letter for the department's goals (year = current year, next sequence number)."""
    require_perm(acting_user, Perm.GOALS_REVIEW_FINANCE)
    year = timezone.localdate().year
    last = ReviewLetter.objects.select_for_update().filter(year=year).aggregate(m=Max("seq"))["m"] or 0
    letter = ReviewLetter.objects.create(
        year=year,
        seq=last + 1,
        department=department,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    letter.goals.set(goals)
    recorder.record_created(acting_user, letter, note=f"审核意见书 {letter.number},{len(goals)} 个项目")
    return letter


def _project_context(goal: Goal) -> dict[str, Any]:
    last = (
        goal.events.exclude(opinion="").exclude(kind__in=["withdraw", "import"]).order_by("-created_at", "-id").first()
    )
    findings = [f"[{f['code']}] {f['message']}" for f in goal.findings]
    opinions = [f"{r.name}:{r.review_opinion}" for r in goal.indicators.all() if r.review_opinion]
    return {
        "name": goal.project.name,
        "code": goal.project.code,
        "grade": goal.grade or "未定级",
        "consequence": CONSEQUENCES.get(goal.grade, "审核中"),  # type: ignore[call-overload]
        "overall_goal": goal.overall_goal or "(未填写)",
        "opinion": (last.opinion if last else "") or "无",
        "findings": findings + opinions or ["规范性审核未发现问题"],
    }


def render_letter(letter: ReviewLetter, goals: Sequence[Goal] | None = None) -> bytes:
    """Returns the .docx of the letter listing each project's result, findings and opinions."""
    goals = list(goals if goals is not None else letter.goals.select_related("project").order_by("project__code"))
    document = DocxTemplate(str(template_path()))
    document.render(
        {
            "issuer": getattr(settings, "GOALS_LETTER_ISSUER", "武汉市财政局"),
            "number": letter.number,
            "department": letter.department.name,
            "year": goals[0].year if goals else letter.year,
            "count": len(goals),
            "projects": [_project_context(g) for g in goals],
            "date": timezone.localtime(letter.created_at).strftime("%Y年%m月%d日"),
        }
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
