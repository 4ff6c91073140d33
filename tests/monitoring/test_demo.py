"""The demo loader: fund records for the 2021 demo projects and a 2021 1–6月 round with warnings and 监控表 in every
state of the review workflow, moved by the demo users whose scope reaches them."""

from __future__ import annotations

from jixiao.demo import funds as demo_funds
from jixiao.funds.models import PaymentHold
from jixiao.monitoring.models import MonitoringEvent, MonitoringRound, ReportStatus


def test_demo_round_has_yellow_and_red_reports_and_is_idempotent(demo):
    first = demo_funds.load()
    again = demo_funds.load()

    monitoring_round = MonitoringRound.objects.get(name=demo_funds.ROUND_NAME)
    levels = set(monitoring_round.reports.values_list("warning_level", flat=True))
    assert {"yellow", "red"} <= levels
    assert first["reports"] > 0 and again["new_allocations"] == 0 and again["allocations"] == first["allocations"]
    assert set(monitoring_round.reports.values_list("status", flat=True)) == set(ReportStatus.values)
    assert PaymentHold.objects.filter(source_label=demo_funds.ROUND_NAME).count() == 1
    events = MonitoringEvent.objects.filter(report__round=monitoring_round)
    assert {"dept", "finance"} == set(events.filter(kind="return").values_list("step", flat=True))
    assert {"unit_xinzhou", "xinzhou_fin", "jiangxia_fin", "dept_agri", "agri_div", "perf_admin"} <= set(
        events.exclude(actor=None).values_list("actor__username", flat=True)
    )
