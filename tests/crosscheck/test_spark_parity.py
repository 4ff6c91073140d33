"""DuckDB and Spark run the same rule SQL (transpiled by sqlglot) to the same clues."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jixiao.crosscheck.backends import spark_available
from jixiao.crosscheck.engine import run
from jixiao.crosscheck.synth import synthesize

pytestmark = pytest.mark.spark


def _rows(path: Path) -> list[tuple]:
    out = []
    for r in pq.read_table(path).to_pylist():
        # Spark's to_json leaves out null fields; compare evidence as data without them
        evidence = [{k: v for k, v in item.items() if v is not None} for item in json.loads(r["evidence"])]
        out.append(
            (
                r["rule"],
                r["person_id"],
                r["person_name"],
                r["program"],
                r["region_code"],
                r["period"],
                r["periods"],
                r["amount_at_risk"],
                r["severity"],
                json.dumps(evidence, sort_keys=True),
            )
        )
    return sorted(out, key=repr)


def test_every_rule_gives_the_same_clues_on_both_engines(tmp_path: Path) -> None:
    reason = spark_available()
    if reason:
        pytest.skip(reason)
    data = tmp_path / "data"
    synthesize(data, people=300, seed=11)
    duck = run(data, tmp_path / "duckdb", engine="duckdb", memory_limit="1GB")
    try:
        spark = run(data, tmp_path / "spark", engine="spark", memory_limit="1GB")
    finally:
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession()
        if session is not None:
            session.stop()
    assert [(o.code, o.status, o.reason) for o in spark.outcomes] == [(o.code, "ok", None) for o in duck.outcomes]
    assert [o.clues for o in spark.outcomes] == [o.clues for o in duck.outcomes]
    duck_rows, spark_rows = _rows(duck.clues_path), _rows(spark.clues_path)
    for code in sorted({r[0] for r in duck_rows}):
        assert [r for r in spark_rows if r[0] == code] == [r for r in duck_rows if r[0] == code], code
