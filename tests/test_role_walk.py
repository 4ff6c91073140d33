"""Walk every page and every API route with every demo role and assert allow or deny.

Expectations live in tests/walk/<area>.py: PAGES maps a url name to (method, roles allowed); API_ROUTES maps
(method, path) to (roles allowed, JSON body). A route without an expectation fails this test. Route parameters are
filled from the areas' `targets(demo)`: a page's `pk` by the url name's kind (`orgs:unit_detail` → "unit"), any
other `<name>_id` parameter by its name (`assignment_id` → "assignment"), API path parameters `{unit_id}` likewise
and any other API path parameter `{code}` by the plain value targets["code"].
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jixiao.api.api import api
from tests.conftest import DEMO_USERNAMES
from tests.walk import crosscheck, foundation, funds, goals, monitoring, projects, selfeval
from tests.walk.roles import PUBLIC

AREAS = [foundation, projects, goals, selfeval, crosscheck, funds, monitoring]
PAGES = {name: spec for area in AREAS for name, spec in area.PAGES.items()}
API_ROUTES = {route: spec for area in AREAS for route, spec in area.API_ROUTES.items()}
OK_STATUSES = (200, 201, 302)


def _walk(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from ((name, pattern) for name, pattern in _walk(entry.url_patterns, namespace))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


def page_patterns() -> dict[str, URLPattern]:
    return {name: p for name, p in _walk(get_resolver().url_patterns) if not name.startswith("api-1.0.0:")}


def api_routes() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), "/api/v1" + path.removeprefix("/api/v1"))
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_page_has_an_expectation():
    assert set(page_patterns()) == set(PAGES)


def test_every_api_route_has_an_expectation():
    assert api_routes() == set(API_ROUTES)


@pytest.fixture
def targets(demo):
    found: dict = {}
    for area in AREAS:
        found.update(area.targets(demo))
    return found


def _page_url(name: str, targets) -> str:
    pattern = page_patterns()[name]
    params = re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))
    kind = name.split(":")[1].split("_")[0]
    kwargs = {p: targets[kind if p == "pk" else p.removesuffix("_id")].pk for p in params}
    return reverse(name, kwargs=kwargs)


def _api_path(template: str, targets) -> str:
    """Fill `{unit_id}` with targets["unit"].pk and any other `{name}` with the plain value targets["name"]."""
    path = re.sub(r"\{(\w+)_id\}", lambda m: str(targets[m.group(1)].pk), template)
    return re.sub(r"\{(\w+)\}", lambda m: str(targets[m.group(1)]), path)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_access_by_role(name, login, targets):
    method, allowed = PAGES[name]
    url = _page_url(name, targets)
    for username in DEMO_USERNAMES:
        response = getattr(login(username), method)(url)
        if allowed == PUBLIC:
            assert response.status_code in OK_STATUSES, (name, username, response.status_code)
        elif username in allowed:
            assert response.status_code in OK_STATUSES, (name, username, response.status_code)
            if response.status_code == 302:
                assert "/accounts/login/" not in response["Location"], (name, username)
        else:
            assert response.status_code in (403, 404), (name, username, response.status_code)


@pytest.mark.parametrize("name", sorted(n for n, (_, allowed) in PAGES.items() if allowed != PUBLIC))
def test_anonymous_is_sent_to_login(name, client, targets):
    method, _ = PAGES[name]
    response = getattr(client, method)(_page_url(name, targets))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("route", sorted(r for r, (allowed, _) in API_ROUTES.items() if allowed != PUBLIC))
def test_api_access_by_role(route, client, api_token, targets):
    method, template = route
    allowed, body = API_ROUTES[route]
    path = _api_path(template, targets)
    call = getattr(client, method.lower())
    anonymous = call(path, data=body or {}, content_type="application/json")
    assert anonymous.status_code == 401, (route, anonymous.content)
    for username in DEMO_USERNAMES:
        response = call(path, data=body or {}, content_type="application/json", **api_token(username))
        if username in allowed:
            assert response.status_code in (200, 201), (route, username, response.status_code, response.content)
        else:
            assert response.status_code in (403, 404), (route, username, response.status_code, response.content)
            assert set(response.json()) >= {"code", "message"}
