/* SPDX-License-Identifier: MIT */
/* Host-side ELF64 validation and symbol lookup for kernel and app. */
#include <errno.h>
#include <string.h>

#include "elf64.h"
#include "onyx/abi.h"

/* Lowest address an app segment may use: page 0 stays unmapped so NULL
 * dereferences fault. */
#define APP_VADDR_MIN ONYX_PAGE_SIZE

const char *mon_elf_machine_name(uint16_t machine)
{
    switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_386: return "i386";
    case EM_AARCH64: return "aarch64";
    case EM_ARM: return "arm";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390";
    case EM_MIPS: return "mips";
    default: return NULL;
    }
}

void mon_elf_flags_text(uint32_t flags, char out[4])
{
    out[0] = (flags & PF_R) ? 'r' : '-';
    out[1] = (flags & PF_W) ? 'w' : '-';
    out[2] = (flags & PF_X) ? 'x' : '-';
    out[3] = '\0';
}

/* True when [off, off + len) lies inside a file of `size` bytes. */
static bool range_in(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static int elf_check_ident(const Elf64_Ehdr *eh, uint64_t size,
                           struct mon_err *err)
{
    const char *name;

    if (size < SELFMAG || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return mon_err_set(err, -ENOEXEC, "not an ELF file");
    if (size < sizeof(Elf64_Ehdr))
        return mon_err_set(err, -ENOEXEC, "ELF header truncated (%llu bytes)",
                           (unsigned long long)size);
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return mon_err_set(err, -ENOEXEC,
                           "ELF class %u is not 64-bit (need x86-64)",
                           eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return mon_err_set(err, -ENOEXEC,
                           "ELF is not little-endian (need x86-64)");
    if (eh->e_ident[EI_VERSION] != EV_CURRENT)
        return mon_err_set(err, -ENOEXEC, "ELF version %u unknown",
                           eh->e_ident[EI_VERSION]);
    if (eh->e_machine != EM_X86_64) {
        name = mon_elf_machine_name(eh->e_machine);
        return mon_err_set(err, -ENOEXEC,
                           "ELF machine is %s (e_machine %u), need x86-64",
                           name ? name : "unknown", eh->e_machine);
    }
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return mon_err_set(err, -ENOEXEC,
                           "ELF type %u is not an executable (ET_EXEC)",
                           eh->e_type);
    return 0;
}

/* Runs after the program headers are known to lie in the file, so a
 * dynamic executable is named as such even when it is also ET_DYN. */
static int elf_check_static(const Elf64_Ehdr *eh, const uint8_t *data,
                            struct mon_err *err)
{
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(data + eh->e_phoff);
    bool dynamic = false;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP)
            return mon_err_set(err, -ENOEXEC,
                               "dynamically linked executable "
                               "(PT_INTERP): link it with -static");
        if (ph[i].p_type == PT_DYNAMIC)
            dynamic = true;
    }
    if (eh->e_type == ET_DYN)
        return mon_err_set(err, -ENOEXEC,
                           "position-independent executable (ET_DYN): "
                           "static-pie is not supported yet, link with "
                           "-static -no-pie");
    if (dynamic)
        return mon_err_set(err, -ENOEXEC,
                           "dynamically linked executable (PT_DYNAMIC): "
                           "link it with -static");
    return 0;
}

static int elf_check_phdrs(const Elf64_Ehdr *eh, uint64_t size,
                           struct mon_err *err)
{
    if (eh->e_phnum == 0)
        return mon_err_set(err, -ENOEXEC, "ELF has no program headers");
    if (eh->e_phnum == PN_XNUM || eh->e_phnum > MON_ELF_MAX_PHNUM)
        return mon_err_set(err, -ENOEXEC,
                           "ELF has %u program headers (at most %u)",
                           eh->e_phnum, MON_ELF_MAX_PHNUM);
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return mon_err_set(err, -ENOEXEC,
                           "ELF program header size %u (expected %zu)",
                           eh->e_phentsize, sizeof(Elf64_Phdr));
    if (!range_in(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
                  size))
        return mon_err_set(err, -ENOEXEC,
                           "ELF program headers (offset 0x%llx, %u "
                           "entries) lie outside the file (%llu bytes)",
                           (unsigned long long)eh->e_phoff, eh->e_phnum,
                           (unsigned long long)size);
    if (eh->e_phoff % 8 != 0)
        return mon_err_set(err, -ENOEXEC,
                           "ELF program headers misaligned (offset 0x%llx)",
                           (unsigned long long)eh->e_phoff);
    return 0;
}

static int elf_add_load(struct mon_elf *elf, unsigned idx, const Elf64_Phdr *ph,
                        struct mon_err *err)
{
    struct mon_elf_seg seg = {
        .vaddr = ph->p_vaddr,
        .memsz = ph->p_memsz,
        .offset = ph->p_offset,
        .filesz = ph->p_filesz,
        .flags = ph->p_flags & (PF_R | PF_W | PF_X),
    };
    unsigned pos;

    if (seg.filesz > seg.memsz)
        return mon_err_set(
            err, -ENOEXEC, "segment %u: p_filesz 0x%llx > p_memsz 0x%llx", idx,
            (unsigned long long)seg.filesz, (unsigned long long)seg.memsz);
    if (seg.memsz > MON_ELF_MAX_MEMSZ)
        return mon_err_set(err, -ENOEXEC,
                           "segment %u: p_memsz 0x%llx is absurd "
                           "(more than 64 GiB)",
                           idx, (unsigned long long)seg.memsz);
    if (!range_in(seg.offset, seg.filesz, elf->size))
        return mon_err_set(err, -ENOEXEC,
                           "segment %u: file bytes [0x%llx, +0x%llx) lie "
                           "outside the file (%llu bytes)",
                           idx, (unsigned long long)seg.offset,
                           (unsigned long long)seg.filesz,
                           (unsigned long long)elf->size);
    if (seg.vaddr > UINT64_MAX - seg.memsz - ONYX_PAGE_SIZE)
        return mon_err_set(err, -ENOEXEC,
                           "segment %u: address 0x%llx + size 0x%llx "
                           "wraps around",
                           idx, (unsigned long long)seg.vaddr,
                           (unsigned long long)seg.memsz);
    if (seg.memsz == 0)
        return 0;
    if (elf->nloads == MON_ELF_MAX_LOADS)
        return mon_err_set(err, -ENOEXEC, "more than %u loadable segments",
                           MON_ELF_MAX_LOADS);
    /* Keep them sorted by address; the ELF spec requires it anyway. */
    pos = elf->nloads;
    while (pos > 0 && elf->loads[pos - 1].vaddr > seg.vaddr) {
        elf->loads[pos] = elf->loads[pos - 1];
        pos--;
    }
    elf->loads[pos] = seg;
    elf->nloads++;
    return 0;
}

static int elf_scan_phdrs(struct mon_elf *elf, struct mon_err *err)
{
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(elf->data + elf->phoff);

    for (unsigned i = 0; i < elf->phnum; i++) {
        int rc;

        if (ph[i].p_type != PT_LOAD)
            continue;
        rc = elf_add_load(elf, i, &ph[i], err);
        if (rc < 0)
            return rc;
    }
    if (elf->nloads == 0)
        return mon_err_set(err, -ENOEXEC, "ELF has no loadable segment");
    for (unsigned i = 1; i < elf->nloads; i++) {
        const struct mon_elf_seg *a = &elf->loads[i - 1];
        const struct mon_elf_seg *b = &elf->loads[i];

        if (b->vaddr < a->vaddr + a->memsz)
            return mon_err_set(
                err, -ENOEXEC, "segments at 0x%llx and 0x%llx overlap",
                (unsigned long long)a->vaddr, (unsigned long long)b->vaddr);
    }
    return 0;
}

/* Finds where the program headers are mapped (for AT_PHDR). */
static void elf_find_phdr_vaddr(struct mon_elf *elf)
{
    uint64_t len = (uint64_t)elf->phnum * sizeof(Elf64_Phdr);

    elf->phdr_vaddr = 0;
    for (unsigned i = 0; i < elf->nloads; i++) {
        const struct mon_elf_seg *s = &elf->loads[i];

        if (elf->phoff >= s->offset && elf->phoff - s->offset <= s->filesz &&
            len <= s->filesz - (elf->phoff - s->offset)) {
            elf->phdr_vaddr = s->vaddr + (elf->phoff - s->offset);
            return;
        }
    }
}

/* Locates .symtab and its string table; leaves them NULL on any doubt. */
static void elf_find_symbols(struct mon_elf *elf, const Elf64_Ehdr *eh)
{
    const Elf64_Shdr *sh;

    elf->syms = NULL;
    elf->nsyms = 0;
    elf->strtab = NULL;
    elf->strtab_size = 0;
    if (eh->e_shnum == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        eh->e_shoff % 8 != 0 ||
        !range_in(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr),
                  elf->size))
        return;
    sh = (const Elf64_Shdr *)(elf->data + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        const Elf64_Shdr *str;

        if (sh[i].sh_type != SHT_SYMTAB ||
            sh[i].sh_entsize != sizeof(Elf64_Sym) || sh[i].sh_offset % 8 != 0 ||
            sh[i].sh_link >= eh->e_shnum ||
            !range_in(sh[i].sh_offset, sh[i].sh_size, elf->size))
            continue;
        str = &sh[sh[i].sh_link];
        if (str->sh_type != SHT_STRTAB ||
            !range_in(str->sh_offset, str->sh_size, elf->size))
            continue;
        elf->syms = (const Elf64_Sym *)(elf->data + sh[i].sh_offset);
        elf->nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
        elf->strtab = (const char *)(elf->data + str->sh_offset);
        elf->strtab_size = str->sh_size;
        return;
    }
}

static bool elf_entry_ok(const struct mon_elf *elf)
{
    for (unsigned i = 0; i < elf->nloads; i++) {
        const struct mon_elf_seg *s = &elf->loads[i];

        if ((s->flags & PF_X) && elf->entry >= s->vaddr &&
            elf->entry - s->vaddr < s->memsz)
            return true;
    }
    return false;
}

int mon_elf_parse(struct mon_elf *elf, const void *data, uint64_t size,
                  struct mon_err *err)
{
    const Elf64_Ehdr *eh = data;
    int rc;

    memset(elf, 0, sizeof(*elf));
    elf->data = data;
    elf->size = size;
    if (((uintptr_t)data & 7) != 0)
        return mon_err_set(err, -EINVAL, "ELF data misaligned in memory");
    rc = elf_check_ident(eh, size, err);
    if (rc < 0)
        return rc;
    rc = elf_check_phdrs(eh, size, err);
    if (rc == 0)
        rc = elf_check_static(eh, data, err);
    if (rc < 0)
        return rc;
    elf->machine = eh->e_machine;
    elf->entry = eh->e_entry;
    elf->phoff = eh->e_phoff;
    elf->phnum = eh->e_phnum;
    elf->phentsize = eh->e_phentsize;
    rc = elf_scan_phdrs(elf, err);
    if (rc < 0)
        return rc;
    if (!elf_entry_ok(elf))
        return mon_err_set(err, -ENOEXEC,
                           "entry point 0x%llx is outside every "
                           "executable segment",
                           (unsigned long long)elf->entry);
    elf_find_phdr_vaddr(elf);
    elf_find_symbols(elf, eh);
    return 0;
}

int mon_elf_check_kernel(const struct mon_elf *elf, struct mon_err *err)
{
    const uint64_t lowest = ONYX_KERNEL_VBASE + ONYX_KERNEL_PHYS;

    for (unsigned i = 0; i < elf->nloads; i++) {
        const struct mon_elf_seg *s = &elf->loads[i];

        if (s->vaddr < lowest || s->vaddr >= MON_KERNEL_VEND ||
            s->memsz > MON_KERNEL_VEND - s->vaddr)
            return mon_err_set(err, -EINVAL,
                               "kernel segment at 0x%llx (size 0x%llx) is "
                               "outside the kernel window [0x%llx, 0x%llx)",
                               (unsigned long long)s->vaddr,
                               (unsigned long long)s->memsz,
                               (unsigned long long)lowest, MON_KERNEL_VEND);
        if ((s->flags & PF_W) && (s->flags & PF_X))
            return mon_err_set(err, -EINVAL,
                               "kernel segment at 0x%llx is writable "
                               "and executable (W^X)",
                               (unsigned long long)s->vaddr);
    }
    return 0;
}

int mon_elf_check_app(const struct mon_elf *elf, struct mon_err *err)
{
    for (unsigned i = 0; i < elf->nloads; i++) {
        const struct mon_elf_seg *s = &elf->loads[i];

        if (s->vaddr >= ONYX_APP_MMAP_TOP ||
            s->memsz > ONYX_APP_MMAP_TOP - s->vaddr)
            return mon_err_set(err, -EINVAL,
                               "app segment at 0x%llx (size 0x%llx) "
                               "reaches past 0x%llx into the mmap area, "
                               "the direct map or the upper half",
                               (unsigned long long)s->vaddr,
                               (unsigned long long)s->memsz,
                               (unsigned long long)ONYX_APP_MMAP_TOP);
        if (s->vaddr < APP_VADDR_MIN)
            return mon_err_set(err, -EINVAL,
                               "app segment at 0x%llx covers page 0, "
                               "which stays unmapped",
                               (unsigned long long)s->vaddr);
        if (s->vaddr < MON_KERNEL_VEND &&
            s->vaddr + s->memsz > ONYX_KERNEL_VBASE)
            return mon_err_set(err, -EINVAL,
                               "app segment at 0x%llx (size 0x%llx) "
                               "overlaps the kernel window [0x%llx, 0x%llx)",
                               (unsigned long long)s->vaddr,
                               (unsigned long long)s->memsz, ONYX_KERNEL_VBASE,
                               MON_KERNEL_VEND);
    }
    return 0;
}

uint64_t mon_elf_kernel_phys_end(const struct mon_elf *elf)
{
    const struct mon_elf_seg *last = &elf->loads[elf->nloads - 1];

    return last->vaddr + last->memsz - ONYX_KERNEL_VBASE;
}

bool mon_elf_symbolize(const struct mon_elf *elf, uint64_t addr,
                       const char **name, uint64_t *offset)
{
    const Elf64_Sym *best = NULL;

    for (uint64_t i = 0; elf->syms && i < elf->nsyms; i++) {
        const Elf64_Sym *s = &elf->syms[i];
        unsigned type = ELF64_ST_TYPE(s->st_info);

        if ((type != STT_FUNC && type != STT_NOTYPE) ||
            s->st_shndx == SHN_UNDEF || s->st_value > addr || s->st_name == 0 ||
            s->st_name >= elf->strtab_size)
            continue;
        if (s->st_size != 0 && addr - s->st_value >= s->st_size)
            continue;
        /* Prefer sized functions, then the closest symbol below. */
        if (!best || (s->st_size != 0 && best->st_size == 0) ||
            ((s->st_size != 0) == (best->st_size != 0) &&
             s->st_value > best->st_value))
            best = s;
    }
    if (!best)
        return false;
    if (strnlen(elf->strtab + best->st_name,
                elf->strtab_size - best->st_name) ==
        elf->strtab_size - best->st_name)
        return false;
    *name = elf->strtab + best->st_name;
    *offset = addr - best->st_value;
    return true;
}
