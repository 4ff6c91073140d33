"""解除暂缓拨款: a monitoring manager lifts the hold taken on a red 监控表, with an opinion, an event and audit rows;
a hold lifted on the funds page clears the 监控表's mark too; every page, export and API answer shows the release."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from python_calamine import CalamineWorkbook

from jixiao.audit.models import AuditLog
from jixiao.funds.actions import do_release_hold
from jixiao.funds.models import PaymentHold
from jixiao.monitoring import actions
from jixiao.monitoring.models import MonitoringEvent
from jixiao.monitoring.selectors import moves_for
from tests.funds.factories import allocate, make_project, pay
from tests.monitoring.factories import open_round, report_of, with_goal


@pytest.fixture
def held(demo):
    """A red 新洲 report (10 % at 1–6月) whose payments 农业农村处 (agri_div) held."""
    project = make_project("T-RH-1")
    allocate(project, "1000000", dt.date(2023, 2, 1))
    pay(project, "100000", dt.date(2023, 5, 1))
    with_goal(project)
    report = report_of(open_round(6), project)
    assert report.warning_level == "red"
    return actions.do_hold_report_payments(report, reason="执行严重滞后", acting_user=demo["agri_div"])


def _release_api(client, report, headers, body):
    url = f"/api/v1/projects/{report.project_id}/monitoring/{report.round_id}/release-hold"
    return client.post(url, data=body, content_type="application/json", **headers)


def _events(report):
    return list(
        MonitoringEvent.objects.filter(report=report, kind__in=("hold", "release"))
        .order_by("id")
        .values_list("kind", "actor__username", "opinion")
    )


def test_release_lifts_the_hold_clears_the_mark_and_writes_event_and_audit(held, demo):
    report = actions.do_release_report_hold(held, opinion="已整改到位,恢复拨款", acting_user=demo["perf_admin"])

    hold = PaymentHold.objects.get(project=report.project)
    assert report.payment_held is False and hold.released_at is not None
    assert _events(report) == [("hold", "agri_div", "执行严重滞后"), ("release", "perf_admin", "已整改到位,恢复拨款")]
    assert list(
        AuditLog.objects.filter(model="funds.paymenthold", object_id=str(hold.pk), action="update").values_list(
            "username", "note"
        )
    ) == [("perf_admin", "已整改到位,恢复拨款")]
    assert AuditLog.objects.filter(
        model="monitoring.monitoringreport", object_id=str(report.pk), note="release:已整改到位,恢复拨款"
    ).exists()
    assert actions.active_hold(report) is None


def test_release_needs_an_opinion_and_changes_nothing_without_one(held, demo):
    with pytest.raises(ValidationError, match="解除暂缓拨款时必须填写意见"):
        actions.do_release_report_hold(held, opinion="  ", acting_user=demo["perf_admin"])

    held.refresh_from_db()
    assert held.payment_held is True
    assert PaymentHold.objects.get(project=held.project).released_at is None


def test_releasing_when_nothing_is_held_changes_nothing(held, demo):
    actions.do_release_report_hold(held, opinion="恢复拨款", acting_user=demo["perf_admin"])
    actions.do_release_report_hold(held, opinion="再次解除", acting_user=demo["agri_div"])

    assert [kind for kind, _, _ in _events(held)] == ["hold", "release"]


@pytest.mark.parametrize("username", ["xinzhou_fin", "unit_xinzhou", "dept_agri", "inspector", "third_party"])
def test_only_monitoring_managers_in_scope_release(held, demo, username):
    with pytest.raises(PermissionDenied):
        actions.do_release_report_hold(held, opinion="解除", acting_user=demo[username])

    held.refresh_from_db()
    assert held.payment_held is True


def test_release_through_the_api(client, api_token, held):
    response = _release_api(client, held, api_token("agri_div"), {"opinion": "已追回进度"})
    missing = _release_api(client, held, api_token("perf_admin"), {"opinion": ""})
    district = _release_api(client, held, api_token("xinzhou_fin"), {"opinion": "解除"})
    other_district = _release_api(client, held, api_token("jiangxia_fin"), {"opinion": "解除"})
    listed = client.get(f"/api/v1/monitoring/rounds/{held.round_id}/reports", **api_token("perf_admin"))

    data = response.json()
    assert (response.status_code, data["payment_held"]) == (200, False)
    assert [(e["kind"], e["kind_label"], e["opinion"], e["actor"]) for e in data["events"][-2:]] == [
        ("hold", "暂缓拨款", "执行严重滞后", "李农财"),
        ("release", "解除暂缓拨款", "已追回进度", "李农财"),
    ]
    assert (missing.status_code, missing.json()["message"]) == (422, "解除暂缓拨款时必须填写意见。")
    assert district.status_code == 403
    assert other_district.status_code == 404
    assert [row["payment_held"] for row in listed.json()] == [False]


def test_release_from_the_report_page_and_every_view_reflects_it(login, held):
    manager = login("perf_admin")
    before = manager.get(f"/monitoring/reports/{held.pk}/").content.decode()
    round_before = manager.get(f"/monitoring/rounds/{held.round_id}/").content.decode()

    done = manager.post(f"/monitoring/reports/{held.pk}/release-hold/", {"opinion": "恢复拨款"}, follow=True)

    after = done.content.decode()
    round_after = manager.get(f"/monitoring/rounds/{held.round_id}/").content.decode()
    export = manager.get(f"/monitoring/rounds/{held.round_id}/export/")
    funds_page = manager.get(f"/funds/projects/{held.project_id}/").content.decode()
    assert 'id="held-badge"' in before and 'id="release-form"' in before and 'id="hold-form"' not in before
    assert 'bg-dark-lt">暂缓拨款<' in round_before
    assert "已解除暂缓拨款,资金页面同步解除。" in after
    assert 'id="held-badge"' not in after and 'id="release-form"' not in after
    assert 'id="hold-form"' in after  # still red: payments may be held again
    assert 'bg-dark-lt">暂缓拨款<' not in round_after
    row = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_name("监控汇总").to_python()
    assert (row[0][-1], row[1][-1]) == ("暂缓拨款", "否")
    assert "解除)" in funds_page


def test_release_page_refuses_a_reviewer_without_the_permission(login, held):
    response = login("xinzhou_fin").post(f"/monitoring/reports/{held.pk}/release-hold/", {"opinion": "解除"})

    assert response.status_code == 403
    held.refresh_from_db()
    assert held.payment_held is True


def test_a_hold_lifted_on_the_funds_page_clears_the_report_mark(login, held, demo):
    hold = PaymentHold.objects.get(project=held.project)

    response = login("agri_div").post(f"/funds/holds/{hold.pk}/release/")

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.payment_held is False
    assert _events(held)[-1] == ("release", "agri_div", "在资金页面解除暂缓拨款")


def test_the_mark_stays_while_another_hold_is_in_force(held, demo):
    first = PaymentHold.objects.get(project=held.project)
    PaymentHold.objects.create(project=held.project, reason="审计发现问题", source_label="审计")

    do_release_hold(hold=first, opinion="监控问题已整改", acting_user=demo["perf_admin"])

    held.refresh_from_db()
    assert held.payment_held is True
    assert moves_for(demo["perf_admin"], held).release is True


def test_release_is_offered_once_the_warning_is_no_longer_red(held, demo):
    # The unit is catching up: 80 % executed is no longer a red warning, but the hold stays until released.
    pay(held.project, "700000", dt.date(2023, 6, 1))
    actions.do_save_report(held, amounts={"executed": Decimal("800000")}, acting_user=demo["unit_xinzhou"])

    moves = moves_for(demo["agri_div"], held)

    assert held.warning_level != "red" and (moves.dispose, moves.release) == (False, True)
    actions.do_release_report_hold(held, opinion="执行进度已赶上", acting_user=demo["agri_div"])
    assert held.payment_held is False
