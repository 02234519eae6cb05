#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Host test helper: rewrites one field of an onyx image (trailer, section
# table, kernel or app ELF header / program header) to make malformed
# images for tests/host/malformed.sh. Layout per include/onyx/abi.h.
import struct
import sys

TRAILER = struct.Struct("<8sIIQQII24x")
SECTION = struct.Struct("<IIQQQ")
EHDR = {"e_type": (16, "H"), "e_machine": (18, "H"), "e_entry": (24, "Q"),
        "e_phoff": (32, "Q"), "e_phentsize": (54, "H"), "e_phnum": (56, "H")}
PHDR = {"p_type": (0, "I"), "p_flags": (4, "I"), "p_offset": (8, "Q"),
        "p_vaddr": (16, "Q"), "p_filesz": (32, "Q"), "p_memsz": (40, "Q")}
TRAILER_FIELDS = {"version": (8, "I"), "abi_version": (12, "I"),
                  "kernel_size": (16, "Q"), "table_offset": (24, "Q"),
                  "section_count": (32, "I")}
SECTION_FIELDS = {"type": (0, "I"), "offset": (8, "Q"), "size": (16, "Q")}
APP = 1


def put(data, off, fmt, value):
    struct.pack_into("<" + fmt, data, off, value)


def sections(data):
    t = TRAILER.unpack_from(data, len(data) - 64)
    table, count = t[4], t[5]
    return [(table + i * 32, SECTION.unpack_from(data, table + i * 32))
            for i in range(count)]


def section_offset(data, kind):
    for _, (stype, _, off, _, _) in sections(data):
        if stype == kind:
            return off
    sys.exit("imgpatch: no section of type %d" % kind)


def load_phdrs(data, elf):
    phoff = struct.unpack_from("<Q", data, elf + 32)[0]
    phnum = struct.unpack_from("<H", data, elf + 56)[0]
    out = []
    for i in range(phnum):
        p = elf + phoff + i * 56
        if struct.unpack_from("<I", data, p)[0] == 1:
            out.append(p)
    return out


def main():
    path, where, field, value = sys.argv[1:5]
    value = int(value, 0)
    data = bytearray(open(path, "rb").read())
    if where == "trailer":
        off, fmt = TRAILER_FIELDS[field]
        put(data, len(data) - 64 + off, fmt, value)
    elif where.startswith("section:"):
        kind = int(where.split(":")[1])
        for entry, s in sections(data):
            if s[0] == kind:
                off, fmt = SECTION_FIELDS[field]
                put(data, entry + off, fmt, value)
                break
        else:
            sys.exit("imgpatch: no section of type %d" % kind)
    elif where in ("kernel", "app"):
        elf = 0 if where == "kernel" else section_offset(data, APP)
        off, fmt = EHDR[field]
        put(data, elf + off, fmt, value)
    elif where.startswith(("kernel-load:", "app-load:")):
        name, index = where.split(":")
        elf = 0 if name == "kernel-load" else section_offset(data, APP)
        loads = load_phdrs(data, elf)
        off, fmt = PHDR[field]
        put(data, loads[int(index)] + off, fmt, value)
    elif where == "app-phdr-type":
        # Turns the first non-PT_LOAD program header into `value`.
        elf = section_offset(data, APP)
        phoff = struct.unpack_from("<Q", data, elf + 32)[0]
        phnum = struct.unpack_from("<H", data, elf + 56)[0]
        for i in range(phnum):
            p = elf + phoff + i * 56
            if struct.unpack_from("<I", data, p)[0] != 1:
                put(data, p, "I", value)
                break
    else:
        sys.exit("imgpatch: unknown place " + where)
    open(path, "wb").write(data)


main()
