"""The two SQL engines that run the same rule set: DuckDB (default) and Apache Spark (optional extra).

A backend only knows how to expose Parquet files and empty tables as views, create views from
DuckDB-dialect SELECTs, and return a query's result as Arrow. Spark receives every statement
through ``sqlglot.transpile(sql, read="duckdb", write="spark")``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from jixiao.crosscheck.layout import Table


class Backend(Protocol):
    name: str

    def register_parquet(self, name: str, paths: list[Path]) -> None: ...
    def register_empty(self, table: Table) -> None: ...
    def create_view(self, name: str, sql: str, *, materialize: bool = False) -> None: ...
    def query(self, sql: str) -> pa.Table: ...
    def close(self) -> None: ...


def empty_select(table: Table) -> str:
    """A DuckDB SELECT returning no rows with the table's stored columns."""
    columns = ", ".join(f"CAST(NULL AS {sql_type}) AS {name}" for name, sql_type in table.stored_columns())
    return f"SELECT {columns} WHERE 1 = 0"


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


class DuckDBBackend:
    name = "duckdb"

    def __init__(
        self,
        *,
        memory_limit: str = "4GB",
        temp_dir: Path | None = None,
        threads: int | None = None,
        on_disk: bool = False,
    ) -> None:
        # In memory by default: materialised tables cost a third of the CPU of a compressed file;
        # past memory_limit DuckDB still evicts them to temp_directory. on_disk trades CPU for RSS.
        self._db_file: Path | None = None
        if temp_dir is not None:
            temp_dir.mkdir(parents=True, exist_ok=True)
            if on_disk:
                self._db_file = temp_dir / "crosscheck.duckdb"
                self._db_file.unlink(missing_ok=True)
        self.con = duckdb.connect(
            str(self._db_file) if self._db_file else ":memory:", config={"preserve_insertion_order": False}
        )
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        if temp_dir is not None:
            self.con.execute(f"SET temp_directory = '{temp_dir}'")
        self.con.execute(f"SET threads = {threads or os.cpu_count() or 2}")

    def register_parquet(self, name: str, paths: list[Path]) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet({_sql_list(paths)})")

    def register_empty(self, table: Table) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {table.name} AS {empty_select(table)}")

    def create_view(self, name: str, sql: str, *, materialize: bool = False) -> None:
        kind = "TABLE" if materialize else "VIEW"
        self.con.execute(f"CREATE OR REPLACE {kind} {name} AS {sql}")

    def query(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()
        if self._db_file is not None:
            for leftover in (self._db_file, self._db_file.with_suffix(".duckdb.wal")):
                leftover.unlink(missing_ok=True)


def spark_available() -> str | None:
    """Return None when PySpark can be imported, else the reason (Chinese)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "未安装 PySpark:请执行 pip install 'jixiao[spark]'(需要 Java 17 及以上)"
    return None


def to_spark_sql(sql: str) -> str:
    """Transpile one DuckDB-dialect statement to Spark SQL."""
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


class SparkBackend:
    name = "spark"

    def __init__(self, *, memory_limit: str = "4GB", temp_dir: Path | None = None, master: str = "local[2]") -> None:
        reason = spark_available()
        if reason:
            raise RuntimeError(reason)
        import logging

        from pyspark.sql import SparkSession

        logging.getLogger("py4j").setLevel(logging.WARNING)  # its INFO lines outlive captured streams
        memory = memory_limit.lower().replace("gb", "g").replace("mb", "m").replace(" ", "")
        builder = (
            SparkSession.builder.master(master)
            .appName("jixiao-crosscheck")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", memory)
            .config("spark.sql.session.timeZone", "UTC")
        )
        if temp_dir is not None:
            builder = builder.config("spark.local.dir", str(temp_dir))
        self.spark: Any = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        self._views: list[str] = []

    def register_parquet(self, name: str, paths: list[Path]) -> None:
        self.spark.read.parquet(*[str(p) for p in paths]).createOrReplaceTempView(name)
        self._views.append(name)

    def register_empty(self, table: Table) -> None:
        self.create_view(table.name, empty_select(table))

    def create_view(self, name: str, sql: str, *, materialize: bool = False) -> None:
        frame = self.spark.sql(to_spark_sql(sql))
        (frame.cache() if materialize else frame).createOrReplaceTempView(name)
        self._views.append(name)

    def query(self, sql: str) -> pa.Table:
        return self.spark.sql(to_spark_sql(sql)).toArrow()

    def close(self) -> None:
        """Drop this run's views; the session stays up for the next run (``stop()`` ends it)."""
        for name in self._views:
            self.spark.catalog.dropTempView(name)
        self._views.clear()
        self.spark.catalog.clearCache()

    def stop(self) -> None:
        self.close()
        self.spark.stop()
