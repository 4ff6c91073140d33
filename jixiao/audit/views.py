from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jixiao.accounts.decorators import perm_required
from jixiao.accounts.permissions import Perm
from jixiao.audit.models import AuditAction, AuditLog
from jixiao.core.downloads import file_response
from jixiao.core.excel import Column, write_workbook
from jixiao.core.listing import paginate, query_without
from jixiao.core.types import AuthedRequest

EXPORT_COLUMNS = [
    Column("time", "时间", width=20),
    Column("user", "操作人"),
    Column("ip", "IP 地址", width=16),
    Column("action", "操作", width=10),
    Column("model", "数据类型", width=18),
    Column("object_id", "对象 ID", width=10),
    Column("object", "对象", width=30),
    Column("before", "修改前", width=50),
    Column("after", "修改后", width=50),
    Column("note", "说明", width=20),
]


def filtered_logs(request: AuthedRequest):
    logs = AuditLog.objects.visible_to(request.user)
    if user := request.GET.get("user", "").strip():
        logs = logs.filter(username__icontains=user)
    if model := request.GET.get("model", "").strip():
        logs = logs.filter(model=model)
    action = request.GET.get("action")
    if action in AuditAction.values:
        logs = logs.filter(action=action)
    if object_id := request.GET.get("object_id", "").strip():
        logs = logs.filter(object_id=object_id)
    if q := request.GET.get("q", "").strip():
        logs = logs.filter(object_repr__contains=q)
    if since := request.GET.get("since"):
        logs = logs.filter(created_at__date__gte=since)
    if until := request.GET.get("until"):
        logs = logs.filter(created_at__date__lte=until)
    return logs


@perm_required(Perm.AUDIT_VIEW)
def log_list(request: AuthedRequest) -> HttpResponse:
    try:
        page = paginate(request, filtered_logs(request).select_related("user"))
    except ValidationError:
        raise Http404("日期格式应为 YYYY-MM-DD。")
    models = AuditLog.objects.order_by("model").values_list("model", flat=True).distinct()
    return render(
        request,
        "audit/log_list.html",
        {"page": page, "actions": AuditAction.choices, "models": models, "query": query_without(request, "page")},
    )


@perm_required(Perm.AUDIT_VIEW)
def log_export(request: AuthedRequest) -> HttpResponse:
    import json

    rows = (
        [
            timezone.localtime(log.created_at).replace(tzinfo=None),
            log.username,
            log.ip,
            log.get_action_display(),
            log.model,
            log.object_id,
            log.object_repr,
            json.dumps(log.before, ensure_ascii=False) if log.before else "",
            json.dumps(log.after, ensure_ascii=False) if log.after else "",
            log.note,
        ]
        for log in filtered_logs(request)[:200000].iterator()
    )
    return file_response(write_workbook([("审计日志", EXPORT_COLUMNS, rows)]), "审计日志.xlsx")
