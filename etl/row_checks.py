"""Row-level checks: one SQL pass per file, generated from the contract, that types, pseudonymises and checks
every row. Unparseable values, missing required values, values outside the allowed set or range, dates outside the
horizon, unknown references, failed row rules and duplicate natural keys send the row to `quarantine`, naming the
column, value and reason; the rest of the file loads. (File-level problems are etl.file_checks.)

The SQL is built from the contract's identifiers and constants only; values from files are never pasted into SQL
text (the learner-id key, the FutureLearn run label and its reason are bound parameters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.contracts import Column, Contract
from etl.horizon import DateHorizon, horizon_params, lower_check_sql, upper_check_sql
from etl.keys import key_sql
from etl.pseudonym import KEY_PARAM, learner_key_sql

SQL_TYPES = {
    "varchar": "varchar",
    "int": "bigint",
    "decimal": "decimal(12,2)",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp_fl": "timestamp",
}

PARSE_REASONS = {
    "int": "expected a whole number",
    "decimal": "expected a number like 650.00 (no 'RM', no thousands separators)",
    "date": "expected a date like 2024-03-01 (YYYY-MM-DD)",
    "timestamp": "expected a date and time like 2024-03-01 14:30:00",
    "timestamp_fl": "expected a FutureLearn time like 2024-03-01 14:30:00 UTC",
}

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str) -> str:
    """A quoted identifier; only contract names come here."""
    if not _IDENT.match(name):
        raise ValueError(f"not a valid identifier: {name!r}")
    return f'"{name}"'


def lit(value: str) -> str:
    """A SQL string literal for a contract constant (never a value read from a file)."""
    return "'" + value.replace("'", "''") + "'"


def typed_name(column: Column) -> str:
    return "learner_key" if column.pseudonymise else column.name


def raw_columns(contract: Contract) -> list[tuple[str, str]]:
    """(name, SQL type) of the contract's columns as stored in raw_<source>."""
    return [(typed_name(c), "varchar" if c.pseudonymise else SQL_TYPES[c.type]) for c in contract.columns]


def clean_sql(expr: str) -> str:
    """Trimmed, empty as null. (DuckDB's read_csv already gives null for empty fields; trim() is only called
    when there is a space to remove, which is ten times cheaper than trimming every value.)"""
    return f"case when starts_with({expr}, ' ') or ends_with({expr}, ' ') then nullif(trim({expr}), '') else {expr} end"


def parse_sql(column: Column, s: str) -> str:
    """SQL turning the trimmed string `s` into the column's type (null when it does not parse).
    The length checks keep strptime strict: it would accept '2024-3-1' for %Y-%m-%d."""
    if column.type == "int":
        return f"case when regexp_full_match({s}, '[+-]?[0-9]{{1,18}}') then try_cast({s} as bigint) end"
    if column.type == "decimal":
        return f"case when regexp_full_match({s}, '-?[0-9]+([.][0-9]{{1,2}})?') then try_cast({s} as decimal(12,2)) end"
    if column.type == "date":
        return f"case when length({s}) = 10 then try_strptime({s}, '%Y-%m-%d')::date end"
    if column.type == "timestamp":
        return f"case when length({s}) = 19 then try_strptime({s}, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S']) end"
    if column.type == "timestamp_fl":
        return f"case when length({s}) = 23 then try_strptime({s}, '%Y-%m-%d %H:%M:%S UTC') end"
    return s


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


DATE_TYPES = ("date", "timestamp", "timestamp_fl")


def column_error_sql(contract: Contract, column: Column, bounds: set[str] | None = None) -> str:
    """SQL giving the reason a row's value in `column` is rejected, or null. bounds: collects the date-horizon
    bounds used (their parameters are etl.horizon.horizon_params); None = no horizon check."""
    s = ident(column.name + "__s")
    t = ident(typed_name(column))
    whens = []
    if column.required:
        whens.append(f"when {s} is null then {lit('required value is missing')}")
    checks = []
    if column.type != "varchar" and not column.pseudonymise:
        checks.append(f"when {t} is null then {lit(PARSE_REASONS[column.type])}")
    if column.allowed:
        values = ", ".join(lit(v) for v in column.allowed)
        checks.append(
            f"when {t} not in ({values}) then {lit('not one of the allowed values: ' + ', '.join(column.allowed))}"
        )
    if column.min is not None:
        checks.append(
            f"when {t} < {_number(column.min)} then {lit('less than the minimum ' + _number(column.min))}"
        )
    if column.max is not None:
        checks.append(
            f"when {t} > {_number(column.max)} then {lit('more than the maximum ' + _number(column.max))}"
        )
    if bounds is not None and column.type in DATE_TYPES:
        checks.append(lower_check_sql(column.date_from, t))
        checks.append(upper_check_sql(column.date_to, t))
        bounds.update((column.date_from, column.date_to))
    if column.references:
        ref_source, ref_column = column.references.split(".")
        ref_table = ident("raw_" + ref_source)
        checks.append(
            f"when not ({t} in (select {ident(ref_column)} from {ref_table} where {ident(ref_column)} is not null))"  # noqa: S608
            f" then {lit(f'unknown {column.name}: not in {ref_source}.{ref_column}')}"
        )
    if not whens and not checks:
        return "null"
    if checks:
        whens.append(f"when {s} is not null then (case {' '.join(checks)} end)")
    return f"case {' '.join(whens)} end"


@dataclass(frozen=True)
class CheckedSql:
    sql: str
    params: dict[str, object]


def _is_text_key(column: Column) -> bool:
    return column.pseudonymise or column.type == "varchar"


def normalised_columns(contract: Contract) -> list[Column]:
    """The columns compared in their normalised form (etl/keys.py): text natural-key columns and learner ids
    (hashed from the normalised id, so that one learner gets one key whatever the padding)."""
    return [c for c in contract.columns if c.pseudonymise or (c.name in contract.natural_key and _is_text_key(c))]


def _norm_name(contract: Contract, column: Column) -> str:
    """The checked rows' column holding `column`'s normalised form."""
    if column.name in contract.natural_key:
        return f"_key{contract.natural_key.index(column.name)}"
    return column.name + "__k"


def _key_exprs(contract: Contract, cleaned: str, ascii_columns: frozenset[str]) -> list[tuple[str, str]]:
    """(expression over a row with cleaned columns `<name>__s` (alias `cleaned`), matching column of the
    checked rows) per natural-key column: text keys and learner ids in their normalised form, typed keys typed."""
    out = []
    for i, name in enumerate(contract.natural_key):
        c = contract.column(name)
        s = f"{cleaned}.{ident(name + '__s')}"
        if _is_text_key(c):
            out.append((key_sql(c, s, ascii_only=name in ascii_columns), ident(f"_key{i}")))
        else:
            out.append((parse_sql(c, s), ident(name)))
    return out


def _stored_key_sql(contract: Contract, i: int, alias: str, ascii_stored: frozenset[str]) -> str:
    """The comparable form of natural-key column i of a row already in raw_<source> (`alias`): learner keys
    were hashed from the normalised id, text keys are normalised here, typed keys compare as stored."""
    c = contract.column(contract.natural_key[i])
    col = f"{alias}.{ident(typed_name(c))}"
    if c.type == "varchar" and not c.pseudonymise:
        return key_sql(c, col, ascii_only=c.name in ascii_stored)
    return col


def _checked_key_sql(contract: Contract, i: int, alias: str) -> str:
    """The same for a row being checked (a CTE row of checked_sql)."""
    c = contract.column(contract.natural_key[i])
    if c.pseudonymise:
        return f"{alias}.{ident('learner_key')}"
    return f"{alias}.{ident(f'_key{i}') if _is_text_key(c) else ident(c.name)}"


def line_sql(stage_alias: str, files_alias: str) -> str:
    """The record's line: a CTAS from read_csv keeps file order, and a multi-file scan keeps each file's rows
    together and in order (DuckDB preserves insertion order), so line = rowid - the file's first rowid + 2."""
    return f"{stage_alias}.rowid - {files_alias}._r0 + 2"


def duplicates_sql(
    contract: Contract,
    stage: str = "_stage",
    files: str = "_files",
    *,
    ascii_columns: frozenset[str] = frozenset(),
) -> str | None:
    """Keys that occur more than once in a staged file: (_file_id, keys..., _first_line).
    An aggregate, not a window over every row, so the common case (no duplicates) costs one hash pass:
    first 64-bit hashes of the keys are grouped, then the real keys of the few rows whose hash repeats
    (so a hash collision never makes a false duplicate). Text keys compare normalised (etl/keys.py);
    ascii_columns: columns known to hold only ASCII in the stage (see etl.keys.key_sql)."""
    if not contract.natural_key:
        return None
    keys = _key_exprs(contract, "c", ascii_columns)
    cleaned = ", ".join(
        f"{clean_sql('st.' + ident(name))} as {ident(name + '__s')}" for name in contract.natural_key
    )
    cols = ", ".join(f"{expr} as _k{i}" for i, (expr, _) in enumerate(keys))
    names = ", ".join(["_file_id"] + [f"_k{i}" for i in range(len(keys))])
    return (
        f"with c as (select f.file_id as _file_id, {line_sql('st', 'f')} as _line, {cleaned}"  # noqa: S608
        f" from {stage} st join {files} f on f.filename = st.filename),"
        f" k as (select _file_id, _line, {cols} from c),"
        f" h as (select hash({names}) as _h from k group by _h having count(*) > 1)"
        f" select {names}, min(_line) as _first_line from k where hash({names}) in (select _h from h)"
        f" group by {names} having count(*) > 1"
    )


def checked_sql(
    contract: Contract,
    *,
    stage: str = "_stage",
    files: str = "_files",
    duplicates: str | None = None,
    check_loaded: bool = False,
    other_streams: list[str] | None = None,
    pseudonym_key: str,
    ascii_columns: frozenset[str] = frozenset(),
    ascii_stored: frozenset[str] = frozenset(),
    horizon: DateHorizon | None = None,
) -> CheckedSql:
    """One SELECT over the staging table (one or more files read by one read_csv, with `filename`) joined to the
    files table (filename, file_id, label, label_reason, _r0), giving per record: `_file_id`, `_line`, `_label`,
    the typed columns as stored in raw_<source>, and `_err_column`, `_err_value`, `_err_reason` (null when the
    row is accepted).

    duplicates: a table made with `duplicates_sql`; check_loaded: look for keys already in raw_<source>
    (append sources, loaded one file at a time so that a later file sees the earlier one's rows).
    other_streams: snapshot sources: the streams of this batch. A key already loaded from another stream (a file
    that this batch does not replace), or in an earlier file of this batch, is "already loaded" too: two streams
    of one source (courses.csv and lms_courses.csv) must not both deliver a course.

    Order of reasons (the first one is kept): FutureLearn run label; per column in contract order (missing,
    unparseable, not allowed, out of range, unknown reference); row rules; a duplicate key within the file (every
    later copy of a key, valid or not); for append sources a key already loaded from an earlier file; for payments
    last of all a refund bigger than the fees paid.

    horizon: dates outside it are rejected (etl/horizon.py); None = no horizon check.

    Keys compare normalised (etl/keys.py). ascii_columns / ascii_stored: columns known to hold only ASCII in the
    stage / in raw_<source>, whose normalisation then needs no Python call.
    """
    params: dict[str, object] = {}
    cols = contract.columns
    cleaned = ", ".join(f"{clean_sql('st.' + ident(c.name))} as {ident(c.name + '__s')}" for c in cols)
    keyed = ", ".join(
        f"{key_sql(c, ident(c.name + '__s'), ascii_only=c.name in ascii_columns)} as {ident(_norm_name(contract, c))}"
        for c in normalised_columns(contract)
    )
    typed = []
    for c in cols:
        s = ident(c.name + "__s")
        if c.pseudonymise:
            typed.append(f"{learner_key_sql(ident(_norm_name(contract, c)))} as {ident('learner_key')}")
            params[KEY_PARAM] = pseudonym_key
        else:
            typed.append(f"{parse_sql(c, s)} as {ident(c.name)}")
    bounds: set[str] | None = set() if horizon is not None else None
    col_errors = [f"{column_error_sql(contract, c, bounds)} as {ident(c.name + '__e')}" for c in cols]
    if horizon is not None and bounds:
        params.update(horizon_params(horizon, bounds))
    rule_errors = [
        f"case when not coalesce(({rule.sql}), true) then {lit(rule.message)} end as {ident(f'_rule{i}__e')}"
        for i, rule in enumerate(contract.rules)
    ]
    candidates: list[tuple[str, str, str]] = [("_label_reason", lit("platform_run_label"), "_label")]
    for c in cols:
        value = "null" if c.pseudonymise else ident(c.name + "__s")
        candidates.append((ident(c.name + "__e"), lit(c.name), value))
    for i, rule in enumerate(contract.rules):
        value = "null" if contract.column(rule.column).pseudonymise else ident(rule.column + "__s")
        candidates.append((ident(f"_rule{i}__e"), lit(rule.column), value))

    ctes = [
        f"s as (select f.file_id as _file_id, {line_sql('st', 'f')} as _line, f.label as _label,"  # noqa: S608
        f" f.label_reason as _label_reason, {cleaned} from {stage} st join {files} f on f.filename = st.filename)",
        f"sk as (select *{', ' + keyed if keyed else ''} from s)",  # noqa: S608
        f"t as (select *, {', '.join(typed)} from sk)",  # noqa: S608
        f"e as (select *, {', '.join(col_errors + rule_errors)} from t)",  # noqa: S608
    ]
    last = "e"
    key_cols = [typed_name(contract.column(k)) for k in contract.natural_key]
    key_label = ", ".join(contract.natural_key)
    key_value = " || ', ' || ".join(f"coalesce({ident(k)}::varchar, '')" for k in key_cols)
    if duplicates and key_cols:
        on = " and ".join(
            ["dup._file_id = e._file_id"]
            + [
                f"dup._k{i} is not distinct from e.{col}"
                for i, (_, col) in enumerate(_key_exprs(contract, "e", ascii_columns))
            ]
        )
        ctes.append(f"d as (select e.*, dup._first_line from e left join {duplicates} dup on {on})")  # noqa: S608
        last = "d"
        candidates.append(
            (
                "case when _line > _first_line then 'duplicate key, first at line ' || _first_line end",
                lit(key_label),
                key_value,
            )
        )
    if check_loaded and key_cols:
        on = " and ".join(
            f"{_stored_key_sql(contract, i, 'prev', ascii_stored)} is not distinct from"
            f" {_checked_key_sql(contract, i, last)}"
            for i in range(len(key_cols))
        )
        ctes.append(
            f"a as (select {last}.*, ef.path as _prev_path, prev._line as _prev_line from {last}"  # noqa: S608
            f" left join {ident(contract.raw_table)} prev on {on}"
            f" left join etl_files ef on ef.file_id = prev._file_id)"
        )
        last = "a"
        candidates.append(
            (
                "case when _prev_line is not null then"
                " 'already loaded from ' || coalesce(_prev_path, '?') || ' line ' || _prev_line end",
                lit(key_label),
                key_value,
            )
        )
    if other_streams is not None and key_cols:
        n = len(key_cols)
        raw_keys = ", ".join(f"{_stored_key_sql(contract, i, 'p', ascii_stored)} as _pk{i}" for i in range(n))
        partition = ", ".join(f"_pk{i}" for i in range(n))
        on = " and ".join(
            f"prev._pk{i} is not distinct from {_checked_key_sql(contract, i, last)}" for i in range(n)
        )
        # The first row of each key in the files of other streams (the raw table holds at most one per key).
        ctes.append(
            f"o as (select {last}.*, prev._path as _other_path, prev._line as _other_line from {last}"  # noqa: S608
            f" left join (select {raw_keys}, ef.path as _path, p._line from {ident(contract.raw_table)} p"
            f" join etl_files ef on ef.file_id = p._file_id"
            f" where ef.stream is null or ef.stream not in (select unnest($batch_streams::varchar[]))"
            f" qualify row_number() over (partition by {partition} order by p._file_id, p._line) = 1) prev on {on})"
        )
        # ... and the first row of each key in this batch's files: a later file's copy is the duplicate.
        keys = ", ".join(_checked_key_sql(contract, i, "o") for i in range(n))
        over = f"over (partition by {keys} order by _file_id, _line)"
        ctes.append(
            f"b as (select o.*, first_value(o._file_id) {over} as _first_file,"  # noqa: S608
            f" first_value(o._line) {over} as _first_file_line from o)"
        )
        ctes.append(
            f"bf as (select b.*, ff.rel as _first_file_rel from b left join {files} ff"  # noqa: S608
            " on ff.file_id = b._first_file and b._first_file <> b._file_id)"
        )
        last = "bf"
        params["batch_streams"] = other_streams
        candidates.append(
            (
                "case when _other_line is not null then"
                " 'already loaded from ' || _other_path || ' line ' || _other_line"
                " when _first_file_rel is not null then"
                " 'already loaded from ' || _first_file_rel || ' line ' || _first_file_line end",
                lit(key_label),
                key_value,
            )
        )
    reason = "coalesce(" + ", ".join(r for r, _, _ in candidates) + ")"
    column = "case " + " ".join(f"when {r} is not null then {c}" for r, c, _ in candidates) + " end"
    value = "case " + " ".join(f"when {r} is not null then {v}" for r, _, v in candidates) + " end"
    ctes.append(
        f"v as (select *, {reason} as _err_reason0, {column} as _err_column0, {value} as _err_value0 from {last})"  # noqa: S608
    )
    last = "v"
    final_reason, final_column, final_value = "_err_reason0", "_err_column0", "_err_value0"
    if contract.name == "payments":
        ctes.extend(_refund_ctes(contract))
        last = "r"
        final_reason = "coalesce(_err_reason0, _refund_err)"
        final_column = "case when _err_reason0 is null and _refund_err is not null then 'amount_rm' else _err_column0 end"
        final_value = "case when _err_reason0 is null and _refund_err is not null then amount_rm::varchar else _err_value0 end"
    out_cols = ", ".join(f"{last}.{ident(name)}" for name, _ in raw_columns(contract))
    sql = (
        "with "
        + ",\n".join(ctes)
        + f"\nselect {last}._file_id, {last}._line, {last}._label, {out_cols}, {final_column} as _err_column,"
        f" {final_value} as _err_value, {final_reason} as _err_reason from {last}"
    )
    return CheckedSql(sql, params)


def _refund_ctes(contract: Contract) -> list[str]:
    """Payments: a refund must not take the refunds of a learner for a run above what that learner paid for it
    (fees and certificates already loaded plus the accepted ones in this file); refunds count in line order."""
    raw = ident(contract.raw_table)
    running = (
        "sum(case when _err_reason0 is null and payment_kind = 'refund' then amount_rm else 0 end)"
        " over (partition by v.learner_key, v.run_id order by _file_id, _line)"
    )
    return [
        "paid as (select learner_key, run_id,"  # noqa: S608
        " sum(case when payment_kind <> 'refund' then amount_rm else 0 end) as _paid,"
        " sum(case when payment_kind = 'refund' then amount_rm else 0 end) as _refunded"
        f" from (select learner_key, run_id, payment_kind, amount_rm from {raw}"
        " union all select learner_key, run_id, payment_kind, amount_rm from v"
        " where _err_reason0 is null and payment_kind <> 'refund')"
        " group by learner_key, run_id)",
        f"w as (select v.*, coalesce(paid._refunded, 0) + {running} as _refunds_total, coalesce(paid._paid, 0) as _paid"  # noqa: S608
        " from v left join paid on paid.learner_key is not distinct from v.learner_key"
        " and paid.run_id is not distinct from v.run_id)",
        "r as (select *, case when _err_reason0 is null and payment_kind = 'refund' and _refunds_total > _paid"
        " then 'refund larger than the fees paid: refunds for this learner and run would total '"
        " || _refunds_total::decimal(14,2) || ', more than the ' || _paid::decimal(14,2) || ' paid' end as _refund_err"
        " from w)",
    ]
