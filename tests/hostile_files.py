"""Hostile .xlsx files, built from a valid one: an external entity (XXE), a billion-laughs
entity expansion, and a zip whose declared sizes are forged (a zip bomb in disguise)."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl

XXE_DOCTYPE = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS_DOCTYPE = (
    b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>"
)


def xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, member: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    return out.getvalue()


def _with_doctype(data: bytes, doctype: bytes, entity: bytes) -> bytes:
    """The worksheet gets ``doctype`` and its first text becomes ``entity``."""

    def change(xml: bytes) -> bytes:
        declaration_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
        xml = xml[:declaration_end] + doctype + xml[declaration_end:]
        start = xml.index(b"<t>") + 3
        return xml[:start] + entity + xml[xml.index(b"</t>", start) :]

    return _rewrite(data, "xl/worksheets/sheet1.xml", change)


def xxe_xlsx(rows) -> bytes:
    return _with_doctype(xlsx(rows), XXE_DOCTYPE, b"&xxe;")


def billion_laughs_xlsx(rows) -> bytes:
    return _with_doctype(xlsx(rows), LAUGHS_DOCTYPE, b"&lol9;")


def forged_size_xlsx(rows, *, padding: int = 30_000_000) -> bytes:
    """The worksheet padded with ``padding`` bytes of whitespace (which compress to almost
    nothing), its declared unpacked size forged to 1 000 bytes in both zip headers: the archive
    claims to be small and unpacks to far more."""

    def pad(xml: bytes) -> bytes:
        return xml.replace(b"<sheetData>", b"<sheetData>" + b" " * padding, 1)

    data = bytearray(_rewrite(xlsx(rows), "xl/worksheets/sheet1.xml", pad))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at, name_length_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),  # local file header
        (b"PK\x01\x02", 24, 28, 46),  # central directory entry
    ):
        at = data.find(signature)
        while at != -1:
            length = struct.unpack_from("<H", data, at + name_length_at)[0]
            if bytes(data[at + name_at : at + name_at + length]) == name:
                struct.pack_into("<I", data, at + size_at, 1000)
            at = data.find(signature, at + 4)
    return bytes(data)
