/* SPDX-License-Identifier: MIT */
/* Host-side vCPU run loop and stop-signal handling of the monitor. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "monitor.h"

volatile sig_atomic_t mon_stop_signal;
volatile sig_atomic_t mon_app_signal;
volatile sig_atomic_t mon_signal_wake;
static struct kvm_run *volatile stop_run;
static unsigned stop_timeout;

/*
 * KVM_RUN returns -EINTR for a signal delivered while the guest runs;
 * immediate_exit covers one that lands just before KVM_RUN. The first
 * SIGINT/SIGTERM only leaves KVM_RUN so the guest hears of it at its
 * next poll hypercall; the second one, or SIGALRM after the timeout,
 * stops the guest.
 */
static void on_stop_signal(int sig)
{
    if (sig == SIGALRM)
        mon_stop_signal = mon_app_signal ? mon_app_signal : SIGTERM;
    else if (!mon_app_signal && stop_timeout) {
        mon_app_signal = sig;
        alarm(stop_timeout);
    } else
        mon_stop_signal = sig;
    mon_signal_wake = 1;
    if (stop_run)
        stop_run->immediate_exit = 1;
}

/*
 * The stop signals stay unblocked: one that lands while the guest runs
 * makes KVM_RUN return -EINTR, one that lands in between sets
 * immediate_exit so the next KVM_RUN returns at once. (Unblocking them
 * only inside KVM_RUN with KVM_SET_SIGNAL_MASK is not enough on kvm_pvm
 * hosts, whose ring-0 emulation loop then never sees them.) Waits in
 * ppoll close their own race, see mon_net_poll.
 */
void mon_stop_now(void)
{
    if (!mon_stop_signal)
        mon_stop_signal = mon_app_signal ? mon_app_signal : SIGTERM;
}

int mon_signals_init(struct mon_run *r, unsigned stop_timeout_s,
                     struct mon_err *err)
{
    struct sigaction sa = {.sa_handler = on_stop_signal};
    struct sigaction ign = {.sa_handler = SIG_IGN};
    sigset_t stop;

    sigemptyset(&sa.sa_mask);
    sigemptyset(&ign.sa_mask);
    stop_run = r->vm->run;
    stop_timeout = stop_timeout_s;
    if (sigaction(SIGPIPE, &ign, NULL) < 0 ||
        sigaction(SIGINT, &sa, NULL) < 0 ||
        sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGALRM, &sa, NULL) < 0)
        return mon_err_set(err, -errno, "sigaction: %s", strerror(errno));
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGALRM);
    if (sigprocmask(SIG_UNBLOCK, &stop, NULL) < 0)
        return mon_err_set(err, -errno, "sigprocmask: %s", strerror(errno));
    return 0;
}

static int stop_status(void)
{
    return mon_stop_signal == SIGINT ? ONYX_EXIT_SIGINT : ONYX_EXIT_SIGTERM;
}

static enum mon_hc_result on_io(struct mon_run *r, int *status)
{
    struct kvm_run *run = r->vm->run;
    uint32_t port = run->io.port;
    uint32_t gpa;

    if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 ||
        run->io.count != 1 || port <= ONYX_HC_PORT_BASE ||
        port >= ONYX_HC_PORT_BASE + ONYX_HC_MAX) {
        mon_crash_dump(r,
                       "guest %s port 0x%x (size %u, count %u), which "
                       "is no hypercall",
                       run->io.direction == KVM_EXIT_IO_OUT ? "wrote to"
                                                            : "read from",
                       port, run->io.size, run->io.count);
        return MON_HC_CRASH;
    }
    /* io.data_offset is KVM's, inside the run page it mapped for us. */
    memcpy(&gpa, (uint8_t *)run + run->io.data_offset, sizeof(gpa));
    return mon_hypercall(r, port - ONYX_HC_PORT_BASE, gpa, status);
}

/* KVM's suberror and up to four words of detail (for emulation
 * failures: the exit reason and the instruction bytes). */
static void internal_error(struct mon_run *r)
{
    const struct kvm_run *run = r->vm->run;
    uint32_t n = run->internal.ndata;
    unsigned long long d[4] = {0};

    for (uint32_t i = 0; i < n && i < 4; i++)
        d[i] = run->internal.data[i];
    mon_crash_dump(r,
                   "KVM internal error (suberror %u%s): data %u words "
                   "0x%llx 0x%llx 0x%llx 0x%llx",
                   run->internal.suberror,
                   run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
                       ? ", instruction emulation failed"
                       : "",
                   n, d[0], d[1], d[2], d[3]);
    if (r->vm->pvm_host &&
        run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
        fprintf(stderr,
                "  note: this host's KVM is kvm_pvm: it emulates "
                "guest ring-0 code instruction by\n  instruction, and its "
                "emulator lacks most SSE/AVX instructions (ldmxcsr,\n  "
                "pxor, xorps, ...); the instruction above is one of them\n");
}

/* kvm_pvm delivers no exception to a ring-3 guest that does not speak
 * its own protocol: any fault there shuts the guest down. */
static void shutdown_note(struct mon_run *r)
{
    struct kvm_sregs sregs;

    if (!r->vm->pvm_host || ioctl(r->vm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0 ||
        (sregs.cs.selector & 3) != 3)
        return;
    fprintf(stderr,
            "  note: this host's KVM is kvm_pvm: in ring 3 every "
            "exception shuts the guest\n  down (#PF, #GP from port I/O even "
            "with IOPL 3, int n, ud2, ...); ring 3\n  reaches the monitor "
            "only through the MMIO hypercall form (ONYX_HC_MMIO_VIRT)\n");
}

/* A 64-bit store to the hypercall page is a hypercall from ring 3;
 * any other access to memory that does not exist stops the guest. */
static enum mon_hc_result on_mmio(struct mon_run *r, int *status)
{
    struct kvm_run *run = r->vm->run;
    uint64_t off = run->mmio.phys_addr - ONYX_HC_MMIO_PHYS;
    uint64_t value;

    if (run->mmio.is_write && run->mmio.len == 8 &&
        run->mmio.phys_addr >= ONYX_HC_MMIO_PHYS && off < 8ull * ONYX_HC_MAX &&
        off % 8 == 0 && off != 0) {
        memcpy(&value, run->mmio.data, sizeof(value));
        if (value <= UINT32_MAX)
            return mon_hypercall(r, (uint32_t)(off / 8), (uint32_t)value,
                                 status);
        mon_crash_dump(r,
                       "hypercall %llu: argument address 0x%llx is "
                       "above 4 GiB",
                       (unsigned long long)(off / 8),
                       (unsigned long long)value);
        return MON_HC_CRASH;
    }
    mon_crash_dump(r,
                   "guest %s unbacked physical address 0x%llx "
                   "(%u bytes)%s",
                   run->mmio.is_write ? "wrote" : "read",
                   (unsigned long long)run->mmio.phys_addr, run->mmio.len,
                   run->mmio.phys_addr >= ONYX_HC_MMIO_PHYS &&
                           run->mmio.phys_addr < ONYX_HC_MMIO_PHYS + 4096
                       ? ", which is no hypercall"
                       : "");
    return MON_HC_CRASH;
}

static enum mon_hc_result handle_exit(struct mon_run *r, int *status)
{
    struct kvm_run *run = r->vm->run;

    /*
     * A stop signal that interrupts the emulated ring-0 trampolines on
     * kvm_pvm can surface as an emulation error instead of
     * KVM_EXIT_INTR; the operator asked for a stop, so that is what
     * this is, not a guest crash.
     */
    if (mon_stop_signal && run->exit_reason != KVM_EXIT_IO &&
        run->exit_reason != KVM_EXIT_MMIO)
        return MON_HC_STOP;
    switch (run->exit_reason) {
    case KVM_EXIT_IO: return on_io(r, status);
    case KVM_EXIT_INTR: return mon_stop_signal ? MON_HC_STOP : MON_HC_CONTINUE;
    case KVM_EXIT_HLT:
        mon_crash_dump(r, "guest halted (hlt with nothing to wake it)");
        return MON_HC_CRASH;
    case KVM_EXIT_SHUTDOWN:
        mon_crash_dump(r, "guest triple fault (CPU shutdown): an exception "
                          "hit before the kernel could report it");
        shutdown_note(r);
        return MON_HC_CRASH;
    case KVM_EXIT_MMIO: return on_mmio(r, status);
    case KVM_EXIT_FAIL_ENTRY:
        mon_crash_dump(
            r,
            "KVM could not enter the guest (hardware reason "
            "0x%llx)",
            (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        return MON_HC_CRASH;
    case KVM_EXIT_INTERNAL_ERROR: internal_error(r); return MON_HC_CRASH;
    default:
        mon_crash_dump(r, "unexpected KVM exit reason %u", run->exit_reason);
        return MON_HC_CRASH;
    }
}

int mon_run_guest(struct mon_run *r)
{
    struct kvm_run *run = r->vm->run;
    int status = 0;

    for (;;) {
        enum mon_hc_result res;

        /* A stop that landed before the vCPU existed set no
         * immediate_exit: honour it here. */
        if (mon_stop_signal)
            return stop_status();
        if (ioctl(r->vm->vcpu_fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR && mon_stop_signal)
                return stop_status();
            if (errno == EINTR || errno == EAGAIN) {
                run->immediate_exit = 0;
                continue;
            }
            if (mon_stop_signal)
                return stop_status();
            mon_crash_dump(r, "KVM_RUN failed: %s", strerror(errno));
            return ONYX_EXIT_CRASH;
        }
        res = handle_exit(r, &status);
        if (res == MON_HC_EXIT)
            return status;
        if (res == MON_HC_CRASH)
            return ONYX_EXIT_CRASH;
        if (res == MON_HC_STOP || mon_stop_signal)
            return stop_status();
    }
}
