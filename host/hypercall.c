/* SPDX-License-Identifier: MIT */
/*
 * Host-side hypercall handlers (onyx/abi.h): each copies its argument
 * struct out of guest memory through the checked accessor, validates
 * it, then carries it out; a request that fails validation stops the
 * guest and is never partly carried out.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "monitor.h"

/* Copies the guest's argument struct in; false when out of memory. */
static bool hc_read(struct mon_run *r, uint32_t gpa, void *out, size_t len)
{
    const void *p = mon_vm_ptr(r->vm, gpa, len);

    if (!p)
        return false;
    memcpy(out, p, len);
    return true;
}

static void hc_write(struct mon_run *r, uint32_t gpa, const void *in,
                     size_t len)
{
    void *p = mon_vm_ptr(r->vm, gpa, len);

    if (p)
        memcpy(p, in, len);
}

/*
 * Console output never stops the guest by itself: a failed stream (the
 * reader of a pipe went away, a full disk) answers this and every later
 * write with the error, as a Linux write(2) would, so the app sees EPIPE
 * or ENOSPC and can stop. A stop signal interrupts a write blocked on a
 * full pipe.
 */
static int console_out(struct mon_run *r, int fd, const void *buf,
                       size_t len)
{
    int *gone = fd == 1 ? &r->stdout_error : &r->stderr_error;
    int rc;

    if (*gone)
        return *gone;
    rc = mon_write_full(fd, buf, len);
    if (rc < 0 && rc != -EINTR)
        *gone = rc;
    return rc;
}

static enum mon_hc_result hc_console(struct mon_run *r, uint32_t gpa)
{
    struct onyx_hc_console c;
    const void *buf;

    if (!hc_read(r, gpa, &c, sizeof(c))) {
        mon_crash_dump(r,
                       "console hypercall: argument at 0x%x outside "
                       "guest memory",
                       gpa);
        return MON_HC_CRASH;
    }
    buf = c.len <= ONYX_CONSOLE_MAX ? mon_vm_ptr(r->vm, c.buf, c.len) : NULL;
    if (!buf || c.stream < ONYX_CONSOLE_STDOUT ||
        c.stream > ONYX_CONSOLE_KERNEL) {
        mon_crash_dump(r,
                       "console hypercall: bad buffer 0x%llx length "
                       "%llu or stream %u",
                       (unsigned long long)c.buf, (unsigned long long)c.len,
                       c.stream);
        return MON_HC_CRASH;
    }
    /* Kernel log lines carry their own "[onyx]" tag; they go to stderr
     * so they never mix into the app's stdout. */
    c.ret = console_out(r, c.stream == ONYX_CONSOLE_STDOUT ? 1 : 2, buf,
                        c.len);
    if (c.ret == -EINTR) {
        mon_stop_now();
        return MON_HC_STOP;
    }
    hc_write(r, gpa, &c, sizeof(c));
    return MON_HC_CONTINUE;
}

static uint64_t ts_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

static enum mon_hc_result hc_clock(struct mon_run *r, uint32_t gpa)
{
    struct onyx_hc_clock c;
    struct timespec mono, real;
    uint64_t tsc;

    if (!hc_read(r, gpa, &c, sizeof(c))) {
        mon_crash_dump(r,
                       "clock hypercall: argument at 0x%x outside "
                       "guest memory",
                       gpa);
        return MON_HC_CRASH;
    }
    /* The TSC read (one ioctl) sits between the two clock reads so all
     * three describe the same instant within a few microseconds. */
    clock_gettime(CLOCK_MONOTONIC, &mono);
    if (mon_vcpu_read_tsc(r->vm, &tsc) < 0) {
        c.ret = -EIO;
        hc_write(r, gpa, &c, sizeof(c));
        return MON_HC_CONTINUE;
    }
    clock_gettime(CLOCK_REALTIME, &real);
    c.monotonic_ns = ts_ns(&mono);
    c.realtime_ns = ts_ns(&real);
    c.tsc = tsc;
    c.ret = 0;
    hc_write(r, gpa, &c, sizeof(c));
    return MON_HC_CONTINUE;
}

static enum mon_hc_result hc_poll(struct mon_run *r, uint32_t gpa)
{
    struct onyx_hc_poll p;
    struct mon_err why;
    int rc;

    if (!hc_read(r, gpa, &p, sizeof(p))) {
        mon_crash_dump(r,
                       "poll hypercall: argument at 0x%x outside "
                       "guest memory",
                       gpa);
        return MON_HC_CRASH;
    }
    /* Cleared before the check, so a signal after it still wakes us. */
    mon_signal_wake = 0;
    if ((mon_app_signal && !r->app_signal_sent) || mon_stop_signal)
        p.deadline_ns = 0;
    rc = mon_net_poll(r->net, p.deadline_ns, &mon_signal_wake, &p.rx_ready,
                      &why);
    if (rc < 0) {
        mon_crash_dump(r, "%s", why.msg);
        return MON_HC_CRASH;
    }
    if (mon_stop_signal)
        return MON_HC_STOP;
    p.monotonic_ns = mon_now_ns();
    p.stop = 0;
    if (mon_app_signal && !r->app_signal_sent) {
        p.stop = (uint32_t)mon_app_signal;
        r->app_signal_sent = true;
    }
    p.ret = 0;
    hc_write(r, gpa, &p, sizeof(p));
    return MON_HC_CONTINUE;
}

static enum mon_hc_result hc_exit(struct mon_run *r, uint32_t gpa, int *status)
{
    struct onyx_hc_exit e;

    if (!hc_read(r, gpa, &e, sizeof(e))) {
        mon_crash_dump(r,
                       "exit hypercall: argument at 0x%x outside "
                       "guest memory",
                       gpa);
        return MON_HC_CRASH;
    }
    *status = (int)(e.status & 0xff);
    return MON_HC_EXIT;
}

static enum mon_hc_result hc_crash(struct mon_run *r, uint32_t gpa)
{
    struct onyx_hc_crash c;

    if (!hc_read(r, gpa, &c, sizeof(c))) {
        mon_crash_dump(r,
                       "crash hypercall: argument at 0x%x outside "
                       "guest memory",
                       gpa);
        return MON_HC_CRASH;
    }
    mon_crash_report(r, &c);
    return MON_HC_CRASH;
}

enum mon_hc_result mon_hypercall(struct mon_run *r, uint32_t nr, uint32_t gpa,
                                 int *status)
{
    switch (nr) {
    case ONYX_HC_CONSOLE_WRITE: return hc_console(r, gpa);
    case ONYX_HC_CLOCK: return hc_clock(r, gpa);
    case ONYX_HC_POLL: return hc_poll(r, gpa);
    case ONYX_HC_EXIT: return hc_exit(r, gpa, status);
    case ONYX_HC_CRASH: return hc_crash(r, gpa);
    default: mon_crash_dump(r, "unknown hypercall %u", nr); return MON_HC_CRASH;
    }
}
