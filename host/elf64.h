/* SPDX-License-Identifier: MIT */
/*
 * Host-side ELF64 reader for the kernel and app executables inside an
 * image: header and program header validation with overflow-safe bounds,
 * and symbol lookup for crash reports. Never trusts a field of the file.
 */
#ifndef MON_ELF64_H
#define MON_ELF64_H

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/* End of the kernel window: abi.h keeps the kernel image below 2 GiB
 * (it is linked at ONYX_KERNEL_VBASE + physical address). */
#define MON_KERNEL_VEND 0x80000000ull

/* Limits that keep a hostile file from costing time or memory. */
#define MON_ELF_MAX_PHNUM 64u
#define MON_ELF_MAX_LOADS 16u
#define MON_ELF_MAX_MEMSZ MON_MEM_MAX

/* One PT_LOAD segment with a non-zero p_memsz. */
struct mon_elf_seg {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t offset;
    uint64_t filesz;
    uint32_t flags; /* PF_R | PF_W | PF_X */
};

struct mon_elf {
    const uint8_t *data;
    uint64_t size;
    uint16_t machine;
    uint64_t entry;
    uint64_t phoff;
    uint16_t phnum;
    uint16_t phentsize;
    /* Loadable segments sorted by vaddr; they do not overlap, but two
     * neighbours may share a page. */
    unsigned nloads;
    struct mon_elf_seg loads[MON_ELF_MAX_LOADS];
    /* Virtual address of the program headers as loaded, 0 when no
     * segment holds them. */
    uint64_t phdr_vaddr;
    /* Symbol table, NULL when the file has none (stripped) or its
     * section headers are malformed; symbols are only for reports. */
    const Elf64_Sym *syms;
    uint64_t nsyms;
    const char *strtab;
    uint64_t strtab_size;
};

/*
 * Validates a static x86-64 ELF executable held in data[0..size) and
 * fills `elf` (which keeps pointers into `data`). Refuses, with a
 * message in `err`: non-ELF data, other classes, byte orders and
 * machines, ET_DYN (static-pie) and dynamic executables, program
 * headers outside the file or absurd in number, PT_LOAD segments with
 * p_filesz > p_memsz, file ranges outside the data, sizes above
 * MON_ELF_MAX_MEMSZ, overlapping segments and an entry point outside
 * every executable segment. Returns 0, -ENOEXEC or -EINVAL.
 */
int mon_elf_parse(struct mon_elf *elf, const void *data, uint64_t size,
                  struct mon_err *err);

/* Checks a parsed kernel: segments inside the kernel window
 * [ONYX_KERNEL_VBASE + ONYX_KERNEL_PHYS, MON_KERNEL_VEND), none
 * writable and executable. Returns 0 or -EINVAL. */
int mon_elf_check_kernel(const struct mon_elf *elf, struct mon_err *err);

/* Checks a parsed app: segments between the first page and
 * ONYX_APP_MMAP_TOP, clear of the kernel window [ONYX_KERNEL_VBASE,
 * MON_KERNEL_VEND). Returns 0 or -EINVAL. */
int mon_elf_check_app(const struct mon_elf *elf, struct mon_err *err);

/* Physical end of a checked kernel: highest segment end minus
 * ONYX_KERNEL_VBASE. */
uint64_t mon_elf_kernel_phys_end(const struct mon_elf *elf);

/* Finds the function holding `addr`. Returns false when unknown. */
bool mon_elf_symbolize(const struct mon_elf *elf, uint64_t addr,
                       const char **name, uint64_t *offset);

/* "x86-64", "aarch64", ... or NULL when unknown. */
const char *mon_elf_machine_name(uint16_t machine);

/* "r-x"-style text for p_flags, in a static buffer per call site use. */
void mon_elf_flags_text(uint32_t flags, char out[4]);

#endif
