"""Configuration typos are errors (core.config.check_names / check_env): an unknown section or key in mckpi.toml or
in an MCKPI_* variable names itself and the nearest valid name, instead of silently keeping the default."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.config import DEFAULT_CONFIG, OTHER_ENV, REPO_ROOT, ConfigError, Settings, load_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    import os

    for var in [v for v in os.environ if v.startswith("MCKPI_")]:
        monkeypatch.delenv(var)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mckpi.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[privacy]\nsmall_cel_limit = 3\n", "unknown key 'small_cel_limit' in [privacy]; did you mean 'small_cell_limit'?"),
        ("[privcy]\nsmall_cell_limit = 3\n", "unknown section [privcy]; did you mean 'privacy'?"),
        ("[policy]\nsmall_cell_limit = 3\n", "unknown key 'small_cell_limit' in [policy]; it belongs in [privacy]"),
        ("small_cell_limit = 3\n", "'small_cell_limit' is not in a section; it belongs in [privacy]"),
        ("[dates]\nmax_days_after_delivry = 30\n", "unknown key 'max_days_after_delivry' in [dates]; did you mean 'max_days_after_delivery'?"),
    ],
)
def test_unknown_name_in_the_file(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"{path}: {message}"


def test_the_typo_no_longer_keeps_the_default_privacy_threshold(tmp_path):
    assert load_settings(write(tmp_path, "[privacy]\nsmall_cell_limit = 10\n")).privacy.small_cell_limit == 10
    with pytest.raises(ConfigError, match="small_cel_limit"):
        load_settings(write(tmp_path, "[privacy]\nsmall_cel_limit = 10\n"))


def test_unknown_environment_variable(monkeypatch):
    monkeypatch.setenv("MCKPI_PRIVACY_SMALL_CEL_LIMIT", "10")
    with pytest.raises(ConfigError) as info:
        load_settings(DEFAULT_CONFIG)
    assert str(info.value).startswith(
        "environment variable MCKPI_PRIVACY_SMALL_CEL_LIMIT is not a setting;"
        " did you mean 'MCKPI_PRIVACY_SMALL_CELL_LIMIT'?"
    )


def test_valid_and_declared_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("MCKPI_PRIVACY_SMALL_CELL_LIMIT", "10")
    monkeypatch.setenv("MCKPI_DATES_EARLIEST", "2010-01-01")
    monkeypatch.setenv("MCKPI_PSEUDONYM_KEY", "k")  # named by privacy.pseudonym_key_env
    monkeypatch.setenv("MCKPI_DEMO", "1")
    monkeypatch.setenv("MCKPI_CONFIG", str(DEFAULT_CONFIG))
    settings = load_settings()
    assert (settings.privacy.small_cell_limit, settings.dates.earliest) == (10, date(2010, 1, 1))
    # A key variable renamed in the file is allowed under its new name.
    monkeypatch.delenv("MCKPI_PSEUDONYM_KEY")
    monkeypatch.setenv("MCKPI_UNI_KEY", "k")
    path = write(tmp_path, '[privacy]\npseudonym_key_env = "MCKPI_UNI_KEY"\n')
    assert load_settings(path).pseudonym_key() == "k"


def test_shipped_configs_load():
    for path in (DEFAULT_CONFIG, REPO_ROOT / "deploy" / "mckpi.toml.example"):
        load_settings(path)


def test_every_mckpi_variable_the_repo_names_is_allowed():
    """The allow-list is complete: each MCKPI_* name in the code, tests and docs is a setting, declared in
    OTHER_ENV, or the default of a `*_env` setting."""
    settings = load_settings(DEFAULT_CONFIG)
    sections = {f.name: getattr(settings, f.name) for f in fields(Settings) if is_dataclass(getattr(settings, f.name))}
    valid = {f"MCKPI_{s.upper()}_{k.upper()}" for s, obj in sections.items() for k in vars(obj)}
    valid |= set(OTHER_ENV) | {v for obj in sections.values() for k, v in vars(obj).items() if k.endswith("_env")}
    names = set()
    for path in REPO_ROOT.rglob("*"):
        if ".venv" in path.parts or ".git" in path.parts or not path.is_file():
            continue
        if path.suffix not in {".py", ".toml", ".md", ".service", ".example", ".timer"} and path.name != "Makefile":
            continue
        names |= set(re.findall(r"\bMCKPI_[A-Z0-9]+(?:_[A-Z0-9]+)*\b", path.read_text("utf-8", errors="replace")))
    names -= {"MCKPI_PRIVACY_SMALL_CEL_LIMIT", "MCKPI_UNI_KEY"}  # this file's own examples
    names -= {n for n in names if n.startswith(("MCKPI_SECTION", "MCKPI_X"))}
    assert names - valid == set()


def test_cli_says_it_in_one_line(monkeypatch):
    monkeypatch.setenv("MCKPI_PRIVACY_SMALL_CEL_LIMIT", "10")
    result = runner.invoke(app, ["status"], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        "error: environment variable MCKPI_PRIVACY_SMALL_CEL_LIMIT is not a setting; did you mean"
        " 'MCKPI_PRIVACY_SMALL_CELL_LIMIT'? (settings are MCKPI_<SECTION>_<KEY>, e.g. MCKPI_PRIVACY_SMALL_CELL_LIMIT)"
    ]


def test_tables_read_outside_settings_are_allowed(tmp_path):
    """[[subscription]] and [[alert]] are read by etl/subscriptions.py and etl/alerts.py, not by Settings."""
    path = write(tmp_path, '[privacy]\nsmall_cell_limit = 7\n\n[[subscription]]\nid = "a"\n\n[[alert]]\nid = "b"\n')
    assert load_settings(path).privacy.small_cell_limit == 7


def test_settings_are_parsed_once_per_version_of_the_file_and_environment(monkeypatch, tmp_path):
    """The dashboard asks for the settings ~10 times per script run: one parse is shared until the file or an
    MCKPI_* variable changes (core.config._PARSED)."""
    config = tmp_path / "mckpi.toml"
    config.write_text("[privacy]\nsmall_cell_limit = 5\n", "utf-8")
    first = load_settings(config)
    assert load_settings(config) is first
    monkeypatch.setenv("MCKPI_PRIVACY_SMALL_CELL_LIMIT", "7")
    assert load_settings(config).privacy.small_cell_limit == 7
    monkeypatch.delenv("MCKPI_PRIVACY_SMALL_CELL_LIMIT")
    assert load_settings(config) is first
    config.write_text("[privacy]\nsmall_cell_limit = 10\n", "utf-8")  # another size: read again
    assert load_settings(config).privacy.small_cell_limit == 10
    config.write_text("[privacy]\nsmall_cel_limit = 10\n", "utf-8")
    with pytest.raises(ConfigError, match="small_cel_limit"):  # an error is never cached as a success
        load_settings(config)
