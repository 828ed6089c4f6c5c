"""Discovery: which files are in a landing folder, and what each one is (source, stream, FutureLearn run label),
or why it is not loaded.

    for lf in discover(landing): ...            # every file, hidden ones aside, classified

Layout accepted (see data/landing/README.md, written by `mckpi init`):
- `<source folder>/[sub-folders/]<name>.csv[.gz]`, e.g. `courses/courses.csv`, `payments/2026/p-11.csv.gz`;
  the stream of a snapshot source is the path without its date stamp (`courses/courses`).
- FutureLearn exports as a partner downloads them: `futurelearn/` with any sub-folders (`Run-1/...`), FutureLearn's
  own names `<run label>_<dataset>.csv[.gz]`; a file with such a name elsewhere in the landing folder is taken as a
  FutureLearn export as well. The stream is `futurelearn/<label>_<dataset>`, whatever folder the file is in.
- Symbolic links are never followed (listed, with nothing of what they point to read); a file or folder that
  cannot be read is listed with the error. Both are `problem`s: the run that meets one does not exit 0.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from core.contracts import CONTRACTS, Contract
from etl.sources import open_badges
from etl.sources.futurelearn import parse_file_name, strip_csv_ext, strip_date_stamp

FUTURELEARN_FOLDER = "futurelearn"
# Files a person keeps in the landing folder for people, not for the ETL (written by `mckpi init`).
LANDING_NOTES = ("README.md", "README.txt", "README")
TEMPLATES_FOLDER = "templates"  # <landing>/templates/*.csv: the blank forms `mckpi init` puts there, never loaded


@dataclass(frozen=True)
class LandingFile:
    path: Path
    rel: str  # posix path relative to the landing folder, e.g. 'courses/courses.csv'
    folder: str
    contract: Contract | None  # None: ignored
    stream: str | None = None
    stamp: str | None = None  # digits of the trailing date stamp, if any
    label: str | None = None  # FutureLearn run label
    note: str = ""  # why it is ignored
    warn: bool = False  # ignored in a way the person running the ETL should hear about
    problem: bool = False  # data that exists but cannot be loaded (a link, an unreadable file): not a green run
    keep: bool = False  # a file for people (README, templates): `mckpi refresh` leaves it in landing

    @property
    def size(self) -> int:
        """Bytes of the file itself (a link's own size: what it points to is never looked at)."""
        try:
            return self.path.lstat().st_size
        except OSError:
            return 0


def folder_contracts() -> dict[str, Contract]:
    return {c.folder: c for c in CONTRACTS.values() if c.folder != FUTURELEARN_FOLDER}


def _futurelearn(path: Path, rel: str, folder: str, *, anywhere: bool) -> LandingFile | None:
    """A FutureLearn export by its name (None when the name is not one, and `anywhere`)."""
    name = path.name
    parsed = parse_file_name(name)
    if parsed is None or (anywhere and not parsed.known):
        if anywhere:
            return None
        return LandingFile(path, rel, folder, None, note="not a FutureLearn <run>_<dataset>.csv file", warn=True)
    if parsed.contract is None:
        if parsed.known:
            return LandingFile(
                path, rel, folder, None, label=parsed.label, note=f"FutureLearn {parsed.dataset} export: not used"
            )
        return LandingFile(
            path, rel, folder, None, label=parsed.label,
            note=f"unknown FutureLearn dataset '{parsed.dataset}'", warn=True,
        )
    _, stamp = strip_date_stamp(strip_csv_ext(name) or "")
    return LandingFile(
        path, rel, FUTURELEARN_FOLDER, parsed.contract, f"futurelearn/{parsed.label}_{parsed.dataset}", stamp,
        parsed.label,
    )


def classify(landing: Path, path: Path) -> LandingFile:
    rel = path.relative_to(landing).as_posix()
    parts = rel.split("/")
    folder = parts[0] if len(parts) > 1 else ""
    name = parts[-1]
    if path.is_symlink():
        return LandingFile(
            path, rel, folder, None, warn=True, problem=True,
            note="a symbolic link: not followed (copy the file itself into the landing folder)",
        )
    if len(parts) == 1 and name in LANDING_NOTES:
        return LandingFile(path, rel, "", None, note="notes for people", keep=True)
    if folder == TEMPLATES_FOLDER:
        return LandingFile(path, rel, folder, None, note="a template for people to fill in: not loaded", keep=True)
    if any(ch in rel for ch in "*?[]{}"):
        return LandingFile(
            path, rel, folder, None, note="rename it: DuckDB reads * ? [ ] { } as a pattern", warn=True, problem=True
        )
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        return LandingFile(
            path, rel, folder, None, warn=True, problem=True,
            note=f"cannot be read ({exc.strerror or exc}): give the ETL's user read access",
        )
    if folder == FUTURELEARN_FOLDER:
        return _futurelearn(path, rel, folder, anywhere=False)  # type: ignore[return-value]
    contract = folder_contracts().get(folder)
    if contract is None:
        # A partner download unpacked somewhere else in the landing folder: FutureLearn's names say what it is.
        found = _futurelearn(path, rel, folder, anywhere=True)
        if found is not None:
            return found
        where = "not in a source folder" if not folder else f"unknown source folder '{folder}'"
        return LandingFile(path, rel, folder, None, note=where, warn=True)
    if contract.name == open_badges.SOURCE:
        stem = open_badges.strip_json_ext(name)
        if stem is None:
            return LandingFile(path, rel, folder, None, note="not a .json or .jsonl (.gz) file", warn=True)
    else:
        stem = strip_csv_ext(name)
    if stem is None or not fnmatch.fnmatch(name.lower(), contract.pattern):
        return LandingFile(path, rel, folder, None, note="not a .csv or .csv.gz file", warn=True)
    base, stamp = strip_date_stamp(stem)
    sub = "/".join(parts[1:-1])
    return LandingFile(path, rel, folder, contract, f"{folder}/{sub + '/' if sub else ''}{base}", stamp)


def discover(landing: Path) -> list[LandingFile]:
    """Every file in the landing folder (hidden files and folders aside), classified, in path order.
    Links are listed, never followed; a folder that cannot be listed is listed itself, as a problem."""
    found: list[LandingFile] = []

    def unreadable(error: OSError) -> None:
        path = Path(error.filename) if error.filename else landing
        if path == landing:
            raise error
        rel = path.relative_to(landing).as_posix()
        found.append(
            LandingFile(
                path, rel, rel.split("/")[0], None, warn=True, problem=True,
                note=f"folder cannot be read ({error.strerror or error}): give the ETL's user read access",
            )
        )

    for root, dirs, files in os.walk(landing, onerror=unreadable, followlinks=False):
        base = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for d in list(dirs):
            if (base / d).is_symlink():  # os.walk lists a link to a folder among the folders
                dirs.remove(d)
                found.append(classify(landing, base / d))
        for name in sorted(files):
            if not name.startswith("."):
                found.append(classify(landing, base / name))
    return sorted(found, key=lambda lf: lf.rel)


__all__ = ["FUTURELEARN_FOLDER", "TEMPLATES_FOLDER", "LandingFile", "classify", "discover", "folder_contracts"]
