"""Self-evaluation benchmark: score a campaign of N projects × 10 indicators, render its dashboard.

Per database (SQLite always; PostgreSQL when 127.0.0.1:5432 answers), in a subprocess on a scratch database:
- generate: bulk_create N projects (demo city units and villages, one generated category), a campaign, N 自评表 and
  N × 10 indicator rows with actuals (not timed against a target);
- score: `tasks.rescore_campaign` — read the rows in chunks, score every 自评表 with the engine
  (`scoring.score`, exact fractions), write every score, formula and flag back (target < 20 s);
- dashboard: `selectors.campaign_dashboard` (aggregates in SQL) and the dashboard page through the Django test
  client as perf_admin, median of 10 requests (target < 300 ms).
Usage: `python -m bench.selfeval_bench [--projects N]`. Writes bench/results/selfeval.json and bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULT = HERE / "results" / "selfeval.json"
README = HERE / "README.md"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_SCRATCH = "jixiao_bench_selfeval"
TARGETS = {"score_seconds": 20.0, "dashboard_ms": 300.0}
# level1, level2, name, operator, target, unit, weight
INDICATORS = [
    ("产出指标", "数量指标", "新增灌溉面积", "≥", "3000", "亩", "10"),
    ("产出指标", "数量指标", "受益脱贫户数", "≥", "120", "户", "10"),
    ("产出指标", "质量指标", "项目验收合格率", "=", "100%", "%", "10"),
    ("产出指标", "时效指标", "项目完成及时率", "≥", "95", "%", "10"),
    ("产出指标", "成本指标", "亩均建设成本", "≤", "1500", "元", "10"),
    ("效益指标", "经济效益指标", "带动脱贫户增收", "≥", "2000", "元/户", "10"),
    ("效益指标", "社会效益指标", "带动就业人数", "≥", "40", "人", "10"),
    ("效益指标", "可持续影响指标", "工程设计使用年限", "定性", "长期发挥效益", "", "10"),
    ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "90", "%", "5"),
    ("满意度指标", "服务对象满意度指标", "受益脱贫户满意度", "≥", "90", "%", "5"),
]


def _actual(rng: random.Random, operator: str, target: str, unit: str) -> tuple[str, str]:
    if operator == "定性":
        tier = rng.choice(["达成", "达成", "部分达成", "未达成"])
        return {"达成": "达成预期指标", "部分达成": "基本达到", "未达成": "未完成"}[tier], tier
    value = float(target.rstrip("%")) * rng.uniform(0.6, 1.2)
    if unit == "%" or target.endswith("%"):
        value = min(value, 100.0)
    return f"{value:.2f}".rstrip("0").rstrip("."), ""


def generate(n: int) -> int:
    """Bulk-insert n projects, a campaign, n 自评表 and n × 10 indicators; return the campaign id."""
    import datetime as dt
    from decimal import Decimal

    from jixiao.orgs.models import Region, Unit
    from jixiao.projects.models import Category, Project
    from jixiao.selfeval.actions import district_of
    from jixiao.selfeval.models import Campaign, ScoringProfileRecord, SelfEvaluation, SelfEvaluationIndicator

    rng = random.Random(100_000)
    category = Category.objects.create(code="BENCH-SE", name="基准测试类别", taxonomy="扶贫", valid_from=2019)
    villages = list(Region.objects.filter(level="village").values_list("pk", "path"))
    districts = dict(Region.objects.filter(level="district").values_list("code", "id"))
    units = list(Unit.objects.filter(kind="project_unit").exclude(parent=None).values_list("pk", "parent_id"))
    projects = []
    for i in range(n):
        village, unit = villages[i % len(villages)], units[i % len(units)]
        projects.append(
            Project(
                code=f"BSE-{i:06d}",
                name=f"基准自评项目{i}",
                year=2019,
                category=category,
                region_id=village[0],
                unit_id=unit[0],
                department_id=unit[1],
                status="accepted",
                budget_wan=Decimal(rng.randint(10, 500)),
            )  # fmt: skip
        )
    Project.objects.bulk_create(projects, batch_size=5000)
    campaign = Campaign.objects.create(
        year=2019, name="基准测试自评任务", deadline=dt.date(2020, 3, 31),
        profile=ScoringProfileRecord.objects.get(code="central-2020"),
    )  # fmt: skip
    paths = dict(villages)
    rows = Project.objects.filter(category=category).values_list("pk", "department_id", "region_id", "budget_wan")
    evaluations = []
    for pk, department, region, budget in rows.iterator(chunk_size=5000):
        annual = budget * 10000
        share = Decimal(str(round(rng.uniform(0.5, 1.0), 3)))
        evaluations.append(
            SelfEvaluation(
                campaign=campaign,
                project_id=pk,
                department_id=department,
                district_id=district_of(paths[region], districts),
                budget_initial=annual,
                budget_annual=annual,
                budget_executed=annual * share,
                budget_explanation="基准测试说明" if share < Decimal("0.9") else "",
                status=rng.choice(["draft", "dept_review", "finance_review", "approved", "approved"]),
            )  # fmt: skip
        )
    SelfEvaluation.objects.bulk_create(evaluations, batch_size=5000)
    batch = []
    for ev_id in SelfEvaluation.objects.filter(campaign=campaign).values_list("pk", flat=True).iterator(5000):
        for position, (l1, l2, name, op, target, unit, weight) in enumerate(INDICATORS, start=1):
            actual, tier = _actual(rng, op, target, unit)
            batch.append(
                SelfEvaluationIndicator(
                    evaluation_id=ev_id,
                    position=position,
                    level1=l1,
                    level2=l2,
                    name=name,
                    operator=op,
                    target=target,
                    unit=unit,
                    weight=Decimal(weight),
                    actual=actual,
                    tier=tier,
                    explanation="说明",
                )  # fmt: skip
            )
        if len(batch) >= 50_000:
            SelfEvaluationIndicator.objects.bulk_create(batch, batch_size=5000)
            batch = []
    SelfEvaluationIndicator.objects.bulk_create(batch, batch_size=5000)
    return campaign.pk


def run_one(label: str, n: int, *, score: bool = True) -> dict:
    """Inside the per-database subprocess: migrate, load the city, generate, score, render."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from jixiao.accounts.models import User
    from jixiao.demo import city
    from jixiao.selfeval.models import Campaign, SelfEvaluation, SelfEvaluationIndicator
    from jixiao.selfeval.selectors import campaign_dashboard
    from jixiao.selfeval.tasks import rescore_campaign

    call_command("migrate", verbosity=0)
    city.load()
    start = time.perf_counter()
    campaign = Campaign.objects.get(pk=generate(n))
    generate_seconds = time.perf_counter() - start

    start = time.perf_counter()
    counts = rescore_campaign(campaign) if score else {"scored": 0, "refused": 0}
    if not score:  # grades as a scored campaign would have them, so the dashboard groups the same way
        grades = ["优", "良", "良", "中", "差"]
        for index, grade in enumerate(grades):
            SelfEvaluation.objects.filter(campaign=campaign, pk__iregex=rf"{index}$").update(grade=grade)
    score_seconds = time.perf_counter() - start

    user = User.objects.get(username="perf_admin")
    start = time.perf_counter()
    data = campaign_dashboard(user, campaign)
    aggregate_ms = (time.perf_counter() - start) * 1000
    client = Client()
    client.force_login(user)
    url = f"/selfeval/campaigns/{campaign.pk}/"
    times = []
    try:
        client.get(url)
        for _ in range(10):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.status_code
    except Exception as exc:  # another area's code broken mid-edit must not throw away the scoring numbers
        print(f"dashboard page failed: {exc!r}", file=sys.stderr)
        times = [float("nan")]
    graded = SelfEvaluation.objects.filter(campaign=campaign).exclude(grade="").count()
    return {
        "database": label,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "cpus": os.cpu_count(),
        "projects": n,
        "indicators": SelfEvaluationIndicator.objects.filter(evaluation__campaign=campaign).count(),
        "generate_seconds": round(generate_seconds, 1),
        "score_seconds": round(score_seconds, 1),
        "score_ms_per_evaluation": round(score_seconds * 1000 / n, 3),
        "scored": counts["scored"],
        "refused": counts["refused"],
        "graded": graded,
        "grades": data["grades"],
        "form_rate": float(data["overall"]["form_rate"] or 0),
        "fund_rate": float(data["overall"]["fund_rate"] or 0),
        "dashboard_aggregates_ms": round(aggregate_ms, 1),
        "dashboard_page_median_ms": round(statistics.median(times), 1),
    }


def _postgres_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


def _pg_scratch(create: bool) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_SCRATCH}"')
        if create:
            conn.execute(f'CREATE DATABASE "{PG_SCRATCH}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_SCRATCH


def _child(label: str, n: int, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.selfeval_bench", "--child", label, "--projects", str(n)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"{label} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _write_readme(results: list[dict], n: int) -> None:
    lines = [
        "<!-- selfeval -->",
        "### Self-evaluation: score a campaign of projects × 10 indicators, render its dashboard",
        "",
        "`python -m bench.selfeval_bench` — score = `jixiao.selfeval.tasks.rescore_campaign`: read rows in chunks,",
        "score each 自评表 with the exact engine (`scoring.score`), write every score/formula/flag back with",
        "`executemany`. Dashboard = 自评表执行率 and 资金总量执行率 overall, by department and by district, and the grade",
        "distribution (SQL aggregates), page through the Django test client, median of 10. Targets: score < 20 s;",
        "dashboard < 300 ms.",
        "",
        "| Database | Projects | Indicator rows | Generate (s) | Score (s) | ms / 自评表 | Dashboard aggregates (ms) |"
        " Dashboard page (ms) | Load avg (2 CPUs) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['projects']:,} | {r['indicators']:,} | {r['generate_seconds']} | "
            f"{r['score_seconds']} | {r['score_ms_per_evaluation']} | "
            f"{r['dashboard_aggregates_ms']} | {r['dashboard_page_median_ms']} | {r['load_average_1min']} |"
        )
    lines.append("<!-- /selfeval -->")
    section = "\n".join(lines)
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    if "<!-- selfeval -->" in text and "<!-- /selfeval -->" in text:
        head, rest = text.split("<!-- selfeval -->", 1)
        text = head + section + rest.split("<!-- /selfeval -->", 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    README.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--skip-score", action="store_true", help="generate and time the dashboard only")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    if args.child:
        print(json.dumps(run_one(args.child, args.projects, score=not args.skip_score), ensure_ascii=False))
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        os.environ.update({"DEBUG": "1", "JIXIAO_DATA_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"})
        env = dict(os.environ)
        results.append(_child("SQLite", args.projects, env))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        if not args.no_postgres and _postgres_reachable():
            try:
                scratch = _pg_scratch(create=True)
                results.append(_child("PostgreSQL", args.projects, {**env, "DATABASE_URL": scratch}))
                print(json.dumps(results[-1], ensure_ascii=False), flush=True)
            finally:
                _pg_scratch(create=False)
    for r in results:
        r["meets_targets"] = (
            r["score_seconds"] < TARGETS["score_seconds"] and r["dashboard_page_median_ms"] < TARGETS["dashboard_ms"]
        )
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps({"targets": TARGETS, "results": results}, ensure_ascii=False, indent=2) + "\n")
    _write_readme(results, args.projects)
    return 0


if __name__ == "__main__":
    sys.exit(main())
