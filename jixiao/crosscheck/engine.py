"""Run the cross-check rules over a data directory and write ``clues.parquet`` and ``summary.json``.

Each rule evaluates to a ``RuleOutcome`` (ok / skipped / error, counts, time), never an
exception; only a folder without payments is refused (``CrosscheckError``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from jixiao.crosscheck.backends import Backend, DuckDBBackend, SparkBackend
from jixiao.crosscheck.importer import import_path
from jixiao.crosscheck.layout import TABLES
from jixiao.crosscheck.progress import Progress, silent
from jixiao.crosscheck.rules import RULES, Rule, select_rules, wrap_sql
from jixiao.crosscheck.rules.prelude import PRELUDE_VIEWS, materialize, needed_views
from jixiao.crosscheck.sources import SUFFIXES

CLUE_SCHEMA = pa.schema(
    [
        ("rule", pa.string()),
        ("person_id", pa.string()),
        ("person_name", pa.string()),
        ("program", pa.string()),
        ("region_code", pa.string()),
        ("period", pa.string()),
        ("periods", pa.string()),
        ("amount_at_risk", pa.decimal128(18, 2)),
        ("severity", pa.string()),
        ("evidence", pa.string()),
    ]
)


class CrosscheckError(Exception):
    """The run can't start (no payments, unknown engine…); the message is Chinese."""


@dataclass
class RuleOutcome:
    code: str
    title: str
    status: str  # ok | skipped | error
    clues: int = 0
    amount_at_risk: float = 0.0
    reason: str | None = None
    seconds: float = 0.0

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"


@dataclass
class RunResult:
    outcomes: list[RuleOutcome]
    rows_read: dict[str, int]
    seconds: float
    engine: str
    clues_path: Path
    summary_path: Path
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "rules": {
                o.code: {
                    "title": o.title,
                    "clues": o.clues,
                    "amount_at_risk": o.amount_at_risk,
                    "skipped": o.skipped,
                    "status": o.status,
                    "reason": o.reason,
                    "seconds": round(o.seconds, 3),
                }
                for o in self.outcomes
            },
            "rows_read": self.rows_read,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
        }


def find_tables(data_dir: Path) -> dict[str, list[Path]]:
    """Return {table: parquet files} for ``<table>.parquet`` or ``<table>/*.parquet`` in the folder."""
    found: dict[str, list[Path]] = {}
    for name in TABLES:
        single = data_dir / f"{name}.parquet"
        if single.is_file():
            found[name] = [single]
        elif (data_dir / name).is_dir():
            parts = sorted((data_dir / name).glob("*.parquet"))
            if parts:
                found[name] = parts
    return found


def count_rows(paths: Iterable[Path]) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in paths)


def _raw_files(data_dir: Path) -> list[Path]:
    from jixiao.crosscheck.layout import table_for_file

    return [
        p
        for p in sorted(data_dir.iterdir())
        if p.is_file() and p.suffix.lower() in SUFFIXES and p.suffix != ".parquet" and table_for_file(p.stem)
    ]


def prepare_data(data_dir: Path, out_dir: Path, progress: Progress, notes: list[str]) -> dict[str, list[Path]]:
    """Return the Parquet tables to read; CSV/XLSX folders are imported into ``out_dir/data`` first."""
    if not data_dir.is_dir():
        raise CrosscheckError(f"数据目录 {data_dir} 不存在")
    tables = find_tables(data_dir)
    if "payments" not in tables and _raw_files(data_dir):
        imported = out_dir / "data"
        report = import_path(data_dir, imported, progress=progress)
        (out_dir / "import_report.json").write_text(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        notes.append(f"数据目录中是 CSV/Excel 文件,已先导入到 {imported}(报告见 import_report.json)")
        if not report.ok:
            notes.append("导入时有拒收或标记的行,详见 import_report.json")
        tables = find_tables(imported)
    if "payments" not in tables:
        raise CrosscheckError(
            f"数据目录 {data_dir} 中没有 payments(发放名册)文件,无法比对:"
            "请放入 payments.parquet 或 payments.csv,或先用 import 命令导入"
        )
    return tables


def make_backend(engine: str, *, memory_limit: str, temp_dir: Path, threads: int | None = None) -> Backend:
    if engine == "duckdb":
        return DuckDBBackend(memory_limit=memory_limit, temp_dir=temp_dir, threads=threads)
    if engine == "spark":
        try:
            return SparkBackend(memory_limit=memory_limit, temp_dir=temp_dir)
        except RuntimeError as exc:
            raise CrosscheckError(str(exc))
    raise CrosscheckError(f"未知的引擎「{engine}」:可选 duckdb 或 spark")


def register(backend: Backend, tables: dict[str, list[Path]], rules: Iterable[Rule] = RULES) -> None:
    """Expose every layout table (empty when absent) and the prelude views.

    Only the prelude views the rules need are created; ``MATERIALIZED`` ones are computed once.
    """
    for name, table in TABLES.items():
        if name in tables:
            backend.register_parquet(name, tables[name])
        else:
            backend.register_empty(table)
    sources = [rule.source() for rule in rules]
    for name in needed_views(sources):
        backend.create_view(name, PRELUDE_VIEWS[name], materialize=materialize(name, sources))


def evaluate(
    backend: Backend, rule: Rule, present: set[str], params: dict[str, float] | None
) -> tuple[RuleOutcome, pa.Table | None]:
    """Run one rule; return its outcome and clues (None unless ok)."""
    missing = [f for f in rule.needs if f not in present]
    if missing:
        reason = "缺少文件:" + "、".join(f"{m}({TABLES[m].title})" for m in missing)
        return RuleOutcome(rule.code, rule.title, "skipped", reason=reason), None
    started = time.perf_counter()
    try:
        clues = backend.query(wrap_sql(rule, params))
    except Exception as exc:  # an outcome, not a crash: other rules still run
        message = str(exc).strip().splitlines()[0][:300]
        return RuleOutcome(rule.code, rule.title, "error", reason=f"执行出错:{message}"), None
    clues = conform(clues)
    amount = pc.sum(clues.column("amount_at_risk")).as_py() if clues.num_rows else 0
    outcome = RuleOutcome(
        rule.code, rule.title, "ok", clues.num_rows, float(amount or 0), seconds=time.perf_counter() - started
    )
    return outcome, clues


def conform(table: pa.Table) -> pa.Table:
    """Cast a backend's result to CLUE_SCHEMA (Spark and DuckDB differ in string/decimal widths)."""
    columns = [table.column(f.name).cast(f.type) for f in CLUE_SCHEMA]
    return pa.Table.from_arrays(columns, schema=CLUE_SCHEMA)


def run(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    engine: str = "duckdb",
    rules: str | list[str] | None = "all",
    memory_limit: str = "4GB",
    threads: int | None = None,
    params: dict[str, float] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run the selected rules; write ``clues.parquet`` and ``summary.json`` into ``out_dir``."""
    started = time.perf_counter()
    progress = progress or silent
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    selected = select_rules(",".join(rules) if isinstance(rules, list) else rules)
    notes: list[str] = []
    tables = prepare_data(Path(data_dir), out, progress, notes)
    backend = make_backend(engine, memory_limit=memory_limit, temp_dir=out / ".tmp", threads=threads)
    outcomes: list[RuleOutcome] = []
    found: list[pa.Table] = []
    try:
        progress(0, len(selected), "准备数据(合并发放名册与项目、标准)")
        prepared = time.perf_counter()
        register(backend, tables, selected)
        notes.append(f"数据准备用时 {time.perf_counter() - prepared:.1f} 秒")
        for i, rule in enumerate(selected):
            progress(i, len(selected), f"{rule.code} {rule.title}")
            outcome, clues = evaluate(backend, rule, set(tables), params)
            outcomes.append(outcome)
            if clues is not None:
                found.append(clues)
        progress(len(selected), len(selected), "比对完成")
    finally:
        backend.close()
    clues_path = out / "clues.parquet"
    all_clues = pa.concat_tables(found) if found else CLUE_SCHEMA.empty_table()
    order = [("rule", "ascending"), ("person_id", "ascending"), ("program", "ascending")]
    pq.write_table(all_clues.sort_by(order), clues_path, compression="zstd")
    result = RunResult(
        outcomes=outcomes,
        rows_read={name: count_rows(paths) for name, paths in tables.items()},
        seconds=time.perf_counter() - started,
        engine=engine,
        clues_path=clues_path,
        summary_path=out / "summary.json",
        notes=notes,
    )
    result.summary_path.write_text(json.dumps(result.summary(), ensure_ascii=False, indent=2), encoding="utf-8")
    return result


__all__ = ["RULES", "CrosscheckError", "RuleOutcome", "RunResult", "run"]
