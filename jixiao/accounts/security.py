"""Login security: lockout after repeated failures (per account and per IP) and the login log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Max
from django.utils import timezone

from jixiao.accounts.models import LoginAttempt, LoginResult, User


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    result: str
    message: str

    @property
    def ok(self) -> bool:
        return self.result == LoginResult.SUCCESS


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _failures_since(field: str, value: str, since: dt.datetime, *, reset_on_success: bool) -> tuple[int, dt.datetime]:
    """Return (failures in window, time of the latest failure) for one account or IP."""
    attempts = LoginAttempt.objects.filter(**{field: value}, created_at__gte=since)
    if reset_on_success:
        last_ok = attempts.filter(success=True).aggregate(t=Max("created_at"))["t"]
        if last_ok:
            attempts = attempts.filter(created_at__gt=last_ok)
    failures = attempts.filter(result=LoginResult.WRONG_PASSWORD)
    stats = failures.aggregate(latest=Max("created_at"))
    return failures.count(), stats["latest"] or since


def lock_remaining_minutes(username: str, ip: str) -> int:
    """Return minutes until the account or IP is unlocked, 0 when it is not locked."""
    since = _window_start()
    limit = settings.LOGIN_MAX_FAILURES
    remaining = 0
    for field, value, reset in (("username", username.lower(), True), ("ip", ip, False)):
        count, latest = _failures_since(field, value, since, reset_on_success=reset)
        if count >= limit:
            until = latest + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
            remaining = max(remaining, minutes)
    return remaining


def attempt_login(*, username: str, password: str, ip: str, channel: str, user_agent: str = "") -> LoginOutcome:
    """Check lockout, authenticate, and write the login log row. Never says whether the account exists."""
    username = (username or "").strip()
    key = username.lower()
    user = User.objects.filter(username__iexact=username).first()
    minutes = lock_remaining_minutes(key, ip)
    if minutes:
        outcome = LoginOutcome(
            None,
            LoginResult.LOCKED,
            f"登录失败次数过多,账户或IP已锁定,请 {minutes} 分钟后再试。",
        )
    else:
        authed = authenticate(username=user.username if user else username, password=password)
        if authed is not None:
            outcome = LoginOutcome(authed, LoginResult.SUCCESS, "登录成功")  # type: ignore[arg-type]
        elif user is not None and not user.is_active and user.check_password(password):
            outcome = LoginOutcome(None, LoginResult.INACTIVE, "该账户已停用,请联系系统管理员。")
        else:
            outcome = LoginOutcome(None, LoginResult.WRONG_PASSWORD, "用户名或密码错误。")
    LoginAttempt.objects.create(
        username=key[:150],
        user=user,
        ip=ip,
        success=outcome.ok,
        result=outcome.result,
        channel=channel,
        user_agent=user_agent[:255],
    )
    return outcome
