"""Discovery of a landing folder: FutureLearn downloads in per-run folders, the same export as .csv and .csv.gz,
links never followed, unreadable files named."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

from core.config import REPO_ROOT, load_settings
from etl.discover import classify, discover
from etl.load import run_etl

HAND = REPO_ROOT / "tests" / "fixtures" / "hand"
SECRET = "SECRET-CONTENT-OF-THE-LINKED-FILE"


def test_futurelearn_files_in_sub_folders_and_anywhere(tmp_path):
    for rel in (
        "futurelearn/Run-1/big-data-1_enrolments.csv.gz",
        "futurelearn/Run-1/big-data-1_comments.csv",
        "futurelearn/2024/March/big-data-2_step-activity.csv",
        "Run-3/big-data-3_enrolments.csv",  # a partner download unpacked at the top of the landing folder
        "payments/2026/p_11.csv",
        "templates/payments.csv",
        "README.md",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    found = {f.rel: (f.contract.name if f.contract else None, f.stream, f.label, f.warn) for f in discover(tmp_path)}
    assert found == {
        "futurelearn/Run-1/big-data-1_enrolments.csv.gz": (
            "futurelearn_enrolments", "futurelearn/big-data-1_enrolments", "big-data-1", False),
        "futurelearn/Run-1/big-data-1_comments.csv": (
            "futurelearn_comments", "futurelearn/big-data-1_comments", "big-data-1", False
        ),  # loaded since issue 17
        "futurelearn/2024/March/big-data-2_step-activity.csv": (
            "futurelearn_step_activity", "futurelearn/big-data-2_step-activity", "big-data-2", False),
        "Run-3/big-data-3_enrolments.csv": (
            "futurelearn_enrolments", "futurelearn/big-data-3_enrolments", "big-data-3", False),
        "payments/2026/p_11.csv": ("payments", "payments/2026/p_11", None, False),
        "templates/payments.csv": (None, None, None, False),
        "README.md": (None, None, None, False),
    }


def test_a_link_is_listed_and_never_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(f"receipt_id\n{SECRET}\n")
    landing = tmp_path / "landing"
    shutil.copytree(HAND, landing)
    (landing / "payments" / "linked.csv").symlink_to(outside / "secret.csv")
    (landing / "payments" / "linked_folder").symlink_to(outside, target_is_directory=True)
    found = {f.rel: f for f in discover(landing)}
    assert found["payments/linked.csv"].problem and found["payments/linked.csv"].contract is None
    assert found["payments/linked_folder"].problem
    assert "payments/linked_folder/secret.csv" not in found
    settings = load_settings().with_paths(landing=landing, warehouse=tmp_path / "wh" / "mckpi.duckdb")
    result = run_etl(settings)
    assert result.exit_code == 3  # published, but not everything loaded
    assert "payments/linked.csv: a symbolic link: not followed (copy the file itself into the landing folder)" in (
        result.problems)
    # Nothing of what the link points to reached a message, the run log or a table.
    assert SECRET not in " ".join(result.problems + result.warnings)
    import duckdb

    with duckdb.connect(str(settings.paths.warehouse), read_only=True) as con:
        for (table,) in con.execute("select table_name from information_schema.tables").fetchall():
            text = str(con.execute(f'select * from "{table}"').fetchall())  # noqa: S608
            assert SECRET not in text, table
        assert con.execute("select bytes from etl_files where path = 'payments/linked.csv'").fetchone()[0] < 200
    assert SECRET not in (settings.paths.warehouse.parent / "etl_runs.jsonl").read_text()


def test_an_unreadable_file_is_named(tmp_path, monkeypatch):
    """Root reads every file whatever its mode, so the permission error is injected for one path."""
    landing = tmp_path / "landing"
    shutil.copytree(HAND, landing)
    target = landing / "payments" / "payments_2025.csv"
    real_open = Path.open

    def denied(self, *args, **kwargs):
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    lf = classify(landing, target)
    assert lf.contract is None and lf.problem
    assert lf.note == "cannot be read (Permission denied): give the ETL's user read access"


def test_the_same_export_twice_is_one_delivery_whatever_the_names(tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(HAND, landing)
    plain = landing / "futurelearn" / "cyber-security-1_enrolments.csv"
    # The .gz sorts after the .csv by name and, moved to a sub-folder, before it: the content decides, not names.
    (landing / "futurelearn" / "A").mkdir()
    with plain.open("rb") as src, gzip.open(landing / "futurelearn" / "A" / "cyber-security-1_enrolments.csv.gz",
                                           "wb") as dst:
        shutil.copyfileobj(src, dst)
    settings = load_settings().with_paths(landing=landing, warehouse=tmp_path / "wh" / "mckpi.duckdb")
    result = run_etl(settings)
    statuses = {f.rel: (f.status, f.note) for f in result.files if "cyber-security-1_enrolments" in f.rel}
    assert sorted(s for s, _ in statuses.values()) == ["loaded", "skipped"]
    skipped = next(rel for rel, (s, _) in statuses.items() if s == "skipped")
    loaded = next(rel for rel, (s, _) in statuses.items() if s == "loaded")
    assert statuses[skipped][1] == f"the same export as {loaded}"
    assert not any("cyber-security-1_enrolments" in w for w in result.warnings)  # nothing to warn about


def test_two_different_exports_of_one_run_load_the_newer(tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(HAND, landing)
    old = landing / "futurelearn" / "cyber-security-1_enrolments.csv"
    newer = landing / "futurelearn" / "Run-1" / "cyber-security-1_enrolments.csv"
    newer.parent.mkdir()
    lines = old.read_text().splitlines(keepends=True)
    newer.write_text("".join(lines[:-1]))  # a different export (one learner fewer)
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(newer, (1_800_000_000, 1_800_000_000))
    settings = load_settings().with_paths(landing=landing, warehouse=tmp_path / "wh" / "mckpi.duckdb")
    result = run_etl(settings)
    statuses = {f.rel: f.status for f in result.files if "cyber-security-1_enrolments" in f.rel}
    assert statuses == {"futurelearn/Run-1/cyber-security-1_enrolments.csv": "loaded",
                        "futurelearn/cyber-security-1_enrolments.csv": "superseded"}
    assert any(w.startswith("futurelearn/cyber-security-1_enrolments.csv: not loaded (a newer delivery")
               for w in result.warnings)
