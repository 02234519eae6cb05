/* SPDX-License-Identifier: MIT */
/*
 * Network hooks the scheduler calls (guest/drivers/vnet.c and
 * guest/net/). The scheduler calls k_net_flush before it waits in the
 * monitor and k_net_input after every ONYX_HC_POLL that reported
 * packets; the syscall exit path calls k_net_flush so replies leave
 * without waiting for the next idle period.
 */
#ifndef K_NET_H
#define K_NET_H

#include <stdbool.h>
#include <stdint.h>

/* Starts lwIP and the netif from k_boot_info->net; a no-op when the
 * guest has no network device. Called once from kernel main. */
void k_net_init(void);
/* True when TX frames are queued that the monitor has not yet seen. */
bool k_net_tx_pending(void);
/* Hands queued TX frames to the monitor (one ONYX_HC_POLL, deadline 0)
 * and processes any frames that came back. */
void k_net_flush(void);
/* Processes every frame in the RX ring. */
void k_net_input(void);
/* Earliest lwIP timer deadline (monotonic ns), K_FOREVER if none; the
 * scheduler never sleeps past it. */
uint64_t k_net_next_deadline(void);

#endif
