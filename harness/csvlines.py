"""Why a CSV file cannot be read: the first line that breaks it, found by reading it line by line.

DuckDB's reader says which line broke a big file, but for a small one it often gives up while it
samples the file's dialect, and says no more than that. When `read_csv` fails, `first_problem`
reads the file again with Python's `csv` module, in the dialect compete reads (commas, double
quotes), and names the first line that breaks it: a line with another number of fields than the
header, a quote that never closes, bytes that are not UTF-8, or a header separated by semicolons,
tabs or bars. Only this failure path reads the file so, and only up to `MAX_LINES` lines.
`validation.sniff` asks it too which line of the file's first bytes is not UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
from collections.abc import Iterator
from pathlib import Path

MAX_LINES = 2_000_000  # read no further: a problem beyond is left to DuckDB's own message
SHOWN_CHARS = 60  # a line quoted in a message is cut to this many characters
SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "bars"}
DECIMAL_COMMA = re.compile(r"\d,\d")


class _NotUtf8(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def first_problem(path: Path, compression: str) -> str | None:
    """What breaks the CSV file at `path`, as a clause naming the line; None if nothing is found."""
    with _open(path, compression) as raw:
        lines = _Lines(raw)
        try:
            return _scan(lines)
        except _NotUtf8 as exc:
            return (
                f"line {exc.line} is not UTF-8 text (perhaps Latin-1 from a spreadsheet): save the file "
                "as UTF-8, e.g. with pandas `to_csv(index=False)`"
            )
        except (OSError, EOFError):  # a gzip stream that breaks off: `sniff` read its start
            return "the gzip stream breaks off before its end: compress the file again (gzip file.csv)"


def _open(path: Path, compression: str) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if compression == "gzip" else path.open("rb")


def first_line_not_utf8(sample: bytes) -> tuple[int, str] | None:
    """The number and text (shown as in the other messages) of the first line of `sample` that is
    not UTF-8; None if there is none. The sample's last line is left out: a sample cut short may end
    in the middle of a character."""
    for number, line in enumerate(sample.split(b"\n")[:-1], start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number, _shown(line.decode("latin-1").rstrip("\r"))
    return None


def header_names(path: Path, compression: str, skip: int) -> list[str]:
    """The names in the header of the CSV file at `path`, after `skip` lines, as the file writes them."""
    with _open(path, compression) as raw:
        lines = _Lines(raw)
        for _ in range(skip):
            next(lines, None)
        return next(csv.reader(lines), [])


def separator_problem(header: str, decimal_comma: bool) -> str | None:
    """The problem of a header that is one column read with commas but holds another separator."""
    for separator, shown in SEPARATORS.items():
        if separator in header and "," not in header:
            also = " and '.' as the decimal mark (not ',')" if decimal_comma else ""
            return (
                f"the columns are separated by {shown}, not commas (the header reads "
                f"{_shown(header.lstrip(chr(0xFEFF)))}); write the file with commas between columns{also} "
                "(pandas `to_csv(index=False)`; in a spreadsheet, choose 'CSV (comma delimited)')"
            )
    return None


def _scan(lines: _Lines) -> str | None:
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    header_line = 0
    while lines.number < MAX_LINES:
        record_line = lines.number + 1  # where the next record starts, but for blank lines before it
        try:
            row = next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            if header is None:
                return _other_separator(lines.text.strip(), lines) or _broken(exc, record_line, lines)
            return _broken(exc, record_line, lines)
        if not row or (len(row) == 1 and not row[0].strip()):  # a blank line: DuckDB skips it too
            continue
        if header is None:
            header, header_line = row, lines.number
            if len(header) == 1:
                problem = _other_separator(header[0], lines)
                if problem:
                    return problem
            continue
        if len(row) != len(header):
            return _ragged(row, lines, header, header_line)
    return None


def _broken(exc: csv.Error, record_line: int, lines: _Lines) -> str:
    if "field larger than field limit" in str(exc):
        return (
            f"line {record_line} holds a field of more than {csv.field_size_limit():,} characters "
            f"({_shown(lines.text)}): a value that long is no prediction"
        )
    return (
        f'a quote (") opens a field on line {record_line} and never closes: a field that starts with a '
        "quote needs a closing quote right before the next comma or line end"
    )


def _other_separator(header: str, lines: _Lines) -> str | None:
    if separator_problem(header, decimal_comma=False) is None:
        return None
    following = [line for _, line in zip(range(5), lines, strict=False)]  # the scan ends here
    return separator_problem(header, any(DECIMAL_COMMA.search(line) for line in following))


def _ragged(row: list[str], lines: _Lines, header: list[str], header_line: int) -> str:
    at = lines.number
    text = _shown(lines.text.rstrip("\r\n"))
    fields = f"{len(row)} field{'s' if len(row) != 1 else ''}"
    problem = f"line {at} has {fields} where the header (line {header_line}) has {len(header)}: {text}"
    if at == header_line + 1 and len(header) == 1:
        return problem + "; if line 1 is not the header, delete the lines above the header"
    if lines.last and len(row) < len(header) and not lines.ends_with_newline:
        return problem + "; it is the file's last line and has no line end: the file may be cut short"
    return problem


def _shown(line: str) -> str:
    return repr(line if len(line) <= SHOWN_CHARS else line[: SHOWN_CHARS - 1] + "…")


class _Lines:
    """The file's lines as text, for `csv.reader`: counts them (`number`), keeps the last one read
    (`text`; `last`: no line follows; `ends_with_newline`) and raises _NotUtf8 with the number of a
    line that is not UTF-8."""

    def __init__(self, raw: io.BufferedIOBase) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()  # drops a byte-order mark
        self.number = 0
        self.text = ""
        self.last = False
        self.ends_with_newline = True

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self._raw.readline()
        if not line:
            raise StopIteration
        self.number += 1
        try:
            text = self._decoder.decode(line)
        except UnicodeDecodeError:
            raise _NotUtf8(self.number) from None
        self.text = text
        self.ends_with_newline = line.endswith(b"\n")
        self.last = not self._raw.peek(1)  # type: ignore[attr-defined]
        return text
