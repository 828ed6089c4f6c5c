"""Settings read from mckpi.toml (policy figures, paths, thresholds), overridable by environment variables.

Nothing in the code hard-codes a target or a policy figure; it asks `load_settings()`.
Environment overrides: MCKPI_<SECTION>_<KEY> (e.g. MCKPI_PATHS_WAREHOUSE=/srv/mckpi/mckpi.duckdb).
MCKPI_CONFIG points at another config file.

A section or key that does not exist, in the file or in an MCKPI_* variable, is a ConfigError naming it and the
nearest valid name: a typo (`small_cel_limit`) would otherwise keep the default without a word. MCKPI_* variables
that are not settings are declared in OTHER_ENV, or named by a `*_env` setting (privacy.pseudonym_key_env).
"""

from __future__ import annotations

import difflib
import os
import threading
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ENV_PREFIX = "MCKPI_"
# MCKPI_* variables read by the code that are not MCKPI_<SECTION>_<KEY> overrides (besides the ones named by a
# `*_env` setting, such as MCKPI_PSEUDONYM_KEY): variable -> who reads it.
OTHER_ENV: dict[str, str] = {
    "MCKPI_CONFIG": "core/config.py: the config file to read",
    "MCKPI_DIFFERENCING": "tests/queries/test_differencing.py: 'all' runs every PTj selection, not a seeded third",
    "MCKPI_UPDATE_GOLDEN": "tests/conftest.py: 1 = write tests/queries/golden/*.json from this build's KPI outputs",
    "MCKPI_DEMO": "dashboard/auth.py: serve demo data without sign-in",
    "MCKPI_DASHBOARD_WARM": "dashboard/warm.py: 0 = no background warming of the KPI cache (the tests' default)",
}


# Top-level [[name]] tables of mckpi.toml that are read outside Settings: name -> who reads them.
OTHER_TABLES: dict[str, str] = {
    "subscription": "etl/subscriptions.py",
    "alert": "etl/alerts.py",
}


class ConfigError(ValueError):
    """The configuration names a setting that does not exist; the message names it and the nearest valid one."""


REPO_ROOT = Path(__file__).resolve().parents[1]
QUERIES_DIR = REPO_ROOT / "queries"
DEFAULT_CONFIG = REPO_ROOT / "mckpi.toml"


@dataclass(frozen=True)
class Paths:
    landing: Path = Path("data/landing")
    warehouse: Path = Path("data/warehouse/mckpi.duckdb")
    archive: Path = Path("data/archive")
    snapshots: Path = Path("data/snapshots")
    users: Path = Path("data/users.json")          # local dashboard accounts (bcrypt hashes); git-ignored
    access: Path = Path("access.toml")             # roles for identities signed in through the identity provider
    audit: Path = Path("data/audit/audit.jsonl")   # logins, failed logins, logouts, downloads
    subscriptions: Path = Path("data/subscriptions.json")  # `mckpi subscribe add`; git-ignored
    mail_state: Path = Path("data/mail/state.json")       # last sends, failures, alert states; git-ignored


@dataclass(frozen=True)
class Privacy:
    pseudonym_key_env: str = "MCKPI_PSEUDONYM_KEY"
    demo_pseudonym_key: str = "mckpi-demo-key-not-for-real-data"
    small_cell_limit: int = 5
    # How learner counts are protected for every role below management (see read/privacy.py):
    # "round" = HESA's rounding methodology (counts to the nearest rounding_base, those below the small-cell
    # limit shown as "<5", percentages and averages hidden on small populations).
    method: str = "round"
    rounding_base: int = 5
    rate_min_population: int = 23     # HESA: no percentage on a population below 22.5 (rounded below 25)
    average_min_population: int = 7   # HESA: no average or median on a population below 7


@dataclass(frozen=True)
class Policy:
    category_1_target_pct: int = 60
    category_3_target_pct: int = 40
    mc_fee_min_rm: Decimal = Decimal("500.00")
    mc_fee_max_rm: Decimal = Decimal("700.00")
    mc_slt_hours_min: int = 4
    mc_slt_hours_max: int = 160
    semester_weeks: int = 14
    fully_participated_step_pct: int = 50
    achievement_step_pct: int = 90


@dataclass(frozen=True)
class Workload:
    online_hours_factor: float = 0.5
    overload_hours_per_term: float = 120.0


@dataclass(frozen=True)
class Targets:
    on_track_ratio: float = 1.0
    at_risk_ratio: float = 0.8


@dataclass(frozen=True)
class Freshness:
    max_age_hours: float = 36.0


@dataclass(frozen=True)
class Dashboard:
    check_new_seconds: float = 60.0  # how often the server looks for a newly published warehouse to warm
    memory_limit: str = "512MB"  # DuckDB's memory for the server's reads (past it a query spills to a temp folder)


@dataclass(frozen=True)
class Retention:
    keep_warehouses: int = 5


@dataclass(frozen=True)
class Notify:
    webhook_url: str = ""


@dataclass(frozen=True)
class Mail:
    """SMTP for subscriptions and alerts (etl/mail.py). The credentials are read from the environment variables
    named here, never from a file."""

    host: str = ""                         # empty: mail is off
    port: int = 587
    security: str = "starttls"             # starttls | ssl | none
    from_address: str = ""
    user_env: str = "MCKPI_SMTP_USER"
    password_env: str = "MCKPI_SMTP_PASSWORD"
    timeout_s: float = 30.0
    retries: int = 3                       # attempts per message in one run (then the next run tries again)
    backoff_s: float = 5.0                 # wait before the 2nd attempt, doubling for each one after
    dashboard_url: str = ""                # base URL of the dashboard, for the link in each message
    reporting_dates: str = ""              # "MM-DD,MM-DD": the year's reporting dates (schedule "reporting")


@dataclass(frozen=True)
class Login:
    idle_timeout_minutes: float = 30.0     # a dashboard session ends after this long without a click
    absolute_timeout_hours: float = 8.0    # ... and this long after signing in, whatever happens
    max_failed_logins: int = 5             # failures per username within lockout_minutes before it is locked
    lockout_minutes: float = 15.0
    failure_delay_s: float = 0.5           # wait after a failure, doubling with each failure (at most 8 s)
    bcrypt_rounds: int = 12


@dataclass(frozen=True)
class Dates:
    """The horizon of dates a landing file may hold (etl/horizon.py); a date outside it is quarantined with the
    setting named. "Delivery" is the day the ETL loads the file."""

    earliest: date = date(2000, 1, 1)               # any source: older is a spreadsheet's zero date or a typo
    earliest_futurelearn: date = date(2012, 12, 14)  # FutureLearn exports: the platform did not exist before
    max_days_after_delivery: int = 366              # events (enrolments, payments, results, steps, leaving dates)
    max_days_after_delivery_planned: int = 1096     # planned dates (course launches, run starts): three years


@dataclass(frozen=True)
class Spark:
    """Where `--engine spark` runs the KPIs (read.spark_engine): local[2] here, a cluster master in production."""

    master: str = "local[2]"               # e.g. spark://spark-master:7077, yarn, k8s://https://...
    shuffle_partitions: int = 2            # KPI results are small: a few partitions, not Spark's 200
    driver_memory: str = "2g"
    app_name: str = "mckpi-kpi"


@dataclass(frozen=True)
class Insights:
    """Course insights from FutureLearn's other exports (comments, quizzes, surveys)."""

    # Learners' free text (comment text, weekly-sentiment reasons) is not stored unless this is on: the
    # warehouse keeps its length only. Never shown per learner either way.
    store_free_text: bool = False
    quiz_too_easy_pct: float = 90.0    # first-attempt correct rate at or above which a question is flagged too easy
    quiz_too_hard_pct: float = 30.0    # ... at or below which it is flagged too hard
    quiz_min_learners: int = 30        # questions answered by fewer learners are not flagged (too few to judge)


@dataclass(frozen=True)
class Pathways:
    """Microcredential pathways (programmes of stacked courses, MMS, badges, credit recognition)."""

    mms_overdue_days: int = 60  # an eligible learner without an MMS this many days after eligibility is overdue


@dataclass(frozen=True)
class Settings:
    paths: Paths = field(default_factory=Paths)
    privacy: Privacy = field(default_factory=Privacy)
    policy: Policy = field(default_factory=Policy)
    workload: Workload = field(default_factory=Workload)
    targets: Targets = field(default_factory=Targets)
    freshness: Freshness = field(default_factory=Freshness)
    dashboard: Dashboard = field(default_factory=Dashboard)
    retention: Retention = field(default_factory=Retention)
    notify: Notify = field(default_factory=Notify)
    login: Login = field(default_factory=Login)
    mail: Mail = field(default_factory=Mail)
    dates: Dates = field(default_factory=Dates)
    spark: Spark = field(default_factory=Spark)
    insights: Insights = field(default_factory=Insights)
    pathways: Pathways = field(default_factory=Pathways)
    config_path: Path | None = None

    def pseudonym_key(self) -> str:
        """The key for learner-id hashing: from the environment when set, else the demo key."""
        return os.environ.get(self.privacy.pseudonym_key_env) or self.privacy.demo_pseudonym_key

    def uses_demo_key(self) -> bool:
        return not os.environ.get(self.privacy.pseudonym_key_env)

    def with_paths(self, **changes: Path) -> Settings:
        return replace(self, paths=replace(self.paths, **changes))


def _coerce(value: Any, current: Any) -> Any:
    """Turn a TOML or environment value into the type of the dataclass default."""
    if isinstance(current, bool):
        return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "on"}
    if isinstance(current, Path):
        return Path(value)
    if isinstance(current, Decimal):
        return Decimal(str(value))
    if isinstance(current, date):
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if isinstance(current, int):
        return int(value)
    if isinstance(current, float):
        return float(value)
    return str(value)


def _section(cls: type, data: dict[str, Any], section: str) -> Any:
    default = cls()
    values: dict[str, Any] = {}
    for f in fields(cls):
        current = getattr(default, f.name)
        raw = data.get(f.name, current)
        env = os.environ.get(f"MCKPI_{section.upper()}_{f.name.upper()}")
        if env is not None:
            raw = env
        values[f.name] = _coerce(raw, current)
    return cls(**values)


def _nearest(name: str, valid: list[str]) -> str:
    match = difflib.get_close_matches(name, valid, n=1, cutoff=0.0)
    return f"; did you mean '{match[0]}'?" if match else ""


def check_names(data: dict[str, Any], sections: dict[str, type], where: str) -> None:
    """Every section and key of a parsed config file exists; else a ConfigError naming the nearest valid one."""
    owner = {f.name: name for name, cls in sections.items() for f in fields(cls)}
    for name, value in data.items():
        if name in OTHER_TABLES:
            continue  # checked where it is read
        if not isinstance(value, dict):
            home = f"; it belongs in [{owner[name]}]" if name in owner else _nearest(name, list(sections))
            raise ConfigError(f"{where}: '{name}' is not in a section{home}")
        if name not in sections:
            raise ConfigError(f"{where}: unknown section [{name}]{_nearest(name, list(sections))}")
        keys = [f.name for f in fields(sections[name])]
        for key in value:
            if key not in keys:
                home = f"; it belongs in [{owner[key]}]" if key in owner else _nearest(key, keys)
                raise ConfigError(f"{where}: unknown key '{key}' in [{name}]{home}")


def check_env(environ: dict[str, str] | os._Environ[str], sections: dict[str, type], settings: Settings) -> None:
    """Every MCKPI_* variable is an override of a setting, in OTHER_ENV, or named by a `*_env` setting."""
    overrides = [f"{ENV_PREFIX}{name.upper()}_{f.name.upper()}" for name, cls in sections.items() for f in fields(cls)]
    named = {
        str(getattr(getattr(settings, name), f.name))
        for name, cls in sections.items()
        for f in fields(cls)
        if f.name.endswith("_env")
    }
    valid = set(overrides) | set(OTHER_ENV) | named
    for var in sorted(environ):
        if var.startswith(ENV_PREFIX) and var not in valid:
            raise ConfigError(
                f"environment variable {var} is not a setting{_nearest(var, sorted(valid))}"
                " (settings are MCKPI_<SECTION>_<KEY>, e.g. MCKPI_PRIVACY_SMALL_CELL_LIMIT)"
            )


# Parsed settings per (config file version, MCKPI_* environment). Settings are frozen, so one parse can be shared:
# the dashboard asks for them about ten times per script run, and parsing the TOML each time was 0.2 s of a run
# on a loaded machine. A changed file (mtime, size, inode) or environment reads it again.
_PARSED: dict[tuple[Any, ...], Settings] = {}
_PARSED_LOCK = threading.Lock()
_PARSED_MAX = 32


def _parsed_key(config_path: Path | None) -> tuple[Any, ...]:
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(ENV_PREFIX)))
    if config_path is None:
        return (None, env)
    stat = config_path.stat()
    # absolute(), not resolve(): resolve lstat()s every folder on the way (36 calls were 57 ms of a ministry
    # rerun here); the inode already tells the file apart, and a second spelling of one path only parses again.
    return (str(config_path.absolute()), stat.st_mtime_ns, stat.st_size, stat.st_ino, env)


def load_settings(path: Path | str | None = None) -> Settings:
    """Read the config file (MCKPI_CONFIG, then ./mckpi.toml, then the repo's), resolving relative paths
    against the folder the config file is in. An unknown section or key (file or environment) is a ConfigError.
    Parsed once per version of the file and of the MCKPI_* environment (`_PARSED`)."""
    candidates = [path, os.environ.get("MCKPI_CONFIG"), Path.cwd() / "mckpi.toml", DEFAULT_CONFIG]
    config_path = next((Path(p) for p in candidates if p and Path(p).is_file()), None)
    key = _parsed_key(config_path)
    cached = _PARSED.get(key)
    if cached is not None:
        return cached
    settings = _read_settings(config_path)
    with _PARSED_LOCK:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = settings
    return settings


def _read_settings(config_path: Path | None) -> Settings:
    data: dict[str, Any] = tomllib.loads(config_path.read_text("utf-8")) if config_path else {}
    base = config_path.parent if config_path else REPO_ROOT

    sections = {
        "paths": Paths,
        "privacy": Privacy,
        "policy": Policy,
        "workload": Workload,
        "targets": Targets,
        "freshness": Freshness,
        "dashboard": Dashboard,
        "retention": Retention,
        "notify": Notify,
        "login": Login,
        "mail": Mail,
        "dates": Dates,
        "spark": Spark,
        "insights": Insights,
        "pathways": Pathways,
    }
    check_names(data, sections, str(config_path))
    built = {name: _section(cls, data.get(name, {}), name) for name, cls in sections.items()}
    paths: Paths = built["paths"]
    built["paths"] = Paths(
        **{f.name: (p if (p := getattr(paths, f.name)).is_absolute() else base / p) for f in fields(Paths)}
    )
    settings = Settings(**built, config_path=config_path)
    check_env(os.environ, sections, settings)
    return settings
