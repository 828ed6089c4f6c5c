"""KPI definitions: the header block of each `queries/kpi/<id>.sql`, parsed and checked into a `KpiSpec`, and the
registry of them (`list_kpis`, `get_kpi`; files re-read when they change). Running a KPI is read.kpi.

    -- id: completion_rate
    -- title_en: Completion rate
    -- title_ms: Kadar penyempurnaan
    -- unit: pct
    -- grain: university, ptj, course, course_run
    -- definition_en: Learners who completed, over all enrolments
    --   and over learners who started.            <- continuation line (two or more spaces after --)
    -- definition_ms: ...
    -- filters: year, ptj_codes, course_codes
    -- sources: fct_enrolment
    -- suppress: enrolments, starters, completed    <- learner counts hidden when small (below university level)
    -- derived: completion_rate_pct                 <- optional: columns computed from them, hidden in those rows
    -- breakdowns: mqa_category                     <- optional: dimension columns besides year and group
    -- rates: completion_rate_pct = 100 * completed / enrolments   <- optional: how derived rates are computed
    -- protect: value where kpi_id = enrolments | learners          <- optional: row-dependent learner counts
    -- protection: rounded                      <- optional: round for every dashboard role, management too

No streamlit import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from core.config import QUERIES_DIR
from read.privacy import ROUNDED, parse_protect, parse_rates

KPI_DIR = QUERIES_DIR / "kpi"

UNITS = ("count", "pct", "rm", "hours", "days")
REQUIRED_KEYS = (
    "id", "title_en", "title_ms", "unit", "grain", "definition_en", "definition_ms", "filters", "sources", "suppress",
)
OPTIONAL_KEYS = ("derived", "breakdowns", "rates", "protect", "hide", "protection")
LIST_KEYS = ("grain", "filters", "sources", "suppress", "derived", "breakdowns", "rates", "protect", "hide")

# KpiFilters fields; each binds the parameter of the same name.
FILTER_PARAMS = (
    "year", "date_from", "date_to", "ptj_codes", "course_codes", "mqa_categories", "modes", "platforms", "mc_types",
)
POLICY_PARAMS = (
    "online_hours_factor",
    "overload_hours",
    "category_1_target_pct",
    "category_3_target_pct",
    "on_track_ratio",
    "at_risk_ratio",
    "fully_participated_step_pct",
    "achievement_step_pct",
    "quiz_too_easy_pct",
    "quiz_too_hard_pct",
    "quiz_min_learners",
    "mms_overdue_days",
)
KNOWN_PARAMS = frozenset({*FILTER_PARAMS, "by", "allowed_ptj_codes", "as_of", *POLICY_PARAMS})
# The `by` that gives one row for everything in scope (and the only level where small counts are shown as is).
UNIVERSITY = "university"

# Left to right: a string literal, a comment, or a $param (so a quote in a comment or "--" in a string is no trap).
_TOKEN_RE = re.compile(r"'(?:[^']|'')*'|--[^\n]*|\$([A-Za-z_][A-Za-z0-9_]*)")
_HEADER_RE = re.compile(r"^--\s?([a-z_]+):\s*(.*)$")
_CONTINUATION_RE = re.compile(r"^--\s{2,}(\S.*)$")


class KpiError(ValueError):
    """A KPI file that does not parse, an unknown KPI id, or a request the KPI cannot answer (e.g. bad `by`)."""


@dataclass(frozen=True)
class KpiSpec:
    id: str
    title_en: str
    title_ms: str
    unit: str
    grain: tuple[str, ...]
    definition_en: str
    definition_ms: str
    filters: tuple[str, ...]
    sources: tuple[str, ...]
    suppress: tuple[str, ...]
    derived: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()
    protect: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()
    # "rounded": counts that overlap (a learner in several cells of one row and across rows, such as the learners
    # reaching each step of a pathway) cannot be protected by hiding cells, since reached - dropped gives a hidden
    # next-step count back; such a KPI is rounded for every dashboard role, management included.
    protection: str = ""
    sql: str = field(default="", repr=False)
    path: Path | None = field(default=None, repr=False, compare=False)

    @property
    def params(self) -> frozenset[str]:
        """The `$params` the SQL references (comments and string literals left out)."""
        return referenced_params(self.sql)

    def title(self, lang: str = "en") -> str:
        return self.title_ms if lang == "ms" else self.title_en

    def definition(self, lang: str = "en") -> str:
        return self.definition_ms if lang == "ms" else self.definition_en


# --- KPI files -------------------------------------------------------------------------------------------------


def referenced_params(sql: str) -> frozenset[str]:
    return frozenset(m.group(1) for m in _TOKEN_RE.finditer(sql) if m.group(1))


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def parse_kpi(text: str, path: Path | None = None) -> KpiSpec:
    """Parse one KPI file's header block (the leading `--` lines) and keep its SQL."""
    where = path.name if path else "KPI"
    values: dict[str, str] = {}
    last: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.rstrip()
        if not stripped.startswith("--"):
            break
        if (cont := _CONTINUATION_RE.match(stripped)) and last is not None:
            values[last] = f"{values[last]} {cont.group(1).strip()}".strip()
        elif head := _HEADER_RE.match(stripped):
            key, value = head.groups()
            if key not in REQUIRED_KEYS and key not in OPTIONAL_KEYS:
                raise KpiError(f"{where}: line {number}: unknown header key {key!r}")
            if key in values:
                raise KpiError(f"{where}: line {number}: header key {key!r} given twice")
            values[key] = value.strip()
            last = key
        elif stripped.strip("- "):
            raise KpiError(f"{where}: line {number}: expected '-- key: value' in the header, found {stripped!r}")
    missing = [k for k in REQUIRED_KEYS if k not in values]
    if missing:
        raise KpiError(f"{where}: header is missing {', '.join(missing)}")
    lists = {k: _split_list(values.get(k, "")) for k in LIST_KEYS}
    spec = KpiSpec(
        id=values["id"],
        title_en=values["title_en"],
        title_ms=values["title_ms"],
        unit=values["unit"],
        grain=lists["grain"],
        definition_en=values["definition_en"],
        definition_ms=values["definition_ms"],
        filters=lists["filters"],
        sources=lists["sources"],
        suppress=lists["suppress"],
        derived=lists["derived"],
        breakdowns=lists["breakdowns"],
        rates=lists["rates"],
        protect=lists["protect"],
        hide=lists["hide"],
        protection=values.get("protection", ""),
        sql=text,
        path=path,
    )
    if spec.unit not in UNITS:
        raise KpiError(f"{where}: unit {spec.unit!r} is not one of {', '.join(UNITS)}")
    if not spec.grain:
        raise KpiError(f"{where}: grain is empty")
    if spec.protection not in ("", ROUNDED):
        raise KpiError(f"{where}: protection {spec.protection!r} is not {ROUNDED!r}")
    if unknown := [f for f in spec.filters if f not in FILTER_PARAMS]:
        raise KpiError(f"{where}: unknown filters {', '.join(unknown)}")
    parse_rates(spec.rates, where)  # raises on a malformed entry
    parse_protect(spec.protect, where)
    if path is not None and path.stem != spec.id:
        raise KpiError(f"{where}: id {spec.id!r} does not match the file name")
    return spec


_cache: dict[Path, tuple[int, KpiSpec]] = {}


def _load(path: Path) -> KpiSpec:
    mtime = path.stat().st_mtime_ns
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, parse_kpi(path.read_text("utf-8"), path))
        _cache[path] = cached
    return cached[1]


def list_kpis(kpi_dir: Path | None = None) -> list[KpiSpec]:
    """Every KPI's parsed header, sorted by id (files re-read when they change)."""
    return sorted((_load(p) for p in (kpi_dir or KPI_DIR).glob("*.sql")), key=lambda s: s.id)


def get_kpi(kpi_id: str, kpi_dir: Path | None = None) -> KpiSpec:
    path = (kpi_dir or KPI_DIR) / f"{kpi_id}.sql"
    if not re.fullmatch(r"[a-z0-9_]+", kpi_id) or not path.is_file():
        raise KpiError(f"unknown KPI {kpi_id!r}")
    return _load(path)


__all__ = [
    "FILTER_PARAMS",
    "KNOWN_PARAMS",
    "KPI_DIR",
    "POLICY_PARAMS",
    "UNITS",
    "UNIVERSITY",
    "KpiError",
    "KpiSpec",
    "get_kpi",
    "list_kpis",
    "parse_kpi",
    "referenced_params",
]
