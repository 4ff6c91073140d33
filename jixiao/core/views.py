from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.accounts.models import LoginAttempt, User
from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import scope_for
from jixiao.audit.models import AuditLog
from jixiao.core.types import AuthedRequest
from jixiao.orgs.models import Region, Unit, UnitKind


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """The dashboard: what this user may see, counted, plus their own recent logins."""
    user = request.user
    perms = user.perm_codes()
    context: dict = {
        "roles": user.roles(),
        "scope_lines": scope_for(user).describe(),
        "recent_logins": LoginAttempt.objects.filter(user=user)[:5],
        "cards": [],
    }
    if Perm.ORGS_VIEW in perms:
        units = Unit.objects.visible_to(user)
        regions = Region.objects.visible_to(user)
        by_kind = dict(units.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
        labels = dict(UnitKind.choices)
        context["cards"] += [
            {"label": "可见区划", "value": regions.count(), "url": "orgs:region_list"},
            {"label": "可见单位", "value": units.count(), "url": "orgs:unit_list"},
        ]
        context["unit_chart"] = json.dumps(
            {"type": "bar", "labels": [labels[k] for k in by_kind], "values": list(by_kind.values())},
            ensure_ascii=False,
        )
    if Perm.USERS_VIEW in perms:
        context["cards"].append(
            {"label": "可见用户", "value": User.objects.visible_to(user).count(), "url": "accounts:user_list"}
        )
    if Perm.AUDIT_VIEW in perms:
        context["recent_audit"] = AuditLog.objects.visible_to(user)[:8]
    if Perm.LOGINLOG_VIEW in perms:
        context["failed_logins"] = LoginAttempt.objects.visible_to(user).filter(success=False)[:8]
    return render(request, "core/home.html", context)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "您没有访问该页面的权限。"
    return render(request, "core/error.html", {"code": 403, "message": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"code": 404, "message": "页面不存在,或您无权查看该数据。"}, status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"code": 400, "message": "请求无效。"}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request, "core/error.html", {"code": 500, "message": "服务器内部错误,已记录,请稍后重试。"}, status=500
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"code": 403, "message": "表单已过期或来源不可信(CSRF 校验失败),请刷新页面后重试。"},
        status=403,
    )
