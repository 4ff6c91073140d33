"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Playwright's own browser download is not used; `make system-deps` installs /usr/bin/chromium and the CJK fonts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jixiao.demo import city

CHROMIUM = Path("/usr/bin/chromium")
# Without these Chromium keeps calling Google (updates, sync, field trials) and, with no internet, stalls on it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls made beside it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    """Skip (visibly) the browser tests when pytest-playwright is disabled, as in `pytest -p no:playwright`."""
    if config.pluginmanager.has_plugin("playwright"):
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason="pytest-playwright 已禁用(-p no:playwright),跳过浏览器测试")
    for item in items:
        if here in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"找不到 {CHROMIUM}:请先运行 make system-deps 安装 Chromium 和中文字体。", pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def site(live_server, transactional_db, settings) -> str:
    """Return the live server's base URL, with the demo city loaded (the live server's database is flushed per test)."""
    # Hashing the 11 demo users with Argon2 costs seconds per test; these tests do not depend on the hash.
    # Argon2 stays listed so users created before (by the session's setup) can still log in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    city.load()
    return live_server.url


@pytest.fixture
def screenshot_dir(pytestconfig) -> Path:
    """Return the folder for screenshots (pytest-playwright's --output, `test-results/` by default)."""
    path = Path(pytestconfig.getoption("--output"))
    path.mkdir(parents=True, exist_ok=True)
    return path
