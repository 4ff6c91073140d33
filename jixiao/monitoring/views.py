"""Monitoring pages: rounds with their summaries and charts, the 监控表 with its workflow buttons and history."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.core.downloads import file_response
from jixiao.core.listing import paginate, query_without
from jixiao.core.types import AuthedRequest
from jixiao.monitoring import actions, round_actions, spreadsheets
from jixiao.monitoring.filling import AMOUNT_FIELDS, FILL_FIELDS, NEW_LINE_FIELDS
from jixiao.monitoring.forms import ExtendForm, RoundForm
from jixiao.monitoring.models import (
    Cause,
    Likelihood,
    MonitoringReport,
    MonitoringRound,
    ReportStatus,
    ReviewStep,
)
from jixiao.monitoring.selectors import (
    LEVEL_FILTERS,
    can_manage_round,
    filter_reports,
    get_report_for_user,
    get_round,
    group_reports,
    is_held,
    level_counts,
    moves_for,
    reports_for,
    status_counts,
)

LEVEL_CHOICES = [("red", "红色预警"), ("yellow", "黄色预警"), ("none", "无预警")]


@perm_required(Perm.PROJECTS_VIEW)
def round_list(request: AuthedRequest) -> HttpResponse:
    rounds = MonitoringRound.objects.all()
    return render(
        request,
        "monitoring/round_list.html",
        {
            "page": paginate(request, rounds),
            "query": "",
            "can_manage": request.user.has_perm_code(Perm.MONITORING_MANAGE),
        },
    )


@perm_required(Perm.MONITORING_MANAGE)
def round_create(request: AuthedRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            monitoring_round = round_actions.do_open_round(
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
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, f"已下发监控任务:{monitoring_round},共 {monitoring_round.reports.count()} 个项目。"
            )
            return redirect("monitoring:round_detail", pk=monitoring_round.pk)
    return render(request, "monitoring/round_form.html", {"form": form})


def _chart(kind: str, labels: list[str], values: list[Any]) -> str:
    return json.dumps({"type": kind, "labels": labels, "values": values}, ensure_ascii=False)


@perm_required(Perm.PROJECTS_VIEW)
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    monitoring_round = get_round(pk)
    reports = reports_for(request.user, monitoring_round)
    all_reports = list(reports)
    status = request.GET.get("status", "")
    level = request.GET.get("level", "")
    shown = filter_reports(
        reports,
        status=status if status in ReportStatus.values else None,
        level=level if level in LEVEL_FILTERS else None,
    )
    by_department = group_reports(all_reports, "department")
    by_district = group_reports(all_reports, "district")
    counts = level_counts(all_reports)
    per_status = status_counts(all_reports)
    return render(
        request,
        "monitoring/round_detail.html",
        {
            "round": monitoring_round,
            "can_manage": can_manage_round(request.user, monitoring_round),
            "extend_form": ExtendForm(initial={"deadline": monitoring_round.deadline}),
            "round_events": monitoring_round.events.select_related("actor"),
            "page": paginate(request, shown),
            "query": query_without(request, "page"),
            "counts": counts,
            "status_counts": [(label, per_status[value]) for value, label in ReportStatus.choices],
            "statuses": ReportStatus.choices,
            "levels": LEVEL_CHOICES,
            "status": status,
            "level": level,
            "by_department": by_department,
            "by_district": by_district,
            "level_chart": _chart("pie", list(counts), list(counts.values())),
            "department_chart": _chart(
                "bar", [g.label for g in by_department], [float(g.rate or 0) for g in by_department]
            ),
            "district_chart": _chart("bar", [g.label for g in by_district], [float(g.rate or 0) for g in by_district]),
        },
    )


@perm_required(Perm.MONITORING_MANAGE)
def round_close(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (what closing locks), POST closes the round."""
    monitoring_round = get_round(pk)
    round_actions.ensure_round_manager(request.user, monitoring_round)
    if request.method == "POST":
        try:
            round_actions.do_close_round(
                monitoring_round, opinion=request.POST.get("opinion", ""), acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, ";".join(exc.messages))
        else:
            messages.success(request, f"已结束监控批次“{monitoring_round.name}”,项目单位不能再填报或提交。")
        return redirect("monitoring:round_detail", pk=monitoring_round.pk)
    per_status = status_counts(monitoring_round.reports.all())
    return render(
        request,
        "monitoring/round_close.html",
        {
            "round": monitoring_round,
            "with_units": per_status[ReportStatus.DRAFT] + per_status[ReportStatus.RETURNED],
            "in_review": per_status[ReportStatus.SUBMITTED] + per_status[ReportStatus.FINANCE_REVIEW],
        },
    )


@require_POST
@perm_required(Perm.MONITORING_MANAGE)
def round_extend(request: AuthedRequest, pk: int) -> HttpResponse:
    monitoring_round = get_round(pk)
    round_actions.ensure_round_manager(request.user, monitoring_round)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的新截止日期(如 2026-07-31)。")
        return redirect("monitoring:round_detail", pk=monitoring_round.pk)
    was_closed = monitoring_round.is_closed
    try:
        round_actions.do_extend_round(
            monitoring_round,
            deadline=form.cleaned_data["deadline"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        done = "已重新开放批次" if was_closed else "已延期"
        messages.success(request, f"{done},填报截止日期为 {monitoring_round.deadline:%Y-%m-%d}。")
    return redirect("monitoring:round_detail", pk=monitoring_round.pk)


@perm_required(Perm.PROJECTS_VIEW)
def round_export(request: AuthedRequest, pk: int) -> HttpResponse:
    monitoring_round = get_round(pk)
    reports = list(reports_for(request.user, monitoring_round))
    content = spreadsheets.summary_workbook(
        reports, group_reports(reports, "department"), group_reports(reports, "district")
    )
    return file_response(content, f"{monitoring_round.name}汇总.xlsx")


def _last_return(report: MonitoringReport) -> Any:
    """The latest 退回 event when the 监控表 is back with the unit (its opinion is what to fix)."""
    if report.status != ReportStatus.RETURNED:
        return None
    return report.events.filter(kind="return").select_related("actor").order_by("-created_at", "-id").first()


@perm_required(Perm.PROJECTS_VIEW)
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    return render(
        request,
        "monitoring/report_detail.html",
        {
            "report": report,
            "lines": report.lines.all(),
            "events": report.events.select_related("actor"),
            "moves": moves_for(request.user, report),
            "returned": _last_return(report),
            "hold": actions.active_hold(report),
            "held": is_held(report),
            "steps": _progress(report),
        },
    )


def _progress(report: MonitoringReport) -> list[tuple[str, str]]:
    """The workflow's stages with their state for the page's step bar: done, current or todo."""
    order = [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.FINANCE_REVIEW, ReportStatus.APPROVED]
    labels = ["单位填报", "主管部门审核", "财政审核", "审核通过"]
    current = order.index(ReportStatus(report.status)) if report.status in order else 0
    if report.status == ReportStatus.APPROVED:
        current = len(order)
    return [
        (label, "done" if index < current else "current" if index == current else "todo")
        for index, label in enumerate(labels)
    ]


def _posted_lines(request: AuthedRequest, report: MonitoringReport) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for line in report.lines.all():
        prefix = f"line-{line.pk}-"
        lines.append({"id": line.pk, **{f: request.POST.get(prefix + f, "") for f in FILL_FIELDS}})
    for index in range(3):
        prefix = f"new-{index}-"
        if request.POST.get(prefix + "name", "").strip():
            lines.append({f: request.POST.get(prefix + f, "") for f in FILL_FIELDS + NEW_LINE_FIELDS})
    return lines


@perm_required(Perm.MONITORING_FILL)
def report_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk, write=True)
    refusal = report.fill_refusal()
    if not report.can_edit() or refusal is not None:
        message = refusal[1] if refusal else f"监控表状态为“{report.get_status_display()}”,不能修改。"
        messages.error(request, message)
        return redirect("monitoring:report_detail", pk=report.pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            amounts = {name: request.POST.get(name, "").strip() or None for name in AMOUNT_FIELDS}
            actions.do_save_report(
                report, amounts=amounts, lines=_posted_lines(request, report), acting_user=request.user
            )
        except ValidationError as exc:
            errors = exc.messages
        except actions.MonitoringConflict as exc:
            errors = [exc.message]
        else:
            try:
                if "submit" in request.POST:
                    actions.do_submit_report(report, acting_user=request.user)
            except ValidationError as exc:
                errors = ["已保存,但还不能提交:", *exc.messages]
            except actions.MonitoringConflict as exc:
                errors = ["已保存,但不能提交:", exc.message]
            else:
                messages.success(
                    request, "已提交监控表,等待主管部门审核。" if "submit" in request.POST else "已保存监控表。"
                )
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
            "submit_refusal": (report.submit_refusal() or ("", ""))[1],
            "post": request.POST,
        },
    )


def _transition(request: AuthedRequest, pk: int, run: Callable[[MonitoringReport], str]) -> HttpResponse:
    """Runs one workflow act on a report in the user's read scope; the action checks the step's permission and
    scope (403), refusals and missing input come back as a message on the report page."""
    report = get_report_for_user(request.user, pk)
    try:
        message = run(report)
    except actions.MonitoringConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, message)
    return redirect("monitoring:report_detail", pk=report.pk)


@require_POST
@perm_required(Perm.MONITORING_FILL)
def report_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(report: MonitoringReport) -> str:
        actions.do_submit_report(report, acting_user=request.user)
        return "已提交监控表,等待主管部门审核。"

    return _transition(request, pk, run)


@require_POST
@login_required
def report_review(request: AuthedRequest, pk: int) -> HttpResponse:
    if not any(request.user.has_perm_code(perm) for perm in actions.REVIEW_PERMS):
        raise PermissionDenied("您没有审核监控表的权限。")
    decision = request.POST.get("decision", "")

    def run(report: MonitoringReport) -> str:
        step = report.review_step()
        actions.do_review_report(
            report, decision=decision, opinion=request.POST.get("opinion", ""), acting_user=request.user
        )
        label = ReviewStep(step).label if step else "审核"
        return f"{label}:已{actions.DECISIONS[decision]},监控表现为“{report.get_status_display()}”。"

    return _transition(request, pk, run)


@require_POST
@perm_required(Perm.MONITORING_MANAGE)
def report_hold(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(report: MonitoringReport) -> str:
        already = actions.active_hold(report) is not None
        actions.do_hold_report_payments(report, reason=request.POST.get("reason", ""), acting_user=request.user)
        return "该项目已在暂缓拨款中,无需重复操作。" if already else "已暂缓拨款,资金页面将显示该项目。"

    return _transition(request, pk, run)


@require_POST
@perm_required(Perm.MONITORING_MANAGE)
def report_release_hold(request: AuthedRequest, pk: int) -> HttpResponse:
    def run(report: MonitoringReport) -> str:
        held = is_held(report)
        actions.do_release_report_hold(report, opinion=request.POST.get("opinion", ""), acting_user=request.user)
        return "已解除暂缓拨款,资金页面同步解除。" if held else "该项目没有暂缓拨款,无需解除。"

    return _transition(request, pk, run)


@require_POST
@perm_required(Perm.MONITORING_MANAGE)
def report_adjust(request: AuthedRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        lambda report: actions.do_request_adjustment(
            report, reason=request.POST.get("reason", ""), acting_user=request.user
        ),
    )


@perm_required(Perm.PROJECTS_VIEW)
def report_export(request: AuthedRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    return file_response(spreadsheets.report_workbook(report), f"监控表-{report.project.code}.xlsx")
