"""Import benchmark (issue #3 item 9): ONE workbook of 10 000 projects and their 100 000 indicator rows.

The workbook holds the 项目库 sheet (a row per project) and the 绩效指标 sheet (项目编码 + 10 indicator rows per
project), the layout `jixiao.projects.importer.import_projects` reads as one all-or-nothing import. Per database
(SQLite always; PostgreSQL when DATABASE_URL is given or 127.0.0.1:5432 answers), in its own subprocess on a
scratch database with the demo city loaded:
- parse: merely reading every cell of both sheets with the importer's reader (`jixiao.core.excel.open_book` +
  `sheet_rows`, i.e. calamine) — the floor; best of 3, wall and CPU seconds, peak memory;
- import: everything — read, validate every cell, resolve references, the scope checks of the importing user
  (demo `dept_agri`, 市农业农村局: projects it supervises and their goals), the normative
  review G01–G16 of every goal, inserts of projects, fund lines, goals, indicators, events and audit rows —
  timed with DEBUG off (DEBUG=1 keeps every bulk parameter in connection.queries, which production never does):
  wall and CPU seconds of this process (and of the PostgreSQL backend serving it), peak memory (VmHWM, reset
  before the import);
- pages: median server time of 20 requests (Django test client, DEBUG=1) of the project list, a filtered list,
  a project's page, a goal's page, the goal list and a baseline page, with the import and the demo in the database.
Usage: `python -m bench.imports_bench [--projects N] [--no-postgres]`. Writes bench/results/imports.json and the
`imports` section of bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.pg import postgres_reachable, scratch_database

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULT = HERE / "results" / "imports.json"
README = HERE / "README.md"
PG_SCRATCH = "jixiao_bench_imports"
TARGETS = {"import_vs_parse": 3.0, "import_seconds": 60.0, "render_ms": 150.0}
DISTRICTS = ["420117", "420114", "420113", "420116", "420115", "420112"]  # the demo city's six districts
IMPORTER = "dept_agri"  # 市农业农村局 (department role): projects it supervises, implemented by district units
INDICATORS = [  # (一级, 二级, 三级, 方向, 指标值, 单位, 分值): 101号 style, cost-2021 weights sum to 90
    ("产出", "数量", "新增(改造)产业基地面积", "≥", "{area}", "亩", 10),
    ("产出", "数量", "带动脱贫户数", "≥", "{households}", "户", 10),
    ("产出", "质量", "项目(工程)验收合格率", "=", "100", "%", 10),
    ("产出", "时效", "项目(工程)完成及时率", "=", "100", "%", 10),
    ("成本", "经济成本", "户均产业奖补标准", "≤", "3000", "元/户", 10),
    ("效益", "经济效益", "带动脱贫户户均增收", "≥", "1500", "元/户", 10),
    ("效益", "社会效益", "受益脱贫(建档立卡)人口数", "≥", "{persons}", "人", 10),
    ("效益", "可持续影响", "产业项目持续受益年限", "≥", "5", "年", 5),
    ("效益", "可持续影响", "联农带农利益联结机制", "定性", "建立并正常运行", "", 5),
    ("满意度", "服务对象满意度", "受益群众满意度", "≥", "90", "%", 10),
]
SUBCATEGORIES = ["生产项目", "加工流通项目", "配套设施项目", ""]


def _memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux ≥ 4.0)


def project_code(i: int) -> str:
    return f"BENCH-{i:06d}"


def build_workbook(projects: int) -> bytes:
    """Return the two-sheet workbook: `projects` 2021 产业发展 projects over the six districts, supervised by
    市农业农村局, and 10 indicator rows each."""
    import django

    django.setup()
    from jixiao.core.excel import write_workbook
    from jixiao.goals.spreadsheets import MANY_COLUMNS, MANY_SHEET
    from jixiao.projects.spreadsheets import COLUMNS, FUND_HEADERS, SHEET

    rng = random.Random(10_000)
    sources = list(FUND_HEADERS)

    def project_row(i: int) -> list:
        district, town = DISTRICTS[i % len(DISTRICTS)], 1 + i % 3
        households = 10 + i % 90
        amounts: dict[str, float | None] = dict.fromkeys(sources)
        amounts["xianjie"] = rng.randint(1000, 6000) / 100
        amounts["district"] = rng.randint(0, 500) / 100 or None
        total = round(sum(a for a in amounts.values() if a), 2)
        return [
            project_code(i), f"基准测试产业项目{i}", 2021, "产业发展", SUBCATEGORIES[i % 4],
            f"{district}{99 + town:03d}{201 + i % 4:03d}", "", f"{district}-U{town}", "SNYNCJ", "CZJ-NYC", "",
            "2021-04-01", "2021-11-30", households, households * 3, households * 3 // 2, households // 10,
            "基准测试数据", "", *(amounts[s] for s in sources), total,
        ]  # fmt: skip

    def goal_rows():
        for i in range(projects):
            area, households = 50 + i % 400, 10 + i % 90
            for index, (l1, l2, name, op, target, unit, weight) in enumerate(INDICATORS):
                overall = f"建设产业基地{area}亩,带动{households}户脱贫户增收,群众满意度90%以上。" if index == 0 else ""
                value = target.format(area=area, households=households, persons=households * 3)
                yield [project_code(i), overall, l1, l2, name, op, value, unit, weight, "否", "", ""]

    return write_workbook(
        [(SHEET, COLUMNS, (project_row(i) for i in range(projects))), (MANY_SHEET, MANY_COLUMNS, goal_rows())]
    )


def _children_cpu() -> float:
    """CPU seconds of this process's finished child processes (the import's side process)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _backend_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL backend serving this connection (None elsewhere)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_one(path: str, label: str) -> dict:
    """Inside the per-database subprocess: migrate, demo, parse, import, render. Returns the measurements."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from jixiao.accounts.models import User
    from jixiao.core.excel import open_book, sheet_rows
    from jixiao.demo import city
    from jixiao.demo import goals as demo_goals
    from jixiao.demo import projects as demo_projects
    from jixiao.goals.models import Goal, GoalIndicator
    from jixiao.projects.importer import import_projects
    from jixiao.projects.models import Project, ProjectEvent, ProjectFund

    call_command("migrate", verbosity=0)
    city.load()
    demo_projects.load()
    demo_goals.load()
    user = User.objects.get(username=IMPORTER)
    data = Path(path).read_bytes()

    parse_times, parse_cpu_times, cells = [], [], 0
    _reset_peak()
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        book = open_book(data)
        cells = sum(len(r) for name in book.sheet_names for r in sheet_rows(book, name))
        parse_times.append(time.perf_counter() - start)
        parse_cpu_times.append(time.process_time() - cpu)
        del book
    parse_peak = _memory_kb("VmHWM")
    parse, parse_cpu = min(parse_times), min(parse_cpu_times)

    rss_before = _memory_kb("VmRSS")
    _reset_peak()
    load_before = os.getloadavg()[0]
    backend_before = _backend_cpu()
    with override_settings(DEBUG=False):
        start, cpu, side = time.perf_counter(), time.process_time(), _children_cpu()
        counts = import_projects(data, file_name="bench.xlsx", acting_user=user)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        side_cpu = _children_cpu() - side  # the import's side process (reaped before the import returns)
    peak = _memory_kb("VmHWM")
    backend_after = _backend_cpu()
    load_after = os.getloadavg()[0]

    admin = User.objects.get(username="perf_admin")
    client = Client()
    client.force_login(admin)
    project = Project.objects.get(code=project_code(counts["created"] // 2))

    def median_ms(url: str) -> float:
        client.get(url)  # warm caches (templates, session)
        times = []
        for _ in range(20):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        return round(statistics.median(times), 1)

    pages = {
        "project_list": "/projects/?sort=-budget&page=3",
        "project_list_filtered": "/projects/?year=2021&district=420117&q=基准",
        "project_page": f"/projects/{project.pk}/",
        "goal_page": f"/goals/{project.goal.pk}/",
        "goal_list": "/goals/?year=2021&page=50",
        "baseline_unit_list": "/orgs/units/",
    }
    backend = None if backend_before is None or backend_after is None else backend_after - backend_before
    return {
        "database": label,
        "load_average_1min": round(load_before, 1),
        "load_average_1min_after": round(load_after, 1),
        "cpus": os.cpu_count(),
        "sql_logging_during_import": False,
        "projects": counts["created"],
        "indicator_rows": counts["indicators"],
        "cells": cells,
        "workbook_mb": round(len(data) / 1e6, 1),
        "parse_seconds": round(parse, 3),
        "parse_cpu_seconds": round(parse_cpu, 3),
        "parse_peak_rss_mb": round(parse_peak / 1024, 1),
        "import_seconds": round(seconds, 3),
        "import_cpu_seconds": round(cpu_seconds, 3),
        "import_side_process_cpu_seconds": round(side_cpu, 3),
        "import_db_server_cpu_seconds": None if backend is None else round(backend, 3),
        "import_vs_parse": round(seconds / parse, 2),
        "import_cpu_vs_parse_cpu": round(cpu_seconds / parse_cpu, 2),
        "import_peak_rss_mb": round(peak / 1024, 1),
        "rss_growth_mb": round((peak - rss_before) / 1024, 1),
        "counts": counts,
        "goals_with_errors": Goal.objects.filter(project__code__startswith="BENCH-", error_count__gt=0).count(),
        "written": {
            "projects": Project.objects.count(),
            "fund_lines": ProjectFund.objects.count(),
            "project_events": ProjectEvent.objects.count(),
            "goals": Goal.objects.count(),
            "indicators": GoalIndicator.objects.count(),
        },
        "pages_median_ms": {key: median_ms(url) for key, url in pages.items()},
        "page_urls": pages,
    }


def _child(path: str, label: str, env: dict) -> dict:
    command = [sys.executable, "-m", "bench.imports_bench", "--child", path, "--label", label]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{label} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _meets(r: dict) -> bool:
    return (
        r["import_vs_parse"] <= TARGETS["import_vs_parse"]
        and r["import_seconds"] < TARGETS["import_seconds"]
        and max(r["pages_median_ms"].values()) < TARGETS["render_ms"]
    )


def _write_readme(results: list[dict], projects: int) -> None:
    pages = ["project_list", "project_list_filtered", "project_page", "goal_page", "goal_list", "baseline_unit_list"]
    lines = [
        "<!-- imports -->",
        f"### Import: one workbook of {projects:,} projects and {projects * len(INDICATORS):,} indicator rows; pages",
        "",
        "`python -m bench.imports_bench` — one .xlsx with the 项目库 sheet and the 绩效指标 sheet, imported by the",
        "project import as one all-or-nothing job (by 市农业农村局's user: scope checks apply). Parse = reading",
        "every cell of both sheets with the importer's reader (calamine), best of 3. Import = everything: read,",
        "validate, resolve, scope checks, G01–G16 on every goal, inserts (COPY on PostgreSQL, executemany on",
        "SQLite) of projects, fund lines, goals, indicators, events and audit rows, with DEBUG off. CPU = this",
        "process + the import's side process (PostgreSQL's own backend CPU is in `results/imports.json`). Pages:",
        "Django test client",
        "(DEBUG=1), median of 20. Targets: import ≤ 3× parse and < 60 s; pages < 150 ms. Wall times on this shared",
        "2-CPU machine depend on the neighbours: the load average before the import is in the table.",
        "",
        "| Database | Load | Parse (s) | Parse CPU (s) | Import (s) | Import CPU (s): here + side process "
        "| Import ÷ parse (wall / CPU) "
        "| Peak RSS parse / import (MB) | Pages (ms): list, filtered, project, goal, goal list, baseline |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        shown = ", ".join(str(r["pages_median_ms"][p]) for p in pages)
        lines.append(
            f"| {r['database']} | {r['load_average_1min']} on {r['cpus']} CPUs | {r['parse_seconds']} | "
            f"{r['parse_cpu_seconds']} | {r['import_seconds']} | {r['import_cpu_seconds']} + "
            f"{r['import_side_process_cpu_seconds']} | "
            f"{r['import_vs_parse']} / {r['import_cpu_vs_parse_cpu']} | {r['parse_peak_rss_mb']} / "
            f"{r['import_peak_rss_mb']} | {shown} |"
        )
    met = all(r["meets_targets"] for r in results)
    lines += [
        "",
        f"Targets {'met' if met else 'not met'} (`meets_targets` per database in the JSON). How the import uses the",
        "two cores: a forked side process (`jixiao.core.sideprocess`) reads the 绩效指标 sheet, checks its cells and",
        "runs G01–G16 and builds the rows of 1 000 goals at a time, while this process reads and checks the 项目库",
        "sheet, inserts the projects, then inserts each chunk of goals as it arrives. On SQLite the database runs in",
        "this process, so the two processes share the work and the import takes about 2.5× parse. On PostgreSQL the",
        "server's backend does the inserting alone, one row at a time through 18 indexes on projects and the",
        "foreign-key checks of every row (≈ 370 000 of them, checked as each COPY ends instead of all at commit):",
        "about 3 s of server CPU, more than 3× parse on its own. Without the foreign-key triggers (measured with",
        "`session_replication_role = replica`, not something to ship) the import took 1 s less; dropping the",
        "redundant and `_like` indexes changed nothing measurable. So PostgreSQL stays at about 4× parse.",
    ]
    lines.append("<!-- /imports -->")
    section = "\n".join(lines)
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    if "<!-- imports -->" in text and "<!-- /imports -->" in text:
        head, rest = text.split("<!-- imports -->", 1)
        text = head + section + rest.split("<!-- /imports -->", 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    README.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print the results only (trial runs)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    if args.child:
        print(json.dumps(run_one(args.child, args.label)))
        return 0

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-imports-") as tmp:
        pg_url = os.environ.get("DATABASE_URL", "")
        os.environ.update({"DEBUG": "1", "JIXIAO_DATA_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"})
        env = dict(os.environ)
        workbook = Path(tmp) / "imports.xlsx"
        start = time.perf_counter()
        workbook.write_bytes(build_workbook(args.projects))
        print(f"workbook: {args.projects} projects, {workbook.stat().st_size / 1e6:.1f} MB, "
              f"{time.perf_counter() - start:.1f} s", flush=True)  # fmt: skip
        results = [_child(str(workbook), "SQLite", env)]
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        if not args.no_postgres and (pg_url.startswith("postgres") or postgres_reachable()):
            try:
                scratch = scratch_database(PG_SCRATCH, create=True)
                results.append(_child(str(workbook), "PostgreSQL", {**env, "DATABASE_URL": scratch}))
                print(json.dumps(results[-1], ensure_ascii=False), flush=True)
            finally:
                scratch_database(PG_SCRATCH, create=False)
    for r in results:
        r["meets_targets"] = _meets(r)
    if args.no_write:
        return 0
    RESULT.parent.mkdir(exist_ok=True)
    document = {"projects": args.projects, "indicator_rows": args.projects * len(INDICATORS), "targets": TARGETS,
                "results": results}  # fmt: skip
    RESULT.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    _write_readme(results, args.projects)
    return 0


if __name__ == "__main__":
    sys.exit(main())
