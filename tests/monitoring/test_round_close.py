"""Closing a round (已结束), its deadline (已逾期) and extending it: what units, reviewers and managers may still do,
through the actions, the API and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jixiao.audit.models import AuditLog
from jixiao.monitoring import actions, round_actions
from jixiao.monitoring.models import MonitoringEvent, ReportStatus, RoundEvent, RoundStatus
from jixiao.monitoring.selectors import moves_for
from tests.funds.factories import allocate, jiangxia_project, make_project, pay
from tests.monitoring.factories import fill_all_sure, open_round, report_of, submitted, with_goal

DEADLINE = dt.date(2023, 7, 15)
# Asia/Shanghai: the deadline day's last hour is still in time, the next morning is not.
LAST_HOUR = dt.datetime(2023, 7, 15, 15, 30, tzinfo=dt.UTC)
NEXT_MORNING = dt.datetime(2023, 7, 16, 1, 0, tzinfo=dt.UTC)
PAST_DEADLINE_MESSAGE = (
    "监控批次“2023年监控”的填报截止日期为2023年7月15日,已过截止日期,不能再提交监控表。"
    "如需补报,请联系组织监控的处室延长截止日期。"
)


@pytest.fixture
def report(demo):
    """A filled yellow 新洲 report (35 % at 1–6月) in a round due 2023-07-15, still with the unit."""
    project = make_project("T-RC-1")
    allocate(project, "1000000", dt.date(2023, 2, 1))
    pay(project, "350000", dt.date(2023, 5, 1))
    with_goal(project)
    report = report_of(open_round(6, deadline=DEADLINE), project)
    with time_machine.travel(LAST_HOUR, tick=False):
        return fill_all_sure(report)


def _api(client, report, verb, headers, body=None):
    url = f"/api/v1/projects/{report.project_id}/monitoring/{report.round_id}" + (f"/{verb}" if verb else "")
    method = client.put if verb == "" else client.post
    return method(url, data=body or {}, content_type="application/json", **headers)


def _round_api(client, monitoring_round, verb, headers, body=None):
    url = f"/api/v1/monitoring/rounds/{monitoring_round.pk}/{verb}"
    return client.post(url, data=body or {}, content_type="application/json", **headers)


# --- closing -------------------------------------------------------------------------------------------------


def test_closing_writes_an_event_and_an_audit_row_once(report, demo):
    monitoring_round = report.round

    round_actions.do_close_round(monitoring_round, opinion="按期结束", acting_user=demo["perf_admin"])
    round_actions.do_close_round(monitoring_round, opinion="再次结束", acting_user=demo["perf_admin"])

    monitoring_round.refresh_from_db()
    assert (monitoring_round.status, monitoring_round.state_label) == (RoundStatus.CLOSED, "已结束")
    assert monitoring_round.closed_at is not None
    assert list(
        RoundEvent.objects.filter(round=monitoring_round).values_list(
            "kind", "from_status", "to_status", "actor__username", "opinion"
        )
    ) == [("close", "open", "closed", "perf_admin", "按期结束")]
    assert list(
        AuditLog.objects.filter(
            model="monitoring.monitoringround", object_id=str(monitoring_round.pk), action="transition"
        ).values_list("username", "before", "after", "note")
    ) == [("perf_admin", {"status": "open"}, {"status": "closed"}, "close:按期结束")]


def test_closed_round_refuses_saving_and_submitting(report, demo):
    round_actions.do_close_round(report.round, acting_user=demo["perf_admin"])
    report.refresh_from_db()
    unit = demo["unit_xinzhou"]

    with pytest.raises(actions.MonitoringConflict) as submit:
        actions.do_submit_report(report, acting_user=unit)
    with pytest.raises(actions.MonitoringConflict) as save:
        actions.do_save_report(report, amounts={"expected_annual": "900000"}, acting_user=unit)

    assert submit.value.code == save.value.code == "round_closed"
    assert "监控批次“2023年监控”已于" in submit.value.message and "不能再填报或提交监控表" in submit.value.message
    report.refresh_from_db()
    assert (report.status, report.expected_annual) == (ReportStatus.DRAFT, 1000000)
    assert not MonitoringEvent.objects.filter(report=report, kind="submit").exists()


def test_closed_round_refuses_submit_and_fill_through_the_api_with_409(client, api_token, report, demo):
    round_actions.do_close_round(report.round, acting_user=demo["perf_admin"])
    headers = api_token("unit_xinzhou")

    submit = _api(client, report, "submit", headers)
    put = _api(client, report, "", headers, {"expected_annual": "900000.00"})

    assert submit.status_code == put.status_code == 409
    assert submit.json()["code"] == put.json()["code"] == "round_closed"
    assert set(submit.json()) == {"code", "message", "detail"}
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_closed_round_refuses_submit_and_fill_in_the_browser(login, report, demo):
    round_actions.do_close_round(report.round, acting_user=demo["perf_admin"])
    unit = login("unit_xinzhou")

    submit = unit.post(f"/monitoring/reports/{report.pk}/submit/", follow=True)
    edit = unit.get(f"/monitoring/reports/{report.pk}/edit/", follow=True)
    posted = unit.post(f"/monitoring/reports/{report.pk}/edit/", {"expected_annual": "1", "submit": "1"})
    page = unit.get(f"/monitoring/reports/{report.pk}/").content.decode()

    assert "结束,不能再填报或提交监控表" in submit.content.decode()
    assert edit.redirect_chain[-1][0] == f"/monitoring/reports/{report.pk}/"
    assert "结束,不能再填报或提交监控表" in edit.content.decode()
    assert posted.status_code == 302
    assert 'id="round-refusal"' in page
    assert 'id="fill-button"' not in page and 'id="submit-button"' not in page
    report.refresh_from_db()
    assert (report.status, report.expected_annual) == (ReportStatus.DRAFT, 1000000)


def test_reviewers_may_approve_but_not_return_in_a_closed_round(client, api_token, login, report, demo):
    with time_machine.travel(LAST_HOUR, tick=False):
        submitted(report)
    round_actions.do_close_round(report.round, acting_user=demo["perf_admin"])

    back = _api(client, report, "review", api_token("xinzhou_fin"), {"decision": "return", "opinion": "补充"})
    page = login("xinzhou_fin").get(f"/monitoring/reports/{report.pk}/").content.decode()
    approve = _api(client, report, "review", api_token("xinzhou_fin"), {"decision": "approve"})

    assert (back.status_code, back.json()["code"]) == (409, "round_closed")
    assert 'id="review-form"' in page and 'value="return"' not in page and 'id="no-return"' in page
    assert (approve.status_code, approve.json()["status"]) == (200, "finance_review")


def test_close_confirmation_page_then_post_closes(login, report):
    manager = login("perf_admin")

    confirm = manager.get(f"/monitoring/rounds/{report.round_id}/close/")
    closed = manager.post(f"/monitoring/rounds/{report.round_id}/close/", {"opinion": "到期结束"}, follow=True)

    html = confirm.content.decode()
    assert confirm.status_code == 200 and 'id="confirm-close"' in html
    assert '<strong id="with-units">1</strong>' in html and '<strong id="in-review">0</strong>' in html
    report.round.refresh_from_db()
    assert report.round.status == RoundStatus.CLOSED
    assert "已结束监控批次“2023年监控”" in closed.content.decode()
    assert RoundEvent.objects.get(round=report.round).opinion == "到期结束"


@pytest.mark.parametrize("username", ["unit_xinzhou", "xinzhou_fin", "dept_agri", "inspector", "sysadmin"])
def test_only_round_managers_may_close(client, api_token, login, report, username):
    response = _round_api(client, report.round, "close", api_token(username))
    page = login(username).post(f"/monitoring/rounds/{report.round_id}/close/")

    assert response.status_code == 403 and page.status_code == 403
    report.round.refresh_from_db()
    assert report.round.status == RoundStatus.OPEN


def test_a_fund_division_may_close_only_rounds_within_its_scope(client, api_token, demo):
    make_project("T-RC-OWN")  # 新洲农业农村局's project, managed by 农业农村处
    own_with_project = open_round(6, name="农业农村处批次")
    jiangxia_project("T-RC-JX")  # no managing division: outside agri_div's scope
    city = open_round(6, department="420115-NYJ", name="江夏批次")
    assert own_with_project.reports.count() == 1 and city.reports.count() == 1

    mine = _round_api(client, own_with_project, "close", api_token("agri_div"))
    other = _round_api(client, city, "close", api_token("agri_div"))
    finance = _round_api(client, city, "close", api_token("perf_admin"))

    assert (mine.status_code, mine.json()["state"], mine.json()["state_label"]) == (200, "closed", "已结束")
    assert other.status_code == 403
    assert "只能由组织该批次的处室结束或延期" in other.json()["message"]
    assert finance.status_code == 200


# --- the deadline --------------------------------------------------------------------------------------------


def test_submitting_on_the_deadline_day_is_in_time(report, demo):
    with time_machine.travel(LAST_HOUR, tick=False):
        actions.do_submit_report(report, acting_user=demo["unit_xinzhou"])

    assert report.status == ReportStatus.SUBMITTED


def test_past_the_deadline_a_draft_is_refused_naming_the_deadline(client, api_token, login, report, demo):
    with time_machine.travel(NEXT_MORNING, tick=False):
        with pytest.raises(actions.MonitoringConflict) as refused:
            actions.do_submit_report(report, acting_user=demo["unit_xinzhou"])
        api = _api(client, report, "submit", api_token("unit_xinzhou"))
        page = login("unit_xinzhou").post(f"/monitoring/reports/{report.pk}/submit/", follow=True)
        saved = actions.do_save_report(report, amounts={"expected_annual": "990000"}, acting_user=None)
        edit = login("unit_xinzhou").get(f"/monitoring/reports/{report.pk}/edit/").content.decode()

    assert (refused.value.code, refused.value.message) == ("past_deadline", PAST_DEADLINE_MESSAGE)
    assert (api.status_code, api.json()["code"], api.json()["message"]) == (409, "past_deadline", PAST_DEADLINE_MESSAGE)
    assert PAST_DEADLINE_MESSAGE in page.content.decode()
    assert saved.expected_annual == 990000  # a draft may still be saved, waiting for an extension
    assert 'id="submit-refusal"' in edit and 'name="submit"' not in edit
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_past_the_deadline_a_submitted_report_cannot_be_withdrawn(report, demo):
    with time_machine.travel(LAST_HOUR, tick=False):
        submitted(report)

    with time_machine.travel(NEXT_MORNING, tick=False):
        with pytest.raises(actions.MonitoringConflict, match="已提交的监控表不能再撤回修改") as refused:
            actions.do_save_report(report, amounts={"expected_annual": "990000"}, acting_user=demo["unit_xinzhou"])
        moves = moves_for(demo["unit_xinzhou"], report)

    assert refused.value.code == "past_deadline"
    assert (moves.edit, moves.submit) == (False, False)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_past_the_deadline_a_returned_report_may_be_submitted_again(report, demo):
    with time_machine.travel(LAST_HOUR, tick=False):
        submitted(report)
    with time_machine.travel(NEXT_MORNING, tick=False):
        actions.do_review_report(report, decision="return", opinion="请补充措施", acting_user=demo["xinzhou_fin"])
        actions.do_submit_report(report, acting_user=demo["unit_xinzhou"])

    assert report.status == ReportStatus.SUBMITTED


# --- extending -----------------------------------------------------------------------------------------------


def test_extending_the_deadline_allows_submitting_again(client, api_token, report, demo):
    with time_machine.travel(NEXT_MORNING, tick=False):
        extended = _round_api(
            client, report.round, "extend", api_token("perf_admin"), {"deadline": "2023-07-31", "reason": "汛期延误"}
        )
        report.refresh_from_db()
        actions.do_submit_report(report, acting_user=demo["unit_xinzhou"])

    assert (extended.status_code, extended.json()["deadline"], extended.json()["state"]) == (200, "2023-07-31", "open")
    assert report.status == ReportStatus.SUBMITTED
    event = RoundEvent.objects.get(round=report.round)
    assert (event.kind, event.old_deadline, event.new_deadline, event.opinion, event.actor.username) == (
        "extend",
        DEADLINE,
        dt.date(2023, 7, 31),
        "汛期延误",
        "perf_admin",
    )
    audit = AuditLog.objects.get(model="monitoring.monitoringround", object_id=str(report.round_id), action="update")
    assert (audit.before, audit.after, audit.note) == (
        {"deadline": "2023-07-15"},
        {"deadline": "2023-07-31"},
        "extend:汛期延误",
    )


def test_extending_a_closed_round_reopens_it(login, report, demo):
    round_actions.do_close_round(report.round, acting_user=demo["perf_admin"])

    with time_machine.travel(NEXT_MORNING, tick=False):
        response = login("perf_admin").post(
            f"/monitoring/rounds/{report.round_id}/extend/", {"deadline": "2023-08-10", "reason": "补报"}, follow=True
        )
        report.refresh_from_db()
        actions.do_submit_report(report, acting_user=demo["unit_xinzhou"])

    assert "已重新开放批次,填报截止日期为 2023-08-10。" in response.content.decode()
    assert (report.round.status, report.round.closed_at, report.status) == (RoundStatus.OPEN, None, "submitted")
    events = RoundEvent.objects.filter(round=report.round).order_by("id")  # travel dates the reopening earlier
    assert list(events.values_list("kind", "from_status", "to_status")) == [
        ("close", "open", "closed"),
        ("reopen", "closed", "open"),
    ]


@pytest.mark.parametrize(
    "deadline, message",
    [
        ("2023-07-10", "新的截止日期 2023-07-10 早于今天(2023-07-16),延期后仍已逾期。"),
        ("2023-07-16", None),
    ],
)
def test_an_extension_must_not_end_before_today(client, api_token, report, deadline, message):
    with time_machine.travel(NEXT_MORNING, tick=False):
        response = _round_api(client, report.round, "extend", api_token("perf_admin"), {"deadline": deadline})

    if message is None:
        assert response.status_code == 200
    else:
        assert (response.status_code, response.json()["message"]) == (422, message)
        report.round.refresh_from_db()
        assert report.round.deadline == DEADLINE


def test_an_extension_cannot_shorten_the_deadline(report, demo):
    with time_machine.travel(dt.datetime(2023, 7, 1, 4, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ValidationError, match="早于原截止日期 2023-07-15"):
            round_actions.do_extend_round(report.round, deadline=dt.date(2023, 7, 10), acting_user=demo["perf_admin"])
        round_actions.do_extend_round(report.round, deadline=DEADLINE, acting_user=demo["perf_admin"])

    assert not RoundEvent.objects.filter(round=report.round).exists()  # the same deadline changes nothing


def test_extending_needs_the_round_manager(report, demo):
    with pytest.raises(PermissionDenied):
        round_actions.do_extend_round(report.round, deadline=dt.date(2099, 1, 1), acting_user=demo["xinzhou_fin"])


# --- how rounds look -----------------------------------------------------------------------------------------


def test_round_list_and_page_show_closed_and_overdue(login, demo):
    make_project("T-RC-LIST")
    overdue = open_round(6, name="逾期批次", deadline=dt.date(2023, 7, 15))
    closed = open_round(6, name="结束批次")
    round_actions.do_close_round(closed, acting_user=None)
    open_round(6, name="进行中批次")

    listing = login("perf_admin").get("/monitoring/").content.decode()
    overdue_page = login("unit_xinzhou").get(f"/monitoring/rounds/{overdue.pk}/").content.decode()
    closed_page = login("perf_admin").get(f"/monitoring/rounds/{closed.pk}/").content.decode()

    def state_after(name: str) -> str:
        row = listing.split(name, 1)[1].split("</tr>", 1)[0]
        return row.split('round-state">', 1)[1].split("<", 1)[0]

    assert [state_after(n) for n in ("逾期批次", "结束批次", "进行中批次")] == ["已逾期", "已结束", "填报中"]
    assert "已过填报截止日期(2023-07-15)" in overdue_page and 'id="extend-form"' not in overdue_page
    assert "本批次已结束" in closed_page and 'id="extend-form"' in closed_page
    assert "重新开放" in closed_page and 'id="close-round-button"' not in closed_page
