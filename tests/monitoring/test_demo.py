"""The demo loader: fund records for the 2021 demo projects and a filled 2021 1–6月 round with warnings."""

from __future__ import annotations

from jixiao.demo import funds as demo_funds
from jixiao.funds.models import PaymentHold
from jixiao.monitoring.models import MonitoringRound


def test_demo_round_has_yellow_and_red_reports_and_is_idempotent(demo):
    first = demo_funds.load()
    again = demo_funds.load()

    monitoring_round = MonitoringRound.objects.get(name=demo_funds.ROUND_NAME)
    levels = set(monitoring_round.reports.values_list("warning_level", flat=True))
    assert {"yellow", "red"} <= levels
    assert first["reports"] > 0 and again["new_allocations"] == 0 and again["allocations"] == first["allocations"]
    assert monitoring_round.reports.filter(status="submitted").exists()
    assert PaymentHold.objects.filter(source_label=demo_funds.ROUND_NAME).count() == 1
