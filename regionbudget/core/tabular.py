"""Reading the finance system's files: CSV and Excel (.xlsx), checked before they are trusted.

Imports of budgets, actuals and the action plan all read their file here. Whole-file problems
(too big, empty, not what the name says, a zip bomb, missing or duplicate columns, too many rows)
raise ``TableFileError`` with a message for the user; the size is checked before anything is
parsed. What comes back is text per canonical column; each import validates its own rows and
lists every bad one as a ``RowError``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from regionbudget.core.formatting import format_number

__all__ = [
    "RowError",
    "Table",
    "TableFileError",
    "TableRow",
    "read_table",
]

MAX_BYTES = 20_000_000
MAX_ROWS = 200_000
# An .xlsx is a zip: refuse one that would unpack to far more than it weighs.
MAX_UNPACKED_BYTES = 300_000_000
MAX_COMPRESSION_RATIO = 100
ZIP_MAGIC = b"PK\x03\x04"


class TableFileError(Exception):
    """The file as a whole cannot be imported; ``message`` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TableRow:
    """One data row: ``number`` is its row in the file as a spreadsheet shows it (header = 1)."""

    number: int
    values: dict[str, str]


@dataclass(frozen=True)
class RowError:
    """One bad value: where it is (row, column), what it was, and why it was refused."""

    row: int
    column: str
    value: str
    message: str

    def to_json(self) -> dict:
        """The error as plain JSON, to be stored with a staged import."""
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: dict) -> RowError:
        return cls(
            row=data["row"], column=data["column"], value=data["value"], message=data["message"]
        )


@dataclass
class Table:
    """The rows of a file by canonical column name; ``errors`` holds cells that could not be
    read (an Excel formula without a calculated value), to be listed with the import's own."""

    columns: list[str]
    rows: list[TableRow] = field(default_factory=list)
    file_format: str = "csv"
    errors: list[RowError] = field(default_factory=list)


def _normalise_header(text: str) -> str:
    return re.sub(r"\s+", " ", str(text or "").replace("\ufeff", "")).strip().casefold()


def _label(name: str, columns: dict[str, list[str]]) -> str:
    """The header users know a column by: its first accepted header text."""
    return columns[name][0] if columns.get(name) else name


def _map_columns(
    headers: list[str], columns: dict[str, list[str]], required: set[str]
) -> dict[int, str]:
    """Map header positions to canonical names; refuse duplicates and missing required columns."""
    alias_to_name = {}
    for name, aliases in columns.items():
        for alias in [name, *aliases]:
            alias_to_name[_normalise_header(alias)] = name
    positions: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        name = alias_to_name.get(_normalise_header(header))
        if name is None:
            continue  # extra columns are ignored
        if name in seen:
            raise TableFileError(
                _("The column “%(column)s” appears twice (as “%(first)s” and “%(second)s”).")
                % {
                    "column": _label(name, columns),
                    "first": seen[name],
                    "second": str(header).strip(),
                }
            )
        seen[name] = str(header).strip()
        positions[index] = name
    missing = [name for name in columns if name in required and name not in seen]
    if missing:
        raise TableFileError(
            _("Missing column(s): %(missing)s. The first row must hold the column names.")
            % {"missing": ", ".join(_label(name, columns) for name in missing)}
        )
    return positions


def _read_limited(file: BinaryIO, max_bytes: int) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise TableFileError(_too_big(size, max_bytes))
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TableFileError(_too_big(None, max_bytes))
    return data


def _number(value: int | Decimal, places: int = 0) -> str:
    return format_number(Decimal(value), places=places, language=get_language() or "sv")


def _too_big(size: int | None, max_bytes: int) -> str:
    limit = _number(Decimal(max_bytes) / 1_000_000)
    if size is None:
        return _("The file is larger than %(limit)s MB.") % {"limit": limit}
    return _("The file is %(size)s MB; at most %(limit)s MB can be imported.") % {
        "size": _number(Decimal(size) / 1_000_000, 1),
        "limit": limit,
    }


def _too_many_rows(max_rows: int) -> str:
    return _("The file has more than %(max)s rows; split it into smaller files.") % {
        "max": _number(max_rows)
    }


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text": UTF-16 with its byte order mark (and NUL bytes in it).
        with contextlib.suppress(UnicodeDecodeError):  # not really UTF-16: refused below
            data = data.decode("utf-16").encode("utf-8")
    if b"\x00" in data:
        raise TableFileError(
            _("The file contains binary data (NUL bytes); it is not a text CSV file.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows-1252 (Latin-1); a UTF-8 byte order mark in front of it is dropped, not read
        # as the letters "ï»¿" glued to the first column name.
        return data.removeprefix(codecs.BOM_UTF8).decode("cp1252", errors="replace")


def _read_csv(
    data: bytes, columns: dict[str, list[str]], required: set[str], max_rows: int
) -> Table:
    text = _decode(data)
    if not text.strip():
        raise TableFileError(_("The file is empty."))
    first_line = text.splitlines()[0]
    delimiter = max([";", ",", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except csv.Error as exc:
        raise TableFileError(
            _("The file could not be read as CSV: %(error)s") % {"error": exc}
        ) from None
    positions = _map_columns(headers, columns, required)
    table = Table(columns=list(positions.values()), file_format="csv")
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(table.rows) >= max_rows:
                raise TableFileError(_too_many_rows(max_rows))
            values = {
                name: cells[index].strip() if index < len(cells) else ""
                for index, name in positions.items()
            }
            table.rows.append(TableRow(number, values))
    except csv.Error as exc:
        raise TableFileError(
            _("Row %(row)s could not be read as CSV: %(error)s")
            % {"row": reader.line_num, "error": exc}
        ) from None
    if not table.rows:
        raise TableFileError(_("The file has column names but no rows."))
    return table


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# Excel never writes a document type declaration; in an .xlsx one is an attack (an external
# entity that reads the server's files, or entities that expand to gigabytes: "billion laughs").
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
# The start of an XML part, where a declaration would stand (UTF-16 parts checked decoded).
_PROLOGUE_BYTES = 65_536


def _invalid_xlsx() -> TableFileError:
    return TableFileError(_("The file is not a valid Excel file (.xlsx)."))


def _declares_a_doctype(content: bytes) -> bool:
    head = content[:_PROLOGUE_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head[:4]:
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return bool(_DOCTYPE.search(head))


def _check_zip(data: bytes) -> tuple[zipfile.ZipFile, bool]:
    """The archive, checked part by part before openpyxl sees it, and whether its worksheets
    hold formulas. Each part is unpacked once, never beyond its declared size: a part whose
    declared size is forged (smaller than what it unpacks to) fails its checksum there."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _invalid_xlsx() from None
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_COMPRESSION_RATIO * max(len(data), 1):
        raise TableFileError(
            _("The Excel file unpacks to far more data than it holds; it is refused as unsafe.")
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise _invalid_xlsx()
    has_formulas = False
    for info in archive.infolist():
        try:
            content = archive.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
            raise _invalid_xlsx() from None  # a bad checksum (forged size), or not a zip
        if _declares_a_doctype(content):
            raise TableFileError(
                _(
                    "The Excel file contains a document type declaration, which Excel never "
                    "writes; it is refused as unsafe."
                )
            )
        name = info.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            has_formulas = has_formulas or b"<f>" in content or b"<f " in content
    return archive, has_formulas


def _read_xlsx(
    data: bytes, columns: dict[str, list[str]], required: set[str], max_rows: int
) -> Table:
    archive, has_formulas = _check_zip(data)
    try:
        return _read_checked_xlsx(data, has_formulas, columns, required, max_rows)
    except TableFileError:
        raise
    except Exception:  # openpyxl (and the XML parser below it) raise many kinds for a bad file
        raise _invalid_xlsx() from None
    finally:
        archive.close()


def _read_checked_xlsx(
    data: bytes,
    has_formulas: bool,
    columns: dict[str, list[str]],
    required: set[str],
    max_rows: int,
) -> Table:
    import openpyxl

    values_book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = values_book.worksheets[0]
    formula_rows = None
    if has_formulas:
        formula_book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        formula_rows = formula_book.worksheets[0].iter_rows(values_only=True)

    rows = sheet.iter_rows(values_only=True)
    try:
        header_cells = next(rows)
    except StopIteration:
        raise TableFileError(_("The file is empty.")) from None
    if formula_rows is not None:
        next(formula_rows, None)
    headers = [_cell_text(cell) for cell in header_cells]
    positions = _map_columns(headers, columns, required)
    table = Table(columns=list(positions.values()), file_format="xlsx")
    errors = table.errors
    for number, cells in enumerate(rows, start=2):
        formulas = next(formula_rows, ()) if formula_rows is not None else ()
        if not any(cell not in (None, "") for cell in cells) and not any(
            isinstance(f, str) and f.startswith("=") for f in formulas
        ):
            continue
        if len(table.rows) >= max_rows:
            raise TableFileError(_too_many_rows(max_rows))
        values = {}
        for index, name in positions.items():
            cell = cells[index] if index < len(cells) else None
            formula = formulas[index] if index < len(formulas) else None
            if cell is None and isinstance(formula, str) and formula.startswith("="):
                errors.append(
                    RowError(
                        number,
                        name,
                        formula,
                        _(
                            "A formula without a calculated value: open the file in Excel, "
                            "save it, and import it again."
                        ),
                    )
                )
            values[name] = _cell_text(cell)
        table.rows.append(TableRow(number, values))
    values_book.close()
    if not table.rows:
        raise TableFileError(_("The file has column names but no rows."))
    return table


def _is_other_zip(data: bytes) -> bool:
    """A readable zip that is not an Excel workbook (a Word file, a zip archive)."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return False
    return "xl/workbook.xml" not in names


def read_table(
    file: BinaryIO,
    *,
    filename: str,
    columns: dict[str, list[str]],
    required: set[str],
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> Table:
    """Read ``file`` (CSV or .xlsx, told by its name and checked by its content).

    ``columns`` maps each canonical column name to the header texts accepted for it (case and
    spacing do not matter); other columns are ignored. Cells that could not be read are in
    ``Table.errors``; a file that cannot be imported at all raises ``TableFileError``.
    """
    name = (filename or "").lower()
    data = _read_limited(file, max_bytes)
    if not data.strip():
        raise TableFileError(_("The file is empty."))
    is_zip = data.startswith(ZIP_MAGIC)
    if name.endswith(".xlsx"):
        if not is_zip:
            raise TableFileError(
                _("The file is called .xlsx but is not an Excel file. Save it again as .xlsx.")
            )
        return _read_xlsx(data, columns, required, max_rows)
    if name.endswith((".csv", ".txt")):
        if is_zip:
            if _is_other_zip(data):
                raise TableFileError(
                    _(
                        "The file is called .csv but is a packed file (such as .docx or .zip), "
                        "not text."
                    )
                )
            raise TableFileError(
                _("The file is called .csv but is an Excel file. Rename it to .xlsx.")
            )
        return _read_csv(data, columns, required, max_rows)
    raise TableFileError(_("Only .csv and .xlsx files can be imported."))


# --- Writing: what goes back out to a spreadsheet ---------------------------------------------

# The full-width forms (＝ ＋ － ＠) too: spreadsheets with East Asian input read them as "=" etc.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value):
    """Text that would start a formula gets a leading apostrophe; other values pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
