"""Command line of the cross-check engine: ``run``, ``import``, ``idcheck``, ``synth``.

``main(argv)`` returns the exit code, so the Django command ``jixiao crosscheck ...`` and tests
call it directly. Exit codes: 0 success; 1 data problems (rejected rows, invalid IDs, a rule
that errored); 2 the command could not run (bad arguments, no payments file, missing engine).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from jixiao.crosscheck import idnumber
from jixiao.crosscheck.progress import TextBar

EXIT_OK, EXIT_PROBLEMS, EXIT_REFUSED = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"参数错误:{message}\n")
        raise SystemExit(EXIT_REFUSED)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="crosscheck", description="惠民政策资金大数据比对(导入、比对、身份证校验、生成模拟数据)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="对数据目录运行比对规则,输出 clues.parquet 与 summary.json")
    run.add_argument("--data", required=True, help="数据目录(Parquet;若只有 CSV/Excel 会先自动导入)")
    run.add_argument("--out", required=True, help="输出目录")
    run.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"], help="计算引擎,默认 duckdb")
    run.add_argument("--rules", default="all", help="规则编号,如 R01,R02;默认 all")
    run.add_argument("--memory-limit", default="4GB", help="内存上限(DuckDB 超出时写临时文件),默认 4GB")
    run.add_argument("--threads", type=int, default=None, help="线程数,默认为 CPU 核数")
    run.add_argument("--quiet", action="store_true", help="不显示进度条")

    imp = sub.add_parser("import", help="把 CSV/XLSX/Parquet 文件导入数据目录(标准化为 Parquet)")
    imp.add_argument("--src", required=True, help="源文件或目录")
    imp.add_argument("--data", required=True, help="数据目录")
    imp.add_argument("--mapping", help="列映射 JSON 文件(源列名 → 标准列名)")
    imp.add_argument("--encoding", help="CSV 编码,如 gbk;默认 utf-8")
    imp.add_argument("--strict", action="store_true", help="有任何拒收行时整张表不写入")
    imp.add_argument("--report", help="另存 JSON 格式的导入报告")
    imp.add_argument("--quiet", action="store_true", help="不显示进度条")

    idc = sub.add_parser("idcheck", help="校验身份证号(每行一个,或 CSV/XLSX 的某一列);有无效号码时退出码为 1")
    idc.add_argument("file", help="文本文件(每行一个号码)或 CSV/XLSX 文件")
    idc.add_argument("--column", help="CSV/XLSX 中身份证号所在列名,默认第一列")
    idc.add_argument("--encoding", help="文件编码,默认 utf-8")
    idc.add_argument("--json", action="store_true", help="以 JSON Lines 输出")
    idc.add_argument("--invalid-only", action="store_true", help="只列出无效号码")

    syn = sub.add_parser("synth", help="生成带有埋设违规样本的模拟数据(含 truth.parquet)")
    syn.add_argument("--people", type=int, default=3000, help="人数,默认 3000")
    syn.add_argument("--payments", type=int, default=None, help="发放记录目标数,默认人数 × 10")
    syn.add_argument("--out", required=True, help="输出目录")
    syn.add_argument("--seed", type=int, default=1, help="随机种子,默认 1")
    syn.add_argument("--format", default="parquet", choices=["parquet", "csv"], help="输出格式,默认 parquet")
    syn.add_argument("--quiet", action="store_true", help="不显示进度条")
    return parser


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | Any | None = None) -> int:
    """Run one command; return the exit code (never calls sys.exit)."""
    out = stdout or sys.stdout
    try:
        args = build_parser().parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        return int(exc.code or 0)
    handler = {"run": _run, "import": _import, "idcheck": _idcheck, "synth": _synth}[args.command]
    return handler(args, out)


def _bar(args: argparse.Namespace) -> TextBar | None:
    return None if args.quiet else TextBar()


def _run(args: argparse.Namespace, out: TextIO) -> int:
    from jixiao.crosscheck.engine import CrosscheckError, run

    try:
        result = run(
            args.data,
            args.out,
            engine=args.engine,
            rules=args.rules,
            memory_limit=args.memory_limit,
            threads=args.threads,
            progress=_bar(args),
        )
    except (CrosscheckError, ValueError) as exc:
        sys.stderr.write(f"无法比对:{exc}\n")
        return EXIT_REFUSED
    for note in result.notes:
        out.write(f"说明:{note}\n")
    out.write(f"{'规则':<6}{'状态':<6}{'线索数':>8}{'涉及金额(元)':>16}  说明\n")
    labels = {"ok": "完成", "skipped": "跳过", "error": "出错"}
    for o in result.outcomes:
        out.write(
            f"{o.code:<6}{labels[o.status]:<6}{o.clues:>8}{o.amount_at_risk:>16,.2f}  {o.title}{'  ' + o.reason if o.reason else ''}\n"
        )
    total = sum(o.clues for o in result.outcomes)
    out.write(f"共 {total} 条线索,用时 {result.seconds:.1f} 秒;结果:{result.clues_path},汇总:{result.summary_path}\n")
    return EXIT_PROBLEMS if any(o.status == "error" for o in result.outcomes) else EXIT_OK


def _import(args: argparse.Namespace, out: TextIO) -> int:
    from jixiao.crosscheck.importer import import_path
    from jixiao.crosscheck.mapping import load_mapping

    try:
        mapping = load_mapping(args.mapping) if args.mapping else None
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_REFUSED
    if not Path(args.src).exists():
        sys.stderr.write(f"源文件或目录 {args.src} 不存在\n")
        return EXIT_REFUSED
    report = import_path(
        args.src, args.data, mapping=mapping, encoding=args.encoding, strict=args.strict, progress=_bar(args)
    )
    out.write(report.to_text() + "\n")
    if args.report:
        Path(args.report).write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _id_values(path: Path, column: str | None, encoding: str | None) -> list[str]:
    from jixiao.crosscheck.sources import open_source, read_lines

    if path.suffix.lower() not in (".csv", ".xlsx", ".xlsm", ".xls", ".parquet"):
        return list(read_lines(path, encoding))
    source = open_source(path, encoding=encoding)
    header = column or source.headers[0]
    if header not in source.headers:
        raise ValueError(f"文件 {path.name} 中没有列「{header}」;现有:{'、'.join(source.headers)}")
    values: list[str] = []
    for batch in source.batches():
        values.extend("" if v is None else v for v in batch.table.column(header).to_pylist())
    return values


def _idcheck(args: argparse.Namespace, out: TextIO) -> int:
    from jixiao.crosscheck.sources import SourceError

    path = Path(args.file)
    if not path.is_file():
        sys.stderr.write(f"文件 {path} 不存在\n")
        return EXIT_REFUSED
    try:
        values = _id_values(path, args.column, args.encoding)
    except (SourceError, ValueError, UnicodeDecodeError) as exc:
        sys.stderr.write(f"无法读取 {path.name}:{exc}\n")
        return EXIT_REFUSED
    checks = [idnumber.check_id(v) for v in values]
    shown = [c for c in checks if not (args.invalid_only and c.valid)]
    if args.json:
        for check in shown:
            out.write(json.dumps(check.as_dict(), ensure_ascii=False) + "\n")
    else:
        out.write(f"{'输入':<22}{'结果':<6}{'标准化号码':<20}{'出生日期':<12}{'性别':<4}原因\n")
        for c in shown:
            verdict = "有效" if c.valid else "无效"
            out.write(
                f"{c.input:<22}{verdict:<6}{c.normalized or '':<20}{c.birth_date or '':<12}{c.sex or '':<4}{';'.join(c.reasons)}\n"
            )
    invalid = sum(not c.valid for c in checks)
    out.write(f"共 {len(checks)} 个号码,有效 {len(checks) - invalid} 个,无效 {invalid} 个\n")
    return EXIT_PROBLEMS if invalid else EXIT_OK


def _synth(args: argparse.Namespace, out: TextIO) -> int:
    from jixiao.crosscheck.synth import synthesize

    if args.people < 100:
        sys.stderr.write("人数至少为 100\n")
        return EXIT_REFUSED
    result = synthesize(
        args.out, people=args.people, payments=args.payments, seed=args.seed, fmt=args.format, progress=_bar(args)
    )
    out.write(
        f"已生成 {result.rows['payments']} 条发放记录、{result.planted} 条埋设线索(truth.parquet),"
        f"用时 {result.seconds:.1f} 秒:{result.out_dir}\n"
    )
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
