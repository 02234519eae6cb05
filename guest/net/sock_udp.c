/* SPDX-License-Identifier: MIT */
/*
 * UDP sockets on lwIP's raw API (guest side): a bounded queue of received
 * datagrams, and sends that hand the app's buffers to lwIP by reference
 * so the only copy is the one into the TX ring.
 */
#include <errno.h>
#include <poll.h>

#include "lwip/ip4.h"
#include "lwip/udp.h"

#include "net_internal.h"
#include "sock_priv.h"

/* Largest UDP payload over IPv4. */
#define UDP_MAX_PAYLOAD 65507u
/* Linux's default receive buffer; it counts each datagram's overhead
 * too, which DGRAM_COST approximates so tiny datagrams cannot pile up. */
#define UDP_RCVBUF_DEFAULT 212992u
#define DGRAM_COST 256u

size_t k_sock_udp_rcvbuf(const struct k_sock *s)
{
    return s->opts.rcvbuf > 0 ? (size_t)s->opts.rcvbuf : UDP_RCVBUF_DEFAULT;
}

static void udp_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                        const ip_addr_t *addr, u16_t port)
{
    struct k_sock *s = arg;
    size_t cost = s->rxq.bytes + (size_t)s->rxq.count * DGRAM_COST;

    (void)pcb;
    if (s->rd_shut || cost + p->tot_len + DGRAM_COST > k_sock_udp_rcvbuf(s) ||
        k_sock_rxq_push(&s->rxq, p, ip4_addr_get_u32(addr), port, false) < 0) {
        pbuf_free(p);
        return;
    }
    k_sock_wake(s);
}

void k_sock_udp_apply_opts(struct k_sock *s)
{
    struct udp_pcb *pcb = s->pcb.udp;

    if (s->opts.reuseaddr)
        ip_set_option(pcb, SOF_REUSEADDR);
    else
        ip_reset_option(pcb, SOF_REUSEADDR);
    if (s->opts.broadcast)
        ip_set_option(pcb, SOF_BROADCAST);
    else
        ip_reset_option(pcb, SOF_BROADCAST);
    pcb->tos = (u8_t)s->opts.tos;
    pcb->ttl = s->opts.ttl < 0 ? UDP_TTL : (u8_t)s->opts.ttl;
}

int k_sock_udp_init(struct k_sock *s)
{
    struct udp_pcb *pcb = udp_new();

    if (pcb == NULL)
        return -ENOBUFS;
    s->pcb.udp = pcb;
    udp_recv(pcb, udp_recv_cb, s);
    k_sock_udp_apply_opts(s);
    return 0;
}

void k_sock_udp_close(struct k_sock *s)
{
    k_net_lock();
    if (s->pcb.udp != NULL)
        udp_remove(s->pcb.udp);
    s->pcb.udp = NULL;
    k_sock_rxq_clear(&s->rxq);
    k_net_unlock();
}

int k_sock_udp_bind(struct k_sock *s, const struct k_sockaddr *addr)
{
    ip4_addr_t ip;
    err_t e;
    int r = 0;

    k_net_lock();
    if (s->pcb.udp->local_port != 0) {
        r = -EINVAL;
        goto out;
    }
    ip4_addr_set_u32(&ip, addr->ip);
    e = udp_bind(s->pcb.udp, &ip, addr->port);
    if (e == ERR_USE)
        r = -EADDRINUSE;
    else if (e != ERR_OK)
        r = -k_net_errno(e);
out:
    k_net_unlock();
    return r;
}

static bool is_broadcast(uint32_t ip)
{
    ip4_addr_t a;

    if (ip == IPADDR_BROADCAST)
        return true;
    ip4_addr_set_u32(&a, ip);
    return netif_default != NULL && ip4_addr_isbroadcast(&a, netif_default);
}

/* Resolves and checks a destination like Linux's UDP does. Core lock
 * held. */
static int udp_dest(struct k_sock *s, const struct k_sockaddr *to,
                    ip4_addr_t *ip)
{
    ip4_addr_set_u32(ip, to->ip != 0 ? to->ip : PP_HTONL(IPADDR_LOOPBACK));
    if (is_broadcast(ip4_addr_get_u32(ip)) && !s->opts.broadcast)
        return -EACCES;
    if (ip4_route(ip) == NULL)
        return -ENETUNREACH;
    return 0;
}

int k_sock_udp_connect(struct k_sock *s, const struct k_sockaddr *addr)
{
    struct udp_pcb *pcb = s->pcb.udp;
    struct netif *out;
    ip4_addr_t ip;
    err_t e;
    int r;

    k_net_lock();
    if (addr == NULL) {
        /* AF_UNSPEC dissolves the association, and forgets the local
         * address connect picked, as Linux does. */
        udp_disconnect(pcb);
        if (s->udp_auto_local)
            ip4_addr_set_any(&pcb->local_ip);
        s->udp_auto_local = false;
        s->remote = (struct k_sockaddr){0};
        k_net_unlock();
        return 0;
    }
    r = udp_dest(s, addr, &ip);
    if (r == 0) {
        e = udp_connect(pcb, &ip, addr->port);
        if (e != ERR_OK) {
            r = e == ERR_USE ? -EADDRINUSE : -k_net_errno(e);
            goto out;
        }
        s->remote.ip = ip4_addr_get_u32(&ip);
        s->remote.port = addr->port;
        /* Like Linux, connect settles the source address, which apps
         * read back with getsockname to learn their own address. */
        out = ip4_route(&ip);
        if (ip4_addr_isany(&pcb->local_ip) && out != NULL) {
            ip4_addr_copy(pcb->local_ip, *netif_ip4_addr(out));
            s->udp_auto_local = true;
        }
    }
out:
    k_net_unlock();
    return r;
}

int k_sock_udp_shutdown(struct k_sock *s, unsigned how)
{
    int r = 0;

    k_net_lock();
    /* Linux records the shutdown even when it says ENOTCONN; a blocked
     * recv then returns 0, which apps use to stop a reader thread. */
    if (!(s->pcb.udp->flags & UDP_FLAGS_CONNECTED))
        r = -ENOTCONN;
    if (how & K_SHUT_RD)
        s->rd_shut = true;
    if (how & K_SHUT_WR)
        s->wr_shut = true;
    k_sock_wake(s);
    k_net_unlock();
    return r;
}

/* Chains the app's buffers into pbufs that point at them. lwIP copies
 * such pbufs whenever it has to keep them (ARP queue, loopback), so they
 * may go away once the send returns. */
static struct pbuf *udp_ref_chain(const struct iovec *iov, int iovcnt)
{
    struct pbuf *head = NULL;

    for (int i = 0; i < iovcnt; i++) {
        struct pbuf *p;

        if (iov[i].iov_len == 0)
            continue;
        p = pbuf_alloc(head == NULL ? PBUF_TRANSPORT : PBUF_RAW,
                       (u16_t)iov[i].iov_len, PBUF_REF);
        if (p == NULL) {
            if (head != NULL)
                pbuf_free(head);
            return NULL;
        }
        p->payload = iov[i].iov_base;
        if (head == NULL)
            head = p;
        else
            pbuf_cat(head, p);
    }
    if (head == NULL)
        head = pbuf_alloc(PBUF_TRANSPORT, 0, PBUF_RAM);
    return head;
}

long k_sock_udp_send(struct k_sock *s, const struct iovec *iov, int iovcnt,
                     const struct k_sockaddr *to)
{
    size_t total = k_sock_iov_total(iov, iovcnt);
    struct udp_pcb *pcb = s->pcb.udp;
    struct pbuf *p;
    ip4_addr_t ip;
    err_t e;
    int r = 0;

    if (total > UDP_MAX_PAYLOAD)
        return -EMSGSIZE;
    k_net_lock();
    if (s->wr_shut) {
        r = -EPIPE;
        goto out;
    }
    if (to == NULL && !(pcb->flags & UDP_FLAGS_CONNECTED)) {
        r = -EDESTADDRREQ;
        goto out;
    }
    if (to != NULL && to->port == 0) {
        r = -EINVAL;
        goto out;
    }
    if (to != NULL && (r = udp_dest(s, to, &ip)) < 0)
        goto out;
    p = udp_ref_chain(iov, iovcnt);
    if (p == NULL) {
        r = -ENOBUFS;
        goto out;
    }
    e = to != NULL ? udp_sendto(pcb, p, &ip, to->port) : udp_send(pcb, p);
    pbuf_free(p);
    if (e == ERR_RTE)
        r = -ENETUNREACH;
    else if (e != ERR_OK)
        r = -k_net_errno(e);
out:
    k_net_unlock();
    return r < 0 ? r : (long)total;
}

long k_sock_udp_recv(struct k_sock *s, const struct iovec *iov, int iovcnt,
                     unsigned *flags, struct k_sockaddr *from, bool nonblock)
{
    uint64_t deadline = k_sock_deadline(s->opts.rcvtimeo_ns);
    size_t total = k_sock_iov_total(iov, iovcnt);
    bool peek = *flags & K_MSG_PEEK;
    bool want_full = *flags & K_MSG_TRUNC;

    for (;;) {
        struct k_sock_rxent *e;
        struct k_iov_cursor c;
        size_t len;
        long n;
        int r;

        k_net_lock();
        if (s->rxq.count == 0) {
            bool shut = s->rd_shut;

            k_net_unlock();
            if (shut)
                return 0;
            if (nonblock)
                return -EAGAIN;
            r = k_sock_wait(s, deadline);
            if (r < 0)
                return r;
            continue;
        }
        e = k_sock_rxq_at(&s->rxq, 0);
        len = e->p->tot_len;
        k_iov_cursor_init(&c, iov, iovcnt, 0);
        n = k_iov_copy_from_pbuf(&c, e->p, 0, len < total ? len : total);
        if (from != NULL)
            *from = (struct k_sockaddr){.ip = e->ip, .port = e->port};
        /* Like Linux, a datagram that faulted on the way out is gone. */
        if (!peek || n < 0) {
            /* The rest of a datagram that did not fit is lost. */
            s->rxq.bytes -= len;
            pbuf_free(e->p);
            k_sock_rxq_pop(&s->rxq);
        }
        k_net_unlock();
        if (n < 0)
            return n;
        *flags = (size_t)n < len ? K_MSG_TRUNC : 0;
        return want_full ? (long)len : n;
    }
}

unsigned k_sock_udp_poll(struct k_sock *s)
{
    unsigned m = POLLOUT | POLLWRNORM;

    if (s->rxq.count > 0)
        m |= POLLIN | POLLRDNORM;
    if (s->rd_shut)
        m |= POLLIN | POLLRDNORM | POLLRDHUP;
    if (s->rd_shut && s->wr_shut)
        m |= POLLHUP;
    if (s->err != 0)
        m |= POLLERR;
    return m;
}
