from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.core.downloads import file_response
from jixiao.core.listing import paginate, query_without
from jixiao.monitoring import actions, spreadsheets
from jixiao.monitoring.forms import RoundForm
from jixiao.monitoring.models import EVENT_LABELS, Cause, Likelihood, MonitoringRound, WarningLevel
from jixiao.monitoring.selectors import get_report_for_user, get_round, group_reports, level_counts, reports_for


def _user(request: HttpRequest) -> Any:
    """The signed-in user (views run behind perm_required)."""
    return request.user


@perm_required(Perm.PROJECTS_VIEW)
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = MonitoringRound.objects.all()
    return render(
        request,
        "monitoring/round_list.html",
        {
            "page": paginate(request, rounds),
            "query": "",
            "can_manage": _user(request).has_perm_code(Perm.MONITORING_MANAGE),
        },
    )


@perm_required(Perm.MONITORING_MANAGE)
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            monitoring_round = actions.do_open_round(
                name=data["name"] or "",
                year=data["year"],
                cutoff_month=data["cutoff_month"],
                deadline=data["deadline"],
                department=data["department"],
                district=data["district"],
                thresholds=form.thresholds(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"已下发监控任务:{monitoring_round},共 {monitoring_round.reports.count()} 个项目。"
            )
            return redirect("monitoring:round_detail", pk=monitoring_round.pk)
    return render(request, "monitoring/round_form.html", {"form": form})


def _chart(kind: str, labels: list[str], values: list[Any]) -> str:
    return json.dumps({"type": kind, "labels": labels, "values": values}, ensure_ascii=False)


@perm_required(Perm.PROJECTS_VIEW)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    monitoring_round = get_round(pk)
    reports = reports_for(request.user, monitoring_round)
    level = request.GET.get("level")
    all_reports = list(reports)
    by_department = group_reports(all_reports, "department")
    by_district = group_reports(all_reports, "district")
    counts = level_counts(all_reports)
    shown = reports.filter(warning_level=level) if level in WarningLevel.values else reports
    return render(
        request,
        "monitoring/round_detail.html",
        {
            "round": monitoring_round,
            "page": paginate(request, shown),
            "query": query_without(request, "page"),
            "counts": counts,
            "levels": WarningLevel.choices,
            "by_department": by_department,
            "by_district": by_district,
            "level_chart": _chart("pie", list(counts), list(counts.values())),
            "department_chart": _chart(
                "bar", [g.label for g in by_department], [float(g.rate or 0) for g in by_department]
            ),
            "district_chart": _chart("bar", [g.label for g in by_district], [float(g.rate or 0) for g in by_district]),
        },
    )


@perm_required(Perm.PROJECTS_VIEW)
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    monitoring_round = get_round(pk)
    reports = list(reports_for(request.user, monitoring_round))
    content = spreadsheets.summary_workbook(
        reports, group_reports(reports, "department"), group_reports(reports, "district")
    )
    return file_response(content, f"{monitoring_round.name}汇总.xlsx")


def _can(request: HttpRequest, report, perm: str) -> bool:
    from jixiao.monitoring.models import MonitoringReport

    return (
        _user(request).has_perm_code(perm)
        and MonitoringReport.objects.visible_to(request.user, perm).filter(pk=report.pk).exists()
    )


@perm_required(Perm.PROJECTS_VIEW)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    return render(
        request,
        "monitoring/report_detail.html",
        {
            "report": report,
            "lines": report.lines.all(),
            "events": report.events.select_related("actor"),
            "event_labels": EVENT_LABELS,
            "can_fill": report.can_edit() and _can(request, report, Perm.MONITORING_FILL),
            "can_manage": _can(request, report, Perm.MONITORING_MANAGE),
        },
    )


def _amount(text: str) -> Decimal | None:
    text = (text or "").replace(",", "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"金额“{text}”应为数字。")


def _posted_lines(request: HttpRequest, report) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for line in report.lines.all():
        prefix = f"line-{line.pk}-"
        lines.append({"id": line.pk, **{f: request.POST.get(prefix + f, "") for f in actions.FILL_FIELDS}})
    for index in range(3):
        prefix = f"new-{index}-"
        if request.POST.get(prefix + "name", "").strip():
            fields = actions.FILL_FIELDS + actions.NEW_LINE_FIELDS
            lines.append({f: request.POST.get(prefix + f, "") for f in fields})
    return lines


@perm_required(Perm.MONITORING_FILL)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk, write=True)
    if not report.can_edit():
        messages.error(request, f"监控表状态为“{report.get_status_display()}”,不能修改。")
        return redirect("monitoring:report_detail", pk=report.pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            amounts = {name: _amount(request.POST.get(name, "")) for name in actions.AMOUNT_FIELDS}
            actions.do_save_report(
                report, amounts=amounts, lines=_posted_lines(request, report), acting_user=request.user
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            try:
                if "submit" in request.POST:
                    actions.do_submit_report(report, acting_user=request.user)
            except ValidationError as exc:
                errors = ["已保存,但还不能提交:", *exc.messages]
            else:
                messages.success(request, "已提交监控表。" if "submit" in request.POST else "已保存监控表。")
                return redirect("monitoring:report_detail", pk=report.pk)
    return render(
        request,
        "monitoring/report_edit.html",
        {
            "report": report,
            "lines": report.lines.all(),
            "errors": errors,
            "likelihoods": Likelihood.choices,
            "causes": Cause.choices,
            "new_rows": range(3) if not report.lines.exists() else range(1),
            "post": request.POST,
        },
    )


def _transition(request: HttpRequest, pk: int, perm: str, run) -> HttpResponse:
    report = get_report_for_user(request.user, pk, write_perm=perm, write=True)
    try:
        message = run(report)
    except (ValidationError, actions.MonitoringConflict) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, message)
    return redirect("monitoring:report_detail", pk=report.pk)


@require_POST
@perm_required(Perm.MONITORING_FILL)
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    def run(report):
        actions.do_submit_report(report, acting_user=request.user)
        return "已提交监控表,等待审核。"

    return _transition(request, pk, Perm.MONITORING_FILL, run)


@require_POST
@perm_required(Perm.MONITORING_MANAGE)
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    decision = request.POST.get("decision", "")

    def run(report):
        actions.do_review_report(
            report, decision=decision, opinion=request.POST.get("opinion", ""), acting_user=request.user
        )
        return "已审核通过。" if decision == "approve" else "已退回监控表。"

    return _transition(request, pk, Perm.MONITORING_MANAGE, run)


@require_POST
@perm_required(Perm.MONITORING_MANAGE)
def report_hold(request: HttpRequest, pk: int) -> HttpResponse:
    def run(report):
        actions.do_hold_report_payments(report, reason=request.POST.get("reason", ""), acting_user=request.user)
        return "已暂缓拨款,资金页面将显示该项目。"

    return _transition(request, pk, Perm.MONITORING_MANAGE, run)


@require_POST
@perm_required(Perm.MONITORING_MANAGE)
def report_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        Perm.MONITORING_MANAGE,
        lambda report: actions.do_request_adjustment(
            report, reason=request.POST.get("reason", ""), acting_user=request.user
        ),
    )


@perm_required(Perm.PROJECTS_VIEW)
def report_export(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    return file_response(spreadsheets.report_workbook(report), f"监控表-{report.project.code}.xlsx")
