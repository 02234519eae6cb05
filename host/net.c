/* SPDX-License-Identifier: MIT */
/*
 * Host-side network ring service for ONYX_HC_POLL: moves frames between
 * the guest's TX/RX rings and the back end, and waits for traffic.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "log.h"
#include "net.h"

/* Ethernet header: the shortest frame worth sending. */
#define ETH_MIN_FRAME 14u

struct mon_net {
    const struct mon_net_ops *ops;
    void *be;
    struct onyx_net_ring *tx; /* host views of the ring headers */
    struct onyx_net_ring *rx;
    uint8_t *tx_base; /* host views of the ring regions */
    uint8_t *rx_base;
    /* Our own copies of the indices we produce or consume: the guest
     * may scribble on the shared ones, never on these. */
    uint32_t tx_tail;
    uint32_t rx_head;
    bool warned_runt;
};

static uint32_t read_once(const uint32_t *p)
{
    return *(const volatile uint32_t *)p;
}

static void write_once(uint32_t *p, uint32_t v)
{
    *(volatile uint32_t *)p = v;
}

struct mon_net *mon_net_wrap(const struct mon_net_ops *ops, void *be)
{
    struct mon_net *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->ops = ops;
    n->be = be;
    return n;
}

int mon_net_create(struct mon_net **out, const struct mon_net_options *opt,
                   struct onyx_net_config *cfg, struct mon_err *err)
{
    const struct mon_net_ops *ops = &mon_net_tap_ops;
    void *be = NULL;
    int rc;

    *out = NULL;
    memset(cfg, 0, sizeof(*cfg));
    if (opt->kind == MON_NET_NONE)
        return 0;
    if (opt->kind == MON_NET_USER) {
        ops = &mon_net_slirp_ops;
        rc = mon_net_slirp_create(&be, opt, cfg, err);
    } else {
        rc = mon_net_tap_create(&be, opt, cfg, err);
    }
    if (rc < 0)
        return rc;
    *out = mon_net_wrap(ops, be);
    if (!*out) {
        ops->destroy(be);
        return mon_err_set(err, -ENOMEM, "out of memory");
    }
    /* A locally administered unicast MAC: 02 then five random bytes. */
    if (getrandom(cfg->mac + 1, 5, 0) != 5)
        memcpy(cfg->mac + 1, "\x6f\x6e\x79\x78\x01", 5);
    cfg->mac[0] = 0x02;
    cfg->mtu = ONYX_NET_MTU;
    cfg->present = 1;
    return 0;
}

int mon_net_attach(struct mon_net *n, struct mon_vm *vm, uint64_t tx,
                   uint64_t rx)
{
    n->tx_base = mon_vm_ptr(vm, tx, ONYX_NET_RING_BYTES);
    n->rx_base = mon_vm_ptr(vm, rx, ONYX_NET_RING_BYTES);
    if (!n->tx_base || !n->rx_base)
        return -EINVAL;
    n->tx = (struct onyx_net_ring *)n->tx_base;
    n->rx = (struct onyx_net_ring *)n->rx_base;
    return 0;
}

void mon_net_destroy(struct mon_net *n)
{
    if (!n)
        return;
    n->ops->destroy(n->be);
    free(n);
}

static int net_tx(struct mon_net *n, struct mon_err *err)
{
    uint32_t head = read_once(&n->tx->head);

    if (head - n->tx_tail > ONYX_NET_SLOTS)
        return mon_err_set(err, -EPROTO,
                           "net: TX ring head %u is more than %u slots "
                           "ahead of tail %u",
                           head, ONYX_NET_SLOTS, n->tx_tail);
    while (n->tx_tail != head) {
        uint32_t slot = n->tx_tail % ONYX_NET_SLOTS;
        uint32_t len = read_once(&n->tx->slot[slot].len);

        if (len > ONYX_NET_BUF_SIZE)
            return mon_err_set(err, -EPROTO,
                               "net: TX slot %u claims %u bytes, the "
                               "buffer holds %u",
                               slot, len, ONYX_NET_BUF_SIZE);
        if (len >= ETH_MIN_FRAME)
            n->ops->transmit(n->be, n->tx_base + ONYX_NET_BUF_OFFSET(slot),
                             len);
        else
            mon_warn_once(&n->warned_runt,
                          "net: dropping %u-byte TX frame (runt)", len);
        n->tx_tail++;
    }
    write_once(&n->tx->tail, n->tx_tail);
    return 0;
}

static int net_rx(struct mon_net *n, uint32_t *ready, struct mon_err *err)
{
    uint32_t tail = read_once(&n->rx->tail);

    if (n->rx_head - tail > ONYX_NET_SLOTS)
        return mon_err_set(err, -EPROTO,
                           "net: RX ring tail %u is not within %u slots "
                           "behind head %u",
                           tail, ONYX_NET_SLOTS, n->rx_head);
    while (n->rx_head - tail < ONYX_NET_SLOTS) {
        uint32_t slot = n->rx_head % ONYX_NET_SLOTS;
        uint32_t len = n->ops->receive(
            n->be, n->rx_base + ONYX_NET_BUF_OFFSET(slot), ONYX_NET_BUF_SIZE);

        if (len == 0)
            break;
        write_once(&n->rx->slot[slot].len, len);
        write_once(&n->rx->slot[slot].flags, 0);
        n->rx_head++;
    }
    write_once(&n->rx->head, n->rx_head);
    *ready = n->rx_head - tail;
    return 0;
}

static struct timespec *ns_to_timespec(uint64_t ns, struct timespec *ts)
{
    if (ns == UINT64_MAX)
        return NULL;
    ts->tv_sec = (time_t)(ns / 1000000000ull);
    ts->tv_nsec = (long)(ns % 1000000000ull);
    return ts;
}

/*
 * One wait of at most `timeout_ns` on the back end's fds (none without
 * a network), then the back end's event handling. The stop signals are
 * blocked between the *stop check and ppoll, which unblocks them
 * atomically: a signal in that window interrupts ppoll at once.
 */
static void net_wait(struct mon_net *n, uint64_t timeout_ns,
                     volatile sig_atomic_t *stop)
{
    struct pollfd fds[MON_NET_MAX_POLLFDS];
    struct timespec ts;
    sigset_t block, old;
    int nfds = 0;
    int rc = 0;

    if (n)
        nfds = n->ops->prepare(n->be, fds, MON_NET_MAX_POLLFDS, &timeout_ns);
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    if (!*stop)
        rc = ppoll(fds, (nfds_t)nfds, ns_to_timespec(timeout_ns, &ts), &old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (n)
        n->ops->dispatch(n->be, fds, nfds, rc < 0 && errno != EINTR);
}

int mon_net_poll(struct mon_net *n, uint64_t deadline_ns,
                 volatile sig_atomic_t *stop, uint32_t *rx_ready,
                 struct mon_err *err)
{
    int rc;

    *rx_ready = 0;
    if (n) {
        rc = net_tx(n, err);
        if (rc == 0) {
            net_wait(n, 0, stop);
            rc = net_rx(n, rx_ready, err);
        }
        if (rc < 0)
            return rc;
    }
    while (*rx_ready == 0 && !*stop) {
        uint64_t now = mon_now_ns();

        if (deadline_ns <= now)
            break;
        net_wait(n, deadline_ns == UINT64_MAX ? UINT64_MAX : deadline_ns - now,
                 stop);
        if (n) {
            rc = net_rx(n, rx_ready, err);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}
