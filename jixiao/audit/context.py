"""Request context (client IP) for audit rows written by actions deep below the view."""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

_client_ip: ContextVar[str | None] = ContextVar("jixiao_client_ip", default=None)


def client_ip_of(request: HttpRequest) -> str:
    """Return the client IP, trusting X-Forwarded-For only behind a configured proxy."""
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or "unknown"


def current_ip() -> str | None:
    return _client_ip.get()


def set_current_ip(ip: str | None):
    return _client_ip.set(ip)


def reset_current_ip(token) -> None:
    _client_ip.reset(token)
