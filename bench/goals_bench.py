"""Goals benchmark: import 10 000 projects' goals (100 000 indicator rows) from one sheet, render a goal page.

Measures, per database (SQLite always; PostgreSQL when DATABASE_URL is given or 127.0.0.1:5432 answers):
- parse: merely reading every cell of the workbook with calamine (the floor an importer cannot beat);
- import: `jixiao.goals.spreadsheets.import_goals` — validation, bulk inserts of goals and indicators, the
  normative review G01–G16 of every goal, events and audit rows — wall time and peak resident memory (VmHWM);
- render: median server time (Django test client, 20 requests) of one goal's page and of the goal list with the
  10 000 imported goals plus the demo city's in the database.
The projects are bulk-created first (not measured). Each database runs in its own subprocess on a scratch DB.
Usage: `python -m bench.goals_bench [--projects N]`. Writes bench/results/goals.json and bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULT = HERE / "results" / "goals.json"
README = HERE / "README.md"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_SCRATCH = "jixiao_bench_goals"
TARGETS = {"render_ms": 150.0}
DISTRICTS = ["420117", "420114", "420113", "420116", "420115", "420112"]
ROWS = [
    ("产出", "数量", "新增(改造)产业基地面积", "≥", "{n}", "亩"),
    ("产出", "数量", "带动脱贫户数", "≥", "{h}", "户"),
    ("产出", "质量", "项目(工程)验收合格率", "=", "100", "%"),
    ("产出", "时效", "项目(工程)完成及时率", "=", "100", "%"),
    ("成本", "经济成本", "户均产业奖补标准", "≤", "3000", "元/户"),
    ("效益", "经济效益", "带动脱贫户户均增收", "≥", "1500", "元/户"),
    ("效益", "社会效益", "受益脱贫(建档立卡)人口数", "≥", "{p}", "人"),
    ("效益", "可持续影响", "产业项目持续受益年限", "≥", "5", "年"),
    ("效益", "可持续影响", "联农带农利益联结机制", "定性", "建立并正常运行", ""),
    ("满意度", "服务对象满意度", "受益群众满意度", "≥", "90", "%"),
]
WEIGHTS = [10, 10, 10, 10, 10, 10, 10, 5, 5, 10]  # cost-2021: 成本 10, 产出 40, 效益 30, 满意度 10


def _memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def project_code(i: int) -> str:
    return f"GBENCH-{i:06d}"


def build_workbook(projects: int) -> bytes:
    """Returns the one-sheet-many-projects workbook: 10 indicator rows per project."""
    import django

    django.setup()
    from jixiao.core.excel import write_workbook
    from jixiao.goals.spreadsheets import MANY_COLUMNS, MANY_SHEET

    def rows():
        for i in range(projects):
            n, h = 50 + i % 400, 10 + i % 90
            for index, (l1, l2, name, op, target, unit) in enumerate(ROWS):
                overall = f"建设产业基地{n}亩,带动{h}户脱贫户增收,群众满意度90%以上。" if index == 0 else ""
                value = target.format(n=n, h=h, p=h * 3)
                yield [project_code(i), overall, l1, l2, name, op, value, unit, WEIGHTS[index], "否", "", ""]

    return write_workbook([(MANY_SHEET, MANY_COLUMNS, rows())])


def create_projects(count: int) -> None:
    """Bulk-creates the benchmark's 2021 产业发展 projects across the six districts (not measured)."""
    from decimal import Decimal

    from jixiao.orgs.models import Region, RegionLevel, Unit
    from jixiao.projects.models import Category, Project

    category = Category.objects.get(code="X21-CYFZ")
    villages = {d: Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=d).first() for d in DISTRICTS}
    units = {d: Unit.objects.get(code=f"{d}-U1") for d in DISTRICTS}
    departments = {d: Unit.objects.get(code=f"{d}-NYJ") for d in DISTRICTS}
    projects = []
    for i in range(count):
        d = DISTRICTS[i % len(DISTRICTS)]
        projects.append(
            Project(code=project_code(i), name=f"基准测试产业项目{i}", year=2021, category=category,
                    region=villages[d], unit=units[d], department=departments[d], budget_wan=Decimal("60"))
        )  # fmt: skip
    Project.objects.bulk_create(projects, batch_size=2000)


def run_one(path: str, label: str, projects: int) -> dict:
    """Inside the per-database subprocess: migrate, demo, projects, import, render. Returns the measurements."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from python_calamine import CalamineWorkbook

    from jixiao.accounts.models import User
    from jixiao.demo import city
    from jixiao.demo import goals as demo_goals
    from jixiao.demo import projects as demo_projects
    from jixiao.goals.models import Goal, GoalIndicator
    from jixiao.goals.spreadsheets import import_goals

    call_command("migrate", verbosity=0)
    city.load()
    demo_projects.load()
    demo_goals.load()
    create_projects(projects)
    data = Path(path).read_bytes()

    parse_times = []
    for _ in range(3):
        start = time.perf_counter()
        sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
        cells = sum(len(r) for r in sheet.to_python())
        parse_times.append(time.perf_counter() - start)
    parse = min(parse_times)

    user = User.objects.get(username="perf_admin")
    rss_before = _memory_kb("VmRSS")
    load_before = os.getloadavg()[0]
    # DEBUG=1 would make Django keep (and, on SQLite, re-quote through the database) every parameter of every bulk
    # insert in connection.queries; production runs with DEBUG off, so the import is measured without that log.
    with override_settings(DEBUG=False):
        start, cpu = time.perf_counter(), time.process_time()
        counts = import_goals(data, file_name="bench.xlsx", acting_user=None)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    peak = _memory_kb("VmHWM")

    client = Client()
    client.force_login(user)
    goal = Goal.objects.filter(project__code=project_code(projects // 2)).get()

    def median_ms(url: str) -> float:
        client.get(url)
        times = []
        for _ in range(20):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return round(statistics.median(times), 1)

    return {
        "database": label,
        "load_average_1min": round(load_before, 1),
        "load_average_1min_after": round(os.getloadavg()[0], 1),
        "cpus": os.cpu_count(),
        "sql_logging_during_import": False,
        "projects": counts["goals"],
        "indicator_rows": counts["indicators"],
        "cells": cells,
        "parse_seconds": round(parse, 3),
        "import_seconds": round(seconds, 3),
        "import_vs_parse": round(seconds / parse, 2),
        "import_cpu_seconds_of_this_process": round(cpu_seconds, 3),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_growth_mb": round((peak - rss_before) / 1024, 1),
        "goals_with_errors": Goal.objects.filter(project__code__startswith="GBENCH-", error_count__gt=0).count(),
        "written": {"goals": Goal.objects.count(), "indicators": GoalIndicator.objects.count()},
        "goal_page_median_ms": median_ms(f"/goals/{goal.pk}/"),
        "goal_list_median_ms": median_ms("/goals/?year=2021&page=50"),
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


def _child(path: str, label: str, env: dict, projects: int) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.goals_bench",
        "--child",
        path,
        "--label",
        label,
        "--projects",
        str(projects),
    ]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{label} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _write_readme(results: list[dict], projects: int) -> None:
    lines = [
        "<!-- goals -->",
        f"### Goals: import {projects:,} projects' goals ({projects * len(ROWS):,} indicator rows), render a goal page",
        "",
        "`python -m bench.goals_bench` — one sheet holding many projects (项目编码 + indicator columns). Import =",
        "validate every cell, bulk insert goals and indicators, run G01–G16 on every goal, events and audit rows, in",
        "one transaction; timed with Django's SQL log off (DEBUG=1 logs, and on SQLite re-quotes, every bulk-insert",
        "parameter — a cost production, running with DEBUG off, never pays). Pages: Django test client (DEBUG=1),",
        "median of 20 requests; the goal list is `/goals/?year=2021&page=50`. Targets: import ≤ 3× parse and < 60 s;",
        "pages < 150 ms. Load = 1-minute load average before the import (results/goals.json also holds CPU times).",
        "",
        "| Database | Load | Parse (s) | Import (s) | Import CPU (s) | Import ÷ parse | Peak RSS (MB) | Goal page (ms) "
        "| Goal list (ms) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['load_average_1min']} on {r['cpus']} CPUs | {r['parse_seconds']} | "
            f"{r['import_seconds']} | {r['import_cpu_seconds_of_this_process']} | {r['import_vs_parse']} | "
            f"{r['peak_rss_mb']} | {r['goal_page_median_ms']} | {r['goal_list_median_ms']} |"
        )
    lines.append("<!-- /goals -->")
    section = "\n".join(lines)
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    if "<!-- goals -->" in text and "<!-- /goals -->" in text:
        head, rest = text.split("<!-- goals -->", 1)
        text = head + section + rest.split("<!-- /goals -->", 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    README.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    if args.child:
        print(json.dumps(run_one(args.child, args.label, args.projects)))
        return 0

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-goals-") as tmp:
        pg_url = os.environ.get("DATABASE_URL", "")
        os.environ.update({"DEBUG": "1", "JIXIAO_DATA_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"})
        env = dict(os.environ)
        workbook = Path(tmp) / "goals.xlsx"
        start = time.perf_counter()
        workbook.write_bytes(build_workbook(args.projects))
        print(f"workbook: {args.projects} projects, {workbook.stat().st_size / 1e6:.1f} MB, "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        results = [_child(str(workbook), "SQLite", env, args.projects)]
        print(json.dumps(results[-1], ensure_ascii=False))
        if not args.no_postgres and (pg_url.startswith("postgres") or _postgres_reachable()):
            try:
                scratch = _pg_scratch(create=True)
                results.append(_child(str(workbook), "PostgreSQL", {**env, "DATABASE_URL": scratch}, args.projects))
                print(json.dumps(results[-1], ensure_ascii=False))
            finally:
                _pg_scratch(create=False)
    for r in results:
        r["meets_targets"] = max(r["goal_page_median_ms"], r["goal_list_median_ms"]) < TARGETS["render_ms"]
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(
        json.dumps({"projects": args.projects, "targets": TARGETS, "results": results}, ensure_ascii=False, indent=2)
        + "\n"
    )
    _write_readme(results, args.projects)
    return 0


if __name__ == "__main__":
    sys.exit(main())
