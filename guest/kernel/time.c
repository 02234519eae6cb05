/* SPDX-License-Identifier: MIT */
/*
 * Guest clocks (guest side): one ONYX_HC_CLOCK at boot gives host
 * monotonic and real time at a known TSC value; afterwards a clock read
 * is RDTSC and a 64x64->128 multiply, with no VM exit.
 */
#include <stdint.h>

#include "k/arch.h"
#include "k/boot.h"
#include "k/hypercall.h"
#include "k/log.h"
#include "k/time.h"

#define NS_PER_MS 1000000ull
#define MULT_SHIFT 32

static uint64_t base_tsc;
static uint64_t base_mono;
static uint64_t base_real;
static uint64_t mult; /* ns per TSC tick, fixed point << MULT_SHIFT */
static uint64_t last_mono;

/* Without a TSC frequency from the monitor, measure it against two
 * clock hypercalls a few milliseconds apart. */
static uint64_t calibrate_khz(const struct onyx_hc_clock *first)
{
    struct onyx_hc_clock now;

    do {
        k_hc_clock(&now);
    } while (now.monotonic_ns - first->monotonic_ns < 5 * NS_PER_MS);
    return (now.tsc - first->tsc) * NS_PER_MS /
           (now.monotonic_ns - first->monotonic_ns) / 1000;
}

void k_time_init(void)
{
    struct onyx_hc_clock c;
    uint64_t khz = k_boot_info->tsc_khz;

    k_hc_clock(&c);
    if (c.ret)
        k_panic("time: clock hypercall failed: ret=%ld", (long)c.ret);
    if (!khz) {
        khz = calibrate_khz(&c);
        k_warn("time: monitor gave no TSC frequency, measured %lu kHz", khz);
        if (!khz)
            k_panic("time: cannot determine the TSC frequency");
    }
    base_tsc = c.tsc;
    base_mono = c.monotonic_ns;
    base_real = c.realtime_ns;
    mult = (uint64_t)(((unsigned __int128)NS_PER_MS << MULT_SHIFT) / khz);
    last_mono = base_mono;
}

uint64_t k_time_monotonic_ns(void)
{
    uint64_t tsc = k_rdtsc();
    uint64_t delta = tsc > base_tsc ? tsc - base_tsc : 0;
    uint64_t ns =
        base_mono + (uint64_t)(((unsigned __int128)delta * mult) >> MULT_SHIFT);

    /* TSC reads are not ordered with each other on every CPU model;
     * never let the clock step back. */
    if (ns < last_mono)
        return last_mono;
    last_mono = ns;
    return ns;
}

uint64_t k_time_realtime_ns(void)
{
    return base_real + (k_time_monotonic_ns() - base_mono);
}

uint32_t k_time_ms(void)
{
    return (uint32_t)(k_time_monotonic_ns() / NS_PER_MS);
}

uint64_t k_time_ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * mult) >> MULT_SHIFT);
}

uint64_t k_time_boot_ns(void)
{
    return k_time_monotonic_ns() - base_mono;
}
