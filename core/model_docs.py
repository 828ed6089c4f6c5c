"""Model docs: the dbt-style `version: 2` .yml beside each model's SQL, read and validated once.

A model's file (`queries/models/marts/dim_ptj.yml` beside `dim_ptj.sql`) holds its description, its columns'
descriptions and its data tests, as dbt writes them:

    version: 2
    models:
      - name: dim_ptj
        description: One row per PTj (responsibility centre).
        columns:
          - name: ptj_code
            data_tests: [not_null, unique]
          - name: ptj_kind
            data_tests:
              - not_null
              - accepted_values: {contract: ptj.kind}   # the allowed values live in core/contracts.py
        data_tests:
          - unique_combination_of_columns: {combination_of_columns: [a, b]}

`accepted_values` takes either `contract: <source>.<column>` (the set is the contract column's `allowed`, so an
allowed value is written once) or `values: [...]` for a set that is in no contract. A column's description may be
left out when the shared glossary (`queries/models/_columns.yml`) has one for that column name, so a description
that repeats across models is written once too. Every mistake is a `ModelDocsError` naming the file, the model and
the key. Which columns a model really outputs is known only once it is built: `check_columns` compares then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from core.config import QUERIES_DIR
from core.contracts import CONTRACTS
from core.errors import EtlError

MODELS_DIR = QUERIES_DIR / "models"
GLOSSARY_FILE = "_columns.yml"
MODEL_FOLDERS = ("staging", "marts")
COLUMN_TESTS = ("not_null", "unique", "accepted_values")
MODEL_TESTS = ("unique_combination_of_columns",)
TestKind = Literal["not_null", "unique", "accepted_values", "unique_combination_of_columns"]


class ModelDocsError(EtlError):
    pass


@dataclass(frozen=True)
class DataTest:
    """One generated check: its kind, the columns it reads, and the allowed values of an accepted_values test."""

    kind: TestKind
    model: str
    columns: tuple[str, ...]
    values: tuple[str, ...] = ()
    contract: str = ""  # "<source>.<column>" the values come from, if any

    @property
    def name(self) -> str:
        """dbt's naming: not_null_fct_enrolment_run_id, unique_combination_fct_enrolment_run_id_learner_key."""
        kind = "unique_combination" if self.kind == "unique_combination_of_columns" else self.kind
        return "_".join((kind, self.model, *self.columns))


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    description: str  # the model's own, else the glossary's, else ""


@dataclass(frozen=True)
class ModelDoc:
    name: str
    path: Path
    description: str
    columns: tuple[ColumnDoc, ...]
    tests: tuple[DataTest, ...]

    @property
    def key(self) -> tuple[str, ...]:
        """The columns that identify a row (its unique test), for naming a failing row; () when it has none."""
        for test in self.tests:
            if test.kind in ("unique", "unique_combination_of_columns"):
                return test.columns
        return ()


def _fail(path: Path, where: str, message: str) -> ModelDocsError:
    return ModelDocsError(f"{_shown(path)}: {where}: {message}")


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(QUERIES_DIR.parent))
    except ValueError:
        return str(path)


def _read_yaml(path: Path) -> dict[str, object]:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise ModelDocsError(f"{_shown(path)}: {line}not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(data, dict) or data.get("version") != 2:
        raise _fail(path, "version", "a model docs file starts with 'version: 2' (dbt's format)")
    return data


def _only_keys(path: Path, where: str, entry: object, allowed: tuple[str, ...]) -> Mapping[str, object]:
    if not isinstance(entry, dict):
        raise _fail(path, where, f"expected a mapping with keys {', '.join(allowed)}; found {entry!r}")
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise _fail(path, where, f"unknown key '{unknown[0]}' (known: {', '.join(allowed)})")
    return entry


def _text(path: Path, where: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(path, where, f"a description is text; found {value!r}")
    return " ".join(value.split())


def _names(path: Path, where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise _fail(path, where, f"expected a list of names; found {value!r}")
    return tuple(value)


def contract_values(path: Path, where: str, ref: object) -> tuple[str, ...]:
    """The allowed set of `<source>.<column>` in core/contracts.py."""
    source, _, column = str(ref).partition(".")
    contract = CONTRACTS.get(source)
    if contract is None:
        raise _fail(path, where, f"no contract '{source}' (contracts: {', '.join(CONTRACTS)})")
    if column not in contract.header:
        raise _fail(path, where, f"contract '{source}' has no column '{column}' ({', '.join(contract.header)})")
    allowed = contract.column(column).allowed
    if not allowed:
        raise _fail(path, where, f"contract column '{ref}' declares no allowed values")
    return allowed


def _split_test(path: Path, where: str, entry: object, known: tuple[str, ...]) -> tuple[str, Mapping[str, object]]:
    """`not_null` or `{accepted_values: {...}}` -> (kind, arguments)."""
    if isinstance(entry, str):
        kind, args = entry, {}
    elif isinstance(entry, dict) and len(entry) == 1:
        kind, args = next(iter(entry.items()))
        args = args or {}
    else:
        raise _fail(path, where, f"a test is a name or a one-key mapping; found {entry!r}")
    if kind not in known:
        raise _fail(path, where, f"unknown test '{kind}' (known here: {', '.join(known)})")
    if not isinstance(args, dict):
        raise _fail(path, f"{where}.{kind}", f"expected a mapping of arguments; found {args!r}")
    return kind, args


def _column_test(path: Path, model: str, column: str, entry: object) -> DataTest:
    where = f"model {model}, column {column}, data_tests"
    kind, args = _split_test(path, where, entry, COLUMN_TESTS)
    if kind != "accepted_values":
        _only_keys(path, f"{where}.{kind}", args, ())
        return DataTest(kind, model, (column,))  # type: ignore[arg-type]
    args = _only_keys(path, f"{where}.accepted_values", args, ("contract", "values"))
    if ("contract" in args) == ("values" in args):
        raise _fail(path, f"{where}.accepted_values", "give either 'contract: <source>.<column>' or 'values: [...]'")
    if "contract" in args:
        ref = str(args["contract"])
        values = contract_values(path, f"{where}.accepted_values.contract", ref)
        return DataTest("accepted_values", model, (column,), values, ref)
    raw = args["values"]
    if not isinstance(raw, list) or not raw:
        raise _fail(path, f"{where}.accepted_values.values", f"expected a list of values; found {raw!r}")
    # Compared with the column cast to text, as DuckDB writes it: YAML's true is 'true', not Python's 'True'.
    return DataTest("accepted_values", model, (column,), tuple(str(v).lower() if isinstance(v, bool) else str(v)
                                                              for v in raw))


def _model_test(path: Path, model: str, entry: object) -> DataTest:
    where = f"model {model}, data_tests"
    _, args = _split_test(path, where, entry, MODEL_TESTS)
    args = _only_keys(path, f"{where}.unique_combination_of_columns", args, ("combination_of_columns",))
    columns = _names(path, f"{where}.unique_combination_of_columns.combination_of_columns",
                     args.get("combination_of_columns"))
    return DataTest("unique_combination_of_columns", model, columns)


def read_glossary(models_dir: Path = MODELS_DIR) -> dict[str, str]:
    """Column name -> description, for columns that mean the same in every model that has them."""
    path = models_dir / GLOSSARY_FILE
    if not path.exists():
        return {}
    data = _only_keys(path, "top level", _read_yaml(path), ("version", "columns"))
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise _fail(path, "columns", "expected a mapping of column name -> description")
    return {str(name): _text(path, f"columns.{name}", text) for name, text in columns.items()}


def read_model_doc(path: Path, glossary: Mapping[str, str]) -> ModelDoc:
    data = _only_keys(path, "top level", _read_yaml(path), ("version", "models"))
    models = data.get("models")
    if not isinstance(models, list) or len(models) != 1:
        raise _fail(path, "models", "a model's .yml documents exactly that one model")
    entry = _only_keys(path, "models[0]", models[0], ("name", "description", "columns", "data_tests"))
    name = entry.get("name")
    if name != path.stem:
        raise _fail(path, "models[0].name", f"expected '{path.stem}' (the file beside it); found {name!r}")
    if not path.with_suffix(".sql").exists():
        raise _fail(path, "models[0].name", f"no model {path.stem}.sql beside it")
    columns: list[ColumnDoc] = []
    tests: list[DataTest] = []
    for i, raw in enumerate(entry.get("columns") or []):
        col = _only_keys(path, f"model {name}, columns[{i}]", raw, ("name", "description", "data_tests"))
        column = col.get("name")
        if not isinstance(column, str) or not column:
            raise _fail(path, f"model {name}, columns[{i}].name", "every column has a name")
        if any(c.name == column for c in columns):
            raise _fail(path, f"model {name}, column {column}", "documented twice")
        own = _text(path, f"model {name}, column {column}, description", col.get("description"))
        columns.append(ColumnDoc(column, own or glossary.get(column, "")))
        tests += [_column_test(path, name, column, t) for t in col.get("data_tests") or []]
    tests += [_model_test(path, name, t) for t in entry.get("data_tests") or []]
    names = [t.name for t in tests]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise _fail(path, f"model {name}", f"test {duplicate} is given twice")
    description = _text(path, f"model {name}, description", entry.get("description"))
    return ModelDoc(name, path, description, tuple(columns), tuple(tests))


def load_model_docs(models_dir: Path = MODELS_DIR) -> dict[str, ModelDoc]:
    """Every model's docs, by model name (a model without a .yml has none)."""
    glossary = read_glossary(models_dir)
    docs = {}
    for folder in MODEL_FOLDERS:
        for path in sorted((models_dir / folder).glob("*.yml")):
            doc = read_model_doc(path, glossary)
            docs[doc.name] = doc
    return docs


def check_columns(doc: ModelDoc, output: tuple[str, ...]) -> None:
    """Every column the docs name (documented or tested) is one the built model outputs."""
    named = [c.name for c in doc.columns] + [c for t in doc.tests for c in t.columns]
    missing = next((c for c in named if c not in output), None)
    if missing is not None:
        raise _fail(doc.path, f"model {doc.name}, column {missing}",
                    f"not a column of {doc.name} (its columns: {', '.join(output)})")
