/* SPDX-License-Identifier: MIT */
/*
 * Signals (guest side). Dispositions, masks and alternate stacks are
 * recorded; signals the app sends itself take their default action
 * (terminate with status 128+N, or ignore) or stay pending while
 * blocked. Running a handler is not implemented (issue #3): such a
 * signal is reported and ends the app as its default action would.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "k/log.h"
#include "k/proc.h"
#include "k/thread.h"
#include "k/uaccess.h"
#include "sys.h"

#define NSIG_LINUX 64
#define SIGSET_SIZE 8
#define MIN_SIGSTKSZ 2048
#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

/* struct sigaction as the Linux x86-64 kernel takes it. */
struct k_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

static struct k_sigaction actions[NSIG_LINUX + 1];
static uint64_t pending;
static bool warned_handler;

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

/* Acts on an unblocked signal the app sent itself. */
static void act_on(int sig)
{
    uint64_t handler = actions[sig].handler;

    if (handler == (uint64_t)(uintptr_t)SIG_IGN || default_ignores(sig))
        return;
    if (handler != (uint64_t)(uintptr_t)SIG_DFL)
        k_warn("signal: %s (%d) has a handler, but running handlers is "
               "not implemented (issue #3): ending the app",
               sig_name(sig), sig);
    else
        k_info("signal: app killed by %s (%d)", sig_name(sig), sig);
    k_proc_exit(128 + sig);
}

static void deliver_pending(void)
{
    uint64_t ready = pending & ~k_current->sigmask;

    for (int sig = 1; ready && sig <= NSIG_LINUX; sig++) {
        uint64_t bit = 1ull << (sig - 1);

        if (ready & bit) {
            pending &= ~bit;
            ready &= ~bit;
            act_on(sig);
        }
    }
}

static long send_self(long sig)
{
    if (sig == 0)
        return 0;
    if (sig < 1 || sig > NSIG_LINUX)
        return -EINVAL;
    pending |= 1ull << (sig - 1);
    deliver_pending();
    return 0;
}

void k_signal_raise(int sig)
{
    send_self(sig);
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
    if (sa.handler != (uint64_t)(uintptr_t)SIG_DFL &&
        sa.handler != (uint64_t)(uintptr_t)SIG_IGN && !warned_handler) {
        warned_handler = true;
        k_warn("signal: handler for %s (%ld) recorded, but signal "
               "delivery is not implemented yet (issue #3)",
               sig_name((int)a0), a0);
    }
    actions[a0] = sa;
    /* Setting SIG_IGN discards a pending instance (POSIX). */
    if (sa.handler == (uint64_t)(uintptr_t)SIG_IGN)
        pending &= ~(1ull << (a0 - 1));
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
    deliver_pending();
    return 0;
}

SYSCALL(sigaltstack)
{
    struct k_sigaltstack ss;
    struct k_sigaltstack old = k_current->altstack;

    if (!old.size)
        old.flags = SS_DISABLE;
    if (a0) {
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

SYSCALL(kill)
{
    if (a0 != K_PID && a0 != 0 && a0 != -1 && a0 != -K_PID)
        return -ESRCH;
    return send_self(a1);
}

SYSCALL(tkill)
{
    if (a0 <= 0)
        return -EINVAL;
    return send_self(a1);
}

SYSCALL(tgkill)
{
    if (a0 <= 0 || a1 <= 0)
        return -EINVAL;
    if (a0 != K_PID)
        return -ESRCH;
    return send_self(a1);
}
