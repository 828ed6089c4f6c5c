"""The plan as small DuckDB tables (runs, programmes, steps, admins), then one row per enrolment in `enrol`,
from which every big file is derived."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

import duckdb
import pyarrow as pa

from etl.demo.catalogue import _Course
from etl.demo.plan import _DAY, _epoch, _Run, _window
from etl.demo.queries import _ENROL_SQL, _MACROS

# Behaviour per kind of run: share of learners who unenrol; FutureLearn: who visit a step, who work to the end.
_UNENROL_P = {"mooc": 0.07, "mc": 0.06}
_VISIT_P = {"mooc": 0.72, "mc": 0.96}  # real run 6: 2,294 of 3,172 learners visited a step
_FINISH_P = {"mooc": 0.125, "mc": 0.62}

_RUNS_SCHEMA = {
    "run_idx": pa.int32(), "run_id": pa.string(), "course_idx": pa.int32(), "ptj_code": pa.string(),
    "programme_id": pa.int32(), "is_fl": pa.bool_(), "is_mooc": pa.bool_(), "start_year": pa.int32(),
    "fee": pa.decimal128(12, 2), "cert_price": pa.decimal128(12, 2), "steps": pa.int32(), "weeks": pa.int32(),
    "starts_s": pa.int64(), "ends_s": pa.int64(), "open_s": pa.int64(), "close_s": pa.int64(), "n": pa.int64(),
    "off": pa.int64(), "n_fresh": pa.int64(), "np": pa.int32(), "p_off": pa.list_(pa.int64()),
    "p_fresh": pa.list_(pa.int64()), "p_year": pa.list_(pa.int32()), "unenrol_p": pa.float64(), "visit_p": pa.float64(), "finish_p": pa.float64(),
}
_PROGRAMMES_SCHEMA = {"programme_id": pa.int32(), "course_count": pa.int32()}
_STEPS_SCHEMA = {"course_idx": pa.int32(), "i": pa.int32(), "step": pa.string(), "week_number": pa.int32(),
                 "step_number": pa.int32()}
_ADMINS_SCHEMA = {"run_idx": pa.int32(), "course_idx": pa.int32(), "learner_id": pa.string(),
                  "enrolled_s": pa.int64(), "previews": pa.bool_()}


def _arrow(schema: dict[str, pa.DataType], rows: list[tuple]) -> pa.Table:
    return pa.table({name: pa.array([row[i] for row in rows], type=t) for i, (name, t) in enumerate(schema.items())})


def _load_plan(con: duckdb.DuckDBPyConnection, seed: int, runs: list[_Run], courses: list[_Course],
               enrolments: int, today: date) -> None:
    """The plan (runs, steps, admins) as small tables, then one row per enrolment in `enrol`."""
    cutoff = _epoch(today)
    con.execute("set variable seed = ?", [seed])
    con.execute("set variable cutoff = ?", [cutoff])
    # learner numbers are a bijection of the learner's row number modulo a power of ten above the row count
    digits = len(str(max(enrolments, 1)))
    con.execute("set variable matric_mod = ?", [10 ** max(5, digits)])  # S + intake year + 5 digits: S2150123
    con.execute("set variable id_mod = ?", [10 ** max(6, digits)])  # ext-123456
    for macro in _MACROS:
        con.execute(macro)
    cutoff_enrol = cutoff - _DAY
    run_rows = []
    for r in runs:
        c = r.course
        kind = "mooc" if c.kind == "mooc" else "mc"
        opens, closes = _window(r)
        run_rows.append((
            r.idx, r.run_id, c.idx, c.ptj, c.programme, c.is_fl, c.kind == "mooc", r.starts.year, c.fee,
            c.cert_price, c.steps, c.weeks, _epoch(r.starts, 8), _epoch(r.ends + timedelta(days=1)),
            _epoch(opens, 7), min(_epoch(closes, 23), cutoff_enrol), r.n, r.off, r.n_fresh, len(r.partners),
            [p.off for p in r.partners], [p.n_fresh for p in r.partners], [p.starts.year for p in r.partners],
            _UNENROL_P[kind], _VISIT_P[kind] if c.is_fl else 0.0, _FINISH_P[kind] if c.is_fl else 0.0,
        ))
    counts: dict[int, int] = defaultdict(int)
    for c in courses:
        if c.programme is not None:
            counts[c.programme] += 1
    step_rows = [(c.idx, i, f"{w}.{n}", w, n) for c in courses if c.is_fl
                 for i, (w, n) in enumerate((w + 1, n + 1) for w, k in enumerate(c.steps_per_week)
                                            for n in range(k))]
    # organisation_admin accounts: course team members enrolled before the run; the first previews every step
    rng = random.Random(f"admins-{seed}")
    admin_rows = []
    for r in runs:
        opens, _ = _window(r)
        for a in range(r.admins):
            enrolled = min(_epoch(opens), cutoff - 2 * _DAY) - a * 3 * _DAY - rng.randint(0, _DAY)
            admin_rows.append((r.idx, r.course.idx, _uuid(rng), enrolled, a == 0))
    runs_in = _arrow(_RUNS_SCHEMA, run_rows)
    programmes_in = _arrow(_PROGRAMMES_SCHEMA, sorted(counts.items()))
    steps_in = _arrow(_STEPS_SCHEMA, step_rows)
    admins_in = _arrow(_ADMINS_SCHEMA, admin_rows)
    con.register("runs_in", runs_in)
    con.register("programmes_in", programmes_in)
    con.register("steps_in", steps_in)
    con.register("admins_in", admins_in)
    con.execute("create table runs as from runs_in order by run_idx")
    con.execute("create table programmes as from programmes_in")
    con.execute("create table steps as from steps_in")
    con.execute("create table admins as from admins_in")
    for name in ("runs_in", "programmes_in", "steps_in", "admins_in"):
        con.unregister(name)
    con.execute("""
        create table base as
        select run_idx, off + j as e, j
        from (select run_idx, off, unnest(range(n)) as j from runs)
    """)
    con.execute(_ENROL_SQL)
    con.execute("drop table base")


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"
