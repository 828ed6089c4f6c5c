"""Validation of landing files, in two layers.

File level (before and around loading): empty file, spreadsheet or gzip named wrongly, not UTF-8, wrong delimiter,
wrong header, truncated last line, unterminated quote, corrupt gzip. Any of these raises `SourceFileError`, which
names the file, the line and what was expected; the run fails and nothing is published.

Row level (one SQL pass per file, generated from the contract): unparseable values, missing required values,
values outside the allowed set or range, unknown references, failed row rules, duplicate natural keys. Such rows go
to `quarantine` and the rest of the file loads. The SQL is built from the contract's identifiers and constants only;
values from files are never pasted into SQL text (the learner-id key, the FutureLearn run label and its reason are
bound parameters).

The happy path stays fast: Python reads each file once (sha256, plus gzip integrity for .csv.gz because DuckDB does
not verify the gzip checksum) and looks at the first line; DuckDB does the parsing. Only when DuckDB rejects a file
does `diagnose` re-read it in Python to say exactly where and what is wrong.

Line numbers are those a spreadsheet shows: the header is line 1, the first data row line 2, and a record with an
embedded line break counts as one line.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from core.contracts import Column, Contract
from core.errors import SourceFileError
from etl.horizon import DateHorizon, horizon_params, lower_check_sql, upper_check_sql
from etl.keys import key_sql
from etl.pseudonym import KEY_PARAM, learner_key_sql

CHUNK = 1 << 20


# --- file level --------------------------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = codecs.BOM_UTF8
OTHER_DELIMITERS = {";": "';'", "\t": "tab", "|": "'|'"}
SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8 (Comma delimited) (*.csv)'"


def is_gzip_name(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    bytes: int
    blank_line: int | None = (
        None  # first empty line followed by more data (DuckDB skips it: line numbers shift)
    )
    records: int | None = None  # records as DuckDB reads them (header included, empty lines not); None = not counted
    unterminated_line: int | None = None  # the line of a last record with no line break after it (a cut file?)


class _BlankLineFinder:
    """Finds the first empty line that is followed by more content, in a stream of byte chunks."""

    def __init__(self) -> None:
        self.lines_before = 0  # newlines seen in chunks already scanned
        self.prev = b""
        self.candidate: int | None = None
        self.found: int | None = None

    def feed(self, chunk: bytes) -> None:
        if self.found is not None or not chunk:
            return
        if self.candidate is not None:
            if chunk.strip(b"\r\n"):
                self.found = self.candidate
            return
        data = self.prev + chunk
        hits = [p for p in (data.find(b"\n\n"), data.find(b"\n\r\n")) if p >= 0]
        if hits:
            pos = min(hits)
            self.candidate = self.lines_before - self.prev.count(b"\n") + data.count(b"\n", 0, pos + 1) + 1
            if data[pos + 1 :].strip(b"\r\n"):
                self.found = self.candidate
            return
        self.lines_before += chunk.count(b"\n")
        self.prev = chunk[-2:]


# A quoted value that starts a field and closes on the same line (the common case, removed by one C-level pass).
_QUOTED_ON_ONE_LINE = re.compile(rb'(?<![^,\r\n]) *"(?:[^"\r\n]|"")*"(?=[,\r\n])')
# A quote that opens a quoted value: at the start of a field, after spaces. A quote inside an unquoted value
# (`15" screen`) is a literal character to DuckDB, and to this count.
_OPENING_QUOTE = re.compile(rb'(?<![^,\r\n]) *"')
_BREAK_RUNS = re.compile(rb"\n\n+")


class _RecordCounter:
    """Counts CSV records in a stream of byte chunks, independently of DuckDB, so that a file can never load a row
    short without an error (DuckDB drops a last line with a value longer than its buffer, silently).

    A record ends at a line break (\\n, \\r\\n or a lone \\r, as DuckDB reads them) outside quoted values; an empty
    line is not a record (DuckDB skips it). Quoted values are replaced by '_': first every one that closes on its
    own line, by one regex pass; then, only where a quote is left (a value with a line break in it, or one cut by
    the chunk boundary), value by value. A chunk without a quote costs a few bytes.count()s.
    """

    def __init__(self) -> None:
        self.in_quote = False
        self.quote_pending = False  # in a quoted value, the chunk ended with '"': a close, or half of '""'
        self.field_start = True  # the next byte starts a field (after ',', a line break, or spaces after them)
        self.breaks = 0  # line breaks outside quotes: one per line, empty lines included
        self.empty = 0  # empty lines
        self.last = b"\n"  # the last byte outside quotes (\\r as \\n; a quoted stretch as '_')
        self.cr_pending = False  # the previous chunk ended with \\r: a \\n starting this one is the same break

    def _drop_quoted(self, chunk: bytes) -> bytes:
        """The chunk outside quoted values, each quoted stretch as '_' (its line breaks gone)."""
        if self.quote_pending:
            self.quote_pending = False
            if chunk.startswith(b'"'):  # '""': an escaped quote, the value goes on
                chunk = chunk[1:]
            else:
                self.in_quote = False
                self.field_start = False
        # A sentinel byte says whether the chunk's first byte starts a field (for the look-behinds).
        data = (b"\n" if self.field_start else b"_") + chunk
        if not self.in_quote:
            data = _QUOTED_ON_ONE_LINE.sub(b"_", data)
            if b'"' not in data:
                return data[1:]
        out: list[bytes] = []
        pos, n = 1, len(data)
        while pos < n:
            if self.in_quote:
                q = data.find(b'"', pos)
                while q != -1 and q + 1 < n and data[q + 1] == 0x22:  # '""' inside the value
                    q = data.find(b'"', q + 2)
                out.append(b"_")
                if q == -1:  # the value goes on in the next chunk
                    break
                if q == n - 1:
                    self.quote_pending = True
                    break
                self.in_quote = False
                pos = q + 1
            else:
                m = _OPENING_QUOTE.search(data, pos)
                if m is None:
                    out.append(data[pos:])
                    break
                out.append(data[pos : m.start()])
                self.in_quote = True
                pos = m.end()
        return b"".join(out)

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self.in_quote or b'"' in chunk:
            chunk = self._drop_quoted(chunk)
        if self.cr_pending and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        self.cr_pending = False
        if b"\r" in chunk:
            self.cr_pending = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if not chunk:
            return
        self.breaks += chunk.count(b"\n")
        if b"\n\n" in chunk:
            self.empty += sum(len(run) - 1 for run in _BREAK_RUNS.findall(chunk))
        if self.last == b"\n" and chunk.startswith(b"\n"):
            self.empty += 1
        self.last = chunk[-1:]
        if not self.in_quote:
            tail = chunk.rstrip(b" ") if self.last == b" " else chunk
            if tail:
                self.field_start = tail[-1:] in (b",", b"\n")

    @property
    def records(self) -> int:
        return self.breaks - self.empty + (0 if self.last == b"\n" else 1)

    @property
    def unterminated_line(self) -> int | None:
        """The line number of a last record that has no line break after it (None when the file ends with one)."""
        return None if self.last == b"\n" else self.breaks + 1


def hash_file(path: Path, rel: str) -> FileFacts:
    """sha256 of the file's bytes, streamed; for .gz also checks that the gzip stream is complete and intact
    (DuckDB reads a corrupt gzip silently, up to the damage). Counts the records on the way (for .gz in the
    decompressed stream), which the reader's row count is checked against."""
    digest = hashlib.sha256()
    size = 0
    blanks = _BlankLineFinder()
    counter: _RecordCounter | None = _RecordCounter()
    inflater = zlib.decompressobj(wbits=31) if is_gzip_name(path) else None
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            if size == 0 and inflater is not None and not chunk.startswith(GZIP_MAGIC):
                inflater = None  # not gzip at all: check_file_start says so
            size += len(chunk)
            if inflater is None:
                if not is_gzip_name(path):
                    blanks.feed(chunk)
                    counter.feed(chunk)  # type: ignore[union-attr]
                else:
                    counter = None
                continue
            try:
                data = chunk
                while data:
                    text = inflater.decompress(data)
                    blanks.feed(text)
                    counter.feed(text)  # type: ignore[union-attr]
                    data = b""
                    if inflater.eof and inflater.unused_data:  # a multi-member gzip: next member
                        data = inflater.unused_data
                        inflater = zlib.decompressobj(wbits=31)
            except zlib.error as exc:
                raise SourceFileError(
                    rel, None, None, f"the gzip file is corrupt ({exc}); copy it again"
                ) from exc
    if inflater is not None and size and not inflater.eof:
        raise SourceFileError(rel, None, None, "the gzip file is cut short (incomplete download or copy?)")
    if counter is None or size == 0:
        return FileFacts(digest.hexdigest(), size, blanks.found)
    return FileFacts(digest.hexdigest(), size, blanks.found, counter.records, counter.unterminated_line)


def open_text_bytes(path: Path) -> io.BufferedIOBase:
    import gzip

    return gzip.open(path, "rb") if is_gzip_name(path) else path.open("rb")  # type: ignore[return-value]


def _quote_preview(text: str, limit: int = 200) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= limit else text[:limit] + "..."


def check_file_start(path: Path, rel: str, contract: Contract) -> None:
    """Cheap checks on the first bytes and the header line."""
    size = path.stat().st_size
    expected = ",".join(contract.header)
    if size == 0:
        raise SourceFileError(
            rel, None, None, f"the file is empty (0 bytes); expected at least the header '{expected}'"
        )
    with path.open("rb") as fh:
        magic = fh.read(8)
    if is_gzip_name(path) and not magic.startswith(GZIP_MAGIC):
        raise SourceFileError(rel, None, None, "the file is named .gz but is not gzip-compressed")
    if not is_gzip_name(path) and magic.startswith(GZIP_MAGIC):
        raise SourceFileError(rel, None, None, "the file is gzip-compressed; name it .csv.gz")
    try:
        with open_text_bytes(path) as fh:
            head = fh.read(CHUNK)
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceFileError(rel, None, None, f"the gzip file cannot be read ({exc})") from exc
    if head.startswith(ZIP_MAGIC):
        raise SourceFileError(
            rel, 1, None, f"this is an Excel workbook (.xlsx, a ZIP file) named .csv; {SAVE_AS}"
        )
    if head.startswith(OLE2_MAGIC):
        raise SourceFileError(rel, 1, None, f"this is an Excel 97-2003 workbook (.xls) named .csv; {SAVE_AS}")
    if head.startswith(b"\x00" * 64) and not head.strip(b"\x00"):
        raise SourceFileError(
            rel, 1, None, "the file holds only zero bytes (a copy cut short by a crash?); copy it again"
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:200]:
        raise SourceFileError(rel, 1, None, f"the file is UTF-16 encoded, not UTF-8; {SAVE_AS}")
    if not head:
        raise SourceFileError(
            rel, None, None, f"the file is empty; expected at least the header '{expected}'"
        )
    first, *rest = re.split(rb"\r\n|\r|\n", head, maxsplit=1)
    if not rest and len(head) == CHUNK:
        raise SourceFileError(rel, 1, None, "no line break in the first 1 MB: this is not a CSV file")
    if first.startswith(UTF8_BOM):
        first = first[len(UTF8_BOM) :]
    try:
        header_text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceFileError(
            rel, 1, None, f"the header is not UTF-8 (byte 0x{first[exc.start]:02X}); {SAVE_AS}"
        ) from exc
    problem = header_problem(header_text, contract)
    if problem:
        column, message = problem
        raise SourceFileError(rel, 1, column, message)


def header_problem(header_text: str, contract: Contract) -> tuple[str | None, str] | None:
    """None when the header line matches the contract (names compared trimmed and case-insensitively, in order),
    else (first offending column, message)."""
    expected = list(contract.header)
    line = header_text.rstrip("\r\n")
    found = [f.strip() for f in next(csv.reader([line]), [])]
    if [f.lower() for f in found] == expected:
        return None
    shown = (
        f"expected header '{','.join(expected)}' ({len(expected)} columns); found '{_quote_preview(line)}'"
    )
    if len(found) <= 1:
        for delim, name in OTHER_DELIMITERS.items():
            if delim in line:
                return None, f"{shown} — the file looks {name}-delimited; {SAVE_AS}"
    lowered = [f.lower() for f in found]
    missing = [c for c in expected if c not in lowered]
    extra = [f for f in found if f.lower() not in expected]
    if not missing and not extra:
        if len(found) != len(set(lowered)):
            dupes = sorted({f for f in lowered if lowered.count(f) > 1})
            return dupes[0], f"{shown} — repeated column: {', '.join(dupes)}"
        first_moved = next(e for e, f in zip(expected, lowered, strict=False) if e != f)
        return (
            first_moved,
            f"{shown} — the same columns in a different order (first out of place: '{first_moved}')",
        )
    details = []
    renamed = [(f, e) for f, e in zip(found, expected, strict=False) if f.lower() != e]
    if len(found) == len(expected) and all(f.lower() not in expected and e in missing for f, e in renamed):
        details.append("renamed: " + ", ".join(f"'{f}' should be '{e}'" for f, e in renamed))
        first = renamed[0][1]
    else:
        if missing:
            details.append("missing: " + ", ".join(missing))
        if extra:
            details.append("unexpected: " + ", ".join(f"'{e}'" for e in extra))
        repeated = sorted({f for f in lowered if f in expected and lowered.count(f) > 1})
        if repeated:
            details.append("repeated: " + ", ".join(repeated))
        first = missing[0] if missing else extra[0]
    return first, f"{shown} — {'; '.join(details)}"


def _record_count(text: str) -> int:
    """Records in `text` as Python's csv module splits them (a partial last record counts)."""
    return sum(1 for _ in csv.reader(io.StringIO(text, newline="")))


def diagnose(path: Path, rel: str, contract: Contract, error: str) -> SourceFileError:
    """Re-read a file DuckDB refused and say where and why, as precisely as possible."""
    with open_text_bytes(path) as fh:
        data = fh.read()
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8")
        records = _record_count(prefix)
        line = records + 1 if (not prefix or prefix.endswith("\n")) else records
        partial = prefix[prefix.rfind("\n") + 1 :]
        field = next(csv.reader([partial]), [""])
        column_index = max(len(field) - 1, 0)
        column = contract.header[column_index] if column_index < len(contract.header) else None
        bad = data[exc.start : exc.start + 12]
        context = (
            (partial.split(",")[-1] + bad.decode("cp1252", errors="replace")).split(",")[0].split("\n")[0]
        )
        where = f"column '{column}': " if column else ""
        return SourceFileError(
            rel,
            line,
            column,
            f"{where}not UTF-8 (byte 0x{data[exc.start]:02X} in '{context}'); the file looks Latin-1/Windows-1252"
            f" encoded; {SAVE_AS}",
        )
    expected = len(contract.header)
    csv.field_size_limit(2**31 - 1)  # an unterminated quote swallows the rest of the file into one field
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = 0
    last_fields = 0
    try:
        for fields in reader:
            records += 1
            if not fields:
                continue  # an empty line: DuckDB skips it as well
            if records == 1:
                continue
            if len(fields) != expected:
                last_fields = len(fields)
                break
        else:
            records = 0
    except csv.Error as exc:
        line = records + 1
        if "unexpected end of data" in str(exc) or "EOF" in str(exc):
            return SourceFileError(
                rel, line, None, "a quoted value starting on this line is never closed (unterminated '\"')"
            )
        return SourceFileError(
            rel, line, None, f'badly quoted value ({exc}); quote a value containing \'"\' as ""'
        )
    if records:
        is_last = next(reader, None) is None
        if last_fields < expected:
            hint = " — the line is cut short (truncated file?)" if is_last else ""
        else:
            hint = " — a value containing ',' must be quoted"
        return SourceFileError(rel, records, None, f"expected {expected} fields, found {last_fields}{hint}")
    first = error.strip().splitlines()[0] if error.strip() else "unknown error"
    match = re.search(r"CSV Error on Line: (\d+)", error)
    too_long = re.search(r"Maximum line size of (\d+) bytes exceeded", error)
    if too_long:
        first = f"the line is longer than {int(too_long.group(1)):,} bytes (a value this long is not real data)"
    elif "does not support a full read" in error or not match:
        # A value longer than DuckDB's buffer: its error names no line; find it.
        long = _first_long_record(path)
        if long:
            return SourceFileError(rel, long[0], None, _too_long_message(long[1]))
    return SourceFileError(
        rel, int(match.group(1)) if match else None, None, f"cannot be read as CSV: {first}"
    )


# DuckDB's default max_line_size: a longer line is refused ("Maximum line size ... exceeded"), or, beyond its
# 32 MB buffer, dropped without an error when it is the last line.
MAX_LINE_BYTES = 2_000_000


def _first_long_record(path: Path) -> tuple[int, int] | None:
    """(line, bytes) of the first record longer than MAX_LINE_BYTES, or None. Reads the whole file: only called
    when a file has already failed."""
    csv.field_size_limit(2**31 - 1)
    with open_text_bytes(path) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline="")
        for line, fields in enumerate(csv.reader(text), start=1):
            size = sum(map(len, fields)) + len(fields) - 1
            if size * 4 > MAX_LINE_BYTES:  # characters: look at the bytes only when they could be too many
                size = len(",".join(fields).encode("utf-8"))
                if size > MAX_LINE_BYTES:
                    return line, size
    return None


def _too_long_message(size: int) -> str:
    return (
        f"the line is {size:,} bytes long, more than the {MAX_LINE_BYTES:,} bytes a line may have"
        " (a value this long is not real data: a broken export?)"
    )


def rows_missing_error(path: Path, rel: str, contract: Contract, read: int, expected: int) -> SourceFileError:
    """The reader returned fewer (or more) rows than the file holds: say which line it could not read."""
    long = _first_long_record(path)
    if long:
        return SourceFileError(rel, long[0], None, _too_long_message(long[1]))
    return SourceFileError(
        rel,
        None,
        None,
        f"the file holds {expected:,} data rows but the CSV reader returned {read:,}; nothing of it was loaded",
    )


def truncated_error(rel: str, contract: Contract, line: int) -> SourceFileError:
    """The last line has no line break after it: a copy or download cut inside the last value."""
    column = contract.header[-1]
    return SourceFileError(
        rel,
        line,
        column,
        f"the last line has no line break at its end: the file looks cut short (an incomplete download or copy?),"
        f" and its last value (column '{column}') may be cut; copy the file again, or, if line {line} is complete,"
        " end it with a line break",
    )


# --- row level: SQL generated from the contract -------------------------------------------------------------

SQL_TYPES = {
    "varchar": "varchar",
    "int": "bigint",
    "decimal": "decimal(12,2)",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp_fl": "timestamp",
}

PARSE_REASONS = {
    "int": "expected a whole number",
    "decimal": "expected a number like 650.00 (no 'RM', no thousands separators)",
    "date": "expected a date like 2024-03-01 (YYYY-MM-DD)",
    "timestamp": "expected a date and time like 2024-03-01 14:30:00",
    "timestamp_fl": "expected a FutureLearn time like 2024-03-01 14:30:00 UTC",
}

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def ident(name: str) -> str:
    """A quoted identifier; only contract names come here."""
    if not _IDENT.match(name):
        raise ValueError(f"not a valid identifier: {name!r}")
    return f'"{name}"'


def lit(value: str) -> str:
    """A SQL string literal for a contract constant (never a value read from a file)."""
    return "'" + value.replace("'", "''") + "'"


def typed_name(column: Column) -> str:
    return "learner_key" if column.pseudonymise else column.name


def raw_columns(contract: Contract) -> list[tuple[str, str]]:
    """(name, SQL type) of the contract's columns as stored in raw_<source>."""
    return [(typed_name(c), "varchar" if c.pseudonymise else SQL_TYPES[c.type]) for c in contract.columns]


def clean_sql(expr: str) -> str:
    """Trimmed, empty as null. (DuckDB's read_csv already gives null for empty fields; trim() is only called
    when there is a space to remove, which is ten times cheaper than trimming every value.)"""
    return f"case when starts_with({expr}, ' ') or ends_with({expr}, ' ') then nullif(trim({expr}), '') else {expr} end"


def parse_sql(column: Column, s: str) -> str:
    """SQL turning the trimmed string `s` into the column's type (null when it does not parse).
    The length checks keep strptime strict: it would accept '2024-3-1' for %Y-%m-%d."""
    if column.type == "int":
        return f"case when regexp_full_match({s}, '[+-]?[0-9]{{1,18}}') then try_cast({s} as bigint) end"
    if column.type == "decimal":
        return f"case when regexp_full_match({s}, '-?[0-9]+([.][0-9]{{1,2}})?') then try_cast({s} as decimal(12,2)) end"
    if column.type == "date":
        return f"case when length({s}) = 10 then try_strptime({s}, '%Y-%m-%d')::date end"
    if column.type == "timestamp":
        return f"case when length({s}) = 19 then try_strptime({s}, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S']) end"
    if column.type == "timestamp_fl":
        return f"case when length({s}) = 23 then try_strptime({s}, '%Y-%m-%d %H:%M:%S UTC') end"
    return s


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


DATE_TYPES = ("date", "timestamp", "timestamp_fl")


def column_error_sql(contract: Contract, column: Column, bounds: set[str] | None = None) -> str:
    """SQL giving the reason a row's value in `column` is rejected, or null. bounds: collects the date-horizon
    bounds used (their parameters are etl.horizon.horizon_params); None = no horizon check."""
    s = ident(column.name + "__s")
    t = ident(typed_name(column))
    whens = []
    if column.required:
        whens.append(f"when {s} is null then {lit('required value is missing')}")
    checks = []
    if column.type != "varchar" and not column.pseudonymise:
        checks.append(f"when {t} is null then {lit(PARSE_REASONS[column.type])}")
    if column.allowed:
        values = ", ".join(lit(v) for v in column.allowed)
        checks.append(
            f"when {t} not in ({values}) then {lit('not one of the allowed values: ' + ', '.join(column.allowed))}"
        )
    if column.min is not None:
        checks.append(
            f"when {t} < {_number(column.min)} then {lit('less than the minimum ' + _number(column.min))}"
        )
    if column.max is not None:
        checks.append(
            f"when {t} > {_number(column.max)} then {lit('more than the maximum ' + _number(column.max))}"
        )
    if bounds is not None and column.type in DATE_TYPES:
        checks.append(lower_check_sql(column.date_from, t))
        checks.append(upper_check_sql(column.date_to, t))
        bounds.update((column.date_from, column.date_to))
    if column.references:
        ref_source, ref_column = column.references.split(".")
        ref_table = ident("raw_" + ref_source)
        checks.append(
            f"when not ({t} in (select {ident(ref_column)} from {ref_table} where {ident(ref_column)} is not null))"  # noqa: S608
            f" then {lit(f'unknown {column.name}: not in {ref_source}.{ref_column}')}"
        )
    if not whens and not checks:
        return "null"
    if checks:
        whens.append(f"when {s} is not null then (case {' '.join(checks)} end)")
    return f"case {' '.join(whens)} end"


@dataclass(frozen=True)
class CheckedSql:
    sql: str
    params: dict[str, object]


def _is_text_key(column: Column) -> bool:
    return column.pseudonymise or column.type == "varchar"


def normalised_columns(contract: Contract) -> list[Column]:
    """The columns compared in their normalised form (etl/keys.py): text natural-key columns and learner ids
    (hashed from the normalised id, so that one learner gets one key whatever the padding)."""
    return [c for c in contract.columns if c.pseudonymise or (c.name in contract.natural_key and _is_text_key(c))]


def _norm_name(contract: Contract, column: Column) -> str:
    """The checked rows' column holding `column`'s normalised form."""
    if column.name in contract.natural_key:
        return f"_key{contract.natural_key.index(column.name)}"
    return column.name + "__k"


def _key_exprs(contract: Contract, cleaned: str, ascii_columns: frozenset[str]) -> list[tuple[str, str]]:
    """(expression over a row with cleaned columns `<name>__s` (alias `cleaned`), matching column of the
    checked rows) per natural-key column: text keys and learner ids in their normalised form, typed keys typed."""
    out = []
    for i, name in enumerate(contract.natural_key):
        c = contract.column(name)
        s = f"{cleaned}.{ident(name + '__s')}"
        if _is_text_key(c):
            out.append((key_sql(c, s, ascii_only=name in ascii_columns), ident(f"_key{i}")))
        else:
            out.append((parse_sql(c, s), ident(name)))
    return out


def _stored_key_sql(contract: Contract, i: int, alias: str, ascii_stored: frozenset[str]) -> str:
    """The comparable form of natural-key column i of a row already in raw_<source> (`alias`): learner keys
    were hashed from the normalised id, text keys are normalised here, typed keys compare as stored."""
    c = contract.column(contract.natural_key[i])
    col = f"{alias}.{ident(typed_name(c))}"
    if c.type == "varchar" and not c.pseudonymise:
        return key_sql(c, col, ascii_only=c.name in ascii_stored)
    return col


def _checked_key_sql(contract: Contract, i: int, alias: str) -> str:
    """The same for a row being checked (a CTE row of checked_sql)."""
    c = contract.column(contract.natural_key[i])
    if c.pseudonymise:
        return f"{alias}.{ident('learner_key')}"
    return f"{alias}.{ident(f'_key{i}') if _is_text_key(c) else ident(c.name)}"


def line_sql(stage_alias: str, files_alias: str) -> str:
    """The record's line: a CTAS from read_csv keeps file order, and a multi-file scan keeps each file's rows
    together and in order (DuckDB preserves insertion order), so line = rowid - the file's first rowid + 2."""
    return f"{stage_alias}.rowid - {files_alias}._r0 + 2"


def duplicates_sql(
    contract: Contract,
    stage: str = "_stage",
    files: str = "_files",
    *,
    ascii_columns: frozenset[str] = frozenset(),
) -> str | None:
    """Keys that occur more than once in a staged file: (_file_id, keys..., _first_line).
    An aggregate, not a window over every row, so the common case (no duplicates) costs one hash pass:
    first 64-bit hashes of the keys are grouped, then the real keys of the few rows whose hash repeats
    (so a hash collision never makes a false duplicate). Text keys compare normalised (etl/keys.py);
    ascii_columns: columns known to hold only ASCII in the stage (see etl.keys.key_sql)."""
    if not contract.natural_key:
        return None
    keys = _key_exprs(contract, "c", ascii_columns)
    cleaned = ", ".join(
        f"{clean_sql('st.' + ident(name))} as {ident(name + '__s')}" for name in contract.natural_key
    )
    cols = ", ".join(f"{expr} as _k{i}" for i, (expr, _) in enumerate(keys))
    names = ", ".join(["_file_id"] + [f"_k{i}" for i in range(len(keys))])
    return (
        f"with c as (select f.file_id as _file_id, {line_sql('st', 'f')} as _line, {cleaned}"  # noqa: S608
        f" from {stage} st join {files} f on f.filename = st.filename),"
        f" k as (select _file_id, _line, {cols} from c),"
        f" h as (select hash({names}) as _h from k group by _h having count(*) > 1)"
        f" select {names}, min(_line) as _first_line from k where hash({names}) in (select _h from h)"
        f" group by {names} having count(*) > 1"
    )


def checked_sql(
    contract: Contract,
    *,
    stage: str = "_stage",
    files: str = "_files",
    duplicates: str | None = None,
    check_loaded: bool = False,
    other_streams: list[str] | None = None,
    pseudonym_key: str,
    ascii_columns: frozenset[str] = frozenset(),
    ascii_stored: frozenset[str] = frozenset(),
    horizon: DateHorizon | None = None,
) -> CheckedSql:
    """One SELECT over the staging table (one or more files read by one read_csv, with `filename`) joined to the
    files table (filename, file_id, label, label_reason, _r0), giving per record: `_file_id`, `_line`, `_label`,
    the typed columns as stored in raw_<source>, and `_err_column`, `_err_value`, `_err_reason` (null when the
    row is accepted).

    duplicates: a table made with `duplicates_sql`; check_loaded: look for keys already in raw_<source>
    (append sources, loaded one file at a time so that a later file sees the earlier one's rows).
    other_streams: snapshot sources: the streams of this batch. A key already loaded from another stream (a file
    that this batch does not replace), or in an earlier file of this batch, is "already loaded" too: two streams
    of one source (courses.csv and lms_courses.csv) must not both deliver a course.

    Order of reasons (the first one is kept): FutureLearn run label; per column in contract order (missing,
    unparseable, not allowed, out of range, unknown reference); row rules; a duplicate key within the file (every
    later copy of a key, valid or not); for append sources a key already loaded from an earlier file; for payments
    last of all a refund bigger than the fees paid.

    horizon: dates outside it are rejected (etl/horizon.py); None = no horizon check.

    Keys compare normalised (etl/keys.py). ascii_columns / ascii_stored: columns known to hold only ASCII in the
    stage / in raw_<source>, whose normalisation then needs no Python call.
    """
    params: dict[str, object] = {}
    cols = contract.columns
    cleaned = ", ".join(f"{clean_sql('st.' + ident(c.name))} as {ident(c.name + '__s')}" for c in cols)
    keyed = ", ".join(
        f"{key_sql(c, ident(c.name + '__s'), ascii_only=c.name in ascii_columns)} as {ident(_norm_name(contract, c))}"
        for c in normalised_columns(contract)
    )
    typed = []
    for c in cols:
        s = ident(c.name + "__s")
        if c.pseudonymise:
            typed.append(f"{learner_key_sql(ident(_norm_name(contract, c)))} as {ident('learner_key')}")
            params[KEY_PARAM] = pseudonym_key
        else:
            typed.append(f"{parse_sql(c, s)} as {ident(c.name)}")
    bounds: set[str] | None = set() if horizon is not None else None
    col_errors = [f"{column_error_sql(contract, c, bounds)} as {ident(c.name + '__e')}" for c in cols]
    if horizon is not None and bounds:
        params.update(horizon_params(horizon, bounds))
    rule_errors = [
        f"case when not coalesce(({rule.sql}), true) then {lit(rule.message)} end as {ident(f'_rule{i}__e')}"
        for i, rule in enumerate(contract.rules)
    ]
    candidates: list[tuple[str, str, str]] = [("_label_reason", lit("platform_run_label"), "_label")]
    for c in cols:
        value = "null" if c.pseudonymise else ident(c.name + "__s")
        candidates.append((ident(c.name + "__e"), lit(c.name), value))
    for i, rule in enumerate(contract.rules):
        value = "null" if contract.column(rule.column).pseudonymise else ident(rule.column + "__s")
        candidates.append((ident(f"_rule{i}__e"), lit(rule.column), value))

    ctes = [
        f"s as (select f.file_id as _file_id, {line_sql('st', 'f')} as _line, f.label as _label,"  # noqa: S608
        f" f.label_reason as _label_reason, {cleaned} from {stage} st join {files} f on f.filename = st.filename)",
        f"sk as (select *{', ' + keyed if keyed else ''} from s)",  # noqa: S608
        f"t as (select *, {', '.join(typed)} from sk)",  # noqa: S608
        f"e as (select *, {', '.join(col_errors + rule_errors)} from t)",  # noqa: S608
    ]
    last = "e"
    key_cols = [typed_name(contract.column(k)) for k in contract.natural_key]
    key_label = ", ".join(contract.natural_key)
    key_value = " || ', ' || ".join(f"coalesce({ident(k)}::varchar, '')" for k in key_cols)
    if duplicates and key_cols:
        on = " and ".join(
            ["dup._file_id = e._file_id"]
            + [
                f"dup._k{i} is not distinct from e.{col}"
                for i, (_, col) in enumerate(_key_exprs(contract, "e", ascii_columns))
            ]
        )
        ctes.append(f"d as (select e.*, dup._first_line from e left join {duplicates} dup on {on})")  # noqa: S608
        last = "d"
        candidates.append(
            (
                "case when _line > _first_line then 'duplicate key, first at line ' || _first_line end",
                lit(key_label),
                key_value,
            )
        )
    if check_loaded and key_cols:
        on = " and ".join(
            f"{_stored_key_sql(contract, i, 'prev', ascii_stored)} is not distinct from"
            f" {_checked_key_sql(contract, i, last)}"
            for i in range(len(key_cols))
        )
        ctes.append(
            f"a as (select {last}.*, ef.path as _prev_path, prev._line as _prev_line from {last}"  # noqa: S608
            f" left join {ident(contract.raw_table)} prev on {on}"
            f" left join etl_files ef on ef.file_id = prev._file_id)"
        )
        last = "a"
        candidates.append(
            (
                "case when _prev_line is not null then"
                " 'already loaded from ' || coalesce(_prev_path, '?') || ' line ' || _prev_line end",
                lit(key_label),
                key_value,
            )
        )
    if other_streams is not None and key_cols:
        n = len(key_cols)
        raw_keys = ", ".join(f"{_stored_key_sql(contract, i, 'p', ascii_stored)} as _pk{i}" for i in range(n))
        partition = ", ".join(f"_pk{i}" for i in range(n))
        on = " and ".join(
            f"prev._pk{i} is not distinct from {_checked_key_sql(contract, i, last)}" for i in range(n)
        )
        # The first row of each key in the files of other streams (the raw table holds at most one per key).
        ctes.append(
            f"o as (select {last}.*, prev._path as _other_path, prev._line as _other_line from {last}"  # noqa: S608
            f" left join (select {raw_keys}, ef.path as _path, p._line from {ident(contract.raw_table)} p"
            f" join etl_files ef on ef.file_id = p._file_id"
            f" where ef.stream is null or ef.stream not in (select unnest($batch_streams::varchar[]))"
            f" qualify row_number() over (partition by {partition} order by p._file_id, p._line) = 1) prev on {on})"
        )
        # ... and the first row of each key in this batch's files: a later file's copy is the duplicate.
        keys = ", ".join(_checked_key_sql(contract, i, "o") for i in range(n))
        over = f"over (partition by {keys} order by _file_id, _line)"
        ctes.append(
            f"b as (select o.*, first_value(o._file_id) {over} as _first_file,"  # noqa: S608
            f" first_value(o._line) {over} as _first_file_line from o)"
        )
        ctes.append(
            f"bf as (select b.*, ff.rel as _first_file_rel from b left join {files} ff"  # noqa: S608
            " on ff.file_id = b._first_file and b._first_file <> b._file_id)"
        )
        last = "bf"
        params["batch_streams"] = other_streams
        candidates.append(
            (
                "case when _other_line is not null then"
                " 'already loaded from ' || _other_path || ' line ' || _other_line"
                " when _first_file_rel is not null then"
                " 'already loaded from ' || _first_file_rel || ' line ' || _first_file_line end",
                lit(key_label),
                key_value,
            )
        )
    reason = "coalesce(" + ", ".join(r for r, _, _ in candidates) + ")"
    column = "case " + " ".join(f"when {r} is not null then {c}" for r, c, _ in candidates) + " end"
    value = "case " + " ".join(f"when {r} is not null then {v}" for r, _, v in candidates) + " end"
    ctes.append(
        f"v as (select *, {reason} as _err_reason0, {column} as _err_column0, {value} as _err_value0 from {last})"  # noqa: S608
    )
    last = "v"
    final_reason, final_column, final_value = "_err_reason0", "_err_column0", "_err_value0"
    if contract.name == "payments":
        ctes.extend(_refund_ctes(contract))
        last = "r"
        final_reason = "coalesce(_err_reason0, _refund_err)"
        final_column = "case when _err_reason0 is null and _refund_err is not null then 'amount_rm' else _err_column0 end"
        final_value = "case when _err_reason0 is null and _refund_err is not null then amount_rm::varchar else _err_value0 end"
    out_cols = ", ".join(f"{last}.{ident(name)}" for name, _ in raw_columns(contract))
    sql = (
        "with "
        + ",\n".join(ctes)
        + f"\nselect {last}._file_id, {last}._line, {last}._label, {out_cols}, {final_column} as _err_column,"
        f" {final_value} as _err_value, {final_reason} as _err_reason from {last}"
    )
    return CheckedSql(sql, params)


def _refund_ctes(contract: Contract) -> list[str]:
    """Payments: a refund must not take the refunds of a learner for a run above what that learner paid for it
    (fees and certificates already loaded plus the accepted ones in this file); refunds count in line order."""
    raw = ident(contract.raw_table)
    running = (
        "sum(case when _err_reason0 is null and payment_kind = 'refund' then amount_rm else 0 end)"
        " over (partition by v.learner_key, v.run_id order by _file_id, _line)"
    )
    return [
        "paid as (select learner_key, run_id,"  # noqa: S608
        " sum(case when payment_kind <> 'refund' then amount_rm else 0 end) as _paid,"
        " sum(case when payment_kind = 'refund' then amount_rm else 0 end) as _refunded"
        f" from (select learner_key, run_id, payment_kind, amount_rm from {raw}"
        " union all select learner_key, run_id, payment_kind, amount_rm from v"
        " where _err_reason0 is null and payment_kind <> 'refund')"
        " group by learner_key, run_id)",
        f"w as (select v.*, coalesce(paid._refunded, 0) + {running} as _refunds_total, coalesce(paid._paid, 0) as _paid"  # noqa: S608
        " from v left join paid on paid.learner_key is not distinct from v.learner_key"
        " and paid.run_id is not distinct from v.run_id)",
        "r as (select *, case when _err_reason0 is null and payment_kind = 'refund' and _refunds_total > _paid"
        " then 'refund larger than the fees paid: refunds for this learner and run would total '"
        " || _refunds_total::decimal(14,2) || ', more than the ' || _paid::decimal(14,2) || ' paid' end as _refund_err"
        " from w)",
    ]
