/* SPDX-License-Identifier: MIT */
/*
 * Exception handling: demand paging, -EFAULT fix-ups for app-memory
 * copies, and crash reports to the monitor with registers and a
 * bounds-checked frame-pointer backtrace (guest side, ring 3, on the
 * trap stack the ring-0 entry hands over to).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "k/arch.h"
#include "k/boot.h"
#include "k/hypercall.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/paging.h"
#include "k/proc.h"
#include "k/thread.h"
#include "k/uaccess.h"
#include "k/vm.h"

#define VEC_INVALID_OPCODE 6
#define VEC_PAGE_FAULT 14
#define PF_PRESENT (1u << 0)
#define PF_WRITE (1u << 1)
#define PF_IFETCH (1u << 4)

extern const char k_probe_fsgs_insn[], k_probe_fsgs_fail[];

static const char *const vector_names[32] = {
    [0] = "divide error",
    [1] = "debug exception",
    [2] = "non-maskable interrupt",
    [3] = "breakpoint",
    [4] = "overflow",
    [5] = "bound range exceeded",
    [6] = "invalid opcode",
    [7] = "device not available",
    [8] = "double fault",
    [9] = "coprocessor segment overrun",
    [10] = "invalid TSS",
    [11] = "segment not present",
    [12] = "stack-segment fault",
    [13] = "general protection fault",
    [14] = "page fault",
    [16] = "x87 floating-point exception",
    [17] = "alignment check",
    [18] = "machine check",
    [19] = "SIMD floating-point exception",
    [20] = "virtualization exception",
    [21] = "control protection exception",
    [29] = "VMM communication exception",
    [30] = "security exception",
};

/* Trap nesting: the trap stack is reused by a nested fault, so a fault
 * inside the handler can never return to the outer one. */
static int trap_depth;
static int crash_depth;
static struct onyx_hc_crash crash_report;
static struct onyx_hc_crash crash_minimal;

static bool readable(uint64_t addr, uint64_t len)
{
    uint64_t last = addr + len - 1;

    if (last < addr)
        return false;
    return k_pt_lookup(addr, NULL) && k_pt_lookup(last, NULL);
}

unsigned k_backtrace(uint64_t rbp, uint64_t *bt, unsigned max)
{
    unsigned n = 0;

    while (n < max && rbp && !(rbp & 7) && readable(rbp, 16)) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
        uint64_t next = frame[0];

        if (!frame[1])
            break;
        bt[n++] = frame[1];
        /* Frames move toward higher addresses; anything else is a
         * loop or garbage. */
        if (next <= rbp)
            break;
        rbp = next;
    }
    return n;
}

static void regs_from_frame(struct onyx_regs *r, const struct k_trap_frame *f)
{
    *r = (struct onyx_regs){
        .rax = f->rax,
        .rbx = f->rbx,
        .rcx = f->rcx,
        .rdx = f->rdx,
        .rsi = f->rsi,
        .rdi = f->rdi,
        .rbp = f->rbp,
        .rsp = f->rsp,
        .r8 = f->r8,
        .r9 = f->r9,
        .r10 = f->r10,
        .r11 = f->r11,
        .r12 = f->r12,
        .r13 = f->r13,
        .r14 = f->r14,
        .r15 = f->r15,
        .rip = f->rip,
        .rflags = f->rflags,
        .cs = f->cs,
        .ss = f->ss,
        .cr2 = k_trap_cr2,
        .cr3 = k_boot_info->pml4_phys,
    };
    if (k_current) {
        r->fs_base = k_arch_get_fs_base(k_current->fs_base);
        r->gs_base = k_arch_get_gs_base(k_current->gs_base);
    }
}

_Noreturn static void crash_minimal_send(uint32_t vector, const char *msg)
{
    if (crash_depth > 2)
        k_spin_forever();
    crash_minimal.vector = vector;
    crash_minimal.regs.cr2 = k_trap_cr2;
    crash_minimal.regs.cr3 = k_boot_info->pml4_phys;
    strncpy(crash_minimal.message, msg, ONYX_CRASH_MSG_MAX - 1);
    k_hc_crash(&crash_minimal);
}

_Noreturn void k_crash(uint32_t vector, uint64_t error,
                       const struct onyx_regs *regs, uint64_t rbp,
                       const char *msg)
{
    crash_depth++;
    if (crash_depth > 1)
        crash_minimal_send(vector, "crash while reporting a crash");
    crash_report.vector = vector;
    crash_report.error_code = error;
    if (regs)
        crash_report.regs = *regs;
    k_backtrace(rbp, crash_report.backtrace, ONYX_CRASH_BT_MAX);
    strncpy(crash_report.message, msg, ONYX_CRASH_MSG_MAX - 1);
    k_hc_crash(&crash_report);
}

static const char *where(uint64_t rip)
{
    return k_is_kernel_addr(rip) ? "kernel" : "app";
}

static const char *thread_name(void)
{
    return k_current ? k_current->name : "boot";
}

static bool in_kernel_stack_guard(uint64_t addr)
{
    uint64_t base;

    if (!k_current || !k_current->kstack)
        return false;
    base = (uint64_t)(uintptr_t)k_current->kstack;
    return addr >= base - K_PAGE_SIZE && addr < base;
}

_Noreturn static void page_fault_crash(struct k_trap_frame *f, uint64_t cr2,
                                       int err)
{
    char msg[ONYX_CRASH_MSG_MAX];
    struct onyx_regs regs;
    const char *why;

    if (err == -ENOMEM)
        why = "out of memory for a demand-paged page";
    else if (in_kernel_stack_guard(cr2))
        why = "kernel stack overflow";
    else
        why = k_vm_describe(cr2);
    k_snprintf(msg, sizeof(msg),
               "%s page fault at 0x%lx (%s, %s): %s; rip 0x%lx, "
               "thread %s",
               where(f->rip), cr2,
               (f->error & PF_IFETCH)  ? "exec"
               : (f->error & PF_WRITE) ? "write"
                                       : "read",
               (f->error & PF_PRESENT) ? "protection" : "not present", why,
               f->rip, thread_name());
    regs_from_frame(&regs, f);
    k_crash(VEC_PAGE_FAULT, f->error, &regs, f->rbp, msg);
}

/*
 * A fault in app code goes to the app's handler for the signal Linux
 * would send, when it has one it does not block; true when it does
 * (the trap returns into the handler). Faults in kernel code, and
 * unhandled ones, stay fatal with a crash report.
 */
static bool app_fault_signal(struct k_trap_frame *f, uint64_t cr2)
{
    int sig, code = 0x80; /* SI_KERNEL */
    uint64_t addr = f->rip;
    bool ok;

    if (k_is_kernel_addr(f->rip) || !k_thread_is_app(k_current))
        return false;
    switch (f->vector) {
    case 0: sig = SIGFPE, code = 1; break; /* FPE_INTDIV */
    case 3: sig = SIGTRAP; break;
    case 4: sig = SIGSEGV; break;
    case 6: sig = SIGILL, code = 2; break; /* ILL_ILLOPN */
    case 13: sig = SIGSEGV, addr = 0; break;
    case VEC_PAGE_FAULT:
        sig = SIGSEGV;
        /* SEGV_ACCERR inside a mapping, SEGV_MAPERR outside any. */
        code = k_vm_mapped(cr2) ? 2 : 1;
        addr = cr2;
        break;
    case 16:
    case 19: sig = SIGFPE; code = 0; break;
    case 17: sig = SIGBUS, code = 1; break; /* BUS_ADRALN */
    default: return false;
    }
    ok = k_signal_fault(f, sig, code, addr);
    if (ok)
        trap_depth--;
    return ok;
}

void k_trap_handle(struct k_trap_frame *f)
{
    char msg[ONYX_CRASH_MSG_MAX];
    struct onyx_regs regs;
    const char *name;

    if (trap_depth > 0 || crash_depth > 0) {
        crash_depth++;
        crash_minimal_send((uint32_t)f->vector,
                           "fault inside the exception handler");
    }
    trap_depth++;
    if (f->vector == VEC_INVALID_OPCODE &&
        f->rip == (uint64_t)(uintptr_t)k_probe_fsgs_insn) {
        f->rip = (uint64_t)(uintptr_t)k_probe_fsgs_fail;
        trap_depth--;
        return;
    }
    if (f->vector == VEC_PAGE_FAULT) {
        uint64_t cr2 = k_trap_cr2;
        int err = k_vm_fault(cr2, f->error);

        if (err == 0 || (err == -EFAULT && k_uaccess_fixup(&f->rip))) {
            trap_depth--;
            return;
        }
        if (app_fault_signal(f, cr2))
            return;
        page_fault_crash(f, cr2, err);
    }
    if (app_fault_signal(f, 0))
        return;
    name = f->vector < 32 ? vector_names[f->vector] : NULL;
    k_snprintf(msg, sizeof(msg), "%s %s (vector %lu) at rip 0x%lx, thread %s",
               where(f->rip), name ? name : "reserved exception", f->vector,
               f->rip, thread_name());
    regs_from_frame(&regs, f);
    k_crash((uint32_t)f->vector, f->error, &regs, f->rbp, msg);
}
