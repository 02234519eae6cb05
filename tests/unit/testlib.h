/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the host unit tests (run on the host): the ok/not ok line
 * protocol tests/run.sh counts, and a builder for small x86-64 ELF
 * executables to feed the parsers.
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <elf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "onyx/abi.h"

static int test_failures;

/* Prints "ok NAME" or "not ok NAME: reason". */
static inline void __attribute__((format(printf, 3, 4)))
test_check(bool cond, const char *name, const char *fmt, ...)
{
    va_list ap;

    if (cond) {
        printf("ok %s\n", name);
        return;
    }
    test_failures++;
    printf("not ok %s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

#define CHECK(name, cond) test_check((cond), (name), "%s", #cond)

static inline int test_done(void)
{
    fflush(stdout);
    return test_failures ? 1 : 0;
}

struct telf_seg {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t filesz;
    uint32_t flags;
};

#define TELF_MAX 0x10000u

/*
 * Writes an ET_EXEC x86-64 ELF into buf (TELF_MAX bytes, 8-aligned):
 * header, program headers at offset 64, one page of file data per
 * segment (filled with 0xc3), then, when `symbols` is set, a .symtab
 * with "first_fn" (0x10 bytes at the first segment) and "second_fn"
 * (0x20 bytes right after it) and its .strtab. Returns the size.
 */
static inline size_t telf_build(uint8_t *buf, uint64_t entry,
                                const struct telf_seg *segs, unsigned n,
                                bool symbols)
{
    Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
    Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
    size_t off = 0x1000;

    memset(buf, 0, TELF_MAX);
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = entry;
    eh->e_phoff = sizeof(*eh);
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = (uint16_t)n;
    for (unsigned i = 0; i < n; i++) {
        ph[i] = (Elf64_Phdr){
            .p_type = PT_LOAD,
            .p_flags = segs[i].flags,
            .p_offset = off,
            .p_vaddr = segs[i].vaddr,
            .p_paddr = segs[i].vaddr,
            .p_filesz = segs[i].filesz,
            .p_memsz = segs[i].memsz,
            .p_align = 0x1000,
        };
        memset(buf + off, 0xc3,
               segs[i].filesz < 0x1000 ? segs[i].filesz : 0x1000);
        off += 0x1000;
    }
    if (symbols && n > 0) {
        static const char strtab[] = "\0first_fn\0second_fn";
        Elf64_Sym *sym = (Elf64_Sym *)(buf + off);
        Elf64_Shdr *sh;

        sym[1] = (Elf64_Sym){.st_name = 1,
                             .st_value = segs[0].vaddr,
                             .st_size = 0x10,
                             .st_shndx = 1,
                             .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC)};
        sym[2] = (Elf64_Sym){.st_name = 10,
                             .st_value = segs[0].vaddr + 0x10,
                             .st_size = 0x20,
                             .st_shndx = 1,
                             .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC)};
        memcpy(buf + off + 3 * sizeof(*sym), strtab, sizeof(strtab));
        sh = (Elf64_Shdr *)(buf + off + 0x100);
        sh[1] = (Elf64_Shdr){.sh_type = SHT_SYMTAB,
                             .sh_offset = off,
                             .sh_size = 3 * sizeof(*sym),
                             .sh_link = 2,
                             .sh_entsize = sizeof(*sym)};
        sh[2] = (Elf64_Shdr){.sh_type = SHT_STRTAB,
                             .sh_offset = off + 3 * sizeof(*sym),
                             .sh_size = sizeof(strtab)};
        eh->e_shoff = off + 0x100;
        eh->e_shnum = 3;
        eh->e_shentsize = sizeof(*sh);
        off += 0x100 + 3 * sizeof(*sh);
    }
    return off;
}

/* A kernel like the real one: text, rodata, data+bss in the window. */
static inline size_t telf_kernel(uint8_t *buf)
{
    const uint64_t base = ONYX_KERNEL_VBASE + ONYX_KERNEL_PHYS;
    const struct telf_seg segs[] = {
        {base, 0x800, 0x800, PF_R | PF_X},
        {base + 0x1000, 0x100, 0x100, PF_R},
        {base + 0x2000, 0x3000, 0x200, PF_R | PF_W},
    };

    return telf_build(buf, base, segs, 3, true);
}

/* An app like a static musl binary at 0x400000. */
static inline size_t telf_app(uint8_t *buf)
{
    const struct telf_seg segs[] = {
        {0x400000, 0x200, 0x200, PF_R},
        {0x401000, 0x900, 0x900, PF_R | PF_X},
        {0x402fc0, 0x2000, 0x100, PF_R | PF_W},
    };

    return telf_build(buf, 0x401000, segs, 3, true);
}

#endif
