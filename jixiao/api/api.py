"""The Jixiao API at /api/v1 (django-ninja). Errors are JSON {"code", "message"} in Chinese."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from jixiao.accounts.models import User
from jixiao.accounts.scope import scope_for
from jixiao.accounts.security import attempt_login
from jixiao.api.auth import ApiError, BearerAuth
from jixiao.api.schemas import ErrorOut
from jixiao.audit.context import client_ip_of

api = NinjaAPI(
    title="绩效 Jixiao API",
    version="1.0.0",
    description="财政专项资金全过程绩效管理平台接口。除获取令牌外,所有接口需 `Authorization: Bearer <token>`。",
    auth=BearerAuth(),
)


def _error(request: HttpRequest, status: int, code: str, message: str, detail=None):
    return api.create_response(request, {"code": code, "message": message, "detail": detail}, status=status)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError):
    return _error(request, exc.status, exc.code, exc.message, exc.detail)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    return _error(request, 401, "unauthorized", "未登录或令牌缺失:请在请求头提供 Authorization: Bearer <token>。")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied):
    return _error(request, 403, "forbidden", str(exc) or "您没有执行该操作的权限。")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404):
    return _error(request, 404, "not_found", "对象不存在或无权查看。")


@api.exception_handler(ValidationError)
def on_django_validation(request: HttpRequest, exc: ValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return _error(request, 422, "invalid", "；".join(exc.messages), detail)


@api.exception_handler(NinjaValidationError)
def on_validation(request: HttpRequest, exc: NinjaValidationError):
    parts = []
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", []) if p not in ("body", "payload"))
        parts.append(f"{loc}:{_zh_validation(err)}")
    return _error(request, 422, "invalid", "请求数据不合法:" + ";".join(parts), exc.errors)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    return _error(request, exc.status_code, "error", str(exc))


def _zh_validation(err: dict) -> str:
    kind = err.get("type", "")
    return {
        "missing": "缺少必填字段",
        "string_type": "应为文本",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "float_parsing": "应为数字",
        "bool_parsing": "应为 true 或 false",
        "string_too_long": "超过长度上限",
        "json_invalid": "JSON 格式错误",
        "extra_forbidden": "不认识的字段",
    }.get(kind, err.get("msg", "格式错误"))


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


@api.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    tags=["认证"],
    summary="用户名密码换取令牌",
)
def issue_token(request: HttpRequest, payload: TokenIn):
    from jixiao.accounts.actions import do_issue_token

    outcome = attempt_login(
        username=payload.username[:150],
        password=payload.password[:128],
        ip=client_ip_of(request),
        channel="api",
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    if outcome.result == "locked":
        raise ApiError(429, "locked", outcome.message)
    if not outcome.ok or outcome.user is None:
        raise ApiError(401, outcome.result, outcome.message)
    if outcome.user.must_change_password:
        raise ApiError(403, "password_change_required", "首次登录须先在网页上修改密码。")
    token, expires_at = do_issue_token(user=outcome.user)
    return {"token": token, "expires_at": expires_at}


class RoleOut(Schema):
    code: str
    name: str
    scope: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    unit: dict | None
    roles: list[RoleOut]
    permissions: list[str]
    scope: list[str]


@api.get("/me", response=MeOut, tags=["认证"], summary="当前用户、角色和数据范围")
def me(request: HttpRequest):
    user: User = request.user  # type: ignore[assignment]
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "unit": {"id": user.unit.pk, "code": user.unit.code, "name": user.unit.name} if user.unit else None,
        "roles": [{"code": r.code, "name": r.name, "scope": r.scope} for r in user.roles()],
        "permissions": sorted(user.perm_codes()),
        "scope": scope_for(user).describe(),
    }


from jixiao.api import routes_admin, routes_orgs  # noqa: E402
from jixiao.crosscheck.api import router as crosscheck_router  # noqa: E402
from jixiao.funds.api import router as funds_router  # noqa: E402
from jixiao.goals.api import router as goals_router  # noqa: E402
from jixiao.monitoring.api import router as monitoring_router  # noqa: E402
from jixiao.projects.api import router as projects_router  # noqa: E402
from jixiao.selfeval.api import router as selfeval_router  # noqa: E402

api.add_router("/", routes_orgs.router)
api.add_router("/", routes_admin.router)
api.add_router("/", projects_router)
api.add_router("/", goals_router)
api.add_router("/", funds_router)
api.add_router("/", monitoring_router)
api.add_router("/", selfeval_router)
api.add_router("/", crosscheck_router)
