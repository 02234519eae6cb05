/* SPDX-License-Identifier: MIT */
/* Guest clocks: TSC-based, calibrated against the host at boot. */
#ifndef K_TIME_H
#define K_TIME_H

#include <stdint.h>

/* Host CLOCK_MONOTONIC in ns; never goes back. No VM exit. */
uint64_t k_time_monotonic_ns(void);
/* Host CLOCK_REALTIME in ns since the epoch. No VM exit. */
uint64_t k_time_realtime_ns(void);
/* Monotonic ms, for lwIP's sys_now. */
uint32_t k_time_ms(void);
/* Nanoseconds since the kernel's clock was set up at boot. */
uint64_t k_time_boot_ns(void);
/* Converts a TSC tick count to nanoseconds. */
uint64_t k_time_ticks_to_ns(uint64_t ticks);
/* Boot: one clock hypercall; before any other clock function. */
void k_time_init(void);

#endif
