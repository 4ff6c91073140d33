"""Bearer-token authentication for the API, with the same lockout, permissions and scope as the pages."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from jixiao.accounts.models import ApiToken, hash_token


class ApiError(Exception):
    """An API refusal rendered as {"code", "message"} with the given HTTP status."""

    def __init__(self, status: int, code: str, message: str, detail=None):
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        super().__init__(message)


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        token_row = (
            ApiToken.objects.select_related("user", "user__unit").filter(key_hash=hash_token(token)).first()
            if token
            else None
        )
        if token_row is None:
            raise ApiError(401, "invalid_token", "令牌无效,请重新获取。")
        if not token_row.is_valid:
            raise ApiError(401, "token_expired", "令牌已过期或已注销,请重新获取。")
        user = token_row.user
        if not user.is_active:
            raise ApiError(401, "inactive_user", "该账户已停用。")
        if user.must_change_password:
            raise ApiError(403, "password_change_required", "首次登录须先在网页上修改密码。")
        ApiToken.objects.filter(pk=token_row.pk).update(last_used_at=timezone.now())
        request.user = user
        return user
