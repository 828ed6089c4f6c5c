"""Issue 13, point 1: demo mode is a property of the data, never of a loose file.

A warehouse is demo (served without sign-in) only when every file whose rows it holds was written by the demo
generator (its sha256 in the generator's fingerprinted manifest, or proven by an earlier load) and the demo
pseudonym key was used. These tests walk around it as a determined user would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from core import demo_proof
from core.config import load_settings
from etl.demo import generate
from etl.load import run_etl

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
REAL_FL = HAND / "futurelearn" / "cyber-security-1_enrolments.csv"  # a FutureLearn export, not generated
SETTINGS = load_settings()
KEY = SETTINGS.privacy.demo_pseudonym_key


@pytest.fixture(scope="module")
def demo_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("demo_proof") / "landing"
    generate(landing, 400, 5, start_year=2025, end_year=2026, settings=SETTINGS)
    return landing


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _etl(landing: Path, warehouse: Path) -> dict[str, str]:
    settings = SETTINGS.with_paths(landing=landing, warehouse=warehouse)
    result = run_etl(settings, landing=landing, warehouse=warehouse)
    assert result.status in {"succeeded", "incomplete"}, result.message  # published (incomplete: see its problems)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select key, value from warehouse_info").fetchall())


def _hashes(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [sha for sha, _ in demo_proof.warehouse_hashes(con)]


@pytest.fixture(autouse=True)
def _demo_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SETTINGS.privacy.pseudonym_key_env, raising=False)


def test_generated_landing_is_demo_and_the_reader_agrees(demo_landing: Path, tmp_path: Path) -> None:
    manifest = json.loads((demo_landing / demo_proof.MANIFEST).read_text("utf-8"))
    assert set(manifest["sha256"]) == set(manifest["files"]) and len(manifest["files"]) >= 8
    warehouse = tmp_path / "wh" / "mckpi.duckdb"
    info = _etl(_copy(demo_landing, tmp_path / "landing"), warehouse)
    assert info["is_demo"] == "true" and info["pseudonym_key_is_demo"] == "true"
    assert info["demo_fingerprint"] == demo_proof.warehouse_fingerprint(KEY, _hashes(warehouse))
    assert demo_proof.fingerprint_matches(info, _hashes(warehouse), KEY)


def test_marker_file_next_to_real_files_is_real(demo_landing: Path, tmp_path: Path) -> None:
    landing = _copy(HAND, tmp_path / "landing")
    (landing / ".mckpi-demo").write_text("demo\n")  # the old plain marker
    # ...and a genuine, correctly fingerprinted manifest copied from a demo folder: it vouches for other bytes.
    shutil.copy(demo_landing / demo_proof.MANIFEST, landing / demo_proof.MANIFEST)
    info = _etl(landing, tmp_path / "wh" / "mckpi.duckdb")
    assert info["is_demo"] == "false" and info["demo_fingerprint"] == ""


def test_manifest_edited_to_vouch_for_real_files_is_rejected(demo_landing: Path, tmp_path: Path) -> None:
    landing = _copy(HAND, tmp_path / "landing")
    body = json.loads((demo_landing / demo_proof.MANIFEST).read_text("utf-8"))
    for path in HAND.rglob("*.csv"):  # every real file's hash added, the fingerprint left as it was
        body["sha256"][str(path.relative_to(HAND))] = demo_proof.sha256_file(path)
    (landing / demo_proof.MANIFEST).write_text(json.dumps(body), "utf-8")
    assert demo_proof.manifest_hashes(landing, KEY) == set()
    assert _etl(landing, tmp_path / "wh" / "mckpi.duckdb")["is_demo"] == "false"


def test_empty_landing_after_a_real_load_stays_real(demo_landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "mckpi.duckdb"
    assert _etl(_copy(HAND, tmp_path / "real"), warehouse)["is_demo"] == "false"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _etl(empty, warehouse)["is_demo"] == "false"
    # ...also with the demo generator's manifest (and nothing else) in the empty folder.
    shutil.copy(demo_landing / demo_proof.MANIFEST, empty / demo_proof.MANIFEST)
    assert _etl(empty, warehouse)["is_demo"] == "false"


def test_empty_landing_after_a_demo_load_stays_demo_and_a_new_build_from_nothing_is_not(
        demo_landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "mckpi.duckdb"
    assert _etl(_copy(demo_landing, tmp_path / "landing"), warehouse)["is_demo"] == "true"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _etl(empty, warehouse)["is_demo"] == "true"  # proven by the earlier load (files archived, say)
    # A warehouse holding no data at all proves nothing.
    assert _etl(empty, tmp_path / "other" / "mckpi.duckdb")["is_demo"] == "false"


def test_demo_landing_with_one_real_futurelearn_file_is_real(demo_landing: Path, tmp_path: Path) -> None:
    landing = _copy(demo_landing, tmp_path / "landing")
    shutil.copy(REAL_FL, landing / "futurelearn" / REAL_FL.name)
    warehouse = tmp_path / "wh" / "mckpi.duckdb"
    info = _etl(landing, warehouse)
    assert info["is_demo"] == "false"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (status,) = con.execute("select status from etl_files where file_name = ?", [REAL_FL.name]).fetchone()
    assert status == "loaded"  # its rows (loaded or quarantined) are in the warehouse: not generated


def test_real_file_added_after_a_demo_load_turns_it_real(demo_landing: Path, tmp_path: Path) -> None:
    landing = _copy(demo_landing, tmp_path / "landing")
    warehouse = tmp_path / "wh" / "mckpi.duckdb"
    assert _etl(landing, warehouse)["is_demo"] == "true"
    shutil.copy(REAL_FL, landing / "futurelearn" / REAL_FL.name)
    assert _etl(landing, warehouse)["is_demo"] == "false"


def test_real_pseudonym_key_is_never_demo(demo_landing: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SETTINGS.privacy.pseudonym_key_env, "a-real-key-from-the-vault")
    info = _etl(_copy(demo_landing, tmp_path / "landing"), tmp_path / "wh" / "mckpi.duckdb")
    assert info["is_demo"] == "false" and info["pseudonym_key_is_demo"] == "false"


def test_a_flipped_flag_does_not_pass_the_readers_check(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "mckpi.duckdb"
    info = _etl(_copy(HAND, tmp_path / "real"), warehouse)
    forged = {**info, "is_demo": "true", "demo_fingerprint": "0" * 64}
    assert not demo_proof.fingerprint_matches(forged, _hashes(warehouse), KEY)
    assert not demo_proof.fingerprint_matches({**info, "is_demo": "true"}, _hashes(warehouse), KEY)
