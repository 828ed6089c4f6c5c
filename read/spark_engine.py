"""The KPI layer on Apache Spark over the Parquet lake: the same queries/kpi/*.sql, translated by read.spark_sql.

    engine = SparkLake(read_lake("out/lake"), settings)   # one temporary view per lake table
    result = run_kpi(engine, "revenue", KpiFilters(year=2025), by="ptj")   # read.kpi, as on the warehouse
    engine.close()

`SparkLake.query(sql, params)` is what `read.kpi.run_kpi` calls on any source that is not a DuckDB
connection: it runs the DuckDB KPI SQL translated to Spark SQL with the parameters bound as Spark named
parameters, and returns a pyarrow table. Everything after the query (small-cell protection, derived columns,
Malay labels) is the KPI layer's own code, so both engines show the same protected figures.

One SparkSession per process (`spark_session`), from `[spark]` in mckpi.toml: `local[2]` here, a cluster master
in production. Each SparkLake gets its own child session (`newSession`), so two lakes' views never mix.
pyspark and Java are needed only here: `spark_unavailable()` says why Spark cannot run, for the CLI and tests.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from core.config import Settings, load_settings
from read.lake import Lake, LakeError, LakeTable

_session: Any = None


def spark_unavailable() -> str | None:
    """Why Spark cannot run here (no pyspark, no Java), or None when it can."""
    for module in ("pyspark", "sqlglot"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed: pip install -e '.[spark]'"
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))):
        return "Java (17 or later) is not installed or not on PATH: Spark needs it"
    return None


def spark_session(settings: Settings | None = None, extra_conf: Mapping[str, str] | None = None):  # noqa: ANN201
    """The process's SparkSession (a pyspark SparkSession, created on first use from `[spark]` and
    `extra_conf`)."""
    global _session
    if _session is not None and _session.sparkContext._jsc is not None:
        return _session
    if reason := spark_unavailable():
        raise LakeError(f"cannot run Spark: {reason}")
    from pyspark.sql import SparkSession

    config = (settings or load_settings()).spark
    builder = (
        SparkSession.builder.master(config.master)
        .appName(config.app_name)
        .config("spark.driver.memory", config.driver_memory)
        .config("spark.sql.shuffle.partitions", str(config.shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Timestamps in the lake are naive (Malaysia time; FutureLearn's UTC) and read back as TIMESTAMP_NTZ;
        # a fixed session zone keeps any conversion from depending on the machine's zone.
        .config("spark.sql.session.timeZone", "UTC")
        # Partition folder names are text: never guess a type from them (`ptj_code=0101` stays '0101'); the views
        # cast them to the warehouse types from the manifest.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    for key, value in (extra_conf or {}).items():
        builder = builder.config(key, value)
    _session = builder.getOrCreate()
    _session.sparkContext.setLogLevel("ERROR")
    return _session


def stop_spark() -> None:
    global _session
    if _session is not None:
        _session.stop()
        _session = None


def _spark_type(duckdb_type: str) -> str:
    from sqlglot import exp

    return exp.DataType.build(duckdb_type, dialect="duckdb").sql(dialect="spark")


def _view(session: Any, table: LakeTable) -> Any:
    from pyspark.sql import functions as F

    frame = session.read.option("basePath", table.uri).parquet(table.uri)
    columns = [
        F.col(c).cast(_spark_type(table.types[c])).alias(c) if c in table.partition_by else F.col(c)
        for c in table.columns
    ]
    return frame.select(*columns)


class SparkLake:
    """A KPI source on Spark: `query(duckdb_sql, params) -> pa.Table` (see the module docstring)."""

    def __init__(self, lake: Lake, settings: Settings | None = None, session: Any = None, *,
                 cache: bool = False) -> None:
        """cache=True keeps the tables in Spark's memory after the first read (many KPIs over a small lake, as in
        the parity test); off by default: a national lake is read where it lies, partitions pruned."""
        self.lake = lake
        self.session = (session or spark_session(settings)).newSession()
        self._cached = []
        for table in lake.tables.values():
            frame = _view(self.session, table)
            if cache:
                frame = frame.cache()
                self._cached.append(frame)
            frame.createOrReplaceTempView(table.name)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        from read.spark_sql import spark_args, to_spark  # sqlglot comes with the spark extra

        frame = self.session.sql(to_spark(sql), args=spark_args(params or {}))
        return frame.toArrow()

    def count(self, table: str) -> int:
        return int(self.session.table(table).count())

    def close(self) -> None:
        for name in self.lake.tables:
            self.session.catalog.dropTempView(name)
        for frame in self._cached:
            frame.unpersist()


__all__ = ["SparkLake", "spark_session", "spark_unavailable", "stop_spark"]
