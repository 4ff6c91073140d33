"""Shared fixtures: the demo city's fixed cast of users (healthchecks-style), loaded once per database."""

from __future__ import annotations

import pytest
from django.test import Client

from jixiao.accounts.models import User
from jixiao.demo import city
from jixiao.demo import goals as demo_goals
from jixiao.demo import projects as demo_projects

DEMO_USERNAMES = [spec.username for spec in city.DEMO_USERS]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        city.load()
        demo_projects.load()
        demo_goals.load()


@pytest.fixture
def demo(db) -> dict[str, User]:
    """The demo cast by username. Reloads the city if a transactional test flushed it."""
    if not User.objects.filter(username="perf_admin").exists():
        city.load()
        demo_projects.load()
        demo_goals.load()
    return {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}


@pytest.fixture
def login(demo):
    """Return a function giving a logged-in test client for a demo username."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(demo[username])
        return client

    return make


@pytest.fixture
def api_token(demo):
    """Return a function giving a bearer header for a demo username (issued through the real endpoint)."""
    from jixiao.accounts.actions import do_issue_token

    def make(username: str) -> dict[str, str]:
        token, _ = do_issue_token(user=demo[username])
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return make
