"""Small pieces: header diagnosis, file names and streams, gzip integrity, the pseudonym."""

from __future__ import annotations

import gzip

import duckdb
import pytest

from core.contracts import CONTRACTS
from core.errors import SourceFileError
from etl.discover import classify, discover
from etl.file_checks import hash_file, header_problem
from etl.pseudonym import learner_key, learner_key_sql
from etl.sources.futurelearn import parse_file_name, strip_date_stamp

PTJ = CONTRACTS["ptj"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ptj_code,name_en,name_ms,kind", None),
        ("PTJ_CODE , Name_EN,name_ms,kind\r\n", None),
        ('"ptj_code","name_en","name_ms","kind"', None),
        ("ptj_code\tname_en\tname_ms\tkind", (None, "the file looks tab-delimited")),
        ("ptj_code|name_en|name_ms|kind", (None, "the file looks '|'-delimited")),
        ("ptj_code,name_en,name_ms", ("kind", "missing: kind")),
        ("ptj_code,name_en,name_ms,kind,", ("", "unexpected: ''")),
        ("ptj_code,name,name_ms,kind", ("name_en", "renamed: 'name' should be 'name_en'")),
        ("ptj_code,name_ms,name_en,kind", ("name_en", "the same columns in a different order")),
        ("ptj_code,name_en,name_en,kind", ("name_ms", "missing: name_ms; repeated: name_en")),
    ],
)
def test_header_problem(line, expected):
    problem = header_problem(line, PTJ)
    if expected is None:
        assert problem is None
    else:
        column, message = problem
        assert column == expected[0]
        assert message.startswith("expected header 'ptj_code,name_en,name_ms,kind' (4 columns); found '")
        assert expected[1] in message


@pytest.mark.parametrize(
    ("stem", "base", "stamp"),
    [
        ("courses_2026-11-01", "courses", "20261101"),
        ("courses_20261101", "courses", "20261101"),
        ("courses_2026-11-01T0830", "courses", "202611010830"),
        ("courses_20261101-083000", "courses", "20261101083000"),
        ("courses", "courses", None),
        ("oulad_courses", "oulad_courses", None),
        ("cyber-security-1_enrolments", "cyber-security-1_enrolments", None),
        ("2026-11-01", "2026-11-01", None),
    ],
)
def test_date_stamps(stem, base, stamp):
    assert strip_date_stamp(stem) == (base, stamp)


def test_futurelearn_names():
    name = parse_file_name("cyber-security-1_enrolments.csv.gz")
    assert (name.label, name.dataset, name.contract.name, name.known) == (
        "cyber-security-1",
        "enrolments",
        "futurelearn_enrolments",
        True,
    )
    name = parse_file_name("my_course-2_step-activity_2026-11-01.csv")
    assert (name.label, name.dataset, name.contract.name) == (
        "my_course-2",
        "step-activity",
        "futurelearn_step_activity",
    )
    name = parse_file_name("cyber-security-3_peer-review-reviews.csv")  # known, not loaded
    assert (name.contract, name.known) == (None, True)
    assert parse_file_name("enrolments.csv") is None
    assert parse_file_name("x_enrolments.txt") is None


def test_streams(tmp_path):
    for rel in (
        "courses/courses.csv",
        "courses/courses_2026-11-01.csv.gz",
        "courses/oulad_courses.csv",
        "futurelearn/run-1_enrolments_20261101.csv",
        "futurelearn/run-1_comments.csv",
        "x.csv",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "a.csv").write_text("x\n")
    found = {f.rel: (f.contract.name if f.contract else None, f.stream, f.label) for f in discover(tmp_path)}
    assert found == {
        "courses/courses.csv": ("courses", "courses/courses", None),
        "courses/courses_2026-11-01.csv.gz": ("courses", "courses/courses", None),
        "courses/oulad_courses.csv": ("courses", "courses/oulad_courses", None),
        "futurelearn/run-1_comments.csv": ("futurelearn_comments", "futurelearn/run-1_comments", "run-1"),
        "futurelearn/run-1_enrolments_20261101.csv": (
            "futurelearn_enrolments",
            "futurelearn/run-1_enrolments",
            "run-1",
        ),
        "x.csv": (None, None, None),
    }
    assert classify(tmp_path, tmp_path / "x.csv").warn


def test_hash_and_gzip_integrity(tmp_path):
    import hashlib

    data = b"a,b\n" + b"1,2\n" * 50_000
    plain = tmp_path / "x.csv"
    plain.write_bytes(data)
    facts = hash_file(plain, "x.csv")
    assert (facts.sha256, facts.bytes, facts.blank_line) == (
        hashlib.sha256(data).hexdigest(),
        len(data),
        None,
    )
    packed = gzip.compress(data)
    two_members = tmp_path / "two.csv.gz"
    two_members.write_bytes(packed + gzip.compress(b"3,4\n"))
    assert hash_file(two_members, "two.csv.gz").bytes == len(packed) + len(gzip.compress(b"3,4\n"))
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(packed[:-10])
    with pytest.raises(SourceFileError, match="cut.csv.gz: the gzip file is cut short"):
        hash_file(cut, "cut.csv.gz")
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"a,b\n1,2\n\n3,4\n\n\n")
    assert hash_file(blank, "blank.csv").blank_line == 3
    trailing = tmp_path / "trailing.csv"
    trailing.write_bytes(b"a,b\n1,2\n\n\n")
    assert hash_file(trailing, "trailing.csv").blank_line is None


def test_pseudonym_sql_matches_python():
    con = duckdb.connect()
    got = con.execute(
        f"select {learner_key_sql('$id')}", {"pseudonym_key": "k3y", "id": "S2150123"}
    ).fetchone()[0]
    assert got == learner_key("S2150123", "k3y") == learner_key(" S2150123 ", "k3y")
    assert len(got) == 16 and got != learner_key("S2150123", "other-key")
    assert learner_key("", "k3y") is None
