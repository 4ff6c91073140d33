"""Shared synthetic city for the cross-check tests: generated once per session (≈3 000 people)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jixiao.crosscheck.engine import RunResult, run
from jixiao.crosscheck.synth import synthesize

PEOPLE = 3000


@pytest.fixture(scope="session")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic data folder (Parquet) with planted violations and truth.parquet."""
    out = tmp_path_factory.mktemp("city")
    synthesize(out, people=PEOPLE, seed=7)
    return out


@pytest.fixture(scope="session")
def city_run(city: Path, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """All rules run once on the DuckDB engine over ``city``."""
    return run(city, tmp_path_factory.mktemp("run"), memory_limit="1GB")


def keys(path: Path) -> set[tuple[str, str, str | None]]:
    """(rule, person_id, program) of every row of a clues or truth file."""
    table = pq.read_table(path, columns=["rule", "person_id", "program"]).to_pylist()
    return {(r["rule"], r["person_id"], r["program"]) for r in table}
