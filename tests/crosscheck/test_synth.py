"""The synthetic city: plants every rule, is deterministic, and its IDs are valid."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from jixiao.crosscheck import idnumber
from jixiao.crosscheck.layout import TABLES, arrow_schema
from jixiao.crosscheck.synth import synthesize


def test_truth_covers_every_rule(city: Path) -> None:
    rules = set(pq.read_table(city / "truth.parquet").column("rule").to_pylist())
    assert rules == {f"R{n:02d}" for n in range(1, 31)}


def test_every_layout_file_is_written_with_the_import_schema(city: Path) -> None:
    for name, table in TABLES.items():
        assert pq.read_schema(city / f"{name}.parquet").remove_metadata() == arrow_schema(table), name


def test_base_ids_are_valid_and_unique(city: Path) -> None:
    ids = duckdb.sql(f"SELECT DISTINCT person_id FROM '{city}/households.parquet'").fetchall()
    planted_bad = {"4.20117E+17", "420103198001010011"}
    invalid = {i for (i,) in ids if not idnumber.check_id(i).valid}
    assert invalid - planted_bad == {i for i in invalid if i.startswith("42010319800230")}
    counts = duckdb.sql(f"SELECT count(*), count(DISTINCT person_id) FROM '{city}/hukou.parquet'").fetchone()
    assert counts[0] == counts[1]


def test_same_seed_same_city(tmp_path: Path) -> None:
    a = synthesize(tmp_path / "a", people=300, seed=5)
    b = synthesize(tmp_path / "b", people=300, seed=5)
    assert a.rows == b.rows
    query = "SELECT sum(hash(payee_id, amount, period)) FROM '{}/payments.parquet'"
    assert duckdb.sql(query.format(tmp_path / "a")).fetchone() == duckdb.sql(query.format(tmp_path / "b")).fetchone()


def test_payment_target_is_reached(tmp_path: Path) -> None:
    result = synthesize(tmp_path, people=500, payments=5_000, seed=2)
    assert 5_000 <= result.rows["payments"] < 5_000 + 12 + 200
