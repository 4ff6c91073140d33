"""Clue workflow: transitions as data, guards, events and audit rows, the page buttons and the API's 409."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from jixiao.audit.models import AuditAction, AuditLog
from jixiao.crosscheck.actions import (
    TransitionRefused,
    do_accept_clue,
    do_assign_clue,
    do_classify_clue,
    do_close_clue,
    do_handle_clue,
    do_review_clue,
    do_transition_clue,
    do_verify_clue,
)
from jixiao.crosscheck.workflow import ClueStatus
from jixiao.orgs.models import Unit

FUTURE = dt.date.today() + dt.timedelta(days=20)


def _bureau() -> Unit:
    return Unit.objects.get(code="420117-CZJ")


def test_full_path_writes_an_event_and_an_audit_row_per_step(demo, xinzhou_clue):
    admin, verifier = demo["perf_admin"], demo["xinzhou_fin"]
    clue = do_classify_clue(xinzhou_clue, category="rectify", acting_user=admin)
    clue = do_assign_clue(clue, unit=_bureau(), deadline=FUTURE, acting_user=admin)
    clue = do_accept_clue(clue, acting_user=verifier)
    clue = do_verify_clue(clue, result="confirmed", opinion="入户核实属实", acting_user=verifier)
    clue = do_handle_clue(
        clue,
        stop_payment=True,
        recovered_amount=Decimal("1600.00"),
        recovered_on=dt.date(2024, 6, 1),
        acting_user=verifier,
    )
    clue = do_review_clue(clue, opinion="复核无误", acting_user=admin)
    clue = do_close_clue(clue, acting_user=admin)

    clue.refresh_from_db()
    assert clue.status == ClueStatus.CLOSED
    assert (clue.assigned_unit, clue.deadline, clue.verify_result) == (_bureau(), FUTURE, "confirmed")
    assert clue.stop_payment and clue.recovered_amount == Decimal("1600.00")
    steps = [(e.action, e.from_status, e.to_status, e.actor.username) for e in clue.events.all()]
    assert steps == [
        ("classify", "new", "classified", "perf_admin"),
        ("assign", "classified", "assigned", "perf_admin"),
        ("accept", "assigned", "verifying", "xinzhou_fin"),
        ("verify", "verifying", "verified", "xinzhou_fin"),
        ("handle", "verified", "handled", "xinzhou_fin"),
        ("review", "handled", "reviewed", "perf_admin"),
        ("close", "reviewed", "closed", "perf_admin"),
    ]
    assert clue.events.get(action="handle").data["recovered_amount"] == "1600.00"
    audits = AuditLog.objects.filter(model="crosscheck.clue", object_id=str(clue.pk), action=AuditAction.TRANSITION)
    assert audits.count() == 7
    assert "420117195001011234" not in str(list(audits.values_list("object_repr", "after")))


def test_refused_transition_changes_nothing(demo, xinzhou_clue):
    with pytest.raises(TransitionRefused, match="不能执行“交办”"):
        do_assign_clue(xinzhou_clue, unit=_bureau(), deadline=FUTURE, acting_user=demo["perf_admin"])
    xinzhou_clue.refresh_from_db()
    assert xinzhou_clue.status == ClueStatus.NEW and not xinzhou_clue.events.exists()


def test_unfounded_clue_skips_handling_and_is_reviewed(demo, xinzhou_clue):
    admin, verifier = demo["perf_admin"], demo["xinzhou_fin"]
    clue = do_classify_clue(xinzhou_clue, category="rectify", acting_user=admin)
    clue = do_assign_clue(clue, unit=_bureau(), deadline=FUTURE, acting_user=admin)
    clue = do_accept_clue(clue, acting_user=verifier)
    clue = do_verify_clue(clue, result="unfounded", opinion="已核实为同名不同人", acting_user=verifier)
    with pytest.raises(TransitionRefused, match="查否"):
        do_handle_clue(clue, stop_payment=True, acting_user=verifier)
    assert do_review_clue(clue, acting_user=admin).status == ClueStatus.REVIEWED


def test_data_error_closes_directly_and_rectify_does_not(demo, xinzhou_clue, jiangxia_clue):
    admin = demo["perf_admin"]
    clue = do_classify_clue(xinzhou_clue, category="data_error", acting_user=admin)
    assert do_close_clue(clue, acting_user=admin).status == ClueStatus.CLOSED
    other = do_classify_clue(jiangxia_clue, category="rectify", acting_user=admin)
    with pytest.raises(TransitionRefused, match="数据错误"):
        do_close_clue(other, acting_user=admin)


def test_side_states_park_and_resume_redo_and_refer(demo, xinzhou_clue):
    admin, verifier = demo["perf_admin"], demo["xinzhou_fin"]
    clue = do_classify_clue(xinzhou_clue, category="rectify", acting_user=admin)
    clue = do_transition_clue(clue, "park", {"opinion": "等公安数据"}, acting_user=admin)
    assert clue.status == ClueStatus.PARKED
    clue = do_transition_clue(clue, "unpark", {}, acting_user=admin)
    assert clue.status == ClueStatus.CLASSIFIED
    clue = do_assign_clue(clue, unit=_bureau(), deadline=FUTURE, acting_user=admin)
    clue = do_accept_clue(clue, acting_user=verifier)
    clue = do_verify_clue(clue, result="partial", opinion="部分属实", acting_user=verifier)
    with pytest.raises(TransitionRefused, match="请填写意见"):
        do_transition_clue(clue, "redo", {}, acting_user=admin)
    clue = do_transition_clue(clue, "redo", {"opinion": "证据不足,重新核实"}, acting_user=admin)
    assert clue.status == ClueStatus.REDO
    clue = do_accept_clue(clue, acting_user=verifier)
    clue = do_verify_clue(clue, result="confirmed", opinion="属实", acting_user=verifier)
    clue = do_transition_clue(clue, "refer", {"opinion": "涉嫌违纪"}, acting_user=admin)
    assert clue.status == ClueStatus.REFERRED


def test_overdue_only_after_the_deadline(demo, xinzhou_clue):
    admin = demo["perf_admin"]
    clue = do_classify_clue(xinzhou_clue, category="rectify", acting_user=admin)
    clue = do_assign_clue(clue, unit=_bureau(), deadline=dt.date.today(), acting_user=admin)
    with pytest.raises(TransitionRefused, match="尚未超过"):
        do_transition_clue(clue, "overdue", {}, acting_user=admin)
    type(clue).objects.filter(pk=clue.pk).update(deadline=dt.date.today() - dt.timedelta(days=1))
    clue.refresh_from_db()
    assert do_transition_clue(clue, "overdue", {}, acting_user=admin).status == ClueStatus.OVERDUE


def test_assignment_needs_a_future_deadline(demo, xinzhou_clue):
    admin = demo["perf_admin"]
    clue = do_classify_clue(xinzhou_clue, category="rectify", acting_user=admin)
    with pytest.raises(TransitionRefused, match="不能早于今天"):
        do_assign_clue(clue, unit=_bureau(), deadline=dt.date(2020, 1, 1), acting_user=admin)


def test_verifier_cannot_triage_and_inspector_cannot_write(demo, xinzhou_clue):
    with pytest.raises(PermissionDenied):
        do_classify_clue(xinzhou_clue, category="rectify", acting_user=demo["xinzhou_fin"])
    with pytest.raises(PermissionDenied):
        do_classify_clue(xinzhou_clue, category="rectify", acting_user=demo["inspector"])


def test_other_district_cannot_verify(demo, xinzhou_clue):
    admin = demo["perf_admin"]
    clue = do_classify_clue(xinzhou_clue, category="rectify", acting_user=admin)
    clue = do_assign_clue(clue, unit=_bureau(), deadline=FUTURE, acting_user=admin)
    with pytest.raises(PermissionDenied):
        do_accept_clue(clue, acting_user=demo["jiangxia_fin"])


def test_page_buttons_fire_transitions(login, xinzhou_clue):
    admin = login("perf_admin")
    page = admin.get(f"/crosscheck/clues/{xinzhou_clue.pk}/")
    assert "分类" in page.content.decode() and "暂存待查" in page.content.decode()
    response = admin.post(
        f"/crosscheck/clues/{xinzhou_clue.pk}/transition/", {"action": "classify", "category": "rectify"}
    )
    assert response.status_code == 302
    xinzhou_clue.refresh_from_db()
    assert xinzhou_clue.status == ClueStatus.CLASSIFIED
    response = admin.post(
        f"/crosscheck/clues/{xinzhou_clue.pk}/transition/",
        {"action": "assign", "unit": _bureau().pk, "deadline": FUTURE.isoformat()},
        follow=True,
    )
    assert "已办理" in response.content.decode()
    xinzhou_clue.refresh_from_db()
    assert xinzhou_clue.status == ClueStatus.ASSIGNED
    verifier_page = login("xinzhou_fin").get(f"/crosscheck/clues/{xinzhou_clue.pk}/").content.decode()
    assert "接收核实" in verifier_page and "复核通过" not in verifier_page


def test_page_shows_refusal_in_chinese(login, xinzhou_clue):
    response = login("perf_admin").post(
        f"/crosscheck/clues/{xinzhou_clue.pk}/transition/", {"action": "close"}, follow=True
    )
    assert "线索当前状态为“新线索”,不能执行“销号”" in response.content.decode()


def test_api_transition_and_409(client, api_token, xinzhou_clue):
    url = f"/api/v1/crosscheck/clues/{xinzhou_clue.pk}/transitions"
    headers = api_token("perf_admin")
    ok = client.post(url, {"action": "classify", "category": "rectify"}, content_type="application/json", **headers)
    assert ok.status_code == 200 and ok.json()["status"] == "classified"
    assert ok.json()["events"][0]["action"] == "classify"
    refused = client.post(
        url, {"action": "classify", "category": "rectify"}, content_type="application/json", **headers
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "transition_refused" and "不能执行“分类”" in refused.json()["message"]
    unit = Unit.objects.get(code="420117-CZJ")
    body = {"action": "assign", "unit_id": unit.pk, "deadline": FUTURE.isoformat()}
    assigned = client.post(url, body, content_type="application/json", **headers)
    assert assigned.status_code == 200 and assigned.json()["assigned_unit_id"] == unit.pk
    unknown = client.post(url, {"action": "explode"}, content_type="application/json", **headers)
    assert unknown.status_code == 422


def test_nightly_job_marks_late_clues_overdue(demo, xinzhou_clue, jiangxia_clue):
    from jixiao.crosscheck.actions import do_mark_overdue_clues

    admin = demo["perf_admin"]
    for clue in (xinzhou_clue, jiangxia_clue):
        clue = do_classify_clue(clue, category="rectify", acting_user=admin)
        do_assign_clue(clue, unit=_bureau(), deadline=FUTURE, acting_user=admin)
    type(xinzhou_clue).objects.filter(pk=xinzhou_clue.pk).update(deadline=dt.date.today() - dt.timedelta(days=2))
    assert do_mark_overdue_clues(acting_user=None) == 1
    xinzhou_clue.refresh_from_db()
    jiangxia_clue.refresh_from_db()
    assert (xinzhou_clue.status, jiangxia_clue.status) == (ClueStatus.OVERDUE, ClueStatus.ASSIGNED)
    assert xinzhou_clue.events.last().actor is None


def test_history_reads_in_chinese(demo, login, xinzhou_clue):
    admin = demo["perf_admin"]
    clue = do_classify_clue(xinzhou_clue, category="rectify", acting_user=admin)
    do_assign_clue(clue, unit=_bureau(), deadline=dt.date(2099, 1, 31), acting_user=admin)
    page = login("perf_admin").get(f"/crosscheck/clues/{clue.pk}/").content.decode()
    assert "分类:需整改" in page and "交办:新洲区财政局,期限 2099-01-31" in page
