/* SPDX-License-Identifier: MIT */
/*
 * Guest CPU set-up at boot (guest side, ring 3): the IST stacks the
 * ring-0 trampolines run on, the IDT entries (boot.S already loaded both
 * tables), CR4.FSGSBASE, FS/GS base access and the FPU; plus the calls
 * through the ring-0 gate for TLB flushes and MSR writes.
 */
#include <stdint.h>

#include "k/arch.h"
#include "k/boot.h"
#include "k/log.h"

#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u

#define CR4_FSGSBASE (1ull << 16)

/* IST slots: 1 for exceptions and the privileged gate, 2 for double
 * faults, 3 for NMI and machine checks. Each is only used for the few
 * ring-0 instructions before the hand-over to ring 3. */
#define IST_TRAP 1
#define IST_DOUBLE 2
#define IST_NMI 3
#define IST_STACK_SIZE 4096
#define TRAP_STACK_SIZE 16384

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "64-bit TSS layout");

struct idt_entry {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
};

extern const uint64_t k_trap_stubs[32];
/* The iretq frame the ring-0 trap stubs leave through, and the ring-3
 * code it leads to (entry.S). */
extern uint64_t k_trap_iret[5];
extern const uint64_t k_trap_entry3_ptr;
/* The gate to ring 0 (entry.S): operation in r8, clobbers rax. */
extern void k_priv_call(void);
extern struct tss k_tss;
extern struct idt_entry k_idt[256];

static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t trap_stack[TRAP_STACK_SIZE] __attribute__((aligned(16)));
static bool has_fsgsbase;

static uint64_t stack_top(uint8_t *base, size_t size)
{
    return (uint64_t)(uintptr_t)(base + size);
}

static void tss_init(void)
{
    k_tss.rsp[0] = stack_top(ist_stacks[0], IST_STACK_SIZE);
    k_tss.ist[IST_TRAP - 1] = stack_top(ist_stacks[0], IST_STACK_SIZE);
    k_tss.ist[IST_DOUBLE - 1] = stack_top(ist_stacks[1], IST_STACK_SIZE);
    k_tss.ist[IST_NMI - 1] = stack_top(ist_stacks[2], IST_STACK_SIZE);
    k_tss.iomap_base = sizeof(k_tss);
}

static void idt_set(unsigned v, uint64_t off, uint8_t ist, uint8_t dpl)
{
    k_idt[v] = (struct idt_entry){
        .offset_lo = (uint16_t)off,
        .selector = K_SEL_KCODE,
        .ist = ist,
        .type_attr = (uint8_t)(0x8e | (dpl << 5)), /* interrupt gate */
        .offset_mid = (uint16_t)(off >> 16),
        .offset_hi = (uint32_t)(off >> 32),
    };
}

static void idt_init(void)
{
    for (unsigned v = 0; v < 32; v++) {
        uint8_t ist = IST_TRAP;

        if (v == 8)
            ist = IST_DOUBLE;
        else if (v == 2 || v == 18)
            ist = IST_NMI;
        idt_set(v, k_trap_stubs[v], ist, 0);
    }
}

static void priv_cr4_or(uint64_t bits)
{
    register uint64_t op __asm__("r8") = K_PRIV_CR4_OR;

    __asm__ volatile("call k_priv_call"
                     : "+D"(bits)
                     : "r"(op)
                     : "rax", "memory");
}

/* 1 when rdfsbase works in ring 3 (fixed up to 0 on #UD). */
extern int k_probe_fsgsbase(void);

static void fpu_init(void)
{
    uint32_t mxcsr = 0x1f80; /* all exceptions masked, round to nearest */

    __asm__ volatile("fninit\n\t"
                     "ldmxcsr %0"
                     :
                     : "m"(mxcsr));
}

void k_arch_init(void)
{
    bool want_fsgsbase = k_boot_info->cpu_flags & ONYX_CPU_FSGSBASE;

    k_trap_iret[0] = k_trap_entry3_ptr;
    k_trap_iret[1] = K_USER_CS;
    k_trap_iret[2] = K_RFLAGS;
    k_trap_iret[3] = stack_top(trap_stack, TRAP_STACK_SIZE);
    k_trap_iret[4] = K_USER_DS;
    tss_init();
    idt_init();
    /* kvm_pvm leaves the host's CR4 in force for ring 3, so the
     * instructions usually work as they are: try first, and only then
     * pay for a trip through the ring-0 gate to set CR4.FSGSBASE. */
    has_fsgsbase = k_probe_fsgsbase();
    if (!has_fsgsbase && want_fsgsbase) {
        priv_cr4_or(CR4_FSGSBASE);
        has_fsgsbase = k_probe_fsgsbase();
    }
    fpu_init();
    k_debug("cpu: flags=0x%x xcr0=0x%lx xsave_size=%u fsgsbase=%s",
            k_boot_info->cpu_flags, k_boot_info->xcr0, k_boot_info->xsave_size,
            has_fsgsbase ? "ring 3" : "MSR gate");
}

bool k_arch_has_fsgsbase(void)
{
    return has_fsgsbase;
}

static void priv_wrmsr(uint32_t msr, uint64_t v)
{
    register uint64_t op __asm__("r8") = K_PRIV_WRMSR;
    uint32_t lo = (uint32_t)v;

    __asm__ volatile("call k_priv_call"
                     : "+a"(lo)
                     : "c"(msr), "d"((uint32_t)(v >> 32)), "r"(op)
                     : "memory");
}

void k_arch_invlpg_range(uint64_t va, uint64_t pages)
{
    register uint64_t op __asm__("r8") = K_PRIV_INVLPG;

    if (!pages)
        return;
    __asm__ volatile("call k_priv_call"
                     : "+D"(va), "+S"(pages)
                     : "r"(op)
                     : "rax", "memory");
}

void k_arch_flush_tlb(void)
{
    register uint64_t op __asm__("r8") = K_PRIV_FLUSH;

    __asm__ volatile("call k_priv_call" : : "r"(op) : "rax", "memory");
}

void k_arch_set_fs_base(uint64_t base)
{
    if (has_fsgsbase)
        __asm__ volatile("wrfsbase %0" : : "r"(base) : "memory");
    else
        priv_wrmsr(MSR_FS_BASE, base);
}

void k_arch_set_gs_base(uint64_t base)
{
    if (has_fsgsbase)
        __asm__ volatile("wrgsbase %0" : : "r"(base) : "memory");
    else
        priv_wrmsr(MSR_GS_BASE, base);
}

uint64_t k_arch_get_fs_base(uint64_t cached)
{
    uint64_t v;

    if (!has_fsgsbase)
        return cached;
    __asm__ volatile("rdfsbase %0" : "=r"(v));
    return v;
}

uint64_t k_arch_get_gs_base(uint64_t cached)
{
    uint64_t v;

    if (!has_fsgsbase)
        return cached;
    __asm__ volatile("rdgsbase %0" : "=r"(v));
    return v;
}
