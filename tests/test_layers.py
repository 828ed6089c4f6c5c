"""The layers of ARCHITECTURE.md, enforced: import-linter's contracts in pyproject.toml hold on the repository, and
break (naming the import) on a copy with one deliberate upward import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAYERS = ("core", "etl", "read", "cli", "dashboard")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_layers_hold_on_main() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_build(tmp_path: Path) -> None:
    for layer in LAYERS:
        shutil.copytree(REPO / layer, tmp_path / layer, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    words = tmp_path / "core" / "words.py"
    words.write_text(words.read_text() + "\nfrom dashboard import ui  # noqa: E402, F401 - the deliberate mistake\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "core is not allowed to import dashboard" in result.stdout
    assert "core.words -> dashboard.ui" in result.stdout


def test_only_the_warehouse_module_opens_the_warehouse_for_reading() -> None:
    """Readers go through read.warehouse.Warehouse (read-only, reopened when a new build is published, with a
    time limit); the ETL opens only the build it writes."""
    import re

    offenders = []
    for layer in LAYERS:
        for path in sorted((REPO / layer).rglob("*.py")):
            if path.relative_to(REPO).as_posix() == "read/warehouse.py":
                continue
            if re.search(r"read_only\s*=\s*True", path.read_text("utf-8")):
                offenders.append(path.relative_to(REPO).as_posix())
    assert offenders == []


def test_the_cli_entry_point_is_the_top_layer() -> None:
    text = (REPO / "pyproject.toml").read_text("utf-8")
    assert 'mckpi = "cli.main:main"' in text
