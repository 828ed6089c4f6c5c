"""FutureLearn export layouts: FutureLearn has changed its CSV layouts over the years (comments with 8, 10 or 13
columns, step activity with 4 or 6, question-response with 8 or 10 ...). Each file's layout is detected from its
header and mapped onto the contract's columns, so every run of a course lands in the same raw table.

    layout = detect_layout(path, rel, contract)        # SourceFileError naming the header found and those known
    sql = projection_sql(contract, layout)             # select list over read_csv(columns = layout.header)

A layout maps each contract column to an SQL expression over the file's columns (constants written here, never a
value from a file): the same-named column by default, null when the layout has no such column. Every contract's
own header is a layout too (the newest FutureLearn layout, and the template `mckpi templates` writes).
Learners' free text (comment text, sentiment reasons) becomes its length; the text itself only when
[insights] store_free_text is on (DuckDB variable `mckpi_store_free_text`, set by the ETL from the settings).
"""

from __future__ import annotations

import csv
import re
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.contracts import (
    FUTURELEARN_COMMENTS,
    FUTURELEARN_QUESTION_RESPONSE,
    FUTURELEARN_SENTIMENT_SURVEY,
    FUTURELEARN_STEP_ACTIVITY,
    FUTURELEARN_TEAM_MEMBERS,
    FUTURELEARN_VIDEO_STATS,
    Column,
    Contract,
)
from core.errors import SourceFileError
from etl.file_checks import CHUNK, UTF8_BOM, check_file_start, open_text_bytes
from etl.row_checks import ident

STORE_FREE_TEXT_VARIABLE = "mckpi_store_free_text"
_STORE_TEXT = f"coalesce(getvariable('{STORE_FREE_TEXT_VARIABLE}'), false)"


@dataclass(frozen=True)
class Layout:
    name: str  # how a person would call it: "13 columns (2018 on)"
    header: tuple[str, ...]  # lower-case column names, in file order
    exprs: dict[str, str] = field(default_factory=dict)  # contract column -> SQL over the file's columns


def _week(step: str) -> str:
    return f"nullif(split_part(trim({ident(step)}), '.', 1), '')"


def _step_number(step: str) -> str:
    return f"nullif(split_part(trim({ident(step)}), '.', 2), '')"


def _free_text(column: str) -> dict[str, str]:
    """The text only when allowed; its length always (null when empty)."""
    c = ident(column)
    return {column: f"case when {_STORE_TEXT} then {c} end", f"{column}_length": f"length({c})::varchar"}


# For comments and sentiment: the contract's own (template) layout carries the length already; keep the text
# out there as well unless allowed.
_TEMPLATE_EXPRS: dict[str, dict[str, str]] = {
    FUTURELEARN_COMMENTS.name: {"text": f"case when {_STORE_TEXT} then {ident('text')} end"},
    FUTURELEARN_SENTIMENT_SURVEY.name: {"reason": f"case when {_STORE_TEXT} then {ident('reason')} end"},
}

# Values whose case differs between runs (`correct` is TRUE in one run, true in another): compared lower-case.
NORMALISE_LOWER: dict[str, tuple[str, ...]] = {FUTURELEARN_QUESTION_RESPONSE.name: ("correct",)}

_COMMENTS_13 = (
    "id", "author_id", "parent_id", "step", "week_number", "step_number", "text", "timestamp", "likes",
    "first_reported_at", "first_reported_reason", "moderation_state", "moderated",
)
_VIDEO_FULL = FUTURELEARN_VIDEO_STATS.header

LAYOUTS: dict[str, tuple[Layout, ...]] = {
    FUTURELEARN_STEP_ACTIVITY.name: (
        Layout(
            "4 columns (before week_number and step_number)",
            ("learner_id", "step", "first_visited_at", "last_completed_at"),
            {"week_number": _week("step"), "step_number": _step_number("step")},
        ),
    ),
    FUTURELEARN_QUESTION_RESPONSE.name: (
        Layout(
            "8 columns (before question_type and cloze_response)",
            ("learner_id", "quiz_question", "week_number", "step_number", "question_number", "response",
             "submitted_at", "correct"),
        ),
    ),
    FUTURELEARN_COMMENTS.name: (
        Layout("13 columns (with reports and moderation state)", _COMMENTS_13, _free_text("text")),
        Layout(
            "10 columns",
            ("id", "author_id", "parent_id", "step", "week_number", "step_number", "text", "timestamp",
             "moderated", "likes"),
            _free_text("text"),
        ),
        Layout(
            "8 columns (before week_number and step_number)",
            ("id", "author_id", "parent_id", "step", "text", "timestamp", "likes", "moderated"),
            {**_free_text("text"), "week_number": _week("step"), "step_number": _step_number("step")},
        ),
    ),
    FUTURELEARN_SENTIMENT_SURVEY.name: (
        Layout(
            "5 columns (FutureLearn)",
            ("id", "responded_at", "week_number", "experience_rating", "reason"),
            _free_text("reason"),
        ),
    ),
    FUTURELEARN_VIDEO_STATS.name: (
        Layout("26 columns (before step_position and video_duration)",
               tuple(c for c in _VIDEO_FULL if c not in ("step_position", "video_duration"))),
    ),
    FUTURELEARN_TEAM_MEMBERS.name: (
        Layout(
            "5 columns (FutureLearn: names, matched to HR staff and not stored)",
            ("id", "first_name", "last_name", "team_role", "user_role"),
            {
                # The member of staff whose HR name is the member's name (case and spaces aside); names
                # themselves are not kept. An ambiguous name (two staff) links to none.
                "staff_id": "(select case when count(*) = 1 then min(s.staff_id) end from raw_staff s"  # noqa: S608
                " where lower(regexp_replace(trim(s.staff_name), '\\s+', ' ', 'g'))"
                f" = lower(regexp_replace(trim(coalesce({ident('first_name')}, '') || ' '"
                f" || coalesce({ident('last_name')}, '')), '\\s+', ' ', 'g')))",
            },
        ),
    ),
}


def has_layouts(contract: Contract) -> bool:
    """Contracts read through a layout: FutureLearn's (enrolments have had one layout only)."""
    return contract.folder == "futurelearn" and contract.name != "futurelearn_enrolments"


def known_layouts(contract: Contract) -> tuple[Layout, ...]:
    own = Layout(f"{len(contract.header)} columns (current)", contract.header,
                 dict(_TEMPLATE_EXPRS.get(contract.name, {})))
    others = tuple(lay for lay in LAYOUTS.get(contract.name, ()) if lay.header != contract.header)
    return (own, *others)


def file_contract(contract: Contract, layout: Layout) -> Contract:
    """The contract as the file's own columns (all text): what the file-level checks and read_csv see."""
    return replace(contract, columns=tuple(Column(n) for n in layout.header), natural_key=(), rules=())


def _header_line(path: Path) -> str | None:
    try:
        with open_text_bytes(path) as fh:
            head = fh.read(CHUNK)
        first = re.split(rb"\r\n|\r|\n", head, maxsplit=1)[0]
        if first.startswith(UTF8_BOM):
            first = first[len(UTF8_BOM) :]
        return first.decode("utf-8")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError):
        return None


def detect_layout(path: Path, rel: str, contract: Contract) -> Layout:
    """The layout whose header the file has (names trimmed, any case), after the ordinary file-level checks."""
    layouts = known_layouts(contract)
    header = _header_line(path)
    names = [f.strip().lower() for f in next(csv.reader([header]), [])] if header is not None else None
    for layout in layouts:
        if names == list(layout.header):
            check_file_start(path, rel, file_contract(contract, layout))
            return layout
    try:
        # Empty, not UTF-8, gzip, a spreadsheet, another delimiter ...: said as for any other source.
        check_file_start(path, rel, file_contract(contract, layouts[0]))
    except SourceFileError as exc:
        if header is None or "," not in header:
            raise
        del exc
    known = "; ".join(f"{lay.name}: '{','.join(lay.header)}'" for lay in layouts)
    shown = header if header is None or len(header) <= 300 else header[:300] + "..."
    raise SourceFileError(
        rel, 1, None,
        f"unknown {contract.title} layout: found header '{shown}' ({len(names or [])} columns); "
        f"known layouts: {known}",
    )


def projection_sql(contract: Contract, layout: Layout) -> str:
    """One text value per contract column (in contract order) from a file read with the layout's columns."""
    lower = NORMALISE_LOWER.get(contract.name, ())
    parts = []
    for c in contract.columns:
        expr = layout.exprs.get(c.name)
        if expr is None:
            expr = ident(c.name) if c.name in layout.header else "null"
        if c.name in lower:
            expr = f"lower({expr})"
        parts.append(f"({expr})::varchar as {ident(c.name)}")
    return ", ".join(parts)


def check_start(path: Path, rel: str, contract: Contract) -> None:
    """The file-level checks as the ETL makes them (`mckpi doctor` asks before a run): by layout where the contract
    has layouts."""
    if has_layouts(contract):
        detect_layout(path, rel, contract)
    else:
        check_file_start(path, rel, contract)
