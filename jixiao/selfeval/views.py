"""Self-evaluation pages: campaigns, dashboard, 自评表 detail and review, Excel out and the campaign actuals import."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.core.downloads import file_response
from jixiao.core.excel import WorkbookError, parse_decimal, read_upload
from jixiao.core.listing import paginate
from jixiao.orgs.models import Region, Unit
from jixiao.selfeval import spreadsheets, table_import
from jixiao.selfeval.actions import (
    can_comment,
    can_review,
    do_close_campaign,
    do_open_campaign,
    do_review_self_evaluation,
)
from jixiao.selfeval.entry import fund_rows
from jixiao.selfeval.models import (
    Campaign,
    CampaignStatus,
    ResultApplication,
    ScoringProfileRecord,
    SelfEvaluation,
)
from jixiao.selfeval.results import do_apply_results
from jixiao.selfeval.selectors import campaign_dashboard, campaigns_for, get_evaluation_for_user

DOWNLOAD_ZIP = "application/zip"


def _user(request: HttpRequest) -> Any:
    return request.user


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = campaigns_for(request.user).filter(pk=pk).first()
    if campaign is None:
        raise Http404("自评任务不存在或无权查看。")
    return campaign


@perm_required(Perm.PROJECTS_VIEW)
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "selfeval/campaign_list.html",
        {"campaigns": campaigns_for(request.user), "can_manage": _user(request).has_perm_code(Perm.SELFEVAL_MANAGE)},
    )


def _campaign_form_values(request: HttpRequest) -> tuple[dict[str, Any], list[str]]:
    data, errors = request.POST, []
    values: dict[str, Any] = {"name": data.get("name", "").strip()}
    if not values["name"]:
        errors.append("请填写任务名称")
    try:
        values["year"] = int(data.get("year", ""))
    except ValueError:
        errors.append("评价年度应为四位年份")
    try:
        values["deadline"] = dt.date.fromisoformat(data.get("deadline", ""))
    except ValueError:
        errors.append("截止日期应为日期,如 2020-03-31")
    try:
        values["cut_share"] = parse_decimal(data.get("cut_share") or "10")
        if not 0 <= values["cut_share"] <= 100:
            raise ValueError
    except ValueError:
        errors.append("压减比例应为 0–100 之间的数")
    values["profile"] = ScoringProfileRecord.objects.filter(code=data.get("profile")).first()
    if values["profile"] is None:
        errors.append("请选择评分方案")
    values["department"] = Unit.objects.filter(pk=data.get("department") or 0).first()
    values["district"] = Region.objects.filter(pk=data.get("district") or 0, level="district").first()
    return values, errors


@perm_required(Perm.SELFEVAL_MANAGE)
def campaign_create(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        values, errors = _campaign_form_values(request)
        if not errors:
            try:
                campaign = do_open_campaign(**values, acting_user=request.user)
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, f"已发起「{campaign.name}」,生成自评表 {campaign.evaluations.count()} 份。")
                return redirect("selfeval:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "selfeval/campaign_form.html",
        {
            "errors": errors,
            "profiles": ScoringProfileRecord.objects.all(),
            "departments": Unit.objects.filter(kind="department").order_by("path"),
            "districts": Region.objects.filter(level="district"),
            "data": request.POST,
        },
    )


def _chart(kind: str, rows: list[dict[str, Any]], key: str) -> str:
    return json.dumps(
        {"type": kind, "labels": [r["name"] for r in rows], "values": [float(r[key] or 0) for r in rows]},
        ensure_ascii=False,
    )


@perm_required(Perm.PROJECTS_VIEW)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    data = campaign_dashboard(request.user, campaign)
    evaluations = (
        SelfEvaluation.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("project", "department")
        .order_by("pk")  # creation order (= project code order at opening) without sorting a join
    )
    status = request.GET.get("status")
    if status:
        evaluations = evaluations.filter(status=status)
    grades = [{"name": g, "n": n} for g, n in data["grades"].items()]
    return render(
        request,
        "selfeval/campaign_detail.html",
        {
            "campaign": campaign,
            "data": data,
            "page": paginate(request, evaluations),
            "chart_dept_form": _chart("bar", data["by_department"], "form_rate"),
            "chart_dept_fund": _chart("bar", data["by_department"], "fund_rate"),
            "chart_district_form": _chart("bar", data["by_district"], "form_rate"),
            "chart_district_fund": _chart("bar", data["by_district"], "fund_rate"),
            "chart_grades": _chart("pie", grades, "n"),
            "can_manage": _user(request).has_perm_code(Perm.SELFEVAL_MANAGE),
            "can_fill": _user(request).has_perm_code(Perm.SELFEVAL_FILL),
        },
    )


@perm_required(Perm.PROJECTS_VIEW)
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    evaluations = SelfEvaluation.objects.visible_to(request.user).filter(campaign=campaign)
    return file_response(spreadsheets.campaign_zip(evaluations), f"{campaign.name}-自评表.zip", DOWNLOAD_ZIP)


@perm_required(Perm.SELFEVAL_FILL)
def campaign_template(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    evaluations = SelfEvaluation.objects.visible_to(request.user, Perm.SELFEVAL_FILL).filter(campaign=campaign)
    return file_response(spreadsheets.actuals_template(evaluations), f"{campaign.name}-实际完成值导入模板.xlsx")


@perm_required(Perm.SELFEVAL_FILL)
def campaign_import(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    errors: list[str] = []
    if request.method == "POST" and request.FILES.get("file"):
        upload: Any = request.FILES["file"]
        name = upload.name or "upload.xlsx"
        try:
            data = upload.read()
            if table_import.holds_tables(data):  # 自评表 in the official layout: a zip of them or a sheet each
                count = table_import.import_campaign_tables(data, file_name=name, campaign=campaign,
                                                            acting_user=request.user)  # fmt: skip
                done = f"已导入 {count} 份自评表并重新计分。"
            else:
                data = read_upload(data, file_name=name)
                count = spreadsheets.import_actuals(data, file_name=name, campaign=campaign, acting_user=request.user)
                done = f"已导入 {count} 份自评表的实际完成值并重新计分。"
        except WorkbookError as exc:
            errors = [str(e) for e in exc.errors]
        else:
            messages.success(request, done)
            return redirect("selfeval:campaign_detail", pk=campaign.pk)
    elif request.method == "POST":
        errors = ["请选择要上传的 .xlsx 文件"]
    return render(request, "selfeval/import.html", {"campaign": campaign, "errors": errors})


@perm_required(Perm.SELFEVAL_MANAGE)
def campaign_results(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    applications = ResultApplication.objects.filter(evaluation__campaign=campaign).select_related(
        "project", "evaluation"
    )
    return render(request, "selfeval/results.html", {"campaign": campaign, "page": paginate(request, applications)})


@require_POST
@perm_required(Perm.SELFEVAL_MANAGE)
def campaign_apply_results(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    count = do_apply_results(campaign=campaign, acting_user=request.user)
    messages.success(request, f"已按等级生成 {count} 个项目的下年预算安排建议。")
    return redirect("selfeval:campaign_results", pk=campaign.pk)


@perm_required(Perm.SELFEVAL_MANAGE)
def campaign_results_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    applications = ResultApplication.objects.filter(evaluation__campaign=campaign).select_related(
        "project", "project__department", "project__unit", "evaluation"
    )
    return file_response(spreadsheets.results_workbook(list(applications)), f"{campaign.name}-结果应用.xlsx")


@require_POST
@perm_required(Perm.SELFEVAL_MANAGE)
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if campaign.status == CampaignStatus.OPEN:
        do_close_campaign(campaign=campaign, acting_user=request.user)
        messages.success(request, "自评任务已结束,自评表不能再修改。")
    return redirect("selfeval:campaign_detail", pk=campaign.pk)


@perm_required(Perm.PROJECTS_VIEW)
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_evaluation_for_user(request.user, pk)
    user = _user(request)
    can_fill = user.has_perm_code(Perm.SELFEVAL_FILL) and (
        SelfEvaluation.objects.visible_to(user, Perm.SELFEVAL_FILL).filter(pk=evaluation.pk).exists()
    )
    return render(
        request,
        "selfeval/evaluation_detail.html",
        {
            "ev": evaluation,
            "rows": evaluation.indicators.order_by("position"),
            "funds": fund_rows(evaluation),
            "events": evaluation.events.select_related("actor"),
            "can_edit": can_fill and evaluation.can_edit(),
            "can_review": can_review(user, evaluation),
            "can_comment": can_comment(user, evaluation),
        },
    )


@require_POST
@perm_required(Perm.PROJECTS_VIEW)
def evaluation_review(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_evaluation_for_user(request.user, pk)
    if not can_comment(request.user, evaluation):
        raise PermissionDenied("您不能审核该自评表。")
    try:
        do_review_self_evaluation(
            evaluation=evaluation,
            acting_user=request.user,
            decision=request.POST.get("decision", ""),
            opinion=request.POST.get("opinion", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已办理,当前状态:{evaluation.get_status_display()}。")
    return redirect("selfeval:evaluation_detail", pk=evaluation.pk)


@perm_required(Perm.PROJECTS_VIEW)
def evaluation_export(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_evaluation_for_user(request.user, pk)
    content = spreadsheets.evaluation_workbook(evaluation)
    return file_response(content, f"{evaluation.project.code}-绩效自评表.xlsx")
