"""Role-walk expectations for crosscheck: fill PAGES and API_ROUTES as routes are added (see walk/foundation.py)."""

from __future__ import annotations

PAGES: dict = {}
API_ROUTES: dict = {}


def targets(demo) -> dict:
    return {}
