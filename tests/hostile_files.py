"""Hostile spreadsheets and text files, written byte by byte (no openpyxl), so a test controls
exactly what a reader meets: a `<dimension>` that is absent or lies, one cell at XFD1048576,
megabytes of compressed blank rows, a zip bomb, an encrypted (password) workbook container,
CSV in GBK / UTF-16 / GBK with pasted UTF-8 rows. Used by tests/app/imports/test_hostile_files.py.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

SEEDS = Path("/work/shared/seeds")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL_WS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def col_letters(col: int) -> str:
    """1 → A, 16384 → XFD."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(row: int, col: int, value: object) -> str:
    ref = f"{col_letters(col)}{row}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[tuple[int, Sequence[tuple[int, object]]]]) -> Iterator[str]:
    """`<row>` elements from (row number, [(column number, value)…]), both 1-based."""
    for r, cells in rows:
        yield f'<row r="{r}">' + "".join(_cell(r, c, v) for c, v in cells) + "</row>"


def table_rows(rows: Sequence[Sequence[object]], first: int = 1) -> Iterator[tuple[int, list[tuple[int, object]]]]:
    for i, row in enumerate(rows):
        yield first + i, [(j + 1, v) for j, v in enumerate(row) if v is not None and v != ""]


def write_raw_xlsx(
    path: Path,
    sheets: Sequence[tuple[str, Iterable[str]]],
    dimension: str | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """An xlsx of the given sheets, each (name, its `<row>` XML pieces), streamed into the zip.

    `dimension` is written into every sheet as `<dimension ref=…>` (None: no dimension element).
    """
    with zipfile.ZipFile(path, "w", compression, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES.format(
            sheets="".join(_SHEET_TYPE.format(n=i + 1) for i in range(len(sheets)))))
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workbook {_NS} {_RNS}><sheets>"
                   + "".join(f'<sheet name="{escape(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                             for i, (name, _) in enumerate(sheets))
                   + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8"?>\n'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL_WS}" Target="worksheets/sheet{i + 1}.xml"/>'
                             for i in range(len(sheets)))
                   + "</Relationships>")
        for i, (_, rows) in enumerate(sheets):
            with z.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as f:
                f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'.encode())
                if dimension:
                    f.write(f'<dimension ref="{dimension}"/>'.encode())
                f.write(b"<sheetData>")
                buf: list[str] = []
                for piece in rows:
                    buf.append(piece)
                    if len(buf) >= 1000:
                        f.write("".join(buf).encode())
                        buf.clear()
                f.write("".join(buf).encode())
                f.write(b"</sheetData></worksheet>")
    return path


HEADER = ["序号", "姓名", "公民身份号码", "性别", "联系电话"]


def roster(n: int) -> list[list[object]]:
    """A header and n plain resident rows (IDs need not be valid: these files test the reader)."""
    names = seed_names(n)
    return [HEADER] + [[i + 1, names[i], f"11011119800101{i % 10000:04d}", "男女"[i % 2], f"138{i:08d}"]
                       for i in range(n)]


def far_cell(path: Path, with_dimension: bool = True) -> Path:
    """A 2 KB workbook: a header and one row at A1:E2 and one stray cell at XFD1048576."""
    rows = list(table_rows(roster(1))) + [(1048576, [(16384, "x")])]
    return write_raw_xlsx(path, [("花名册", rows_xml(rows))], "A1:XFD1048576" if with_dimension else None)


def stray_column(path: Path, n: int = 5000, dimension: str | None = "A1:XFD5001") -> Path:
    """n good rows and one stray cell in column XFD; the dimension may be told, absent, or lie."""
    rows = list(table_rows(roster(n)))
    rows[-1][1].append((16384, "误填"))
    return write_raw_xlsx(path, [("花名册", rows_xml(rows))], dimension)


def blank_space(path: Path, rows: int = 1_048_000, cols: int = 1) -> Path:
    """A few MB of compressed empty-but-present rows (styled blank cells, as a careless fill-down leaves)."""
    def gen() -> Iterator[str]:
        yield from rows_xml(table_rows(roster(3)))
        blank = "".join(f'<c r="{col_letters(c)}{{r}}" s="0"/>' for c in range(1, cols + 1))
        for r in range(5, rows + 1):
            yield f'<row r="{r}">' + blank.replace("{r}", str(r)) + "</row>"
    return write_raw_xlsx(path, [("花名册", gen())], None)


def many_rows(path: Path, rows: int, dimension: str | None = None) -> Path:
    """rows rows of one short cell each, with no or a lying dimension (a row-count guard test)."""
    def gen() -> Iterator[str]:
        for r in range(1, rows + 1):
            yield f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
    return write_raw_xlsx(path, [("花名册", gen())], dimension)


def long_cell(path: Path, length: int = 1_000_000) -> Path:
    rows = roster(2)
    rows[1][1] = "长" * length
    return write_raw_xlsx(path, [("花名册", rows_xml(table_rows(rows)))], "A1:E3")


def zip_bomb(path: Path, megabytes: int = 1024) -> Path:
    """A sheet whose XML inflates to `megabytes` MB (spaces inside the worksheet element)."""
    def gen() -> Iterator[str]:
        yield from rows_xml(table_rows(roster(2)))
        chunk = " " * (1024 * 1024)
        for _ in range(megabytes):
            yield chunk
    return write_raw_xlsx(path, [("花名册", gen())], "A1:E3")


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a workbook with an open password: an OLE compound file (CFB) holding the
    streams EncryptionInfo and EncryptedPackage (MS-OFFCRYPTO) instead of a zip. The encryption itself
    is not real (no key is needed to test the reader's verdict), but the container is valid CFB."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0" encoding="UTF-8"?><encryption/>'
    package = struct.pack("<Q", 1024) + bytes(1024)
    path.write_bytes(cfb([("EncryptionInfo", info), ("EncryptedPackage", package)]))
    return path


def cfb(streams: Sequence[tuple[str, bytes]]) -> bytes:
    """A minimal version-3 compound file: 512-byte sectors, every stream in regular sectors (each
    stream padded to ≥ 4096 bytes so no mini stream is needed), one FAT sector, one directory sector."""
    sector = 512
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    data_streams = [(name, body + bytes(max(0, 4096 - len(body)))) for name, body in streams]
    sizes = [len(body) for _, body in streams]
    fat: list[int] = [fat_sect, end]  # sector 0: FAT, sector 1: directory
    starts = []
    body_sectors = b""
    next_sector = 2
    for _, body in data_streams:
        count = -(-len(body) // sector)
        starts.append(next_sector)
        fat += [next_sector + i + 1 for i in range(count - 1)] + [end]
        body_sectors += body + bytes(count * sector - len(body))
        next_sector += count
    assert len(fat) <= sector // 4
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int = free, right: int = free) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded + bytes(64 - len(encoded)) + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", free, right, child) + bytes(16) + struct.pack("<I", 0) + bytes(16)
                + struct.pack("<IIi", start, size, 0))

    # root → first stream; streams chained through their right siblings (a degenerate but valid tree)
    entries = [entry("Root Entry", 5, end, 0, child=1)]
    for i, (name, _) in enumerate(streams):
        entries.append(entry(name, 2, starts[i], sizes[i], right=i + 2 if i + 1 < len(streams) else free))
    directory = b"".join(entries)
    directory += bytes(sector - len(directory))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0))
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    assert len(header) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + body_sectors


# ---------------------------------------------------------------- text files


def seed_text() -> str:
    """Real Chinese prose from the seeds (what a village writes), whitespace collapsed."""
    return "".join("".join(p.read_text(encoding="utf-8").split()) for p in sorted(SEEDS.glob("*.txt")))


def seed_names(n: int) -> list[str]:
    """n short strings (2 to 4 characters) cut from the seeds' Chinese characters."""
    han = [ch for ch in seed_text()[:200_000] if "\u4e00" <= ch <= "\u9fff"]
    out, i = [], 0
    while len(out) < n:
        width = 2 + len(out) % 3
        out.append("".join(han[(i + k) % len(han)] for k in range(width)))
        i += width
    return out


def seed_rows(n: int, start: int = 0) -> list[list[str]]:
    """CSV rows of seed text: a name, an address-like phrase, a note, an ID-like number."""
    han = [ch for ch in seed_text() if "\u4e00" <= ch <= "\u9fff" or ch in "，。、；："]
    rows, pos = [], start * 37
    for i in range(n):
        cut = [(3, "name"), (8, "addr"), (20, "note")]
        row = []
        for width, _ in cut:
            row.append("".join(han[(pos + k) % len(han)] for k in range(width)))
            pos += width
        row.append(f"1101111980{i % 100:02d}01{i % 1000:03d}X")
        rows.append(row)
    return rows


def csv_bytes(rows: Sequence[Sequence[str]], encoding: str, bom: bytes = b"") -> bytes:
    return bom + "".join(",".join(r) + "\r\n" for r in rows).encode(encoding)


def gbk_with_utf8_rows(rows: Sequence[Sequence[str]], pasted: Sequence[int]) -> bytes:
    """A GBK file in which the rows numbered in `pasted` (0-based) were pasted in as UTF-8 bytes."""
    return b"".join((",".join(r) + "\r\n").encode("utf-8" if i in pasted else "gbk") for i, r in enumerate(rows))


def blank_strings(path: Path, rows: int = 300_000) -> Path:
    """Blank-looking space that is not blank: empty text cells down to row `rows` (what a fill-down of
    an empty formula result leaves); calamine keeps them, so they reach far."""
    def gen() -> Iterator[str]:
        yield from rows_xml(table_rows(roster(3)))
        for r in range(5, rows + 1):
            yield f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t></t></is></c></row>'
    return write_raw_xlsx(path, [("花名册", gen())], None)


def far_xls(path: Path) -> Path:
    """An old .xls (BIFF, what xlwt writes) with a header and one stray cell at IV65536, its last cell."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("花名册")
    for j, value in enumerate(HEADER):
        ws.write(0, j, value)
    ws.write(1, 1, "王大山")
    ws.write(65535, 255, "误填")
    wb.save(str(path))
    return path


_PROBE = r"""
import json, resource, sys, time
started = time.perf_counter()
from app.io.excel_import import UnreadableFile, read_table
try:
    table = read_table(sys.argv[1])
    out = {"rows": len(table.rows), "width": table.width, "format": table.format, "first": table.rows[:3]}
except UnreadableFile as exc:
    out = {"refused": str(exc)}
out["seconds"] = time.perf_counter() - started
hwm = 0.0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        hwm = int(line.split()[1]) / 1024
out["self_mb"] = hwm or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["reader_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(out, ensure_ascii=False, default=str))
"""


def measure_read(path: Path, timeout: float = 120) -> dict[str, object]:
    """read_table(path) in a fresh process: its verdict, seconds, and peak memory of the process
    (self_mb, VmHWM) and of the reader child it starts (reader_mb, ru_maxrss of RUSAGE_CHILDREN)."""
    import json
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=root, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["peak_mb"] = max(float(result["self_mb"]), float(result["reader_mb"]))  # type: ignore[arg-type]
    return result
