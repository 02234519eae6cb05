/* SPDX-License-Identifier: MIT */
/*
 * Host-side guest networking: the ONYX_HC_POLL work on the shared TX/RX
 * rings, and the small interface every back end (libslirp user
 * networking, tap) implements behind it.
 */
#ifndef MON_NET_H
#define MON_NET_H

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "onyx/abi.h"
#include "util.h"
#include "vm.h"

#define MON_NET_MAX_FORWARDS 32
#define MON_NET_MAX_POLLFDS 256

enum mon_net_kind {
    MON_NET_NONE = 0,
    MON_NET_USER,
    MON_NET_TAP,
};

/* A `-p [ADDR:]HOSTPORT:GUESTPORT` TCP forward. */
struct mon_net_forward {
    struct in_addr host_addr; /* INADDR_ANY by default */
    uint16_t host_port;
    uint16_t guest_port;
    const char *text; /* as the user wrote it, for messages */
};

struct mon_net_options {
    enum mon_net_kind kind;
    const char *ifname; /* tap only */
    uint32_t ip; /* tap: --ip, network byte order */
    uint8_t prefix;
    uint32_t gateway; /* tap: --gw, 0 when none */
    uint32_t dns; /* tap: --dns, 0 when none */
    unsigned nforwards;
    struct mon_net_forward forwards[MON_NET_MAX_FORWARDS];
};

/* What a back end provides. `be` is its private state. */
struct mon_net_ops {
    /* Sends one frame from the guest; drops it on congestion. */
    void (*transmit)(void *be, const uint8_t *frame, uint32_t len);
    /* Moves the next frame for the guest into buf (cap bytes); returns
     * its length, 0 when none is waiting. */
    uint32_t (*receive)(void *be, uint8_t *buf, uint32_t cap);
    /* Adds up to `max` fds to wait on; may lower *timeout_ns (a
     * relative time, UINT64_MAX for none). Returns the count added. */
    int (*prepare)(void *be, struct pollfd *fds, int max, uint64_t *timeout_ns);
    /* Handles what ppoll reported for the fds from prepare (error true
     * when ppoll failed) and runs expired timers. */
    void (*dispatch)(void *be, struct pollfd *fds, int nfds, bool error);
    void (*destroy)(void *be);
};

/* Back-end constructors: fill `cfg` (addresses, MAC left to caller) and
 * return 0, or -errno with a message naming the device or port. */
int mon_net_slirp_create(void **be, const struct mon_net_options *opt,
                         struct onyx_net_config *cfg, struct mon_err *err);
int mon_net_tap_create(void **be, const struct mon_net_options *opt,
                       struct onyx_net_config *cfg, struct mon_err *err);
extern const struct mon_net_ops mon_net_slirp_ops;
extern const struct mon_net_ops mon_net_tap_ops;

struct mon_net;

/*
 * Creates the back end chosen in `opt` and fills the network part of
 * the boot info (`cfg`: MAC 02:xx:xx:xx:xx:xx, addresses, MTU,
 * present = 1). *out is NULL for MON_NET_NONE. Returns 0 or -errno.
 */
int mon_net_create(struct mon_net **out, const struct mon_net_options *opt,
                   struct onyx_net_config *cfg, struct mon_err *err);

/* Puts a back end behind the ring service; mon_net_create uses it, and
 * tests use it with a loopback back end. NULL when out of memory. */
struct mon_net *mon_net_wrap(const struct mon_net_ops *ops, void *be);

/* Connects the rings the loader placed at guest physical tx/rx. Returns
 * 0, or -EINVAL when they are not inside guest memory. */
int mon_net_attach(struct mon_net *n, struct mon_vm *vm, uint64_t tx,
                   uint64_t rx);

/*
 * Serves one ONYX_HC_POLL: sends every TX frame, fills the RX ring,
 * then, while the RX ring is empty and `deadline_ns` (host monotonic)
 * is ahead, waits in ppoll() until a frame, the deadline, or a SIGINT/
 * SIGTERM whose handler sets *stop. SIGINT and SIGTERM are blocked from
 * the *stop check until ppoll unblocks them atomically, so none is
 * lost. `n` may be NULL (no network: only waits). Returns 0 with
 * *rx_ready set, or -EPROTO when the guest broke the ring rules
 * (message in `err`).
 */
int mon_net_poll(struct mon_net *n, uint64_t deadline_ns,
                 volatile sig_atomic_t *stop, uint32_t *rx_ready,
                 struct mon_err *err);

void mon_net_destroy(struct mon_net *n);

#endif
