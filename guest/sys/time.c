/* SPDX-License-Identifier: MIT */
/*
 * Clock and sleep syscalls (guest side): every clock is read from the
 * TSC (no VM exit); sleeps block the thread until the monotonic clock
 * reaches the deadline and never return early.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "k/sched.h"
#include "k/thread.h"
#include "k/time.h"
#include "k/uaccess.h"
#include "sys.h"

#define NS_PER_SEC 1000000000ull

static long clock_read(long id, uint64_t *ns)
{
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI: /* no leap-second table: TAI reads as UTC */
        *ns = k_time_realtime_ns();
        return 0;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME: /* the guest never suspends */
        *ns = k_time_monotonic_ns();
        return 0;
    case CLOCK_PROCESS_CPUTIME_ID: *ns = k_sched_process_cpu_ns(); return 0;
    case CLOCK_THREAD_CPUTIME_ID: *ns = k_sched_thread_cpu_ns(); return 0;
    default: return -EINVAL;
    }
}

static struct timespec ts_of(uint64_t ns)
{
    return (struct timespec){.tv_sec = (time_t)(ns / NS_PER_SEC),
                             .tv_nsec = (long)(ns % NS_PER_SEC)};
}

SYSCALL(clock_gettime)
{
    uint64_t ns;
    struct timespec ts;
    long err = clock_read(a0, &ns);

    if (err)
        return err;
    ts = ts_of(ns);
    return k_copy_to_user((void *)a1, &ts, sizeof(ts));
}

SYSCALL(clock_getres)
{
    uint64_t ns;
    struct timespec res = {.tv_nsec = 1};
    long err = clock_read(a0, &ns);

    if (err)
        return err;
    if (a1 && k_copy_to_user((void *)a1, &res, sizeof(res)))
        return -EFAULT;
    return 0;
}

SYSCALL(gettimeofday)
{
    uint64_t ns = k_time_realtime_ns();
    struct timeval tv = {.tv_sec = (time_t)(ns / NS_PER_SEC),
                         .tv_usec = (suseconds_t)(ns % NS_PER_SEC / 1000)};
    struct timezone tz = {0};

    if (a0 && k_copy_to_user((void *)a0, &tv, sizeof(tv)))
        return -EFAULT;
    if (a1 && k_copy_to_user((void *)a1, &tz, sizeof(tz)))
        return -EFAULT;
    return 0;
}

SYSCALL(time)
{
    time_t t = (time_t)(k_time_realtime_ns() / NS_PER_SEC);

    if (a0 && k_copy_to_user((void *)a0, &t, sizeof(t)))
        return -EFAULT;
    return t;
}

static long load_ts(long uts, uint64_t *ns)
{
    struct timespec ts;

    if (k_copy_from_user(&ts, (const void *)uts, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NS_PER_SEC)
        return -EINVAL;
    if ((uint64_t)ts.tv_sec >= K_FOREVER / NS_PER_SEC / 2)
        *ns = K_FOREVER / 2;
    else
        *ns = (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
    return 0;
}

static long sleep_rel(uint64_t ns, long urem)
{
    struct timespec zero = {0};

    k_sleep_until(k_time_monotonic_ns() + ns);
    /* Never interrupted (no signal delivery yet), so nothing remains. */
    if (urem && k_copy_to_user((void *)urem, &zero, sizeof(zero)))
        return -EFAULT;
    return 0;
}

SYSCALL(nanosleep)
{
    uint64_t ns;
    long err = load_ts(a0, &ns);

    return err ? err : sleep_rel(ns, a1);
}

SYSCALL(clock_nanosleep)
{
    uint64_t ns, now = 0;
    long err;

    if (a1 & ~TIMER_ABSTIME)
        return -EINVAL;
    switch (a0) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_TAI: break;
    case CLOCK_THREAD_CPUTIME_ID: return -EINVAL;
    case CLOCK_PROCESS_CPUTIME_ID: return -EOPNOTSUPP;
    default: return -EINVAL;
    }
    err = load_ts(a2, &ns);
    if (err)
        return err;
    if (!(a1 & TIMER_ABSTIME))
        return sleep_rel(ns, a3);
    clock_read(a0, &now);
    /* The realtime clock is monotonic plus a fixed offset here, so an
     * absolute deadline converts once. */
    if (ns > now)
        k_sleep_until(k_time_monotonic_ns() + (ns - now));
    return 0;
}
