/* SPDX-License-Identifier: MIT */
/*
 * The socket core's common half (guest side): socket objects, receive
 * queues, waiting and waking, and the k_sock_* entry points that
 * dispatch to TCP (sock_tcp.c) or UDP (sock_udp.c).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "lwip/netif.h"

#include "k/mm.h"
#include "k/proc.h"
#include "k/sched.h"
#include "k/time.h"
#include "k/uaccess.h"

#include "net_internal.h"
#include "sock_priv.h"

/* Receive queue entries per socket at most; beyond it lwIP holds the
 * data back (TCP) or drops it (UDP). */
#define RXQ_MAX_ENTRIES 65536u
/* TCP runs shorter than this are chained onto the previous entry, up to
 * RXQ_MERGE_BUFS pbufs, so floods of tiny segments cost few entries. */
#define RXQ_MERGE_BELOW 512u
#define RXQ_MERGE_BUFS 32u

struct k_sock *k_sock_alloc(enum k_sock_type type)
{
    struct k_sock *s = k_calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->type = type;
    s->state = K_SS_NEW;
    s->opts.linger = -1;
    s->opts.rcvlowat = 1;
    s->opts.ttl = -1;
    return s;
}

void k_sock_free(struct k_sock *s)
{
    k_sock_rxq_clear(&s->rxq);
    k_free(s);
}

void k_sock_wake(struct k_sock *s)
{
    k_waitq_wake_all(&s->waiters);
    k_waitq_wake_all(&k_io_waitq);
}

int k_sock_wait(struct k_sock *s, uint64_t deadline)
{
    /* Frames queued by this call leave when the scheduler goes idle and
     * polls the monitor, in the same exit that waits for input. A
     * signal for the app cuts the wait short (-EINTR). */
    int r = k_signal_pending() ? -EINTR : k_waitq_wait(&s->waiters, deadline);

    return r == -ETIMEDOUT ? -EAGAIN : r;
}

uint64_t k_sock_deadline(uint64_t timeout_ns)
{
    if (timeout_ns == 0)
        return K_FOREVER;
    return k_time_monotonic_ns() + timeout_ns;
}

bool k_sock_is_local_ip(uint32_t ip)
{
    struct netif *n;

    NETIF_FOREACH(n)
    {
        if (ip4_addr_get_u32(netif_ip4_addr(n)) == ip)
            return true;
    }
    return false;
}

size_t k_sock_iov_total(const struct iovec *iov, int iovcnt)
{
    size_t total = 0;

    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    return total;
}

/* ---- receive queue ------------------------------------------------- */

static int rxq_grow(struct k_sock_rxq *q)
{
    uint32_t cap = q->cap ? q->cap * 2 : 8;
    struct k_sock_rxent *ent;

    if (cap > RXQ_MAX_ENTRIES)
        return -ENOBUFS;
    ent = k_malloc(cap * sizeof(*ent));
    if (ent == NULL)
        return -ENOMEM;
    /* Unroll the ring so it starts at 0 in the new array. */
    for (uint32_t i = 0; i < q->count; i++)
        ent[i] = q->ent[(q->head + i) & (q->cap - 1)];
    k_free(q->ent);
    q->ent = ent;
    q->cap = cap;
    q->head = 0;
    return 0;
}

struct k_sock_rxent *k_sock_rxq_at(struct k_sock_rxq *q, uint32_t i)
{
    return &q->ent[(q->head + i) & (q->cap - 1)];
}

int k_sock_rxq_push(struct k_sock_rxq *q, struct pbuf *p, uint32_t ip,
                    uint16_t port, bool merge)
{
    struct k_sock_rxent *e;

    if (merge && q->count > 0 && p->tot_len < RXQ_MERGE_BELOW) {
        e = k_sock_rxq_at(q, q->count - 1);
        if (e->nbufs < RXQ_MERGE_BUFS &&
            (uint32_t)e->p->tot_len + p->tot_len <= 0xffffu) {
            e->nbufs += (uint16_t)pbuf_clen(p);
            q->bytes += p->tot_len;
            pbuf_cat(e->p, p);
            return 0;
        }
    }
    if (q->count == q->cap) {
        int r = rxq_grow(q);

        if (r < 0)
            return r;
    }
    e = k_sock_rxq_at(q, q->count);
    *e = (struct k_sock_rxent){
        .p = p, .ip = ip, .port = port, .nbufs = (uint16_t)pbuf_clen(p)};
    q->count++;
    q->bytes += p->tot_len;
    return 0;
}

void k_sock_rxq_pop(struct k_sock_rxq *q)
{
    q->head = (q->head + 1) & (q->cap - 1);
    q->count--;
}

void k_sock_rxq_clear(struct k_sock_rxq *q)
{
    while (q->count > 0) {
        pbuf_free(k_sock_rxq_at(q, 0)->p);
        k_sock_rxq_pop(q);
    }
    k_free(q->ent);
    *q = (struct k_sock_rxq){0};
}

/* ---- iovec cursor --------------------------------------------------- */

void k_iov_cursor_init(struct k_iov_cursor *c, const struct iovec *iov, int cnt,
                       size_t skip)
{
    *c = (struct k_iov_cursor){.iov = iov, .cnt = cnt};
    while (c->i < cnt && skip >= iov[c->i].iov_len) {
        skip -= iov[c->i].iov_len;
        c->i++;
    }
    c->off = skip;
}

/* Copies into app memory safely (a bad pointer gives -EFAULT), or into
 * a kernel buffer when the kernel itself is the caller. */
static int copy_out(void *dst, const void *src, size_t n)
{
    if (k_user_range_ok(dst, n))
        return k_copy_to_user(dst, src, n);
    memcpy(dst, src, n);
    return 0;
}

/* Copies `len` bytes of the chain `p` from `offset` to `dst`. */
static int copy_from_chain(void *dst, const struct pbuf *p, size_t offset,
                           size_t len)
{
    char *d = dst;

    for (; p != NULL && offset >= p->len; p = p->next)
        offset -= p->len;
    for (; p != NULL && len > 0; p = p->next) {
        size_t n = p->len - offset;

        if (n > len)
            n = len;
        if (copy_out(d, (const char *)p->payload + offset, n) < 0)
            return -EFAULT;
        d += n;
        len -= n;
        offset = 0;
    }
    return 0;
}

long k_iov_copy_from_pbuf(struct k_iov_cursor *c, const struct pbuf *p,
                          size_t offset, size_t len)
{
    size_t done = 0;

    while (done < len && c->i < c->cnt) {
        size_t room = c->iov[c->i].iov_len - c->off;
        size_t n = len - done < room ? len - done : room;

        if (n > 0) {
            if (copy_from_chain((char *)c->iov[c->i].iov_base + c->off, p,
                                offset + done, n) < 0)
                return done > 0 ? (long)done : -EFAULT;
            done += n;
            c->off += n;
        }
        if (c->off == c->iov[c->i].iov_len) {
            c->i++;
            c->off = 0;
        }
    }
    return (long)done;
}

int k_iov_probe(const struct iovec *iov, int iovcnt)
{
    for (int i = 0; i < iovcnt; i++) {
        const char *p = iov[i].iov_base;
        size_t len = iov[i].iov_len;
        char byte;

        if (len == 0 || !k_user_range_ok(p, len))
            continue; /* empty, or a kernel buffer */
        /* One byte per page faults in what demand paging can map and
         * finds what it cannot, before lwIP copies from it unguarded. */
        for (size_t off = 0; off < len; off = (off | (K_PAGE_SIZE - 1)) + 1) {
            if (k_copy_from_user(&byte, p + off, 1) < 0)
                return -EFAULT;
        }
        if (k_copy_from_user(&byte, p + len - 1, 1) < 0)
            return -EFAULT;
    }
    return 0;
}

/* ---- entry points ----------------------------------------------------- */

int k_sock_create(enum k_sock_type type, struct k_sock **out)
{
    struct k_sock *s = k_sock_alloc(type);
    int r;

    if (s == NULL)
        return -ENOMEM;
    k_net_lock();
    r = type == K_SOCK_STREAM ? k_sock_tcp_init(s) : k_sock_udp_init(s);
    k_net_unlock();
    if (r < 0) {
        k_sock_free(s);
        return r;
    }
    *out = s;
    return 0;
}

void k_sock_close(struct k_sock *s)
{
    if (s->type == K_SOCK_STREAM)
        k_sock_tcp_close(s);
    else
        k_sock_udp_close(s);
    k_sock_free(s);
}

enum k_sock_type k_sock_type(const struct k_sock *s)
{
    return s->type;
}

int k_sock_bind(struct k_sock *s, const struct k_sockaddr *addr)
{
    if (addr->ip != 0 && !k_sock_is_local_ip(addr->ip))
        return -EADDRNOTAVAIL;
    if (s->type == K_SOCK_STREAM)
        return k_sock_tcp_bind(s, addr);
    return k_sock_udp_bind(s, addr);
}

int k_sock_listen(struct k_sock *s, int backlog)
{
    if (s->type != K_SOCK_STREAM)
        return -EOPNOTSUPP;
    return k_sock_tcp_listen(s, backlog);
}

int k_sock_accept(struct k_sock *s, bool nonblock, struct k_sock **out,
                  struct k_sockaddr *peer)
{
    int r;

    if (s->type != K_SOCK_STREAM)
        return -EOPNOTSUPP;
    r = k_sock_tcp_accept(s, nonblock, out);
    if (r == 0 && peer != NULL)
        *peer = (*out)->remote;
    return r;
}

int k_sock_connect(struct k_sock *s, const struct k_sockaddr *addr,
                   bool nonblock)
{
    if (s->type == K_SOCK_STREAM)
        return k_sock_tcp_connect(s, addr, nonblock);
    return k_sock_udp_connect(s, addr);
}

int k_sock_shutdown(struct k_sock *s, unsigned how)
{
    if (s->type == K_SOCK_STREAM)
        return k_sock_tcp_shutdown(s, how);
    return k_sock_udp_shutdown(s, how);
}

int k_sock_name(struct k_sock *s, bool peer, struct k_sockaddr *out)
{
    int r = 0;

    k_net_lock();
    if (s->type == K_SOCK_STREAM) {
        struct tcp_pcb *pcb = s->pcb.tcp;

        if (!peer && pcb != NULL) {
            s->local.ip = ip4_addr_get_u32(&pcb->local_ip);
            s->local.port = pcb->local_port;
        }
        /* Like Linux: no peer while connecting or once the connection
         * is gone. */
        if (peer && s->state != K_SS_CONNECTED)
            r = -ENOTCONN;
    } else if (s->pcb.udp != NULL) {
        struct udp_pcb *pcb = s->pcb.udp;

        s->local.ip = ip4_addr_get_u32(&pcb->local_ip);
        s->local.port = pcb->local_port;
        if (peer && !(pcb->flags & UDP_FLAGS_CONNECTED))
            r = -ENOTCONN;
    }
    if (r == 0)
        *out = peer ? s->remote : s->local;
    k_net_unlock();
    return r;
}

long k_sock_send(struct k_sock *s, const struct iovec *iov, int iovcnt,
                 unsigned flags, const struct k_sockaddr *to, bool nonblock)
{
    int r = k_iov_probe(iov, iovcnt);

    if (r < 0)
        return r;
    nonblock = nonblock || (flags & K_MSG_DONTWAIT);
    /* A connected stream ignores the destination, as on Linux. */
    if (s->type == K_SOCK_STREAM)
        return k_sock_tcp_send(s, iov, iovcnt, flags, nonblock);
    /* UDP sends never wait: a datagram is out or dropped at once. */
    return k_sock_udp_send(s, iov, iovcnt, to);
}

long k_sock_recv(struct k_sock *s, const struct iovec *iov, int iovcnt,
                 unsigned *flags, struct k_sockaddr *from, bool nonblock)
{
    nonblock = nonblock || (*flags & K_MSG_DONTWAIT);
    if (s->type == K_SOCK_STREAM)
        return k_sock_tcp_recv(s, iov, iovcnt, flags, nonblock);
    return k_sock_udp_recv(s, iov, iovcnt, flags, from, nonblock);
}

unsigned k_sock_poll(struct k_sock *s)
{
    unsigned mask;

    k_net_lock();
    if (s->type == K_SOCK_STREAM)
        mask = k_sock_tcp_poll(s);
    else
        mask = k_sock_udp_poll(s);
    k_net_unlock();
    return mask;
}

int k_sock_nread(struct k_sock *s, int *out)
{
    int r = 0;

    k_net_lock();
    if (s->type == K_SOCK_STREAM) {
        if (s->state == K_SS_LISTEN)
            r = -EINVAL;
        else
            *out = s->rxq.bytes > INT32_MAX ? INT32_MAX : (int)s->rxq.bytes;
    } else {
        *out = s->rxq.count ? k_sock_rxq_at(&s->rxq, 0)->p->tot_len : 0;
    }
    k_net_unlock();
    return r;
}

int k_sock_nwrite(struct k_sock *s, int *out)
{
    int r = 0;

    k_net_lock();
    if (s->type == K_SOCK_STREAM && s->state == K_SS_LISTEN)
        r = -EINVAL;
    else if (s->type == K_SOCK_STREAM && s->state == K_SS_CONNECTED)
        *out = (int)(TCP_SND_BUF - tcp_sndbuf(s->pcb.tcp));
    else
        *out = 0;
    k_net_unlock();
    return r;
}
