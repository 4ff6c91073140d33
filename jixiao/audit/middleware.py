from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from jixiao.audit.context import client_ip_of, reset_current_ip, set_current_ip


class RequestContextMiddleware:
    """Make the client IP available to audit recording for the duration of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_current_ip(client_ip_of(request))
        try:
            return self.get_response(request)
        finally:
            reset_current_ip(token)
