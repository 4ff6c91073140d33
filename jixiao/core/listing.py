"""List-page helpers: sorting by whitelisted columns and pagination."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def sort(request: HttpRequest, queryset: QuerySet, allowed: dict[str, str], default: str) -> tuple[QuerySet, str]:
    """Order by the `sort` parameter when it names an allowed column ('-' prefix for descending)."""
    key = request.GET.get("sort", default)
    field = allowed.get(key.lstrip("-"))
    if field is None:
        key, field = default, allowed[default.lstrip("-")]
    desc = key.startswith("-")
    return queryset.order_by(("-" if desc else "") + field, "pk"), key


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = 50) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without(request: HttpRequest, *names: str) -> str:
    """Return the current query string without the given parameters (for paging and sorting links)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
