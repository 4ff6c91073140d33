"""Scheduled housekeeping, registered with the task queue (run by `jixiao run_huey`)."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jixiao.accounts.models import ApiToken


def purge_expired_credentials() -> dict[str, int]:
    """Delete expired sessions and API tokens expired for more than a day; return the counts."""
    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    tokens, _ = ApiToken.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()
    return {"sessions": sessions, "tokens": tokens}


@db_periodic_task(crontab(minute="17", hour="3"))
def nightly_purge_expired_credentials() -> dict[str, int]:
    return purge_expired_credentials()
