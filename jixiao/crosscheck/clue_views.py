"""Pages for clues: list, detail with workflow buttons, reveal, export and dashboards."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.core.downloads import file_response
from jixiao.core.excel import Column, write_workbook
from jixiao.core.listing import paginate, query_without, sort
from jixiao.crosscheck import idnumber
from jixiao.crosscheck.actions import (
    TransitionRefused,
    do_reveal_clue_id,
    do_transition_clue,
    record_clue_export,
    record_clue_view,
)
from jixiao.crosscheck.evidence import table as evidence_table
from jixiao.crosscheck.forms import RULE_CHOICES, TransitionForm
from jixiao.crosscheck.models import Clue, Run
from jixiao.crosscheck.selectors import dashboard as dashboard_data
from jixiao.crosscheck.selectors import filter_clues, get_clue_for_user, latest_run, mask_text
from jixiao.crosscheck.views import can, require_reader
from jixiao.crosscheck.workflow import ClueStatus, available
from jixiao.orgs.models import Region

SORTS = {
    "amount": "amount_at_risk",
    "severity": "severity_rank",
    "rule": "rule",
    "status": "status",
    "period": "period",
}
EXPORT_LIMIT = 100_000


def _district_names() -> dict[str, str]:
    """District names by code: the demo/production regions first, the ID module's code list as a fallback."""
    names = {
        code: name.removeprefix("湖北省武汉市")
        for code, name in idnumber.region_codes().items()
        if code.startswith("4201") and not code.endswith("01")
    }
    return names | dict(Region.objects.filter(level="district").values_list("code", "name"))


def _clue_filters(request: HttpRequest):
    clues = filter_clues(request.user, request.GET)
    return sort(request, clues, SORTS, "-amount")


@login_required
def clue_list(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    clues, current = _clue_filters(request)
    page = paginate(request, clues)
    names = _district_names()
    for clue in page:
        clue.district_name = clue.region.name if clue.region else names.get(clue.region_code[:6], clue.region_code)
    return render(
        request,
        "crosscheck/clue_list.html",
        {
            "page": page,
            "rules": RULE_CHOICES,
            "statuses": ClueStatus.choices,
            "districts": sorted(_district_names().items()),
            "programs": Clue.objects.visible_to(request.user)
            .order_by("program")
            .values_list("program", "program_name")
            .distinct(),
            "sort": current,
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
        },
    )


EXPORT_COLUMNS = [
    Column("rule", "规则编号", width=8),
    Column("rule_title", "规则名称", width=30),
    Column("person_id", "身份证号(脱敏)", width=22),
    Column("person_name", "姓名", width=10),
    Column("program", "项目编码", width=10),
    Column("program_name", "项目名称", width=22),
    Column("region_code", "区划代码", width=10),
    Column("periods", "涉及期间", width=30),
    Column("amount_at_risk", "涉及金额(元)", width=14),
    Column("severity", "严重程度", width=8),
    Column("status", "状态", width=10),
    Column("unit", "交办单位", width=24),
    Column("deadline", "核实期限", width=12),
    Column("result", "核实结果", width=10),
    Column("recovered", "追回金额(元)", width=14),
]


@login_required
def clue_export(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    clues, _ = _clue_filters(request)
    rows = [
        [
            c.rule,
            c.rule_title,
            c.masked_id,
            c.person_name,
            c.program,
            c.program_name,
            c.region_code,
            c.periods,
            c.amount_at_risk,
            c.severity_label,
            c.get_status_display(),
            c.assigned_unit.name if c.assigned_unit else "",
            c.deadline,
            c.get_verify_result_display(),
            c.recovered_amount,
        ]
        for c in clues[:EXPORT_LIMIT]
    ]
    record_clue_export(acting_user=request.user, count=len(rows), note=query_without(request, "page")[:500])
    return file_response(write_workbook([("问题线索", EXPORT_COLUMNS, rows)]), "问题线索.xlsx")


@login_required
def clue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_reader(request.user)
    clue = get_clue_for_user(request.user, pk)
    record_clue_view(acting_user=request.user, clue=clue)
    return render(request, "crosscheck/clue_detail.html", _detail_context(request, clue))


def _detail_context(request: HttpRequest, clue: Clue, form: TransitionForm | None = None) -> dict:
    user: Any = request.user
    perms: set[str] = user.perm_codes()
    writable: set[str] = {
        str(p)
        for p in (Perm.CROSSCHECK_RUN, Perm.CROSSCHECK_VERIFY)
        if p in perms and Clue.objects.visible_to(request.user, p).filter(pk=clue.pk).exists()
    }
    return {
        "clue": clue,
        "evidence": evidence_table(mask_text(clue.evidence)),
        "events": clue.events.select_related("actor"),
        "transitions": available(clue, writable),
        "form": form or TransitionForm(user=request.user),
        "can_reveal": Perm.CROSSCHECK_REVEAL in perms,
    }


@require_POST
@perm_required(Perm.CROSSCHECK_REVEAL)
def clue_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    clue = get_clue_for_user(request.user, pk)
    full = do_reveal_clue_id(clue, acting_user=request.user)
    return render(request, "crosscheck/_revealed_id.html", {"clue": clue, "full_id": full})


@require_POST
@login_required
def clue_transition(request: HttpRequest, pk: int) -> HttpResponse:
    if not (can(request, Perm.CROSSCHECK_RUN) or can(request, Perm.CROSSCHECK_VERIFY)):
        raise PermissionDenied("您没有处理线索的权限。")
    clue = get_clue_for_user(request.user, pk)
    form = TransitionForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "提交的内容有误:" + ";".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("crosscheck:clue_detail", pk=clue.pk)
    data = {k: v for k, v in form.cleaned_data.items() if k != "action"}
    try:
        do_transition_clue(clue, form.cleaned_data["action"], data, acting_user=request.user)
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已办理。")
    return redirect("crosscheck:clue_detail", pk=clue.pk)


def _chart(rows: list[dict], label, value: str) -> str:
    return json.dumps(
        {"type": "bar", "labels": [label(r) for r in rows[:15]], "values": [float(r[value] or 0) for r in rows[:15]]},
        ensure_ascii=False,
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    clues = Clue.objects.visible_to(request.user)
    run = None
    if (request.GET.get("run") or "").isdigit():
        run = Run.objects.filter(pk=int(request.GET["run"]), pk__in=clues.values("run_id")).first()
        clues = clues.filter(run=run)
    data = dashboard_data(clues)
    names = _district_names()
    for row in data["districts"]:
        row["name"] = names.get(row["region_code"], row["region_code"] or "未匹配区划")
    status_rows = [r for r in data["statuses"] if r["n"]]
    return render(
        request,
        "crosscheck/dashboard.html",
        {
            "run": run,
            "latest": latest_run(request.user),
            "data": data,
            "rule_chart": _chart(data["rules"], lambda r: r["rule"], "amount"),
            "program_chart": _chart(data["programs"], lambda r: r["program_name"] or r["program"], "amount"),
            "district_chart": _chart(data["districts"], lambda r: r["name"], "n"),
            "status_chart": json.dumps(
                {"type": "pie", "labels": [r["label"] for r in status_rows], "values": [r["n"] for r in status_rows]},
                ensure_ascii=False,
            ),
        },
    )
