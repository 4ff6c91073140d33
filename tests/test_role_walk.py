"""Walk every page and every API route with every demo role and assert allow or deny.

New routes fail this test until they are added to PAGES or API_ROUTES with the roles that may use them.
"""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from jixiao.accounts.models import RoleAssignment, User
from jixiao.api.api import api
from jixiao.orgs.models import Region, Unit
from tests.conftest import DEMO_USERNAMES

ALL = frozenset(DEMO_USERNAMES)
BUSINESS = frozenset(
    {"perf_admin", "agri_div", "xinzhou_fin", "jiangxia_fin", "dept_agri", "unit_xinzhou", "third_party", "inspector"}
)
ORGS_VIEW = BUSINESS | {"sysadmin"}
USERS_VIEW = frozenset({"perf_admin", "xinzhou_fin", "jiangxia_fin", "sysadmin", "secadmin"})
SYSADMIN = frozenset({"sysadmin"})
SECADMIN = frozenset({"secadmin"})
AUDITADMIN = frozenset({"auditadmin"})
SEE_XINZHOU_REGION = frozenset({"perf_admin", "inspector", "sysadmin", "xinzhou_fin"})
SEE_XINZHOU_UNIT = SEE_XINZHOU_REGION | {"unit_xinzhou"}
SEE_XINZHOU_USER = frozenset({"perf_admin", "xinzhou_fin", "sysadmin", "secadmin"})

PUBLIC = "public"

# url name → (method, roles allowed). Object routes use the objects from `targets` below.
PAGES: dict[str, tuple[str, frozenset[str] | str]] = {
    "core:home": ("get", ALL),
    "accounts:login": ("get", PUBLIC),
    "accounts:logout": ("post", PUBLIC),
    "accounts:password_change": ("get", ALL),
    "accounts:user_list": ("get", USERS_VIEW),
    "accounts:user_create": ("get", SYSADMIN),
    "accounts:user_detail": ("get", SEE_XINZHOU_USER),
    "accounts:user_edit": ("get", SYSADMIN),
    "accounts:user_reset_password": ("post", SYSADMIN),
    "accounts:user_assign_role": ("post", SECADMIN),
    "accounts:user_revoke_role": ("post", SECADMIN),
    "accounts:role_list": ("get", SECADMIN),
    "accounts:role_detail": ("get", SECADMIN),
    "accounts:login_log": ("get", AUDITADMIN),
    "accounts:login_log_export": ("get", AUDITADMIN),
    "orgs:region_list": ("get", ORGS_VIEW),
    "orgs:region_create": ("get", SYSADMIN),
    "orgs:region_export": ("get", ORGS_VIEW),
    "orgs:region_import": ("get", SYSADMIN),
    "orgs:region_detail": ("get", SEE_XINZHOU_REGION),
    "orgs:region_edit": ("get", SYSADMIN),
    "orgs:unit_list": ("get", ORGS_VIEW),
    "orgs:unit_create": ("get", SYSADMIN),
    "orgs:unit_export": ("get", ORGS_VIEW),
    "orgs:unit_import": ("get", SYSADMIN),
    "orgs:unit_detail": ("get", SEE_XINZHOU_UNIT),
    "orgs:unit_edit": ("get", SYSADMIN),
    "orgs:unit_toggle": ("post", SYSADMIN),
    "audit:log_list": ("get", AUDITADMIN),
    "audit:log_export": ("get", AUDITADMIN),
}

# (method, path template) → (roles allowed, JSON body)
API_ROUTES: dict[tuple[str, str], tuple[frozenset[str] | str, dict | None]] = {
    ("POST", "/api/v1/auth/token"): (PUBLIC, None),
    ("GET", "/api/v1/me"): (ALL, None),
    ("GET", "/api/v1/regions"): (ORGS_VIEW, None),
    ("POST", "/api/v1/regions"): (
        SYSADMIN,
        {"code": "420117100299", "name": "测试村", "level": "village", "parent_code": "420117100"},
    ),
    ("GET", "/api/v1/regions/{region_id}"): (SEE_XINZHOU_REGION, None),
    ("PATCH", "/api/v1/regions/{region_id}"): (SYSADMIN, {"population": 654321}),
    ("GET", "/api/v1/units"): (ORGS_VIEW, None),
    ("POST", "/api/v1/units"): (
        SYSADMIN,
        {"code": "TEST-U", "name": "测试单位", "kind": "project_unit", "region_code": "420117100"},
    ),
    ("GET", "/api/v1/units/{unit_id}"): (SEE_XINZHOU_UNIT, None),
    ("PATCH", "/api/v1/units/{unit_id}"): (SYSADMIN, {"contact_person": "测试"}),
    ("GET", "/api/v1/users"): (USERS_VIEW, None),
    ("GET", "/api/v1/users/{user_id}"): (SEE_XINZHOU_USER, None),
    ("GET", "/api/v1/audit-logs"): (AUDITADMIN, None),
    ("GET", "/api/v1/login-logs"): (AUDITADMIN, None),
}

API_DOCS = {"api-1.0.0:openapi-json", "api-1.0.0:openapi-view"}


def _walk(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}"


def page_names() -> set[str]:
    return {name for name in _walk(get_resolver().url_patterns) if not name.startswith("api-1.0.0:")}


def api_routes() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), "/api/v1" + path.removeprefix("/api/v1"))
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_page_has_an_expectation():
    assert page_names() == set(PAGES)


def test_every_api_route_has_an_expectation():
    assert api_routes() == set(API_ROUTES)


@pytest.fixture
def targets(demo):
    xinzhou_unit = Unit.objects.get(code="420117-U2")
    return {
        "region": Region.objects.get(code="420117"),
        "unit": xinzhou_unit,
        "user": User.objects.get(username="unit_xinzhou"),
        "assignment": RoleAssignment.objects.get(user__username="unit_xinzhou"),
        "role": RoleAssignment.objects.get(user__username="unit_xinzhou").role,
    }


def _page_url(name: str, targets) -> str:
    """Reverse a page, filling its parameters with the target object of its kind (region_, unit_, user_, role_)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        pass
    kind = name.split(":")[1].split("_")[0]
    kwargs = {"pk": targets[kind].pk}
    if name == "accounts:user_revoke_role":
        kwargs["assignment_id"] = targets["assignment"].pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_access_by_role(name, login, targets):
    method, allowed = PAGES[name]
    url = _page_url(name, targets)
    for username in DEMO_USERNAMES:
        client = login(username)
        response = getattr(client, method)(url)
        if allowed == PUBLIC:
            assert response.status_code in (200, 302), (name, username, response.status_code)
            continue
        if username in allowed:
            assert response.status_code in (200, 302), (name, username, response.status_code)
            if response.status_code == 302:
                assert "/accounts/login/" not in response["Location"], (name, username)
        else:
            assert response.status_code in (403, 404), (name, username, response.status_code)


@pytest.mark.parametrize("name", sorted(n for n, (_, allowed) in PAGES.items() if allowed != PUBLIC))
def test_anonymous_is_sent_to_login(name, client, targets):
    method, _ = PAGES[name]
    response = getattr(client, method)(_page_url(name, targets))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _api_path(template: str, targets) -> str:
    return (
        template.replace("{region_id}", str(targets["region"].pk))
        .replace("{unit_id}", str(targets["unit"].pk))
        .replace("{user_id}", str(targets["user"].pk))
    )


@pytest.mark.parametrize("route", sorted(API_ROUTES))
def test_api_access_by_role(route, client, api_token, targets):
    method, template = route
    allowed, body = API_ROUTES[route]
    if allowed == PUBLIC:
        return
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
