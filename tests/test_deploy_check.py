"""Production readiness: Django's deploy checks, SQLite WAL mode, and the demo loader's guard and idempotence."""

from __future__ import annotations

import copy
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Return an environment like a production server's, with its own database and data directory."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="jixiao.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'jixiao.sqlite3'}",
        JIXIAO_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SETTINGS_MODULE="jixiao.settings",
    )
    env.update(extra)
    return env


def _jixiao(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jixiao", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = _jixiao(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def test_collectstatic_builds_the_manifest(tmp_path):
    # With DEBUG off pages need the hashed-name manifest; a vendor file naming a missing source map breaks it.
    result = _jixiao(_production_env(tmp_path), "collectstatic", "--noinput")

    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "data" / "staticfiles" / "staticfiles.json").is_file()


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]

    result = _jixiao(env, "check")

    assert result.returncode != 0
    assert "SECRET_KEY 未设置" in result.stderr


def test_sqlite_runs_in_wal_mode(tmp_path, django_db_blocker):
    # The test database lives in memory, which has no WAL; open the configured backend on a file instead.
    default = connections["default"]
    if default.vendor != "sqlite":
        pytest.skip("WAL is a SQLite setting")
    settings_dict = {**copy.deepcopy(default.settings_dict), "NAME": str(tmp_path / "wal.sqlite3")}
    probe = type(default)(settings_dict, alias="wal_probe")
    try:
        with django_db_blocker.unblock(), probe.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            (mode,) = cursor.fetchone()
    finally:
        probe.close()

    assert mode == "wal"


def test_load_demo_refuses_in_production_without_force(tmp_path):
    result = _jixiao(_production_env(tmp_path), "load_demo")

    assert result.returncode != 0
    assert "不载入演示数据" in result.stderr
    assert "--force" in result.stderr


def test_load_demo_twice_creates_the_users_once(tmp_path):
    env = _production_env(tmp_path, DEBUG="1")
    migrate = _jixiao(env, "migrate", "--noinput")
    assert migrate.returncode == 0, migrate.stderr

    first = _jixiao(env, "load_demo")
    second = _jixiao(env, "load_demo")

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert _counts(first.stdout)["新建用户"] == 11
    assert _counts(second.stdout) == {**_counts(first.stdout), "新建用户": 0}


def _counts(output: str) -> dict[str, int]:
    """Return load_demo's summary ("区划 N 个 … 新建用户 K 个") as {label: N}."""
    return {label: int(n) for label, n in re.findall(r"(区划|单位|新建用户) (\d+) 个", output)}
