"""Model runner: builds the SQL models in queries/models/ inside the warehouse being built.

Order: staging/*.sql, then marts/dim_*.sql, then marts/fct_*.sql, then any other marts/*.sql; alphabetical within
each group, except that a model may name models it needs in a comment line `-- depends_on: dim_course, dim_ptj`,
and is then built after them (they must be in the same or an earlier group). Each file is one SELECT, run as
`create or replace table <file stem> as <file contents>` (staging models, which only rename and cast: `create or
replace view`, so the raw data is not copied again).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.config import QUERIES_DIR
from core.errors import EtlError

MODELS_DIR = QUERIES_DIR / "models"
MODEL_PREFIXES = ("stg_", "dim_", "fct_")
# Staging models only rename and cast: they are views, so the data (7.5M step rows at 1M enrolments) is not
# copied once more; the marts read through them.
VIEW_PREFIXES = ("stg_",)
_DEPENDS = re.compile(r"^\s*--\s*depends_on\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class ModelError(EtlError):
    pass


@dataclass(frozen=True)
class Model:
    name: str
    path: Path
    sql: str
    depends_on: tuple[str, ...]


@dataclass(frozen=True)
class BuiltModel:
    name: str
    rows: int
    seconds: float


def read_model(path: Path) -> Model:
    name = path.stem
    if not _NAME.match(name):
        raise ModelError(f"{path}: a model's file name must be a lowercase SQL name (got '{name}')")
    sql = path.read_text("utf-8")
    deps = tuple(d.strip() for m in _DEPENDS.finditer(sql) for d in m.group(1).split(",") if d.strip())
    return Model(name, path, sql, deps)


def _group_order(models: list[Model], built_before: set[str]) -> list[Model]:
    """Alphabetical, moved after the models they depend on (a stable topological sort)."""
    pending = sorted(models, key=lambda m: m.name)
    names = {m.name for m in pending}
    for m in pending:
        unknown = [d for d in m.depends_on if d not in names and d not in built_before]
        if unknown:
            raise ModelError(
                f"{m.path.name}: depends_on names models not built before it: {', '.join(unknown)}"
            )
    ordered: list[Model] = []
    done = set(built_before)
    while pending:
        ready = next((m for m in pending if all(d in done for d in m.depends_on)), None)
        if ready is None:
            raise ModelError("models depend on each other in a cycle: " + ", ".join(m.name for m in pending))
        ordered.append(ready)
        done.add(ready.name)
        pending.remove(ready)
    return ordered


def plan(models_dir: Path = MODELS_DIR) -> list[Model]:
    """The models in build order."""
    staging = [read_model(p) for p in sorted((models_dir / "staging").glob("*.sql"))]
    marts = [read_model(p) for p in sorted((models_dir / "marts").glob("*.sql"))]
    groups = [
        staging,
        [m for m in marts if m.name.startswith("dim_")],
        [m for m in marts if m.name.startswith("fct_")],
        [m for m in marts if not m.name.startswith(("dim_", "fct_"))],
    ]
    ordered: list[Model] = []
    for group in groups:
        ordered += _group_order(group, {m.name for m in ordered})
    return ordered


def _statement(sql: str) -> str:
    body = sql.strip()
    while body.endswith(";"):
        body = body[:-1].rstrip()
    return body


def drop_models(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the stg_/dim_/fct_ tables and views a previous build left, so a removed model does not linger."""
    rows = con.execute(
        "select table_name, table_type from information_schema.tables where table_schema = 'main'"
    ).fetchall()
    for name, kind in rows:
        if name.startswith(MODEL_PREFIXES) and _NAME.match(name):
            con.execute(f'drop {"view" if kind == "VIEW" else "table"} if exists "{name}"')


def run_models(con: duckdb.DuckDBPyConnection, models_dir: Path = MODELS_DIR) -> list[BuiltModel]:
    built = []
    drop_models(con)
    for model in plan(models_dir):
        started = time.perf_counter()
        kind = "view" if model.name.startswith(VIEW_PREFIXES) else "table"
        try:
            con.execute(f'create or replace {kind} "{model.name}" as\n{_statement(model.sql)}\n')
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise ModelError(f"model {model.path.parent.name}/{model.path.name} failed: {first}") from exc
        rows = con.execute(f'select count(*) from "{model.name}"').fetchone()[0]  # type: ignore[index]  # noqa: S608
        built.append(BuiltModel(model.name, rows, time.perf_counter() - started))
    return built
