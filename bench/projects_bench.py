"""Project library benchmark: import 10 000 projects from Excel, then render the list and a detail page.

Measures, per database (SQLite always; PostgreSQL when DATABASE_URL is given or 127.0.0.1:5432 answers):
- parse: merely reading every cell of the workbook with calamine (the floor an importer cannot beat);
- import: `import_projects` (validation + bulk inserts of projects, fund lines, events and audit rows), wall time
  and peak resident memory (VmHWM) of the process;
- render: median server time of the project list page and one project's detail page (Django test client,
  20 requests each) with the 10 000 projects plus the demo library in the database.
Each database runs in its own subprocess on a scratch database (settings read DATABASE_URL at import time).
Usage: `python -m bench.projects_bench [--rows N]`. Writes bench/results/projects.json and bench/README.md.
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
RESULT = HERE / "results" / "projects.json"
README = HERE / "README.md"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_SCRATCH = "jixiao_bench_projects"
TARGETS = {"import_vs_parse": 3.0, "import_seconds": 60.0, "render_ms": 150.0}


def _memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def build_workbook(rows: int) -> bytes:
    """Return an .xlsx in the import layout with `rows` valid 2021 district projects."""
    import django

    django.setup()
    from jixiao.core.excel import write_workbook
    from jixiao.demo.city import DISTRICTS
    from jixiao.projects.spreadsheets import COLUMNS, FUND_HEADERS, SHEET

    rng = random.Random(10_000)
    categories = [("产业发展", "生产项目"), ("乡村建设行动", "农村基础设施"), ("就业项目", "公益性岗位"), ("其他", "")]
    sources = list(FUND_HEADERS)

    def row(i: int) -> list:
        district = DISTRICTS[i % len(DISTRICTS)][0]
        town = 1 + i % 3
        village = f"{district}{99 + town:03d}{201 + i % 4:03d}"
        category, sub = categories[i % len(categories)]
        households = rng.randint(10, 400)
        persons = households * 3
        amounts = {s: None for s in sources}
        amounts["xianjie"] = rng.randint(1000, 40000) / 100
        amounts["district"] = rng.randint(0, 5000) / 100 or None
        total = round(sum(a for a in amounts.values() if a), 2)
        return [
            f"BENCH-{i:06d}",
            f"基准测试项目{i}",
            2021,
            category,
            sub,
            village,
            "",
            f"{district}-U{town}",
            f"{district}-NYJ",
            "CZJ-NYC",
            "",
            "2021-04-01",
            "2021-11-30",
            households,
            persons,
            persons // 5,
            persons // 50,
            "基准测试数据",
            "",
            *(amounts[s] for s in sources),
            total,
        ]

    return write_workbook([(SHEET, COLUMNS, (row(i) for i in range(rows)))])


def run_one(path: str, label: str) -> dict:
    """Inside the per-database subprocess: migrate, load the demo, import, render. Returns the measurements."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from python_calamine import CalamineWorkbook

    from jixiao.accounts.models import User
    from jixiao.demo import city
    from jixiao.demo import projects as demo_projects
    from jixiao.projects.models import Project, ProjectEvent, ProjectFund
    from jixiao.projects.spreadsheets import import_projects

    call_command("migrate", verbosity=0)
    city.load()
    demo_projects.load()
    data = Path(path).read_bytes()

    parse_times, parse_cpu_times = [], []
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
        cells = sum(len(r) for r in sheet.to_python())
        parse_times.append(time.perf_counter() - start)
        parse_cpu_times.append(time.process_time() - cpu)
    parse, parse_cpu = min(parse_times), min(parse_cpu_times)

    user = User.objects.get(username="perf_admin")
    rss_before = _memory_kb("VmRSS")
    # DEBUG=1 would make Django keep (and, on SQLite, re-quote through the database) every parameter of every bulk
    # insert in connection.queries; production runs with DEBUG off, so the import is measured without that log.
    with override_settings(DEBUG=False):
        start, cpu = time.perf_counter(), time.process_time()
        counts = import_projects(data, file_name="bench.xlsx", acting_user=user)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    peak = _memory_kb("VmHWM")

    client = Client()
    client.force_login(user)
    detail = Project.objects.filter(code__startswith="BENCH-").order_by("code")[counts["created"] // 2]

    cpu_ms: dict[str, float] = {}

    def median_ms(url: str) -> float:
        client.get(url)  # warm caches (templates, session)
        times, cpu_times = [], []
        for _ in range(20):
            t, c = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            cpu_times.append((time.process_time() - c) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        cpu_ms[url] = round(statistics.median(cpu_times), 1)
        return round(statistics.median(times), 1)

    pages = {
        "list_page_median_ms": "/projects/?sort=-budget&page=3",
        "filtered_list_median_ms": "/projects/?year=2021&district=420117&q=基准",
        "detail_page_median_ms": f"/projects/{detail.pk}/",
        "baseline_unit_list_median_ms": "/orgs/units/",
    }
    rendered = {key: median_ms(url) for key, url in pages.items()}

    return {
        "database": label,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "cpus": os.cpu_count(),
        "sql_logging_during_import": False,
        "rows": counts["created"],
        "cells": cells,
        "parse_seconds": round(parse, 3),
        "import_seconds": round(seconds, 3),
        "import_vs_parse": round(seconds / parse, 2),
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_growth_mb": round((peak - rss_before) / 1024, 1),
        "written": {
            "projects": Project.objects.count(),
            "fund_lines": ProjectFund.objects.count(),
            "events": ProjectEvent.objects.count(),
        },
        **rendered,
        "cpu_ms_of_this_process": {key: cpu_ms[url] for key, url in pages.items()},
        "parse_cpu_seconds": round(parse_cpu, 3),
        "import_cpu_seconds_of_this_process": round(cpu_seconds, 3),
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


def _child(path: str, label: str, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.projects_bench", "--child", path, "--label", label],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{label} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _write_readme(results: list[dict], rows: int) -> None:
    lines = [
        "<!-- projects -->",
        f"### Project library: import {rows:,} projects, render list and detail",
        "",
        "`python -m bench.projects_bench` — calamine parse is the floor; import = validate + bulk insert projects,",
        "fund lines, events and audit rows in one transaction, timed with Django's SQL log off (DEBUG=1 logs every",
        "bulk-insert parameter, which production never pays); pages rendered by the Django test client (DEBUG=1),",
        "median of 20 requests, with the demo library loaded too. Targets: import ≤ 3× parse and < 60 s;",
        "pages < 150 ms. Wall times depend on the machine's load (recorded as `load_average_1min` in",
        "`results/projects.json`, which also holds this process's CPU times and a baseline page, `/orgs/units/`).",
        "",
        "| Database | Load | Parse (s) | Import (s) | Import ÷ parse | Peak RSS (MB) | List (ms) | Filtered (ms) "
        "| Detail (ms) | Baseline page (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['load_average_1min']} on {r['cpus']} CPUs | {r['parse_seconds']} | "
            f"{r['import_seconds']} | {r['import_vs_parse']} | {r['peak_rss_mb']} | {r['list_page_median_ms']} | "
            f"{r['filtered_list_median_ms']} | {r['detail_page_median_ms']} | {r['baseline_unit_list_median_ms']} |"
        )
    lines.append("<!-- /projects -->")
    section = "\n".join(lines)
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    if "<!-- projects -->" in text and "<!-- /projects -->" in text:
        head, rest = text.split("<!-- projects -->", 1)
        tail = rest.split("<!-- /projects -->", 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    README.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    if args.child:
        print(json.dumps(run_one(args.child, args.label)))
        return 0

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        pg_url = os.environ.get("DATABASE_URL", "")
        os.environ.update({"DEBUG": "1", "JIXIAO_DATA_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"})
        env = dict(os.environ)
        workbook = Path(tmp) / "projects.xlsx"
        start = time.perf_counter()
        workbook.write_bytes(build_workbook(args.rows))
        print(
            f"workbook: {args.rows} rows, {workbook.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - start:.1f} s"
        )
        results = [_child(str(workbook), "SQLite", env)]
        print(json.dumps(results[-1], ensure_ascii=False))
        if pg_url.startswith("postgres") or _postgres_reachable():
            try:
                scratch = _pg_scratch(create=True)
                results.append(_child(str(workbook), "PostgreSQL", {**env, "DATABASE_URL": scratch}))
                print(json.dumps(results[-1], ensure_ascii=False))
            finally:
                _pg_scratch(create=False)
    for r in results:
        r["meets_targets"] = (
            r["import_vs_parse"] <= TARGETS["import_vs_parse"]
            and r["import_seconds"] < TARGETS["import_seconds"]
            and max(r["list_page_median_ms"], r["detail_page_median_ms"]) < TARGETS["render_ms"]
        )
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(
        json.dumps({"rows": args.rows, "targets": TARGETS, "results": results}, ensure_ascii=False, indent=2) + "\n"
    )
    _write_readme(results, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
