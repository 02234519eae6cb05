/* SPDX-License-Identifier: MIT */
/*
 * x86-64 CPU layer of the guest kernel: trap and syscall frames, control
 * registers, TSC, FS/GS base, FPU state and the low-level entry points
 * in guest/arch/x86_64 (guest side).
 */
#ifndef K_ARCH_H
#define K_ARCH_H

/*
 * Privilege layout. The kernel and the app both run in ring 3: under
 * kvm_pvm ring 0 is emulated one instruction at a time (no SSE, ~1-3 us
 * per instruction) while ring 3 runs natively. Ring 0 only holds short
 * trampolines (guest/arch/x86_64/entry.S): the syscall entry, exception
 * entries and a gate for the few privileged operations (TLB flushes,
 * MSR writes), each of which drops straight back to ring-3 kernel code.
 *
 * GDT (guest/arch/x86_64/boot.S), laid out for STAR/SYSRET.
 */
#define K_SEL_KCODE 0x08
#define K_SEL_KDATA 0x10
#define K_SEL_UCODE32 0x18
#define K_SEL_UDATA 0x20
#define K_SEL_UCODE 0x28
#define K_SEL_TSS 0x30
#define K_USER_CS (K_SEL_UCODE | 3)
#define K_USER_DS (K_SEL_UDATA | 3)
/* RFLAGS of ring-3 kernel code: IOPL 3 (hypercalls are `out`
 * instructions), interrupts off, DF clear. */
#define K_RFLAGS 0x3002

/* Operations of the ring-0 gate (k_priv_call in entry.S). */
#define K_PRIV_INVLPG 0 /* rdi = first page, rsi = page count */
#define K_PRIV_FLUSH 1 /* whole TLB (CR3 reload) */
#define K_PRIV_WRMSR 2 /* ecx = MSR, edx:eax = value */
#define K_PRIV_CR4_OR 3 /* CR4 |= rdi */

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Registers the exception entry saves, lowest address first; rip..ss
 * is the frame the CPU pushed (copied from the ring-0 stack). */
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

/* Fills the TSS (IST stacks) and the IDT that boot.S loaded, enables
 * FS/GS base access from ring 3 (probing first, CR4 through the ring-0
 * gate only if needed) and initialises the FPU. Called once, first thing
 * in k_main. */
void k_arch_init(void);

/* TLB maintenance through the ring-0 gate (each call is one trap). */
void k_arch_invlpg_range(uint64_t va, uint64_t pages);
void k_arch_flush_tlb(void);

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

/* CR2 of the last exception, captured by the ring-0 trap entry. */
extern uint64_t k_trap_cr2;

static inline void k_spin_forever(void)
{
    for (;;)
        __asm__ volatile("pause");
}

/* FS/GS base of the running context (wrfsbase when ring 3 may use it,
 * else an MSR write through the ring-0 gate). */
void k_arch_set_fs_base(uint64_t base);
void k_arch_set_gs_base(uint64_t base);
/* Reads the live FS/GS base with rdfsbase when available, else returns
 * the caller's cached copy unchanged. */
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
/* Jumps to the app's entry (same ring) with rsp = sp, rdx = 0, other
 * registers zero. Never returns. */
_Noreturn void k_arch_enter_app(uint64_t entry, uint64_t sp);

/* Called by the exception stubs (guest/arch/x86_64/traps.c). */
void k_trap_handle(struct k_trap_frame *f);
/* Resumes the ring-3 context `f` holds, all registers (entry.S). */
_Noreturn void k_trap_resume(const struct k_trap_frame *f);
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
 * spins (the monitor can still be stopped).
 */
struct onyx_regs;
_Noreturn void k_crash(uint32_t vector, uint64_t error,
                       const struct onyx_regs *regs, uint64_t rbp,
                       const char *msg);

#endif /* __ASSEMBLER__ */

#endif
