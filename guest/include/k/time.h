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

#endif
