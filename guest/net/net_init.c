/* SPDX-License-Identifier: MIT */
/*
 * Network start-up (guest side): starts lwIP and its timer thread, brings
 * up loopback and the ring device, and tells the scheduler when lwIP's
 * next timer is due.
 */
#include <errno.h>

#include "lwip/init.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"

#include "k/boot.h"
#include "k/log.h"
#include "k/net.h"
#include "k/sched.h"
#include "k/time.h"

#include "net_internal.h"

/* lwIP may use a quarter of guest memory, at least this much. */
#define NET_MEM_MIN (8ull << 20)

bool k_net_started;

void k_net_init(void)
{
    const struct onyx_boot_info *bi = k_boot_info;
    uint64_t budget = bi->mem_size / 4;

    k_net_mem_set_budget(budget > NET_MEM_MIN ? budget : NET_MEM_MIN);
    k_net_rand_init();
    /* Creates tcpip_thread, which first runs when this thread blocks;
     * lwip_init inside adds the loopback netif. */
    tcpip_init(NULL, NULL);
    k_net_started = true;

    if (!bi->net.present) {
        k_info("net: no network device, loopback only");
        return;
    }
    k_net_lock();
    if (vnet_init() == 0)
        k_info("net: up: ip=%u.%u.%u.%u/%u gw=%u.%u.%u.%u", bi->net.ip & 0xff,
               (bi->net.ip >> 8) & 0xff, (bi->net.ip >> 16) & 0xff,
               bi->net.ip >> 24, bi->net.prefix, bi->net.gateway & 0xff,
               (bi->net.gateway >> 8) & 0xff, (bi->net.gateway >> 16) & 0xff,
               bi->net.gateway >> 24);
    k_net_unlock();
}

uint64_t k_net_next_deadline(void)
{
    uint32_t ms;

    if (!k_net_started)
        return K_FOREVER;
    /* Held only by code that is running right now, i.e. never while the
     * scheduler asks; answer "soon" rather than block if it is. */
    if (!k_net_core_trylock())
        return k_time_monotonic_ns() + 1000000ull;
    ms = sys_timeouts_sleeptime();
    UNLOCK_TCPIP_CORE();
    if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
        return K_FOREVER;
    return k_time_monotonic_ns() + (uint64_t)ms * 1000000ull;
}

int k_net_errno(err_t err)
{
    switch (err) {
    case ERR_OK: return 0;
    case ERR_MEM:
    case ERR_BUF: return ENOBUFS;
    case ERR_TIMEOUT: return ETIMEDOUT;
    case ERR_RTE: return EHOSTUNREACH;
    case ERR_INPROGRESS: return EINPROGRESS;
    case ERR_VAL:
    case ERR_ARG: return EINVAL;
    case ERR_WOULDBLOCK: return EAGAIN;
    case ERR_USE: return EADDRINUSE;
    case ERR_ALREADY: return EALREADY;
    case ERR_ISCONN: return EISCONN;
    case ERR_CONN: return ENOTCONN;
    case ERR_IF: return ENETDOWN;
    case ERR_ABRT: return ECONNABORTED;
    case ERR_RST: return ECONNRESET;
    case ERR_CLSD: return EPIPE;
    default: return EIO;
    }
}
