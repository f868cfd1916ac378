"""Reading import files: what is accepted, and the message each bad file gets."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from regionbudget.core.formatting import parse_amount
from regionbudget.core.tabular import TableFileError, read_table

COLUMNS = {
    "unit": ["enhet", "kostnadsställe"],
    "account_group": ["kontogrupp"],
    "amount": ["belopp", "belopp (kr)"],
}
REQUIRED = {"unit", "account_group", "amount"}


@pytest.fixture(autouse=True)
def _swedish():
    with translation.override("sv"):
        yield


def _read(content: bytes, name: str = "budget.csv", **limits):
    return read_table(
        SimpleUploadedFile(name, content),
        filename=name,
        columns=COLUMNS,
        required=REQUIRED,
        **limits,
    )


def _xlsx(rows, *, formulas_without_values=False) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)  # openpyxl stores no cached values for formulas
    return buffer.getvalue()


def test_it_reads_a_semicolon_csv_in_utf8_with_bom_and_keeps_swedish_letters():
    content = "\ufeffEnhet;Kontogrupp;Belopp\n1101;Läkemedel;1 234,5\n1102;Köpt vård;-500\n"
    table = _read(content.encode("utf-8"))
    assert table.columns == ["unit", "account_group", "amount"]
    assert [(r.number, r.values["account_group"]) for r in table.rows] == [
        (2, "Läkemedel"),
        (3, "Köpt vård"),
    ]
    assert parse_amount(table.rows[0].values["amount"]) == Decimal("1234.5")


def test_it_reads_a_comma_csv_in_windows_1252():
    content = 'enhet,kontogrupp,belopp\n1101,Övriga kostnader,"1 000"\n'.encode("cp1252")
    table = _read(content)
    assert table.rows[0].values == {
        "unit": "1101",
        "account_group": "Övriga kostnader",
        "amount": "1 000",
    }


def test_it_skips_empty_lines_and_ignores_extra_columns():
    table = _read(b"enhet;kommentar;kontogrupp;belopp\n\n1101;x;Personal;5\n;;;\n")
    assert len(table.rows) == 1
    assert table.rows[0].number == 3
    assert "kommentar" not in table.rows[0].values


def test_it_reads_an_xlsx_file():
    content = _xlsx(
        [["Kostnadsställe", "Kontogrupp", "Belopp (kr)"], ["1101", "Läkemedel", 1234.5]]
    )
    table = _read(content, "utfall.xlsx")
    assert table.file_format == "xlsx"
    assert table.rows[0].values == {
        "unit": "1101",
        "account_group": "Läkemedel",
        "amount": "1234.5",
    }


def test_a_formula_without_a_calculated_value_is_a_row_error():
    content = _xlsx([["enhet", "kontogrupp", "belopp"], ["1101", "Personal", "=A1*2"]])
    table = _read(content, "budget.xlsx")
    [error] = table.errors
    assert (error.row, error.column, error.value) == (2, "amount", "=A1*2")
    assert "formel" in error.message


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "budget.csv", "Filen är tom."),
        (b"   \n  ", "budget.csv", "Filen är tom."),
        (b"enhet;kontogrupp;belopp\n", "budget.csv", "har kolumnnamn men inga rader"),
        (b"enhet;belopp\n1101;5\n", "budget.csv", "Kolumn saknas: kontogrupp"),
        (
            b"enhet;kostnadsst\xc3\xa4lle;kontogrupp;belopp\n1;1;x;5\n",
            "budget.csv",
            "förekommer två gånger",
        ),
        (b"enhet;kontogrupp;belopp\n1101;x\x00;5\n", "budget.csv", "binär"),
        (b"PK\x03\x04not really", "budget.csv", "är en Excelfil"),
        (b"enhet;kontogrupp;belopp\n1;x;5\n", "budget.xlsx", "inte en Excelfil"),
        (b"PK\x03\x04broken zip", "budget.xlsx", "inte en giltig Excelfil"),
        (b"enhet;kontogrupp;belopp\n1;x;5\n", "budget.pdf", "Bara .csv- och .xlsx-filer"),
    ],
)
def test_bad_files_get_a_clear_swedish_message(content, name, message):
    with pytest.raises(TableFileError) as error:
        _read(content, name)
    assert message in error.value.message


def test_a_zip_bomb_is_refused():
    with pytest.raises(TableFileError, match="orimligt"):
        _read(_zip_bomb(), "budget.xlsx")


def test_an_oversized_file_is_refused_before_it_is_read():
    class Huge(io.BytesIO):
        size = 50_000_000

        def read(self, *args):  # pragma: no cover - must not be called
            raise AssertionError("the file must not be read")

    with pytest.raises(TableFileError, match="50,0 MB"):
        read_table(Huge(), filename="b.csv", columns=COLUMNS, required=REQUIRED)


def test_too_many_rows_are_refused():
    rows = "".join(f"{i};Personal;1\n" for i in range(11))
    with pytest.raises(TableFileError, match="fler än 10 rader"):
        _read(f"enhet;kontogrupp;belopp\n{rows}".encode(), max_rows=10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,5", Decimal("1234.5")),
        ("1\u00a0234\u00a0567", Decimal("1234567")),
        ("-500", Decimal("-500")),
        ("\u2212500", Decimal("-500")),
        ("+3", Decimal("3")),
        ("0,05", Decimal("0.05")),
        ("1234.5", Decimal("1234.5")),
        (" 7 ", Decimal("7")),
        # plain numbers as files mostly hold them (read without the checks' detour)
        ("12750000,50", Decimal("12750000.50")),
        ("-690000", Decimal("-690000")),
        ("99999999999999", Decimal("99999999999999")),  # 14 digits, the most
        ("000000000000000012", Decimal("12")),  # leading zeros are not digits of the number
    ],
)
def test_parse_amount_reads_swedish_numbers(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Ange ett belopp."),
        ("abc", "är inte ett tal"),
        ("NaN", "är inte ett tal"),
        ("Infinity", "är inte ett tal"),
        ("1e400", "är inte ett tal"),
        ("1,2,3", "är inte ett tal"),
        ("1.234,5", "är inte ett tal"),
        ("1 23", "är inte ett tal"),
        ("9" * 30, "för stort"),
        ("9" * 15, "för stort"),
        ("1,1234567", "högst 6 decimaler"),
        ("-1,", "är inte ett tal"),
        ("١٢٣", "är inte ett tal"),
    ],
)
def test_parse_amount_refuses_what_is_not_an_amount(text, message):
    with pytest.raises(ValueError) as error:
        parse_amount(text)
    assert message in str(error.value)


HOSTILE_ROWS = [["Enhet", "Kontogrupp", "Belopp"], ["1101", "Personal", 100]]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        ("xxe_xlsx", "dokumenttypdeklaration"),
        ("billion_laughs_xlsx", "dokumenttypdeklaration"),
        ("forged_size_xlsx", "inte en giltig Excelfil"),
    ],
)
def test_a_hostile_xlsx_gets_a_clear_message(build, message):
    from tests import hostile_files

    content = getattr(hostile_files, build)(HOSTILE_ROWS)
    with pytest.raises(TableFileError) as error:
        _read(content, "budget.xlsx")
    assert message in error.value.message
