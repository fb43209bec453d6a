"""Reading a submission file: told by its first bytes (CSV, gzipped CSV or Parquet; anything else,
an empty file or text that is not UTF-8 is rejected), then read once into a DuckDB table of text
columns, with the names a repeated header gave.
"""

from __future__ import annotations

import codecs
import itertools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from harness.errors import SubmissionRejected, is_interrupt
from harness.store import quote_identifier as q
from harness.validation.rules import NO_SLOT

if TYPE_CHECKING:
    import duckdb

RAW_TABLE = "submission_raw"

SNIFF_BYTES = 1 << 16

PARQUET_MAGIC = b"PAR1"
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"  # also the start of .xlsx and .docx files
OTHER_FORMATS = {  # first bytes → what the file is, for the rejection message
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an Excel .xls workbook (or another old Office file)",
    b"ARROW1": "an Arrow IPC (Feather) file",
    b"FEA1": "a Feather file",
    b"\x93NUMPY": "a NumPy .npy array",
    **{bytes([0x80, protocol]): "a Python pickle" for protocol in (2, 3, 4, 5)},
}
JSON_START = re.compile(rb"\s*(\[\s*)?\{\s*\"")  # an object, or a list of records


class RawFile(NamedTuple):
    """A submission file read into the DuckDB table `table`, every column as text.

    `repeated` maps the names DuckDB gave the second and later columns of a name the header repeats
    (`spam_1` for a second `spam`) to that name.
    """

    table: str
    format: str
    columns: tuple[str, ...]
    rows: int
    repeated: dict[str, str]


CSV_OPTIONS = (
    "header = true, delim = ',', quote = '\"', escape = '\"', skip = $skip, comment = '', "
    "compression = $compression"
)


class Sniffed(NamedTuple):
    """What a file's first bytes tell: its format ('parquet', 'csv' or 'csv.gz'), its compression as
    read_csv names it and, for a CSV, how many lines before its header are to be skipped: blank
    lines, and the `sep=,` line Excel writes to name its separator."""

    format: str
    compression: str
    lines_before_header: int = 0
    # The header's names when its line is plain (no quotes, no name empty or with a space around
    # it), read as read_csv reads them; None leaves them to read_csv.
    header: tuple[str, ...] | None = None

    def csv_params(self, path: Path) -> dict[str, Any]:
        """The parameters of `CSV_OPTIONS` (and the path) for this file. The lines before the header
        are skipped: after blank lines, read_csv would take its names from the header but read it as
        a row too."""
        return {"path": str(path), "compression": self.compression, "skip": self.lines_before_header}


def sniff(path: Path) -> Sniffed:
    """The file at `path`, told by its first bytes, not its name.

    Raises SubmissionRejected for an empty file, a file that is neither CSV nor Parquet, or text
    that is not UTF-8.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(8)
    if size == 0:
        raise SubmissionRejected(
            "the file is empty (0 bytes). Write a header line and one row per test id, "
            "as in the competition's sample_submission.csv." + NO_SLOT
        )
    if head[:4] == PARQUET_MAGIC:
        return Sniffed("parquet", "none")
    if head[:4] == ZIP_MAGIC:
        raise SubmissionRejected(
            "the file is a ZIP archive (an Excel .xlsx workbook is one too), not a CSV or Parquet "
            "file. Submit the CSV inside the archive, or save the sheet as 'CSV UTF-8'." + NO_SLOT
        )
    other = next((what for magic, what in OTHER_FORMATS.items() if head.startswith(magic)), None)
    if other is not None:
        raise SubmissionRejected(
            f"the file is {other}, not a CSV or Parquet file. Write your predictions with pandas "
            "`to_csv(index=False)` or `to_parquet(index=False)` (in a spreadsheet, save as "
            "'CSV UTF-8')." + NO_SLOT
        )
    compression = "gzip" if head[:2] == GZIP_MAGIC else "none"
    sample = _sample(path, compression)
    if sample.startswith(codecs.BOM_UTF8):
        sample = sample[len(codecs.BOM_UTF8) :]
    if not sample.strip():
        raise SubmissionRejected(
            "the file holds no text (only blank space). Write a header line and one row per test "
            "id, as in the competition's sample_submission.csv." + NO_SLOT
        )
    if JSON_START.match(sample):
        raise SubmissionRejected(
            "the file is JSON, not CSV or Parquet. Write your predictions with pandas "
            "`to_csv(index=False)` or `to_parquet(index=False)`." + NO_SLOT
        )
    utf16 = sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if utf16 or (b"\x00" not in sample and not _looks_like_text(sample)):
        from harness.csvlines import first_line_not_utf8

        found = None if utf16 else first_line_not_utf8(sample)
        where = f" (line {found[0]}: {found[1]})" if found else ""
        raise SubmissionRejected(
            f"the file is text but not UTF-8{where} (perhaps Latin-1 or UTF-16 from a spreadsheet). "
            "Save it as UTF-8 CSV, e.g. pandas `to_csv(index=False)`, and submit it again." + NO_SLOT
        )
    if not _looks_like_text(sample):
        raise SubmissionRejected(
            "the file is neither CSV nor Parquet: it holds binary data. Submit a CSV (optionally "
            "gzipped) or a Parquet file, such as one written by pandas `to_csv(index=False)`." + NO_SLOT
        )
    lines = sample.split(b"\n")
    before = len(list(itertools.takewhile(lambda line: not line.strip(), lines)))
    if before < len(lines) - 1 and lines[before].strip() == b"sep=,":  # and blank lines after it
        before += 1 + len(list(itertools.takewhile(lambda line: not line.strip(), lines[before + 1 :])))
    fmt = "csv.gz" if compression == "gzip" else "csv"
    return Sniffed(fmt, compression, before, _plain_header(lines[before:-1]))


def _plain_header(lines: list[bytes]) -> tuple[str, ...] | None:
    """The names of a header line (the first of `lines`, each a whole line) that needs no quoting
    rules and no trimming to read; None for any other (or none)."""
    if not lines or b'"' in lines[0]:
        return None
    try:
        names = lines[0].removesuffix(b"\r").decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    return tuple(names) if all(name and name == name.strip() for name in names) else None


def read_file(con: duckdb.DuckDBPyConnection, path: Path, table: str = RAW_TABLE) -> RawFile:
    """Read a CSV, gzipped CSV or Parquet file once into a temporary table of text columns.

    The format is told by the file's first bytes, not its name. Raises SubmissionRejected for an
    empty file, a file that is neither CSV nor Parquet, or a malformed CSV.
    """
    from harness import engine

    sniffed = sniff(path)
    fmt = sniffed.format
    name = q(table)
    if fmt == "parquet":
        try:
            described = con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [str(path)]).description
            names = [str(d[0]) for d in described or []]
            casts = ", ".join(f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in names)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {casts} FROM read_parquet(?)", [str(path)]
            )
        except engine.Error as exc:
            if is_interrupt(exc):  # not the file's fault: nothing to record
                raise
            raise SubmissionRejected(
                f"the file starts like Parquet but cannot be read as Parquet ({_first_line(exc, path)}). "
                "Write it again with pandas `to_parquet` or submit a CSV." + NO_SLOT
            ) from None
    else:
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_csv($path, all_varchar = true, "
                f"{CSV_OPTIONS})",
                sniffed.csv_params(path),
            )
        except engine.Error as exc:
            if is_interrupt(exc):  # not the file's fault: nothing to record
                raise
            from harness import csvlines

            found = csvlines.first_problem(path, sniffed.compression)
            if found is not None:
                raise SubmissionRejected(
                    f"the file cannot be read as a comma-separated CSV: {found}." + NO_SLOT
                ) from None
            raise SubmissionRejected(
                f"the file cannot be read as a comma-separated CSV ({_csv_problem(exc)}). Check that "
                "every line has the same number of comma-separated fields as the header." + NO_SLOT
            ) from None
    described = con.execute(f"SELECT * FROM {name} LIMIT 0").description or []
    columns = tuple(str(d[0]) for d in described)
    rows = int(con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])
    return RawFile(table, fmt, columns, rows, _repeated(con, path, sniffed, columns))


def _repeated(
    con: duckdb.DuckDBPyConnection, path: Path, sniffed: Sniffed, columns: tuple[str, ...]
) -> dict[str, str]:
    """`RawFile.repeated`: DuckDB's names for the repeats of a name (in any case: DuckDB's names are
    case-insensitive), mapped to the file's own names for those columns, read from its header."""
    known = {c.casefold() for c in columns}
    renamed = [
        column
        for column in columns
        if column.rpartition("_")[2].isdigit() and column.rpartition("_")[0].casefold() in known
    ]
    if not renamed:
        return {}
    if sniffed.format == "parquet":
        schema = con.execute("SELECT name FROM parquet_schema(?)", [str(path)]).fetchall()
        header = [str(r[0]) for r in schema[1:]]  # the first is the schema's root
    else:
        from harness.csvlines import header_names

        header = header_names(path, sniffed.compression, sniffed.lines_before_header)
    if len(header) != len(columns):
        return {}
    seen: set[str] = set()
    repeated = {}
    for column, name in zip(columns, header, strict=True):
        if column in renamed and name.casefold() in seen:
            repeated[column] = name
        seen.add(name.casefold())
    return repeated


def _sample(path: Path, compression: str) -> bytes:
    if compression == "none":
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    import gzip
    import zlib

    try:
        with gzip.open(path, "rb") as fh:
            return fh.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise SubmissionRejected(
            f"the file starts like gzip but cannot be decompressed ({exc}). Compress it again "
            "(gzip file.csv) or submit the plain CSV." + NO_SLOT
        ) from None


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _csv_problem(exc: BaseException) -> str:
    """The useful part of DuckDB's CSV error: the line, its text (cut short) and the field counts."""
    keep = ("CSV Error on Line", "Original Line", "Expected Number of Columns", "Invalid unicode")
    lines = []
    for line in str(exc).splitlines():
        start = min((line.find(k) for k in keep if k in line), default=-1)
        if start >= 0:
            kept = line[start:].strip().removeprefix("CSV Error ")
            lines.append(kept if len(kept) <= 100 else kept[:99] + "…")
    if lines:
        return "; ".join(lines)
    return "its rows do not have the same number of comma-separated fields"


def _first_line(exc: BaseException, path: Path) -> str:
    """The first line of DuckDB's message, without the path (the kept copy, not the learner's file)."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first.replace(f" '{path}'", "").replace(str(path), "the file")
