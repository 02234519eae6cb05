/* SPDX-License-Identifier: MIT */
/*
 * Contracts between the lwIP-facing parts of guest/net (guest side): the
 * core lock, timers, memory budget and the ring driver. Files that include
 * this see lwIP's headers and must not include musl's socket headers.
 */
#ifndef ONYX_NET_INTERNAL_H
#define ONYX_NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/err.h"
#include "lwip/tcpip.h"

/* Takes the core lock if it is free; never blocks. */
bool k_net_core_trylock(void);
/* Wakes tcpip_thread early when a timer added since it went to sleep is
 * due sooner. Core lock held. */
void k_net_timers_check(void);

/* Every app-side entry into lwIP goes between these two. Nothing blocks
 * in between, so the lock is never held across a thread switch. */
static inline void k_net_lock(void)
{
    LOCK_TCPIP_CORE();
}

static inline void k_net_unlock(void)
{
    k_net_timers_check();
    UNLOCK_TCPIP_CORE();
}

/* True once k_net_init has started lwIP. */
extern bool k_net_started;

/* Caps the bytes lwIP may take from the kernel heap (net_mem.c). */
void k_net_mem_set_budget(uint64_t bytes);
/* Bytes lwIP holds now. */
uint64_t k_net_mem_in_use(void);

/* Draws the ISN key from the kernel CSPRNG (net_rand.c). */
void k_net_rand_init(void);

/* Adds the ring netif from the boot info; core lock held. Returns 0 or
 * -errno (vnet.c). */
int vnet_init(void);

/* TIME-WAIT housekeeping (net_tw.c), core lock held. Starts the cap
 * check if it is not running: */
void k_net_tw_watch(void);
/* Before lwIP sees a received Ethernet frame: a SYN for a connection in
 * TIME-WAIT here with a sequence number past it frees that pcb, so the
 * listener takes the SYN as a new connection. */
void k_net_tw_syn(const uint8_t *frame, size_t len);
/* Raises an ISN for a connection just reopened from TIME-WAIT. */
uint32_t k_net_tw_isn(uint32_t isn, uint32_t local_ip, uint16_t local_port,
                      uint32_t remote_ip, uint16_t remote_port);

/* Linux errno (positive) for an lwIP error. */
int k_net_errno(err_t err);

#endif /* ONYX_NET_INTERNAL_H */
