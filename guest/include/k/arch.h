/* SPDX-License-Identifier: MIT */
/*
 * x86-64 CPU layer of the guest kernel: trap and syscall frames, control
 * registers, TSC, FS/GS base, FPU state and the low-level entry points
 * in guest/arch/x86_64 (guest side).
 */
#ifndef K_ARCH_H
#define K_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kernel segment selectors (our GDT, guest/arch/x86_64/cpu.c). */
#define K_SEL_CODE 0x08
#define K_SEL_DATA 0x10
#define K_SEL_TSS 0x18

/* Registers the exception stubs save, lowest address first. */
struct k_trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/*
 * Registers the syscall entry saves at the top of the thread's kernel
 * stack, lowest address first. rax holds the syscall number on entry
 * and the result on return; rcx/r11 the app's rip/rflags.
 */
struct k_syscall_frame {
    uint64_t r15, r14, r13, r12, rbp, rbx;
    uint64_t r9, r8, r10, rdx, rsi, rdi;
    uint64_t rax, r11, rcx, rsp;
};

_Static_assert(sizeof(struct k_syscall_frame) == 128, "syscall frame");

/* Sets up GDT, TSS with IST stacks, IDT, syscall MSRs, CR4.FSGSBASE
 * when available and the FPU. Called once, first thing at boot. */
void k_arch_init(void);

/* Kernel stack top the syscall entry switches to (current thread's). */
extern uint64_t k_syscall_kstack_top;

/* TSC when _start ran, for the boot-time log line. */
extern uint64_t k_boot_tsc;

static inline uint64_t k_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t k_read_cr2(void)
{
    uint64_t v;

    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static inline uint64_t k_read_cr3(void)
{
    uint64_t v;

    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static inline void k_invlpg(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void k_halt_forever(void)
{
    /* HLT with interrupts off ends the VM: the monitor reports it. */
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* FS/GS base of the running context (wrfsbase when CR4.FSGSBASE is on,
 * else the MSR). */
void k_arch_set_fs_base(uint64_t base);
void k_arch_set_gs_base(uint64_t base);
/* Reads the live FS/GS base; only meaningful with FSGSBASE (else the
 * caller's cached copy is returned unchanged). */
uint64_t k_arch_get_fs_base(uint64_t cached);
uint64_t k_arch_get_gs_base(uint64_t cached);
bool k_arch_has_fsgsbase(void);

/* FPU/SSE/AVX state areas: size and 64-byte alignment from the boot
 * info. init_area writes the state an app thread starts with. */
size_t k_fpu_area_size(void);
void k_fpu_init_area(void *area);
void k_fpu_save(void *area);
void k_fpu_restore(const void *area);

/* Saves callee-saved registers on the current stack, stores the stack
 * pointer in *save_sp, loads new_sp and returns into that context. */
void k_arch_switch(uint64_t *save_sp, uint64_t new_sp);
/* First return address of a new kernel thread (calls k_thread_main). */
void k_arch_thread_start(void);
/* Leaves the syscall handler through its saved k_syscall_frame on the
 * current stack; a new app thread (clone) starts here. */
void k_syscall_return(void);
/* Jumps to the app's entry with rsp = sp, rdx = 0, other registers
 * zero. Never returns. */
_Noreturn void k_arch_enter_app(uint64_t entry, uint64_t sp);

/* Called by the exception stubs (guest/arch/x86_64/traps.c). */
void k_trap_handle(struct k_trap_frame *f);
/* Called by the syscall entry stub (guest/sys/table.c). */
void k_syscall_handle(struct k_syscall_frame *f);

/* Fills `bt` with up to `max` return addresses by walking frame
 * pointers from `rbp`; every read is checked against the page tables
 * first, so the walk never faults. Returns the number found. */
unsigned k_backtrace(uint64_t rbp, uint64_t *bt, unsigned max);

/*
 * Reports a crash to the monitor (ONYX_HC_CRASH) with `regs` (may be
 * NULL), a backtrace walked from `rbp` and `msg`; never returns. A
 * crash while reporting a crash sends a minimal report; a third one
 * halts the vCPU (the monitor reports an unexpected HLT).
 */
struct onyx_regs;
_Noreturn void k_crash(uint32_t vector, uint64_t error,
                       const struct onyx_regs *regs, uint64_t rbp,
                       const char *msg);

#endif
