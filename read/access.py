"""Who may see what: roles, their pages, and the guard every KPI call goes through. No streamlit import.

Roles (fixed here; who has which role comes from the users file for local accounts and from access.toml for
identities signed in through the university's identity provider):

| role       | pages                                                                 | figures                       |
|------------|-----------------------------------------------------------------------|-------------------------------|
| management | every page (audit log included)                                       | everything, every PTj         |
| ptj        | overview, ministry, revenue, completion, workload, compare, definitions | university-level ministry KPIs; anything of their PTjs |
| lecturer   | overview, ministry, workload, definitions                             | university-level ministry KPIs; their own workload rows |
| viewer     | overview, ministry, definitions                                       | university-level ministry KPIs only |

Enforcement is here, in the query path, not in the widgets: `enforce(scope, spec, by, filters)` decides whether
a KPI may run at that grain with those filters and with which `AccessScope` (the SQL filters every row by
`$allowed_ptj_codes`), and `run_scoped` runs it, keeps only the rows the role may see (a lecturer's own staff row,
the targets of one's own PTj) and hides small learner counts of a university-level figure narrowed by filters.
Anything not listed (a KPI file added later, an unknown role) is refused: the guard fails closed.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from core.config import Settings, load_settings
from read.kpi import (
    PARTITION_COLUMNS,
    UNIVERSITY,
    AccessScope,
    KpiError,
    KpiFilters,
    KpiResult,
    KpiSpec,
    get_kpi,
    resolve_by,
    run_kpi,
    suppress_small_cells,
)
from read.privacy import EXACT
from read.warehouse import Warehouse

MANAGEMENT, PTJ, LECTURER, VIEWER = "management", "ptj", "lecturer", "viewer"
ROLES = (MANAGEMENT, PTJ, LECTURER, VIEWER)  # most to least privileged
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}

PAGES = ("overview", "ministry", "revenue", "completion", "workload", "insights", "pathways", "compare", "freshness",
         "definitions", "audit")
ROLE_PAGES: dict[str, frozenset[str]] = {
    MANAGEMENT: frozenset(PAGES),
    PTJ: frozenset({"overview", "ministry", "revenue", "completion", "workload", "insights", "pathways", "compare",
                    "definitions"}),
    LECTURER: frozenset({"overview", "ministry", "workload", "insights", "definitions"}),
    VIEWER: frozenset({"overview", "ministry", "definitions"}),
}

# The ministry figures: every role sees them for the whole university (learner counts, courses, certificates).
MINISTRY_KPIS = frozenset({
    "category_mix", "certificates", "completion_funnel", "completion_rate", "completions", "courses_offered",
    "credit_bearing", "design_option_mix", "enrolments", "learner_demographics", "learner_mix", "learners",
    "median_days_to_completion", "mode_mix", "new_courses", "phase_plan", "runs_started", "target_progress",
    "weekly_retention",
})
REVENUE_KPIS = frozenset({"revenue", "revenue_per_learner", "revenue_yoy", "revenue_per_completer",
                          "programme_intake_conversion"})
WORKLOAD_KPIS = frozenset({"lecturer_workload", "workload_by_ptj", "orphaned_courses"})
OPERATIONS_KPIS = frozenset({"etl_history", "quarantine_summary"})  # freshness details: management only
# target_progress rows that are money (the net revenue target): not for roles without revenue.
REVENUE_TARGET_IDS = frozenset({"net_revenue", *REVENUE_KPIS})
# Filters that narrow a university-level figure to a sub-population (small counts there are hidden too).
NARROWING_FILTERS = ("ptj_codes", "course_codes", "mqa_categories", "modes", "platforms", "mc_types", "date_from",
                     "date_to")

_USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")


class AccessDenied(KpiError):
    """The role may not see this KPI at this grain with these filters (a KpiError: the data layer shows nothing)."""


class AccessConfigError(ValueError):
    """access.toml (or a users-file entry) that does not make sense: unknown role, ptj role without PTj ..."""


def normalise_username(value: str) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


def valid_username(value: str) -> bool:
    return bool(_USERNAME_RE.fullmatch(value))


# --- who is asking -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """A signed-in person (or the demo): the name shown and logged, and what they may see."""

    user: str
    role: str
    ptj_codes: tuple[str, ...] = ()
    staff_id: str | None = None
    source: str = "local"  # local | sso | demo
    display_name: str = ""

    @property
    def label(self) -> str:
        return self.display_name or self.user


@dataclass(frozen=True)
class UserScope(AccessScope):
    """An AccessScope that also knows the lecturer's staff id and the user (for the audit log)."""

    staff_id: str | None = None
    user: str = ""


def check_role(role: str, ptj_codes: Iterable[str] = (), staff_id: str | None = None, *, where: str = "") -> None:
    prefix = f"{where}: " if where else ""
    if role not in ROLES:
        raise AccessConfigError(f"{prefix}unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if role == PTJ and not tuple(ptj_codes):
        raise AccessConfigError(f"{prefix}role ptj needs at least one PTj code")
    if role == LECTURER and not staff_id:
        raise AccessConfigError(f"{prefix}role lecturer needs a staff id")


def scope_for(identity: Identity | None) -> UserScope:
    """The AccessScope the KPI layer gets for this person. No identity or an unknown role: nothing at all."""
    if identity is None or identity.role not in ROLES:
        return UserScope(role="none", allowed_ptj_codes=(), user=getattr(identity, "user", ""))
    if identity.role == MANAGEMENT:
        allowed: tuple[str, ...] | None = None
    elif identity.role == PTJ:
        allowed = tuple(sorted({str(c).strip().upper() for c in identity.ptj_codes if str(c).strip()}))
    else:
        allowed = ()
    staff = identity.staff_id if identity.role == LECTURER else None
    return UserScope(role=identity.role, allowed_ptj_codes=allowed, staff_id=staff, user=identity.user)


def allowed_pages(role: str | None) -> set[str]:
    """The url paths of the pages this role may open (an unknown role: none)."""
    return set(ROLE_PAGES.get(role or "", frozenset()))


def may_break_down_by_ptj(scope: AccessScope | None) -> bool:
    return scope is not None and scope.role in {MANAGEMENT, PTJ}


def may_download_report(scope: AccessScope | None) -> bool:
    """The ministry report has revenue and workload sections: management, and PTj users for their PTjs."""
    return scope is not None and scope.role in {MANAGEMENT, PTJ}


# --- the guard -----------------------------------------------------------------------------------------------


RowFilter = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class Grant:
    """What `enforce` allows: the scope to run the KPI with, rows to keep, and whether a university-level
    figure narrowed by filters gets its small counts hidden."""

    query_scope: AccessScope
    row_filter: RowFilter | None = None
    narrowed: bool = False
    by: str = UNIVERSITY


def _deny(scope: AccessScope | None, spec: KpiSpec, by: str, why: str) -> AccessDenied:
    role = scope.role if scope is not None else "nobody"
    return AccessDenied(f"not permitted: {spec.id} by {by} for role {role} ({why})")


def _narrowed(filters: KpiFilters) -> bool:
    return any(getattr(filters, name) not in (None, (), []) for name in NARROWING_FILTERS)


def _ptj_filter_within(scope: AccessScope, filters: KpiFilters) -> bool:
    allowed = set(scope.allowed_ptj_codes or ())
    return all(str(code) in allowed for code in filters.ptj_codes)


def enforce(scope: AccessScope | None, spec: KpiSpec, by: str | None = UNIVERSITY,
            filters: KpiFilters | None = None) -> Grant:
    """May this scope see `spec` broken down `by`, with these filters? Returns how to run it, or raises
    AccessDenied. Below the university level a role sees only its PTjs; a viewer or lecturer sees ministry KPIs
    for the whole university only (no PTj or course filter), and a lecturer their own workload row."""
    filters = filters or KpiFilters()
    by = resolve_by(spec, by)
    if scope is None or scope.role not in ROLES:
        raise _deny(scope, spec, by, "no role")
    narrowed = by == UNIVERSITY and _narrowed(filters)
    role = scope.role
    if role == MANAGEMENT:
        return Grant(AccessScope(MANAGEMENT, None), narrowed=narrowed, by=by)

    restricted = AccessScope(role, tuple(scope.allowed_ptj_codes or ()))
    whole = AccessScope(role, None)
    kpi_id = spec.id

    if kpi_id in OPERATIONS_KPIS:
        raise _deny(scope, spec, by, "management only")

    if kpi_id in REVENUE_KPIS:
        if role != PTJ:
            raise _deny(scope, spec, by, "revenue is for management and PTj users")
        if not _ptj_filter_within(scope, filters):
            raise _deny(scope, spec, by, "PTj outside your access")
        return Grant(restricted, narrowed=narrowed, by=by)

    if kpi_id in WORKLOAD_KPIS:
        if role == PTJ:
            if not _ptj_filter_within(scope, filters):
                raise _deny(scope, spec, by, "PTj outside your access")
            return Grant(restricted, narrowed=narrowed, by=by)
        staff_id = getattr(scope, "staff_id", None)
        if role == LECTURER and kpi_id == "lecturer_workload" and staff_id:
            if filters.ptj_codes:
                raise _deny(scope, spec, by, "a lecturer sees their own workload only")
            own = str(staff_id)
            return Grant(whole, row_filter=lambda row: str(row.get("staff_id")) == own, by=by)
        raise _deny(scope, spec, by, "workload is for management, PTj users and the lecturer themself")

    if kpi_id in MINISTRY_KPIS:
        if kpi_id == "target_progress":
            return _targets_grant(scope, spec, by, filters)
        if role == PTJ:
            if not _ptj_filter_within(scope, filters):
                raise _deny(scope, spec, by, "PTj outside your access")
            # The whole university's figure, unless narrowed to a PTj or courses (then only theirs count).
            if by == UNIVERSITY and not filters.ptj_codes and not filters.course_codes:
                return Grant(whole, narrowed=narrowed, by=by)
            return Grant(restricted, narrowed=narrowed, by=by)
        if by != UNIVERSITY or UNIVERSITY not in spec.grain:
            raise _deny(scope, spec, by, "only university-level figures for this role")
        if filters.ptj_codes or filters.course_codes:
            raise _deny(scope, spec, by, "no PTj or course breakdown for this role")
        return Grant(whole, narrowed=narrowed, by=by)

    raise _deny(scope, spec, by, "KPI not classified for access")


def _targets_grant(scope: AccessScope, spec: KpiSpec, by: str, filters: KpiFilters) -> Grant:
    """target_progress has the university's targets and each PTj's in one table: keep the university's (without
    money for roles without revenue) and the PTj's own."""
    role = scope.role
    allowed = set(scope.allowed_ptj_codes or ())
    if filters.ptj_codes and (role != PTJ or not _ptj_filter_within(scope, filters)):
        raise _deny(scope, spec, by, "PTj outside your access")
    money_ok = role == PTJ

    def keep(row: dict[str, Any]) -> bool:
        if not money_ok and str(row.get("kpi_id")) in REVENUE_TARGET_IDS:
            return False
        if row.get("scope") == "university":
            return True
        return role == PTJ and str(row.get("ptj_code")) in allowed

    return Grant(AccessScope(role, None), row_filter=keep, by=by)


# --- running through the guard -------------------------------------------------------------------------------


def filter_rows(result: KpiResult, keep: RowFilter) -> KpiResult:
    """The result with only the rows `keep` accepts; suppressed-cell positions renumbered."""
    rows = result.table.to_pylist()
    kept = [i for i, row in enumerate(rows) if keep(row)]
    if len(kept) == len(rows):
        return result
    table = result.table.take(pa.array(kept, type=pa.int64())) if kept else result.table.slice(0, 0)
    new_index = {old: new for new, old in enumerate(kept)}
    suppressed = frozenset((new_index[r], c) for r, c in result.suppressed if r in new_index)
    return replace(result, table=table, suppressed=suppressed)


def suppress_narrowed(result: KpiResult, limit: int) -> KpiResult:
    """A university-level figure narrowed by filters (one PTj, a platform, a date range ...) is a small
    population: hide its small learner counts as below the university level."""
    spec = result.spec
    if not spec.suppress:
        return result
    table, hidden = suppress_small_cells(
        result.table, spec.suppress, limit, partition_by=(*PARTITION_COLUMNS, *spec.breakdowns),
        derived=spec.derived,
    )
    if not hidden:
        return result
    return replace(result, table=table, suppressed=frozenset(result.suppressed | hidden), small_cell_limit=limit)


def run_scoped(
    con_or_warehouse: Warehouse | duckdb.DuckDBPyConnection,
    kpi_id: str,
    filters: KpiFilters | None = None,
    *,
    by: str = UNIVERSITY,
    scope: AccessScope | None,
    settings: Settings | None = None,
    as_of: dt.date | str | None = None,
) -> KpiResult:
    """`run_kpi` behind the guard: the only way the dashboard asks for a figure. Every parameter of the query
    comes from what `enforce` granted (its scope and breakdown) and the checked filters; `as_of` is a date."""
    filters = filters or KpiFilters()
    if not isinstance(filters, KpiFilters):
        raise KpiError(f"filters must be KpiFilters, not {type(filters).__name__}")
    settings = settings or load_settings()
    spec = get_kpi(kpi_id)
    grant = enforce(scope, spec, by, filters)
    result = run_kpi(con_or_warehouse, kpi_id, filters, by=grant.by, scope=grant.query_scope, settings=settings,
                     as_of=as_of)
    if grant.row_filter is not None:
        result = filter_rows(result, grant.row_filter)
    if grant.narrowed and result.protection == EXACT:  # rounded figures are protected at every level already
        result = suppress_narrowed(result, settings.privacy.small_cell_limit)
    return result


def scope_key(scope: AccessScope | None) -> tuple[Any, ...]:
    """A hashable cache key for a scope (results cached per warehouse run must never cross scopes)."""
    if scope is None:
        return ("none", (), None)
    allowed = None if scope.allowed_ptj_codes is None else tuple(scope.allowed_ptj_codes)
    return (scope.role, allowed, getattr(scope, "staff_id", None))


def scope_from_key(key: tuple[Any, ...]) -> UserScope:
    role, allowed, staff_id = key
    return UserScope(role=role, allowed_ptj_codes=allowed, staff_id=staff_id)


# --- access.toml: identity-provider claims -> role ------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    role: str
    ptj_codes: tuple[str, ...] = ()
    staff_id: str | None = None


@dataclass(frozen=True)
class AccessPolicy:
    """The SSO part of access.toml: email domains accepted, rules by email and by group, a default role."""

    email_domains: tuple[str, ...] = ()
    groups_claim: str = "groups"
    staff_id_claim: str = ""
    default_role: str = ""  # "" = an identity matching no rule is refused
    require_verified_email: bool = True
    emails: Mapping[str, Rule] = field(default_factory=dict)
    groups: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)


def _rule(entry: Mapping[str, Any], where: str) -> Rule:
    role = str(entry.get("role", "")).strip()
    ptj = entry.get("ptj", ())
    codes = tuple(sorted({str(p).strip().upper() for p in ([ptj] if isinstance(ptj, str) else ptj) if str(p).strip()}))
    staff = str(entry["staff_id"]).strip() if entry.get("staff_id") else None
    # A lecturer rule may leave the staff id to the identity provider's staff-id claim (checked at sign-in).
    check_role(role, codes, staff or ("from-claim" if role == LECTURER else None), where=where)
    return Rule(role, codes, staff)


def load_access(path: Path | str | None = None, settings: Settings | None = None) -> AccessPolicy:
    """Read access.toml (path from config: paths.access). A missing file = no SSO rules (everyone refused)."""
    path = Path(path) if path else (settings or load_settings()).paths.access
    if not path.is_file():
        return AccessPolicy()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccessConfigError(f"{path.name}: {exc}") from None
    sso = data.get("sso", {})
    default_role = str(sso.get("default_role", "")).strip()
    if default_role and default_role not in (VIEWER,):
        # Only the least privileged role may be given to everyone who can sign in.
        raise AccessConfigError(f"{path.name}: sso.default_role may only be '' or 'viewer', not {default_role!r}")
    emails: dict[str, Rule] = {}
    for i, entry in enumerate(sso.get("emails", []), start=1):
        email = str(entry.get("email", "")).strip().lower()
        if not email:
            raise AccessConfigError(f"{path.name}: sso.emails entry {i} has no email")
        emails[email] = _rule(entry, f"{path.name}: sso.emails {email}")
    groups: dict[str, list[Rule]] = {}
    for i, entry in enumerate(sso.get("groups", []), start=1):
        group = str(entry.get("group", "")).strip()
        if not group:
            raise AccessConfigError(f"{path.name}: sso.groups entry {i} has no group")
        groups.setdefault(group, []).append(_rule(entry, f"{path.name}: sso.groups {group}"))
    return AccessPolicy(
        email_domains=tuple(str(d).strip().lower().lstrip("@") for d in sso.get("email_domains", []) if str(d).strip()),
        groups_claim=str(sso.get("groups_claim", "groups")),
        staff_id_claim=str(sso.get("staff_id_claim", "")),
        default_role=default_role,
        require_verified_email=bool(sso.get("require_verified_email", True)),
        emails=emails,
        groups={g: tuple(rules) for g, rules in groups.items()},
    )


def _claim_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def identity_from_claims(claims: Mapping[str, Any], policy: AccessPolicy) -> Identity | None:
    """Map an identity provider's claims (email, groups, optionally a staff-id claim) to an Identity.
    None = refused (email missing, unverified or outside the accepted domains, or no rule and no default role).
    An email rule wins over group rules; among group rules the most privileged role wins (a PTj user in two
    PTj groups gets both PTjs)."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or "@" not in email or any(ch.isspace() or ord(ch) < 32 for ch in email):
        return None
    if policy.require_verified_email and claims.get("email_verified") is False:
        return None
    domain = email.rsplit("@", 1)[1]
    if policy.email_domains and domain not in policy.email_domains:
        return None
    name = str(claims.get("name") or "")[:100]
    claimed_staff = str(claims.get(policy.staff_id_claim) or "").strip() if policy.staff_id_claim else ""

    def make(rule: Rule, codes: tuple[str, ...] | None = None) -> Identity | None:
        staff = rule.staff_id or claimed_staff or None
        if rule.role == LECTURER and not staff:
            return None
        return Identity(user=email, role=rule.role, ptj_codes=codes if codes is not None else rule.ptj_codes,
                        staff_id=staff if rule.role == LECTURER else None, source="sso", display_name=name)

    if email in policy.emails:
        return make(policy.emails[email])
    matched = [rule for group in _claim_list(claims.get(policy.groups_claim)) for rule in policy.groups.get(group, ())]
    for role in ROLES:
        rules = [r for r in matched if r.role == role]
        if not rules:
            continue
        if role == PTJ:
            codes = tuple(sorted({c for r in rules for c in r.ptj_codes}))
            return make(rules[0], codes)
        found = make(rules[0])
        if found is not None:
            return found
    if policy.default_role:
        return Identity(user=email, role=policy.default_role, source="sso", display_name=name)
    return None
