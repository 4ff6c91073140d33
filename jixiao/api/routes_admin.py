from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from jixiao.accounts.models import LoginAttempt, User
from jixiao.accounts.permissions import Perm
from jixiao.accounts.scope import get_scoped_for_user, require_perm
from jixiao.api.schemas import AuditOut, ErrorOut, LoginAttemptOut, UserOut
from jixiao.audit.models import AuditLog

router = Router(tags=["系统管理"])


@router.get("/users", response=list[UserOut], summary="用户列表(按数据范围)")
def list_users(request: HttpRequest, limit: int = 500, offset: int = 0):
    require_perm(request.user, Perm.USERS_VIEW)
    users = User.objects.visible_to(request.user).prefetch_related("role_assignments__role")
    return list(users[offset : offset + min(limit, 5000)])


@router.get("/users/{user_id}", response={200: UserOut, 403: ErrorOut, 404: ErrorOut}, summary="用户详情")
def get_user(request: HttpRequest, user_id: int):
    require_perm(request.user, Perm.USERS_VIEW)
    return get_scoped_for_user(
        lambda u, p: User.objects.visible_to(u, p),
        request.user,  # type: ignore[arg-type]
        user_id,
        read_perm=Perm.USERS_VIEW,
        write_perm=Perm.USERS_MANAGE,
    )


@router.get("/audit-logs", response=list[AuditOut], summary="审计日志(审计管理员)")
def list_audit_logs(
    request: HttpRequest,
    model: str | None = None,
    object_id: str | None = None,
    username: str | None = None,
    limit: int = 200,
    offset: int = 0,
):
    require_perm(request.user, Perm.AUDIT_VIEW)
    logs = AuditLog.objects.visible_to(request.user)
    if model:
        logs = logs.filter(model=model)
    if object_id:
        logs = logs.filter(object_id=object_id)
    if username:
        logs = logs.filter(username=username)
    return list(logs[offset : offset + min(limit, 5000)])


@router.get("/login-logs", response=list[LoginAttemptOut], summary="登录日志(审计管理员)")
def list_login_logs(request: HttpRequest, username: str | None = None, limit: int = 200, offset: int = 0):
    require_perm(request.user, Perm.LOGINLOG_VIEW)
    attempts = LoginAttempt.objects.visible_to(request.user)
    if username:
        attempts = attempts.filter(username=username.lower())
    return list(attempts[offset : offset + min(limit, 5000)])
