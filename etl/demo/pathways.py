"""The demo's pathway sources (issue 18): MC programmes from the catalogue's programmes, badges from the results'
badge rows (a badge only for a learner who passed; Credly-style CSV for most courses, Open Badges JSON Lines for
every third), credit transfer for some MMS holders and APEL C for some who passed a stand-alone MC, and the
admission of some Category 1 completers to the accredited programme. All in DuckDB SQL over the `results` and
`runs` tables the demo has built (no loop per learner)."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from core.contracts import CONTRACTS
from etl.demo.catalogue import _Course
from etl.demo.queries import (
    _PATHWAY_APPLICATIONS_CSV_SQL,
    _PATHWAY_APPLICATIONS_SQL,
    _PATHWAY_BADGES_CSV_SQL,
    _PATHWAY_BADGES_SQL,
    _PATHWAY_INTAKE_CSV_SQL,
    _PATHWAY_OPEN_BADGES_SQL,
)


def _programme_code(ptj: str) -> str:
    return f"MCP-{ptj}"


def write_pathways(con: duckdb.DuckDBPyConnection, out, courses: list[_Course]) -> None:  # noqa: ANN001
    """Write mc_programmes, mc_programme_courses, badges (both formats), credit_applications and programme_intake
    into the landing folder `out` (an etl.demo.writers._Writer); `results` and `runs` must exist in `con`."""
    stacks: dict[int, list[_Course]] = {}
    for c in courses:
        if c.programme is not None:
            stacks.setdefault(c.programme, []).append(c)
    programme_rows, course_rows, programme_table = [], [], []
    for pid, stack in sorted(stacks.items()):
        stack = sorted(stack, key=lambda c: c.idx)
        ptj = stack[0].ptj
        code = _programme_code(ptj)
        credits = sum(c.credits for c in stack)
        programme_rows.append([code, f"Professional Certificate in {stack[0].title}",
                               f"Sijil Profesional {stack[0].title}", ptj, str(stack[0].mqa), "0", str(credits),
                               f"M-{ptj}" if stack[0].mqa == 1 else ""])
        course_rows += [[code, c.code, "required", "COA", str(i)] for i, c in enumerate(stack, start=1)]
        programme_table.append((pid, code, credits, f"M-{ptj}"))
    out.rows("mc_programmes/mc_programmes.csv", CONTRACTS["mc_programmes"].header, programme_rows)
    out.rows("mc_programme_courses/mc_programme_courses.csv", CONTRACTS["mc_programme_courses"].header, course_rows)

    demo_courses = pa.table({
        "course_idx": pa.array([c.idx for c in courses], pa.int32()),
        "course_code": [c.code for c in courses],
        "course_title": [c.title for c in courses],
        "credits": pa.array([c.credits for c in courses], pa.int32()),
        "is_stand_alone": [c.kind == "sa" for c in courses],
        "is_open_badges": [c.idx % 3 == 0 for c in courses],
    })
    demo_programmes = pa.table({
        "programme_id": pa.array([p[0] for p in programme_table], pa.int32()),
        "programme_code": [p[1] for p in programme_table],
        "credits": pa.array([p[2] for p in programme_table], pa.int32()),
        "accredited_programme": [p[3] for p in programme_table],
    })
    con.register("demo_courses_in", demo_courses)
    con.register("demo_programmes_in", demo_programmes)
    con.execute("create or replace table demo_courses as from demo_courses_in")
    con.execute("create or replace table demo_programmes as from demo_programmes_in")
    con.unregister("demo_courses_in")
    con.unregister("demo_programmes_in")

    con.execute(_PATHWAY_BADGES_SQL)
    years = con.execute(
        "select distinct is_open_badges, year(ts(issued_s)) from pathway_badges order by 1, 2"
    ).fetchall()
    for is_open, year in years:
        if is_open:
            out.copy(con, _PATHWAY_OPEN_BADGES_SQL, f"open_badges/open_badges_{year}.jsonl", year=year)
        else:
            out.copy(con, _PATHWAY_BADGES_CSV_SQL, f"badges/badges_{year}.csv", year=year)
    con.execute(_PATHWAY_APPLICATIONS_SQL)
    out.copy(con, _PATHWAY_APPLICATIONS_CSV_SQL, "credit_applications/credit_applications.csv")
    out.copy(con, _PATHWAY_INTAKE_CSV_SQL, "programme_intake/programme_intake.csv")
    for table in ("pathway_badges", "pathway_applications", "demo_courses", "demo_programmes"):
        con.execute(f"drop table {table}")


__all__ = ["write_pathways"]
