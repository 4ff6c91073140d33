"""Typing helpers shared by views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from jixiao.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request behind @login_required / @perm_required: `user` is a real User (for mypy)."""

    user: User  # type: ignore[assignment]
