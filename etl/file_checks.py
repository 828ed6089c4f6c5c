"""File-level checks of landing files, before and around loading: empty file, spreadsheet or gzip named wrongly,
not UTF-8, wrong delimiter, wrong header, truncated last line, unterminated quote, corrupt gzip. Any of these raises
`SourceFileError`, which names the file, the line and what was expected; the run fails and nothing is published.
(The row-level checks, one generated SQL pass per file, are etl.row_checks.)

The happy path stays fast: Python reads each file once (sha256, plus gzip integrity for .csv.gz because DuckDB does
not verify the gzip checksum, and an independent record count) and looks at the first line; DuckDB does the parsing.
Only when DuckDB rejects a file does `diagnose` re-read it in Python to say exactly where and what is wrong.

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
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from core.contracts import Contract
from core.errors import SourceFileError

CHUNK = 1 << 20


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
    quick: bool = False  # only hashed (hash_file's `known`): a file loaded before, whose records were not counted


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


def _sha256(path: Path) -> FileFacts:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileFacts(digest.hexdigest(), size, quick=True)


def hash_file(path: Path, rel: str, known: Container[str] = ()) -> FileFacts:
    """sha256 of the file's bytes, streamed; for .gz also checks that the gzip stream is complete and intact
    (DuckDB reads a corrupt gzip silently, up to the damage). Counts the records on the way (for .gz in the
    decompressed stream), which the reader's row count is checked against.

    known: sha256s of files loaded before. When given (the caller passes them only for a file that looks like
    one it loaded: same path and size), the file is hashed first and, if it is one of them, returned as
    `quick` facts without the counting and gzip passes (they cost several times the hash; a file that is
    skipped does not need them). Otherwise it is read again for the full facts."""
    if known:
        quick = _sha256(path)
        if quick.sha256 in known:
            return quick
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
