/* SPDX-License-Identifier: MIT */
/*
 * Host-side monitor loop: runs the vCPU, serves hypercalls, reports
 * crashes and unexpected exits, and stops the guest on SIGINT/SIGTERM.
 */
#ifndef MON_MONITOR_H
#define MON_MONITOR_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "image.h"
#include "net.h"
#include "onyx/abi.h"
#include "vm.h"

struct mon_run {
    struct mon_vm *vm;
    const struct mon_image *img; /* for symbols in crash reports */
    struct mon_net *net; /* NULL without a network */
    int stdout_error; /* -errno once a write failed (EPIPE, EIO...) */
    int stderr_error;
    bool app_signal_sent; /* mon_app_signal reported to the guest */
};

/*
 * Installs the SIGINT/SIGTERM handler and ignores SIGPIPE. The first
 * SIGINT/SIGTERM is passed to the guest (mon_app_signal, reported by
 * the next ONYX_HC_POLL) and starts a `stop_timeout_s` alarm; a second
 * one, or the alarm, stops the guest (through kvm_run.immediate_exit).
 * stop_timeout_s 0 stops at the first signal. Call after the vCPU
 * exists, before the first KVM_RUN. Returns 0 or -errno with a message.
 */
int mon_signals_init(struct mon_run *r, unsigned stop_timeout_s,
                     struct mon_err *err);

/* The signal that stops the guest (SIGINT/SIGTERM), 0 when none. */
extern volatile sig_atomic_t mon_stop_signal;
/* The first SIGINT/SIGTERM, for the app; 0 when none yet. */
extern volatile sig_atomic_t mon_app_signal;
/* Set by every stop-signal or alarm arrival: wakes ONYX_HC_POLL waits. */
extern volatile sig_atomic_t mon_signal_wake;
/* Turns the signal passed to the guest into a stop (mon_stop_signal). */
void mon_stop_now(void);

/*
 * Runs the guest until it exits, crashes or is stopped. Returns the
 * process exit status: the app's status, ONYX_EXIT_CRASH, or
 * ONYX_EXIT_SIGINT/SIGTERM.
 */
int mon_run_guest(struct mon_run *r);

/* Outcome of one hypercall. */
enum mon_hc_result {
    MON_HC_CONTINUE = 0,
    MON_HC_EXIT, /* guest asked to exit; *status set */
    MON_HC_CRASH, /* report printed; exit ONYX_EXIT_CRASH */
    MON_HC_STOP, /* a stop signal arrived while waiting */
};

/* Serves hypercall `nr` with argument struct at guest physical `gpa`.
 * Bad numbers or arguments print a report and give MON_HC_CRASH. */
enum mon_hc_result mon_hypercall(struct mon_run *r, uint32_t nr, uint32_t gpa,
                                 int *status);

/* Crash report for ONYX_HC_CRASH (on stderr). */
void mon_crash_report(struct mon_run *r, const struct onyx_hc_crash *c);
/* "<why>" plus the vCPU's registers, for exits the guest did not ask
 * for and for hypercalls that break the rules. */
void mon_crash_dump(struct mon_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
