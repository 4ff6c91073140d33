"""API authentication: tokens, expiry, forgery, lockout, forced password change, scope, Chinese JSON errors."""

from __future__ import annotations

import datetime as dt
import json

import time_machine
from django.test import Client
from django.utils import timezone

from jixiao.accounts.actions import do_create_user
from jixiao.accounts.models import ApiToken, LoginAttempt
from jixiao.audit.models import AuditLog
from jixiao.demo.city import DEMO_PASSWORD
from jixiao.orgs.models import Region, Unit


def post_json(client: Client, path: str, body: dict, **extra):
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


def token_for(client: Client, username: str, password: str = DEMO_PASSWORD):
    return post_json(client, "/api/v1/auth/token", {"username": username, "password": password})


def test_token_then_me_returns_user_roles_and_scope(demo, client):
    response = token_for(client, "xinzhou_fin")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}").json()
    assert me["username"] == "xinzhou_fin"
    assert [r["code"] for r in me["roles"]] == ["district_finance"]
    assert me["scope"] == ["区划:新洲区及下级"]
    assert ApiToken.objects.get(user=demo["xinzhou_fin"]).key_hash != body["token"]  # only the hash is stored


def test_wrong_password_is_a_chinese_json_error_and_logged(demo, client):
    response = token_for(client, "xinzhou_fin", "Wrong@Pass2026")
    assert response.status_code == 401
    assert response.json()["code"] == "wrong_password" and "用户名或密码错误" in response.json()["message"]
    assert LoginAttempt.objects.latest("id").channel == "api"


def test_api_obeys_the_lockout(demo, client):
    for _ in range(5):
        token_for(client, "jiangxia_fin", "Wrong@Pass2026")
    response = token_for(client, "jiangxia_fin")
    assert response.status_code == 429 and response.json()["code"] == "locked"


def test_forged_and_missing_tokens_are_refused(demo, client):
    forged = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert forged.status_code == 401 and forged.json()["code"] == "invalid_token"
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401 and missing.json()["code"] == "unauthorized"


def test_expired_tokens_are_refused(demo, client):
    token = token_for(client, "perf_admin").json()["token"]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=9), tick=False):
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401 and response.json()["code"] == "token_expired"


def test_users_who_must_change_password_get_no_token(demo, client):
    do_create_user(
        username="fresh",
        full_name="新人",
        unit=demo["perf_admin"].unit,
        password="Initial@2026x",
        acting_user=demo["sysadmin"],
    )
    response = token_for(client, "fresh", "Initial@2026x")
    assert response.status_code == 403 and response.json()["code"] == "password_change_required"


def test_api_reads_follow_the_data_scope(demo, client, api_token):
    units = client.get("/api/v1/units", **api_token("xinzhou_fin")).json()
    assert {u["code"] for u in units} == {"420117-CZJ", "420117-NYJ", "420117-U1", "420117-U2", "420117-U3"}
    jiangxia = Unit.objects.get(code="420115-CZJ")
    response = client.get(f"/api/v1/units/{jiangxia.pk}", **api_token("xinzhou_fin"))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_api_writes_are_audited_and_validated(demo, client, api_token):
    headers = api_token("sysadmin")
    created = post_json(
        client,
        "/api/v1/regions",
        {"code": "420117100298", "name": "接口村", "level": "village", "parent_code": "420117100"},
        **headers,
    )
    assert created.status_code == 201
    region = Region.objects.get(code="420117100298")
    log = AuditLog.objects.get(model="orgs.region", object_id=str(region.pk))
    assert log.username == "sysadmin" and log.action == "create" and log.after["name"] == "接口村"
    bad = post_json(client, "/api/v1/regions", {"code": "42", "name": "坏", "level": "village"}, **headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    long_name = client.patch(
        f"/api/v1/units/{Unit.objects.get(code='420117-U2').pk}",
        data=json.dumps({"name": "长" * 200}),
        content_type="application/json",
        **headers,
    )
    assert long_name.status_code == 422 and "100" in long_name.json()["message"]
    assert Unit.objects.get(code="420117-U2").name != "长" * 200


def test_malformed_json_is_a_chinese_error(demo, client, api_token):
    response = client.post(
        "/api/v1/regions", data="{not json", content_type="application/json", **api_token("sysadmin")
    )
    assert response.status_code in (400, 422)
    assert "message" in response.json()


def test_openapi_and_docs_are_served_locally(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and "/api/v1/auth/token" in schema.json()["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/" in docs
