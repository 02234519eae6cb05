/* SPDX-License-Identifier: MIT */
/*
 * Signals (guest side): dispositions, masks, alternate stacks, pending
 * sets, and delivery to the app's handlers on return from a syscall
 * through a Linux x86-64 rt_sigframe that rt_sigreturn undoes.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

#include "k/arch.h"
#include "k/boot.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/paging.h"
#include "k/proc.h"
#include "k/thread.h"
#include "k/uaccess.h"
#include "k/vm.h"
#include "sys.h"

#define NSIG_LINUX 64
#define SIGSET_SIZE 8
#define MIN_SIGSTKSZ 2048
#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))
#define SIG_BIT(sig) (1ull << ((sig) - 1))

#define K_SA_SIGINFO 0x4ull
#define K_SA_ONSTACK 0x08000000ull
#define K_SA_RESTORER 0x04000000ull
#define K_SA_RESTART 0x10000000ull
#define K_SA_NODEFER 0x40000000ull
#define K_SA_RESETHAND 0x80000000ull

#define K_SI_USER 0
#define K_SI_KERNEL 0x80
#define K_SI_TKILL (-6)

#define UC_FP_XSTATE 1ull
#define RED_ZONE 128
#define SYSCALL_INSN_LEN 2
/* RFLAGS bits a handler may change in the context it returns to:
 * CF PF AF ZF SF DF OF AC. */
#define FIX_FLAGS 0x40cd5ull
#define FLAGS_CLEAR_ON_ENTRY 0x10500ull /* TF, DF, RF */
/* fx_sw_bytes in the FXSAVE area's software-available bytes, and the
 * word after the XSAVE area, as Linux lays out extended state. */
#define FP_SW_OFF 464
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#define FP_MXCSR_OFF 24
#define XSAVE_BV_OFF 512

/* struct sigaction as the Linux x86-64 kernel takes it. */
struct k_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

/* struct sigcontext (uc_mcontext) of Linux x86-64. */
struct k_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;
    uint64_t reserved1[8];
};

struct k_ucontext {
    uint64_t flags;
    uint64_t link;
    struct k_sigaltstack stack;
    struct k_sigcontext mc;
    uint64_t sigmask;
};

struct k_siginfo {
    int32_t signo;
    int32_t err;
    int32_t code;
    int32_t pad;
    int32_t pid;
    uint32_t uid;
    uint8_t rest[104];
};

struct k_sigframe {
    uint64_t pretcode; /* sa_restorer: where the handler returns */
    struct k_ucontext uc;
    struct k_siginfo info;
};

struct fp_sw_bytes {
    uint32_t magic1;
    uint32_t extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size;
    uint32_t padding[7];
};

_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext ABI");
_Static_assert(sizeof(struct k_ucontext) == 304, "ucontext ABI");
_Static_assert(sizeof(struct k_siginfo) == 128, "siginfo ABI");
_Static_assert(sizeof(struct k_sigframe) == 440, "rt_sigframe ABI");
_Static_assert(sizeof(struct fp_sw_bytes) == 48, "fx_sw_bytes ABI");

static struct k_sigaction actions[NSIG_LINUX + 1];
static uint64_t proc_pending; /* process-directed, not yet delivered */
/* siginfo code and sender of each pending signal (one instance each). */
static int32_t pending_code[NSIG_LINUX + 1];
static int32_t pending_pid[NSIG_LINUX + 1];

/* The frame of the syscall being handled (set before dispatch): valid
 * in syscall bodies until they block. */
struct k_syscall_frame *k_syscall_cur;

/* 64-byte aligned scratch for the vector state (k_malloc'd once). */
static uint8_t *fp_scratch;
static uint8_t *fp_scratch_alloc;

static const char *sig_name(int sig)
{
    static const char *const names[] = {
        [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT",
        [SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
        [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",   [SIGKILL] = "SIGKILL",
        [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
        [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
    };

    if (sig > 0 && sig < (int)(sizeof(names) / sizeof(names[0])) && names[sig])
        return names[sig];
    return "signal";
}

static bool default_ignores(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH ||
           sig == SIGCONT || sig == SIGSTOP || sig == SIGTSTP ||
           sig == SIGTTIN || sig == SIGTTOU;
}

static bool has_handler(int sig)
{
    uint64_t h = actions[sig].handler;

    return h != (uint64_t)(uintptr_t)SIG_DFL &&
           h != (uint64_t)(uintptr_t)SIG_IGN;
}

/* Ignored signals are discarded when sent (POSIX). */
static bool ignored(int sig)
{
    uint64_t h = actions[sig].handler;

    return h == (uint64_t)(uintptr_t)SIG_IGN ||
           (h == (uint64_t)(uintptr_t)SIG_DFL && default_ignores(sig));
}

static uint64_t deliverable(const struct k_thread *t)
{
    return (proc_pending | t->sigpending) & ~t->sigmask;
}

bool k_signal_pending(void)
{
    return k_thread_is_app(k_current) && deliverable(k_current) != 0;
}

/*
 * Marks `sig` pending for `t` (thread-directed) or the process (t
 * NULL) and wakes the thread that will take it if it is blocked, so
 * its syscall returns -EINTR (or restarts) and the handler runs.
 */
static void post(struct k_thread *t, int sig, int32_t code, int32_t pid)
{
    struct k_thread *target = t;

    if (ignored(sig))
        return;
    pending_code[sig] = code;
    pending_pid[sig] = pid;
    if (t) {
        t->sigpending |= SIG_BIT(sig);
    } else {
        proc_pending |= SIG_BIT(sig);
        if (k_thread_is_app(k_current) &&
            !(k_current->sigmask & SIG_BIT(sig)))
            target = k_current;
        else
            target = k_thread_for_signal(SIG_BIT(sig));
    }
    if (target && target != k_current && !(target->sigmask & SIG_BIT(sig)))
        k_thread_interrupt(target);
}

void k_signal_raise(int sig)
{
    post(k_current, sig, K_SI_KERNEL, 0);
}

void k_signal_from_host(int sig)
{
    if (sig < 1 || sig > NSIG_LINUX || ignored(sig))
        return;
    if (has_handler(sig)) {
        k_info("signal: passing %s (%d) from the host to the app",
               sig_name(sig), sig);
        post(NULL, sig, K_SI_USER, 0); /* sender outside the guest */
        return;
    }
    k_info("signal: app ended by %s (%d) from the host", sig_name(sig), sig);
    k_proc_exit(128 + sig);
}

static bool use_xsave(void)
{
    return (k_boot_info->cpu_flags & ONYX_CPU_XSAVE) && k_boot_info->xcr0;
}

static bool fp_scratch_ready(void)
{
    if (fp_scratch)
        return true;
    fp_scratch_alloc = k_malloc(k_fpu_area_size() + 64);
    if (!fp_scratch_alloc)
        return false;
    fp_scratch = (uint8_t *)(((uintptr_t)fp_scratch_alloc + 63) &
                             ~(uintptr_t)63);
    return true;
}

/* Saves the live vector state (the current app thread's: the scheduler
 * loads it when the thread runs) into fp_scratch with a plain XSAVE
 * (XSAVEOPT could skip components) and tags it as Linux does. */
static void fp_save_scratch(void)
{
    size_t size = k_fpu_area_size();
    uint32_t lo = (uint32_t)k_boot_info->xcr0;
    uint32_t hi = (uint32_t)(k_boot_info->xcr0 >> 32);
    struct fp_sw_bytes sw = {0};

    memset(fp_scratch, 0, size);
    if (!use_xsave()) {
        __asm__ volatile("fxsave64 (%0)" : : "r"(fp_scratch) : "memory");
        return;
    }
    __asm__ volatile("xsave64 (%0)"
                     :
                     : "r"(fp_scratch), "a"(lo), "d"(hi)
                     : "memory");
    sw.magic1 = FP_XSTATE_MAGIC1;
    sw.extended_size = (uint32_t)size + 4;
    sw.xfeatures = k_boot_info->xcr0;
    sw.xstate_size = (uint32_t)size;
    memcpy(fp_scratch + FP_SW_OFF, &sw, sizeof(sw));
}

/* Loads state an app handed back in fp_scratch, after checking what
 * would make XRSTOR/FXRSTOR fault: false when it is not acceptable. */
static bool fp_restore_scratch(void)
{
    uint32_t mxcsr;
    uint64_t hdr[8];

    memcpy(&mxcsr, fp_scratch + FP_MXCSR_OFF, sizeof(mxcsr));
    if (mxcsr & 0xffff0000u)
        return false;
    if (use_xsave()) {
        memcpy(hdr, fp_scratch + XSAVE_BV_OFF, sizeof(hdr));
        if (hdr[0] & ~k_boot_info->xcr0)
            return false;
        for (int i = 1; i < 8; i++)
            if (hdr[i])
                return false;
    }
    k_fpu_restore(fp_scratch);
    return true;
}

/* The default action of an unhandled signal: ends the app or nothing. */
static void act_default(int sig)
{
    if (default_ignores(sig))
        return;
    k_info("signal: app killed by %s (%d)", sig_name(sig), sig);
    k_proc_exit(128 + sig);
}

static _Noreturn void bad_frame(int sig, const char *what)
{
    k_warn("signal: cannot deliver %s (%d): %s; ending the app as "
           "SIGSEGV would",
           sig_name(sig), sig, what);
    k_proc_exit(128 + SIGSEGV);
}

/* True when `sp` lies on the current thread's alternate stack. */
static bool on_altstack(uint64_t sp)
{
    const struct k_sigaltstack *as = &k_current->altstack;

    return as->size && sp > as->sp && sp - as->sp <= as->size;
}

/* Whether an -EINTR from syscall `nr` may restart under SA_RESTART;
 * waits with a timeout or on readiness never restart (signal(7)). */
static bool restartable(long nr)
{
    switch (nr) {
    case SYS_poll:
    case SYS_ppoll:
    case SYS_select:
    case SYS_pselect6:
    case SYS_epoll_wait:
    case SYS_epoll_pwait:
    case SYS_nanosleep:
    case SYS_clock_nanosleep:
    case SYS_connect: /* the handshake carries on; see LIMITATIONS */
    case SYS_pause:
    case SYS_rt_sigsuspend:
    case SYS_rt_sigreturn: return false;
    default: return true;
    }
}

/*
 * Maps the demand-paged pages of [start, end) for writing without
 * taking a page fault (a fault inside the trap handler is fatal).
 */
static int prefault(uint64_t start, uint64_t end)
{
    for (uint64_t p = start & ~4095ull; p < end; p += 4096) {
        if (!k_user_range_ok((const void *)p, 1))
            return -EFAULT;
        if (!k_pt_allows(k_pt_lookup(p, NULL), true, false) &&
            k_vm_fault(p, 2 /* write to a page not present */))
            return -EFAULT;
    }
    return 0;
}

/*
 * Pushes an rt_sigframe for `sig` holding the context `mc` (registers
 * filled in by the caller; the rest is set here) and `info`, and applies
 * the handler's mask and flags. Returns the frame's address (the
 * handler's rsp), or 0 with *why set when it cannot be built; nothing
 * is changed then.
 */
static uint64_t push_frame(struct k_sigcontext *mc, int sig,
                           const struct k_siginfo *info, const char **why)
{
    const struct k_sigaction act = actions[sig]; /* RESETHAND edits */
    const struct k_sigaction *sa = &act;
    size_t fpsize = k_fpu_area_size() + 4;
    struct k_sigframe fr;
    struct k_sigaltstack as = k_current->altstack;
    uint64_t sp = mc->rsp;
    uint64_t fp_at, frame_at;
    uint32_t magic2 = FP_XSTATE_MAGIC2;
    bool to_alt = false;

    if (!(sa->flags & K_SA_RESTORER) || !sa->restorer) {
        *why = "no sa_restorer";
        return 0;
    }
    if (!fp_scratch_ready()) {
        *why = "out of memory";
        return 0;
    }
    memset(&fr, 0, sizeof(fr));
    fr.uc.stack = as;
    if (!as.size)
        fr.uc.stack.flags = SS_DISABLE;
    if ((sa->flags & K_SA_ONSTACK) && as.size && !on_altstack(sp)) {
        sp = as.sp + as.size;
        to_alt = true;
    } else {
        if (on_altstack(sp))
            fr.uc.stack.flags |= SS_ONSTACK;
        sp -= RED_ZONE;
    }
    fp_at = (sp - fpsize) & ~63ull;
    frame_at = ((fp_at - sizeof(fr)) & ~15ull) - 8;

    fr.pretcode = sa->restorer;
    fr.uc.flags = use_xsave() ? UC_FP_XSTATE : 0;
    mc->cs = K_USER_CS;
    mc->ss = K_USER_DS;
    mc->oldmask = k_current->sigmask;
    mc->fpstate = fp_at;
    fr.uc.mc = *mc;
    fr.uc.sigmask = k_current->sigmask;
    if (k_current->restore_sigmask)
        fr.uc.sigmask = k_current->saved_sigmask;
    fr.info = *info;

    fp_save_scratch();
    if (prefault(frame_at, fp_at + fpsize)) {
        *why = "the signal stack is not writable";
        return 0;
    }
    if (k_copy_to_user((void *)fp_at, fp_scratch, fpsize - 4) ||
        (use_xsave() &&
         k_copy_to_user((void *)(fp_at + fpsize - 4), &magic2, 4)) ||
        k_copy_to_user((void *)frame_at, &fr, sizeof(fr))) {
        *why = "the signal stack is not writable";
        return 0;
    }

    /* rt_sigsuspend: the handler returns to the caller's mask. */
    k_current->restore_sigmask = false;
    if (to_alt && (as.flags & SS_AUTODISARM))
        k_current->altstack = (struct k_sigaltstack){0};
    k_current->sigmask |= sa->mask;
    if (!(sa->flags & K_SA_NODEFER))
        k_current->sigmask |= SIG_BIT(sig);
    k_current->sigmask &= ~UNBLOCKABLE;
    if (sa->flags & K_SA_RESETHAND)
        actions[sig].handler = (uint64_t)(uintptr_t)SIG_DFL;
    return frame_at;
}

static void build_frame(struct k_syscall_frame *f, int sig, bool eintr,
                        long nr)
{
    struct k_sigcontext mc;
    struct k_siginfo info = {0};
    const char *why = NULL;
    uint64_t handler = actions[sig].handler; /* before SA_RESETHAND */
    uint64_t frame_at;

    if (eintr && (actions[sig].flags & K_SA_RESTART) && restartable(nr)) {
        f->rax = (uint64_t)nr;
        f->rcx -= SYSCALL_INSN_LEN;
    }
    mc = (struct k_sigcontext){
        .r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11,
        .r12 = f->r12, .r13 = f->r13, .r14 = f->r14, .r15 = f->r15,
        .rdi = f->rdi, .rsi = f->rsi, .rbp = f->rbp, .rbx = f->rbx,
        .rdx = f->rdx, .rax = f->rax, .rcx = f->rcx, .rsp = f->rsp,
        .rip = f->rcx, .eflags = f->r11,
    };
    info.signo = sig;
    info.code = pending_code[sig];
    info.pid = pending_pid[sig]; /* uid 0: the app runs as root */
    frame_at = push_frame(&mc, sig, &info, &why);
    if (!frame_at)
        bad_frame(sig, why);
    f->rsp = frame_at;
    f->rcx = handler;
    f->r11 &= ~FLAGS_CLEAR_ON_ENTRY;
    f->rdi = (uint64_t)sig;
    f->rsi = frame_at + offsetof(struct k_sigframe, info);
    f->rdx = frame_at + offsetof(struct k_sigframe, uc);
    f->rax = 0;
}

bool k_signal_fault(struct k_trap_frame *t, int sig, int code,
                    uint64_t addr)
{
    struct k_sigcontext mc;
    struct k_siginfo info = {0};
    const char *why = NULL;
    uint64_t handler, frame_at;

    if (!k_thread_is_app(k_current) || !has_handler(sig) ||
        (k_current->sigmask & SIG_BIT(sig)))
        return false;
    handler = actions[sig].handler;
    mc = (struct k_sigcontext){
        .r8 = t->r8, .r9 = t->r9, .r10 = t->r10, .r11 = t->r11,
        .r12 = t->r12, .r13 = t->r13, .r14 = t->r14, .r15 = t->r15,
        .rdi = t->rdi, .rsi = t->rsi, .rbp = t->rbp, .rbx = t->rbx,
        .rdx = t->rdx, .rax = t->rax, .rcx = t->rcx, .rsp = t->rsp,
        .rip = t->rip, .eflags = t->rflags,
        .err = t->error, .trapno = t->vector, .cr2 = addr,
    };
    info.signo = sig;
    info.code = code;
    memcpy(&info.pid, &addr, sizeof(addr)); /* si_addr */
    frame_at = push_frame(&mc, sig, &info, &why);
    if (!frame_at) {
        k_warn("signal: cannot enter the %s handler: %s", sig_name(sig),
               why);
        return false;
    }
    t->rsp = frame_at;
    t->rip = handler;
    t->rflags &= ~FLAGS_CLEAR_ON_ENTRY;
    t->rdi = (uint64_t)sig;
    t->rsi = frame_at + offsetof(struct k_sigframe, info);
    t->rdx = frame_at + offsetof(struct k_sigframe, uc);
    t->rax = 0;
    return true;
}

void k_signal_deliver(struct k_syscall_frame *f, long nr)
{
    uint64_t ready = deliverable(k_current);
    bool eintr = (long)f->rax == -EINTR && nr != SYS_rt_sigreturn;
    int sig;

    if (!ready) {
        if (k_current->restore_sigmask) {
            k_current->sigmask = k_current->saved_sigmask;
            k_current->restore_sigmask = false;
        }
        return;
    }
    sig = __builtin_ctzll(ready) + 1;
    k_current->sigpending &= ~SIG_BIT(sig);
    proc_pending &= ~SIG_BIT(sig);
    if (ignored(sig) || !has_handler(sig)) {
        if (!ignored(sig))
            act_default(sig);
        /* Nothing ran: try the next one (or put back the mask). */
        k_signal_deliver(f, nr);
        return;
    }
    build_frame(f, sig, eintr, nr);
}

/* rt_sigreturn's mask and alternate stack from the saved context. */
static void restore_mask_and_stack(const struct k_ucontext *uc)
{
    struct k_sigaltstack as = uc->stack;

    k_current->sigmask = uc->sigmask & ~UNBLOCKABLE;
    as.flags &= ~SS_ONSTACK;
    if (as.flags & SS_DISABLE)
        k_current->altstack = (struct k_sigaltstack){0};
    else if (as.size >= MIN_SIGSTKSZ && !(as.flags & ~(SS_AUTODISARM)))
        k_current->altstack = as;
}

SYSCALL(rt_sigreturn)
{
    struct k_syscall_frame *f = k_syscall_cur;
    struct k_ucontext uc;
    const struct k_sigcontext *mc = &uc.mc;

    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    /* The handler's `ret` popped pretcode: rsp is at uc. */
    if (k_copy_from_user(&uc, (const void *)f->rsp, sizeof(uc)))
        bad_frame(SIGSEGV, "rt_sigreturn: unreadable ucontext");
    if (mc->fpstate) {
        if (!fp_scratch_ready() ||
            k_copy_from_user(fp_scratch, (const void *)mc->fpstate,
                             k_fpu_area_size()) ||
            !fp_restore_scratch())
            bad_frame(SIGSEGV, "rt_sigreturn: bad FPU state");
    }
    if (mc->rcx != mc->rip || mc->r11 != mc->eflags) {
        /* A context a fault interrupted: rcx and r11 matter, so leave
         * through the exception return path. */
        struct k_trap_frame tf = {
            .r15 = mc->r15, .r14 = mc->r14, .r13 = mc->r13,
            .r12 = mc->r12, .r11 = mc->r11, .r10 = mc->r10,
            .r9 = mc->r9, .r8 = mc->r8, .rbp = mc->rbp, .rdi = mc->rdi,
            .rsi = mc->rsi, .rdx = mc->rdx, .rcx = mc->rcx,
            .rbx = mc->rbx, .rax = mc->rax, .rip = mc->rip,
            .cs = K_USER_CS, .ss = K_USER_DS, .rsp = mc->rsp,
            .rflags = (f->r11 & ~FIX_FLAGS) | (mc->eflags & FIX_FLAGS),
        };

        restore_mask_and_stack(&uc);
        k_trap_resume(&tf);
    }
    f->r8 = mc->r8, f->r9 = mc->r9, f->r10 = mc->r10;
    f->r12 = mc->r12, f->r13 = mc->r13, f->r14 = mc->r14;
    f->r15 = mc->r15, f->rdi = mc->rdi, f->rsi = mc->rsi;
    f->rbp = mc->rbp, f->rbx = mc->rbx, f->rdx = mc->rdx;
    f->rsp = mc->rsp;
    /* The return path resumes at rcx with flags from r11, so those two
     * registers come back as rip and rflags (exact for a context saved
     * at a syscall, where the CPU had clobbered them the same way). */
    f->rcx = mc->rip;
    f->r11 = (f->r11 & ~FIX_FLAGS) | (mc->eflags & FIX_FLAGS);
    restore_mask_and_stack(&uc);
    return (long)mc->rax;
}

/* Sleeps until a signal the thread does not block is pending. */
static void wait_for_signal(void)
{
    struct k_waitq q = {0};

    while (!k_signal_pending())
        k_waitq_wait(&q, K_FOREVER);
}

SYSCALL(pause)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    wait_for_signal();
    return -EINTR;
}

SYSCALL(rt_sigsuspend)
{
    uint64_t set;

    if (a1 != SIGSET_SIZE)
        return -EINVAL;
    if (k_copy_from_user(&set, (const void *)a0, sizeof(set)))
        return -EFAULT;
    k_current->saved_sigmask = k_current->sigmask;
    k_current->restore_sigmask = true;
    k_current->sigmask = set & ~UNBLOCKABLE;
    wait_for_signal();
    return -EINTR;
}

SYSCALL(rt_sigaction)
{
    struct k_sigaction sa;

    if (a3 != SIGSET_SIZE || a0 < 1 || a0 > NSIG_LINUX)
        return -EINVAL;
    if (a2 && k_copy_to_user((void *)a2, &actions[a0], sizeof(sa)))
        return -EFAULT;
    if (!a1)
        return 0;
    if (a0 == SIGKILL || a0 == SIGSTOP)
        return -EINVAL;
    if (k_copy_from_user(&sa, (const void *)a1, sizeof(sa)))
        return -EFAULT;
    sa.mask &= ~UNBLOCKABLE;
    actions[a0] = sa;
    /* Ignoring a signal discards a pending instance (POSIX). */
    if (ignored((int)a0)) {
        proc_pending &= ~SIG_BIT(a0);
        k_current->sigpending &= ~SIG_BIT(a0);
    }
    return 0;
}

SYSCALL(rt_sigprocmask)
{
    uint64_t set;
    uint64_t old = k_current->sigmask;

    if (a3 != SIGSET_SIZE)
        return -EINVAL;
    if (a1) {
        if (k_copy_from_user(&set, (const void *)a1, sizeof(set)))
            return -EFAULT;
        switch (a0) {
        case SIG_BLOCK: k_current->sigmask |= set; break;
        case SIG_UNBLOCK: k_current->sigmask &= ~set; break;
        case SIG_SETMASK: k_current->sigmask = set; break;
        default: return -EINVAL;
        }
        k_current->sigmask &= ~UNBLOCKABLE;
    }
    if (a2 && k_copy_to_user((void *)a2, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

SYSCALL(rt_sigpending)
{
    uint64_t set = (proc_pending | k_current->sigpending) &
                   k_current->sigmask;

    if (a1 > SIGSET_SIZE)
        return -EINVAL;
    if (k_copy_to_user((void *)a0, &set, (size_t)a1))
        return -EFAULT;
    return 0;
}

SYSCALL(sigaltstack)
{
    struct k_sigaltstack ss;
    struct k_sigaltstack old = k_current->altstack;
    bool on = on_altstack(k_syscall_cur->rsp);

    if (!old.size)
        old.flags = SS_DISABLE;
    else if (on)
        old.flags |= SS_ONSTACK;
    if (a0) {
        if (on)
            return -EPERM;
        if (k_copy_from_user(&ss, (const void *)a0, sizeof(ss)))
            return -EFAULT;
        if (ss.flags & ~(SS_DISABLE | SS_AUTODISARM))
            return -EINVAL;
        if (ss.flags & SS_DISABLE)
            ss = (struct k_sigaltstack){0};
        else if (ss.size < MIN_SIGSTKSZ)
            return -ENOMEM;
    }
    if (a1 && k_copy_to_user((void *)a1, &old, sizeof(old)))
        return -EFAULT;
    if (a0)
        k_current->altstack = ss;
    return 0;
}

static long check_sig(long sig)
{
    return sig < 0 || sig > NSIG_LINUX ? -EINVAL : 0;
}

SYSCALL(kill)
{
    if (a0 != K_PID && a0 != 0 && a0 != -1 && a0 != -K_PID)
        return -ESRCH;
    if (check_sig(a1))
        return -EINVAL;
    if (a1)
        post(NULL, (int)a1, K_SI_USER, K_PID);
    return 0;
}

static long send_thread(long tid, long sig)
{
    struct k_thread *t;

    if (tid <= 0 || check_sig(sig))
        return -EINVAL;
    t = k_thread_by_tid((int)tid);
    if (!t)
        return -ESRCH;
    if (sig)
        post(t, (int)sig, K_SI_TKILL, K_PID);
    return 0;
}

SYSCALL(tkill)
{
    return send_thread(a0, a1);
}

SYSCALL(tgkill)
{
    if (a0 <= 0 || a1 <= 0)
        return -EINVAL;
    if (a0 != K_PID)
        return -ESRCH;
    return send_thread(a1, a2);
}
