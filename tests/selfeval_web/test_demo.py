"""The demo campaign loads over the 2019 demo projects with a mix of states and grades, twice without change."""

from __future__ import annotations

from jixiao.demo import selfeval
from jixiao.selfeval.models import SelfEvaluation


def test_demo_campaign_has_a_realistic_mix(demo):
    from jixiao.demo import goals

    goals.load()
    counts = selfeval.load()
    assert counts == selfeval.load()  # idempotent
    rows = SelfEvaluation.objects.filter(campaign__name=selfeval.CAMPAIGN_NAME)
    statuses = set(rows.values_list("status", flat=True))
    grades = set(rows.exclude(grade="").values_list("grade", flat=True))
    assert statuses == {"draft", "dept_review", "finance_review", "approved"}
    assert grades == {"优", "良", "中", "差"}
    assert counts["evaluations"] == rows.count() > 150
    print(counts, sorted(grades), rows.filter(events__kind="return").count())
