/* SPDX-License-Identifier: MIT */
/*
 * Host-side crash reports: guest-reported exceptions and panics, and
 * register dumps for exits the guest did not ask for, with addresses
 * symbolized from the kernel's and the app's ELF symbol tables.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "log.h"
#include "monitor.h"

static const char *const vector_names[32] = {
    [0] = "#DE divide error",
    [1] = "#DB debug",
    [2] = "NMI",
    [3] = "#BP breakpoint",
    [4] = "#OF overflow",
    [5] = "#BR bound range",
    [6] = "#UD invalid opcode",
    [7] = "#NM device not available",
    [8] = "#DF double fault",
    [10] = "#TS invalid TSS",
    [11] = "#NP segment not present",
    [12] = "#SS stack fault",
    [13] = "#GP general protection",
    [14] = "#PF page fault",
    [16] = "#MF x87 floating point",
    [17] = "#AC alignment check",
    [18] = "#MC machine check",
    [19] = "#XM SIMD floating point",
    [20] = "#VE virtualization",
    [21] = "#CP control protection",
};

/* "name+0xoff [kernel]" for an address, or "" when unknown. */
static void symbolize(struct mon_run *r, uint64_t addr, char *out, size_t len)
{
    const struct mon_elf *elf = NULL;
    const char *where = "";
    const char *name;
    uint64_t off;

    out[0] = '\0';
    if (!r->img)
        return;
    if (addr >= ONYX_KERNEL_VBASE && addr < MON_KERNEL_VEND) {
        elf = &r->img->kernel;
        where = "kernel";
    } else if (addr < ONYX_APP_MMAP_TOP) {
        elf = &r->img->app;
        where = "app";
    }
    if (!elf || !mon_elf_symbolize(elf, addr, &name, &off))
        return;
    snprintf(out, len, " %.*s+0x%llx [%s]", 200, name, (unsigned long long)off,
             where);
}

static void print_regs(struct mon_run *r, const struct onyx_regs *g)
{
    char sym[300];

    symbolize(r, g->rip, sym, sizeof(sym));
    fprintf(stderr, "  rip    0x%016llx%s\n", (unsigned long long)g->rip, sym);
    fprintf(stderr,
            "  rax    0x%016llx  rbx 0x%016llx  rcx 0x%016llx\n"
            "  rdx    0x%016llx  rsi 0x%016llx  rdi 0x%016llx\n"
            "  rbp    0x%016llx  rsp 0x%016llx  r8  0x%016llx\n"
            "  r9     0x%016llx  r10 0x%016llx  r11 0x%016llx\n"
            "  r12    0x%016llx  r13 0x%016llx  r14 0x%016llx\n"
            "  r15    0x%016llx  rflags 0x%llx\n"
            "  cs     0x%llx  ss 0x%llx  fs_base 0x%llx  gs_base 0x%llx\n"
            "  cr2    0x%016llx  cr3 0x%llx\n",
            (unsigned long long)g->rax, (unsigned long long)g->rbx,
            (unsigned long long)g->rcx, (unsigned long long)g->rdx,
            (unsigned long long)g->rsi, (unsigned long long)g->rdi,
            (unsigned long long)g->rbp, (unsigned long long)g->rsp,
            (unsigned long long)g->r8, (unsigned long long)g->r9,
            (unsigned long long)g->r10, (unsigned long long)g->r11,
            (unsigned long long)g->r12, (unsigned long long)g->r13,
            (unsigned long long)g->r14, (unsigned long long)g->r15,
            (unsigned long long)g->rflags, (unsigned long long)g->cs,
            (unsigned long long)g->ss, (unsigned long long)g->fs_base,
            (unsigned long long)g->gs_base, (unsigned long long)g->cr2,
            (unsigned long long)g->cr3);
}

static void print_backtrace(struct mon_run *r, const uint64_t *bt, unsigned n)
{
    char sym[300];

    if (n == 0)
        return;
    fprintf(stderr, "  backtrace:\n");
    for (unsigned i = 0; i < n && bt[i]; i++) {
        symbolize(r, bt[i], sym, sizeof(sym));
        fprintf(stderr, "    #%-2u 0x%016llx%s\n", i, (unsigned long long)bt[i],
                sym);
    }
}

/* Page-fault error code bits, spelled out. */
static void print_exception(const struct onyx_hc_crash *c)
{
    const char *name = c->vector < 32 ? vector_names[c->vector] : NULL;

    if (c->vector == ONYX_CRASH_PANIC) {
        fprintf(stderr, "  kernel panic\n");
        return;
    }
    fprintf(stderr, "  exception %u (%s), error code 0x%llx", c->vector,
            name ? name : "reserved", (unsigned long long)c->error_code);
    if (c->vector == 14)
        fprintf(stderr, ": %s %s%s",
                c->error_code & 1 ? "protection" : "not-present",
                c->error_code & 16  ? "instruction fetch"
                : c->error_code & 2 ? "write"
                                    : "read",
                c->error_code & 8 ? ", reserved bit" : "");
    fprintf(stderr, "\n");
}

void mon_crash_report(struct mon_run *r, const struct onyx_hc_crash *c)
{
    char msg[ONYX_CRASH_MSG_MAX * 4 + 1];
    size_t o = 0;

    /* The message is guest data: bound it and escape what is not text. */
    for (size_t i = 0; i < ONYX_CRASH_MSG_MAX && c->message[i]; i++) {
        unsigned char ch = (unsigned char)c->message[i];

        if (ch >= 0x20 && ch < 0x7f)
            msg[o++] = (char)ch;
        else
            o += (size_t)snprintf(msg + o, 5, "\\x%02x", ch);
    }
    msg[o] = '\0';
    fprintf(stderr, "%s: guest crashed: %s\n", mon_log_prefix(),
            o ? msg : "(no message)");
    print_exception(c);
    print_regs(r, &c->regs);
    print_backtrace(r, c->backtrace, ONYX_CRASH_BT_MAX);
    fflush(stderr);
}

/* Guest virtual to physical through the guest's own page tables, every
 * table read bounds-checked. Returns UINT64_MAX when unmapped. */
static uint64_t walk(struct mon_run *r, uint64_t cr3, uint64_t va)
{
    uint64_t table = cr3 & MON_PTE_ADDR;

    for (int shift = 39; shift >= 12; shift -= 9) {
        const uint64_t *e =
            mon_vm_ptr(r->vm, table + ((va >> shift) & 511) * 8, 8);

        if (!e || !(*e & MON_PTE_P))
            return UINT64_MAX;
        if (shift > 12 && shift < 39 && (*e & MON_PTE_PS)) {
            uint64_t size = 1ull << shift;

            return (*e & MON_PTE_ADDR & ~(size - 1)) + (va & (size - 1));
        }
        table = *e & MON_PTE_ADDR;
    }
    return table + (va & 0xfff);
}

static bool read_guest_u64(struct mon_run *r, uint64_t cr3, uint64_t va,
                           uint64_t *out)
{
    uint64_t pa = walk(r, cr3, va);
    const uint64_t *p;

    if (pa == UINT64_MAX || (va & 7))
        return false;
    p = mon_vm_ptr(r->vm, pa, 8);
    if (!p)
        return false;
    *out = *p;
    return true;
}

/* Follows the rbp chain (the kernel keeps frame pointers). */
static unsigned frame_walk(struct mon_run *r, uint64_t cr3, uint64_t rbp,
                           uint64_t *bt, unsigned max)
{
    unsigned n = 0;

    while (n < max && rbp) {
        uint64_t next, ret;

        if (!read_guest_u64(r, cr3, rbp, &next) ||
            !read_guest_u64(r, cr3, rbp + 8, &ret) || ret == 0)
            break;
        bt[n++] = ret;
        if (next <= rbp)
            break;
        rbp = next;
    }
    return n;
}

void mon_crash_dump(struct mon_run *r, const char *fmt, ...)
{
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct onyx_regs g = {0};
    uint64_t bt[ONYX_CRASH_BT_MAX] = {0};
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: guest stopped: %s\n", mon_log_prefix(), why);
    if (ioctl(r->vm->vcpu_fd, KVM_GET_REGS, &regs) < 0 ||
        ioctl(r->vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
        fprintf(stderr, "  (registers unavailable)\n");
        return;
    }
    g = (struct onyx_regs){
        .rax = regs.rax,
        .rbx = regs.rbx,
        .rcx = regs.rcx,
        .rdx = regs.rdx,
        .rsi = regs.rsi,
        .rdi = regs.rdi,
        .rbp = regs.rbp,
        .rsp = regs.rsp,
        .r8 = regs.r8,
        .r9 = regs.r9,
        .r10 = regs.r10,
        .r11 = regs.r11,
        .r12 = regs.r12,
        .r13 = regs.r13,
        .r14 = regs.r14,
        .r15 = regs.r15,
        .rip = regs.rip,
        .rflags = regs.rflags,
        .cs = sregs.cs.selector,
        .ss = sregs.ss.selector,
        .fs_base = sregs.fs.base,
        .gs_base = sregs.gs.base,
        .cr2 = sregs.cr2,
        .cr3 = sregs.cr3,
    };
    print_regs(r, &g);
    fprintf(stderr, "  cr0    0x%llx  cr4 0x%llx  efer 0x%llx\n",
            (unsigned long long)sregs.cr0, (unsigned long long)sregs.cr4,
            (unsigned long long)sregs.efer);
    print_backtrace(r, bt,
                    frame_walk(r, sregs.cr3, regs.rbp, bt, ONYX_CRASH_BT_MAX));
    fflush(stderr);
}
