/* SPDX-License-Identifier: MIT */
/*
 * Guest CPU set-up at boot: our GDT with a TSS holding the IST stacks,
 * the IDT for exceptions 0-31, the syscall MSRs, CR4.FSGSBASE and the
 * FPU; plus FS/GS base access (guest side, ring 0).
 */
#include <stdint.h>

#include "k/arch.h"
#include "k/boot.h"

#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_FMASK 0xc0000084u

#define CR4_FSGSBASE (1ull << 16)

/* RFLAGS bits cleared on syscall entry: TF, IF, DF, IOPL, NT, AC. */
#define SYSCALL_FMASK 0x47700ull

/* IST slots: 1 for ordinary exceptions, 2 double fault, 3 NMI/#MC. */
#define IST_TRAP 1
#define IST_DOUBLE 2
#define IST_NMI 3
#define IST_STACK_SIZE 16384

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

struct table_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

extern void k_syscall_entry(void);
extern const uint64_t k_trap_stubs[32];

static uint64_t gdt[5];
static struct tss tss;
static struct idt_entry idt[32];
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));
static bool has_fsgsbase;

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr"
                     :
                     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void gdt_init(void)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint64_t limit = sizeof(tss) - 1;
    struct table_ptr ptr = {.limit = sizeof(gdt) - 1,
                            .base = (uint64_t)(uintptr_t)gdt};

    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
    gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
    /* 64-bit available TSS (type 9), present; 16-byte descriptor. */
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
             (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
             (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;

    tss.ist[IST_TRAP - 1] = (uint64_t)(uintptr_t)(ist_stacks[0] +
                                                  IST_STACK_SIZE);
    tss.ist[IST_DOUBLE - 1] = (uint64_t)(uintptr_t)(ist_stacks[1] +
                                                    IST_STACK_SIZE);
    tss.ist[IST_NMI - 1] = (uint64_t)(uintptr_t)(ist_stacks[2] +
                                                 IST_STACK_SIZE);
    tss.iomap_base = sizeof(tss);

    /* Reload CS with a far return, then the data segments and TR. */
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "lea 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov %2, %%eax\n\t"
                     "mov %%eax, %%ds\n\t"
                     "mov %%eax, %%es\n\t"
                     "mov %%eax, %%ss\n\t"
                     "xor %%eax, %%eax\n\t"
                     "mov %%eax, %%fs\n\t"
                     "mov %%eax, %%gs\n\t"
                     "mov %3, %%eax\n\t"
                     "ltr %%ax"
                     :
                     : "m"(ptr), "i"(K_SEL_CODE), "i"(K_SEL_DATA),
                       "i"(K_SEL_TSS)
                     : "rax", "memory");
}

static void idt_init(void)
{
    struct table_ptr ptr = {.limit = sizeof(idt) - 1,
                            .base = (uint64_t)(uintptr_t)idt};

    for (int v = 0; v < 32; v++) {
        uint64_t off = k_trap_stubs[v];
        uint8_t ist = IST_TRAP;

        if (v == 8)
            ist = IST_DOUBLE;
        else if (v == 2 || v == 18)
            ist = IST_NMI;
        idt[v] = (struct idt_entry){
            .offset_lo = (uint16_t)off,
            .selector = K_SEL_CODE,
            .ist = ist,
            .type_attr = 0x8e, /* present, DPL 0, interrupt gate */
            .offset_mid = (uint16_t)(off >> 16),
            .offset_hi = (uint32_t)(off >> 32),
        };
    }
    __asm__ volatile("lidt %0" : : "m"(ptr) : "memory");
}

/*
 * Each wrmsr and the CR4 write is a VM exit (~7 us on a nested host):
 * only the three syscall MSRs and, when usable, FSGSBASE.
 */
static void syscall_init(void)
{
    /* syscall loads CS from STAR[47:32] and SS from that + 8; the
     * sysret half is never used (it would go to ring 3). */
    wrmsr(MSR_STAR, (uint64_t)K_SEL_CODE << 32);
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)k_syscall_entry);
    wrmsr(MSR_FMASK, SYSCALL_FMASK);
}

static void fsgsbase_init(void)
{
    uint64_t cr4;

    if (!(k_boot_info->cpu_flags & ONYX_CPU_FSGSBASE))
        return;
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= CR4_FSGSBASE;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
    has_fsgsbase = true;
}

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
    gdt_init();
    idt_init();
    syscall_init();
    fsgsbase_init();
    fpu_init();
}

bool k_arch_has_fsgsbase(void)
{
    return has_fsgsbase;
}

void k_arch_set_fs_base(uint64_t base)
{
    if (has_fsgsbase)
        __asm__ volatile("wrfsbase %0" : : "r"(base) : "memory");
    else
        wrmsr(MSR_FS_BASE, base);
}

void k_arch_set_gs_base(uint64_t base)
{
    if (has_fsgsbase)
        __asm__ volatile("wrgsbase %0" : : "r"(base) : "memory");
    else
        wrmsr(MSR_GS_BASE, base);
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
