/* SPDX-License-Identifier: MIT */
/*
 * The vDSO's functions (guest side, called by app code on app stacks
 * through arch/x86_64/vdso.S): clock reads from the TSC without a
 * syscall. Clocks they do not serve return -ENOSYS, which makes the
 * libc fall back to the real syscall.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/time.h>
#include <time.h>

#include "k/time.h"

#define NS_PER_SEC 1000000000ull

int k_vdso_clock_gettime(clockid_t clk, struct timespec *ts);
int k_vdso_gettimeofday(struct timeval *tv, struct timezone *tz);
time_t k_vdso_time(time_t *t);

int k_vdso_clock_gettime(clockid_t clk, struct timespec *ts)
{
    uint64_t ns;

    switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI: ns = k_time_realtime_ns(); break;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME: ns = k_time_monotonic_ns(); break;
    default: return -ENOSYS;
    }
    ts->tv_sec = (time_t)(ns / NS_PER_SEC);
    ts->tv_nsec = (long)(ns % NS_PER_SEC);
    return 0;
}

int k_vdso_gettimeofday(struct timeval *tv, struct timezone *tz)
{
    uint64_t ns = k_time_realtime_ns();

    if (tv) {
        tv->tv_sec = (time_t)(ns / NS_PER_SEC);
        tv->tv_usec = (suseconds_t)(ns % NS_PER_SEC / 1000);
    }
    if (tz) {
        tz->tz_minuteswest = 0;
        tz->tz_dsttime = 0;
    }
    return 0;
}

time_t k_vdso_time(time_t *t)
{
    time_t now = (time_t)(k_time_realtime_ns() / NS_PER_SEC);

    if (t)
        *t = now;
    return now;
}
