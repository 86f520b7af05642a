#!/usr/bin/env python3
"""The newest glibc symbol version (GLIBC_x.y) that any ELF file under the given paths requires.

    python3 installers/linux/max_glibc.py BUNDLE_DIR [--max 2.28] [--list]

Reads each ELF file's version-needs table (.gnu.version_r, what `objdump -p` shows as "Version
References") with the standard library only, so it runs with any Python 3.8+ and no binutils.
Prints the highest GLIBC_ version found; with --max it exits 1 and names every file that needs a
newer one; --list prints each file's own highest version.
"""

from __future__ import annotations

import argparse
import os
import re
import struct
import sys
from pathlib import Path

SHT_GNU_VERNEED = 0x6FFFFFFE
GLIBC = re.compile(r"^GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$")
Version = tuple  # (2, 28) or (2, 3, 4)


def parse_version(text: str) -> Version:
    """'2.28' -> (2, 28)."""
    return tuple(int(part) for part in text.split("."))


def needed_versions(path: Path) -> set[str]:
    """Every version name (GLIBC_2.28, GLIBCXX_3.4.21 …) the ELF file at path needs; empty if not ELF."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return set()
    if len(data) < 64 or data[:4] != b"\x7fELF":
        return set()
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(end + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x3A)
        sh_fmt = end + "IIQQQQIIQQ"
    else:
        shoff, = struct.unpack_from(end + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x2E)
        sh_fmt = end + "IIIIIIIIII"
    sections = []
    for i in range(shnum):
        start = shoff + i * shentsize
        if start + struct.calcsize(sh_fmt) > len(data):
            return set()
        sections.append(struct.unpack_from(sh_fmt, data, start))
    found: set[str] = set()
    for _name, sh_type, _flags, _addr, offset, _size, link, info, _align, _entsize in sections:
        if sh_type != SHT_GNU_VERNEED or link >= len(sections):
            continue
        strtab = sections[link][4]
        pos = offset
        for _ in range(info):  # sh_info: number of Verneed entries
            _vn_version, vn_cnt, _vn_file, vn_aux, vn_next = struct.unpack_from(end + "HHIII", data, pos)
            aux = pos + vn_aux
            for _ in range(vn_cnt):
                _hash, _flags2, _other, vna_name, vna_next = struct.unpack_from(end + "IHHII", data, aux)
                name_start = strtab + vna_name
                found.add(data[name_start : data.index(b"\0", name_start)].decode("ascii", "replace"))
                if not vna_next:
                    break
                aux += vna_next
            if not vn_next:
                break
            pos += vn_next
    return found


def max_glibc(path: Path) -> Version | None:
    """The highest GLIBC_x.y the ELF file at path needs, or None (not ELF, or no glibc versions)."""
    versions = [m.groups() for m in map(GLIBC.match, needed_versions(path)) if m]
    if not versions:
        return None
    return max(tuple(int(x) for x in v if x is not None) for v in versions)


def scan(paths: list[Path]) -> dict[Path, Version]:
    """Each ELF file under paths (files or folders; symlinks not followed) with its highest GLIBC_."""
    result: dict[Path, Version] = {}
    for root in paths:
        files = [root] if root.is_file() else (Path(d) / n for d, _, names in os.walk(root) for n in names)
        for file in files:
            if file.is_symlink() or not file.is_file():
                continue
            version = max_glibc(file)
            if version is not None:
                result[file] = version
    return result


def show(version: Version) -> str:
    return ".".join(map(str, version))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--max", type=parse_version, help="fail (exit 1) if any file needs a newer glibc")
    parser.add_argument("--list", action="store_true", help="print every file with its highest version")
    args = parser.parse_args(argv)
    found = scan(args.paths)
    if not found:
        print("no ELF file with glibc symbol versions found", file=sys.stderr)
        return 2
    if args.list:
        for file, version in sorted(found.items(), key=lambda kv: (kv[1], str(kv[0]))):
            print(f"{show(version):8} {file}")
    highest = max(found.values())
    print(show(highest))
    if args.max is not None:
        too_new = {f: v for f, v in found.items() if v > args.max}
        for file, version in sorted(too_new.items(), key=lambda kv: str(kv[0])):
            print(f"needs GLIBC_{show(version)} > {show(args.max)}: {file}", file=sys.stderr)
        if too_new:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
