import datetime as dt

from django.utils import timezone

from jixiao.accounts.actions import do_issue_token
from jixiao.accounts.models import ApiToken
from jixiao.accounts.tasks import nightly_purge_expired_credentials, purge_expired_credentials


def test_purge_removes_only_long_expired_tokens(demo):
    do_issue_token(user=demo["perf_admin"])
    old, _ = do_issue_token(user=demo["inspector"])
    ApiToken.objects.filter(user=demo["inspector"]).update(expires_at=timezone.now() - dt.timedelta(days=2))
    assert purge_expired_credentials()["tokens"] == 1
    assert list(ApiToken.objects.values_list("user__username", flat=True)) == ["perf_admin"]


def test_purge_is_a_registered_periodic_task():
    from huey.contrib.djhuey import HUEY

    assert nightly_purge_expired_credentials.task_class in {type(t) for t in HUEY._registry.periodic_tasks}
