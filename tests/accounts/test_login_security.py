"""Login security: password policy, lockout per account and per IP, forced change, login log, argon2."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from jixiao.accounts.actions import do_create_user
from jixiao.accounts.models import LoginAttempt, User
from jixiao.demo.city import DEMO_PASSWORD


def post_login(username: str, password: str, ip: str = "10.1.1.1") -> object:
    return Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.parametrize(
    "password, ok",
    [
        ("Short1!", False),  # too short
        ("alllowercaseletters", False),  # one class
        ("lowercase123456", False),  # two classes
        ("Lowercase123456", True),  # three classes
        ("lower-case-words!", False),  # two classes (lower + symbol)
        ("Lower-case-words", True),
        (DEMO_PASSWORD, True),
    ],
)
def test_password_policy_needs_ten_characters_and_three_classes(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_passwords_are_hashed_with_argon2(demo):
    assert demo["perf_admin"].password.startswith("argon2")
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_wrong_password_is_refused_in_chinese_and_logged(demo):
    response = post_login("xinzhou_fin", "Wrong@Pass2026")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()
    attempt = LoginAttempt.objects.latest("id")
    assert (attempt.username, attempt.success, attempt.result, attempt.ip) == (
        "xinzhou_fin",
        False,
        "wrong_password",
        "10.1.1.1",
    )


def test_successful_login_is_logged_with_ip(demo):
    response = post_login("xinzhou_fin", DEMO_PASSWORD, ip="10.9.9.9")
    assert response.status_code == 302
    attempt = LoginAttempt.objects.latest("id")
    assert attempt.success and attempt.user == demo["xinzhou_fin"] and attempt.ip == "10.9.9.9"


def test_account_locks_after_five_failures_for_fifteen_minutes(demo):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for i in range(5):
            post_login("jiangxia_fin", "Wrong@Pass2026", ip=f"10.2.0.{i}")  # different IPs: the account locks
        response = post_login("jiangxia_fin", DEMO_PASSWORD, ip="10.2.0.99")
        assert response.status_code == 401
        assert "已锁定" in response.content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert "已锁定" in post_login("jiangxia_fin", DEMO_PASSWORD, ip="10.2.0.99").content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert post_login("jiangxia_fin", DEMO_PASSWORD, ip="10.2.0.99").status_code == 302


def test_four_failures_do_not_lock_and_success_resets_the_count(demo):
    for _ in range(4):
        post_login("dept_agri", "Wrong@Pass2026", ip="10.3.0.1")
    assert post_login("dept_agri", DEMO_PASSWORD, ip="10.3.0.2").status_code == 302
    for _ in range(4):
        post_login("dept_agri", "Wrong@Pass2026", ip="10.3.0.3")
    assert post_login("dept_agri", DEMO_PASSWORD, ip="10.3.0.4").status_code == 302


def test_ip_locks_after_five_failures_across_accounts(demo):
    for name in ["perf_admin", "agri_div", "dept_agri", "inspector", "third_party"]:
        post_login(name, "Wrong@Pass2026", ip="10.4.4.4")
    blocked = post_login("xinzhou_fin", DEMO_PASSWORD, ip="10.4.4.4")
    assert blocked.status_code == 401 and "已锁定" in blocked.content.decode()
    assert post_login("xinzhou_fin", DEMO_PASSWORD, ip="10.4.4.5").status_code == 302


def test_unknown_user_gets_the_same_message_as_a_wrong_password(db):
    response = post_login("nobody", "Wrong@Pass2026")
    assert "用户名或密码错误" in response.content.decode()


def test_inactive_user_cannot_log_in(demo):
    User.objects.filter(username="third_party").update(is_active=False)
    response = post_login("third_party", DEMO_PASSWORD)
    assert response.status_code == 401 and "停用" in response.content.decode()


def test_user_created_by_administrator_must_change_password_first(demo):
    user = do_create_user(
        username="newclerk",
        full_name="新文员",
        unit=demo["unit_xinzhou"].unit,
        password="Initial@2026x",
        acting_user=demo["sysadmin"],
    )
    assert user.must_change_password
    client = Client()
    client.post("/accounts/login/", {"username": "newclerk", "password": "Initial@2026x"})
    assert client.get("/").url == "/accounts/password/"
    assert client.get("/orgs/units/").url == "/accounts/password/"
    response = client.post(
        "/accounts/password/",
        {"old_password": "Initial@2026x", "new_password": "Changed@2026y", "new_password2": "Changed@2026y"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Changed@2026y")
    assert client.get("/").status_code == 200


def test_new_password_must_follow_the_policy(demo):
    client = Client()
    client.force_login(demo["perf_admin"])
    response = client.post(
        "/accounts/password/",
        {"old_password": DEMO_PASSWORD, "new_password": "simple", "new_password2": "simple"},
    )
    assert response.status_code == 200
    assert "至少" in response.content.decode()
    demo["perf_admin"].refresh_from_db()
    assert demo["perf_admin"].check_password(DEMO_PASSWORD)


def test_idle_session_expires_after_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_idle_session_is_logged_out(demo):
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"username": "perf_admin", "password": DEMO_PASSWORD})
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert client.get("/").status_code == 200  # activity renews the session
    with time_machine.travel(start + dt.timedelta(minutes=51), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_post_without_csrf_token_is_refused_in_chinese(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["sysadmin"])
    response = client.post(f"/orgs/units/{demo['unit_xinzhou'].unit_id}/toggle/")
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    assert demo["unit_xinzhou"].unit.is_active


def test_over_long_username_is_refused(db):
    response = post_login("x" * 300, "whatever")
    assert response.status_code == 200
    assert "150" in response.content.decode()
    assert LoginAttempt.objects.count() == 0
