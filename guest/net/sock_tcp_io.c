/* SPDX-License-Identifier: MIT */
/*
 * TCP socket data path (guest side): send and recv with their blocking,
 * timeout and MSG_* rules, and poll readiness as Linux reports it.
 */
#include <errno.h>
#include <poll.h>

#include "lwip/tcp.h"

#include "net_internal.h"
#include "sock_priv.h"

/* ---- send ---------------------------------------------------------------- */

/* 0 when data may be queued now, 1 when the handshake is still running,
 * else -errno. Core lock held. */
static int tcp_send_state(struct k_sock *s)
{
    int e;

    switch (s->state) {
    case K_SS_CONNECTED: return s->wr_shut ? -EPIPE : 0;
    case K_SS_CONNECTING: return 1;
    case K_SS_CLOSED:
        if (s->err == 0)
            return -EPIPE;
        e = s->err;
        s->err = 0;
        return -e;
    default: return -EPIPE; /* never connected: Linux says EPIPE too */
    }
}

/* Queues as much of the cursor's data as the send buffer takes (one
 * copy, checksummed on the way) and starts transmission. Core lock
 * held. */
static size_t tcp_write_some(struct k_sock *s, struct k_iov_cursor *c,
                             size_t left, unsigned flags, int *err)
{
    struct tcp_pcb *pcb = s->pcb.tcp;
    size_t done = 0;

    while (done < left && c->i < c->cnt) {
        const struct iovec *v = &c->iov[c->i];
        size_t n = v->iov_len - c->off;
        u32_t room = tcp_sndbuf(pcb);
        u8_t wflags = TCP_WRITE_FLAG_COPY;
        err_t e;

        if (n == 0) {
            c->i++;
            c->off = 0;
            continue;
        }
        if (room == 0 || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN)
            break;
        if (n > room)
            n = room;
        if (n > 0xffff)
            n = 0xffff;
        /* PSH only on the last piece, unless MSG_MORE says more comes. */
        if (done + n < left || (flags & K_MSG_MORE))
            wflags |= TCP_WRITE_FLAG_MORE;
        e = tcp_write(pcb, (const char *)v->iov_base + c->off, (u16_t)n,
                      wflags);
        if (e == ERR_MEM)
            break;
        if (e != ERR_OK) {
            *err = -k_net_errno(e);
            break;
        }
        done += n;
        c->off += n;
    }
    if (done > 0)
        tcp_output(pcb);
    return done;
}

long k_sock_tcp_send(struct k_sock *s, const struct iovec *iov, int iovcnt,
                     unsigned flags, bool nonblock)
{
    size_t total = k_sock_iov_total(iov, iovcnt);
    uint64_t deadline = k_sock_deadline(s->opts.sndtimeo_ns);
    struct k_iov_cursor c;
    size_t done = 0;

    k_iov_cursor_init(&c, iov, iovcnt, 0);
    for (;;) {
        int err = 0;
        int r;

        k_net_lock();
        r = tcp_send_state(s);
        if (r == 0) {
            done += tcp_write_some(s, &c, total - done, flags, &err);
            if (done < total)
                s->want_out = true;
        }
        k_net_unlock();
        if (r < 0 || err < 0)
            return done > 0 ? (long)done : (r < 0 ? r : err);
        if (r == 0 && done == total)
            return (long)done;
        if (nonblock)
            return done > 0 ? (long)done : -EAGAIN;
        r = k_sock_wait(s, deadline);
        if (r < 0)
            return done > 0 ? (long)done : r;
    }
}

/* ---- receive ----------------------------------------------------------- */

static void tcp_recved_all(struct tcp_pcb *pcb, size_t n)
{
    while (n > 0) {
        u16_t k = n > 0xffff ? 0xffff : (u16_t)n;

        tcp_recved(pcb, k);
        n -= k;
    }
}

/* Copies queued bytes into the cursor, consuming them unless peeking,
 * and opens the receive window by what was consumed. Returns bytes, or
 * -EFAULT when a bad buffer let nothing through. Core lock held. */
static long tcp_copy_out(struct k_sock *s, struct k_iov_cursor *c, size_t max,
                         bool peek)
{
    struct k_sock_rxq *q = &s->rxq;
    size_t done = 0;
    uint32_t i = 0;

    while (done < max && i < q->count) {
        struct k_sock_rxent *e = k_sock_rxq_at(q, i);
        size_t avail = e->p->tot_len;
        size_t want = avail < max - done ? avail : max - done;
        long got = k_iov_copy_from_pbuf(c, e->p, 0, want);
        size_t n;

        if (got < 0) {
            if (done == 0)
                return got;
            break;
        }
        n = (size_t)got;
        done += n;
        if (n < avail) {
            if (!peek && n > 0) {
                e->p = pbuf_free_header(e->p, (u16_t)n);
                e->nbufs = (uint16_t)pbuf_clen(e->p);
                q->bytes -= n;
            }
            break;
        }
        if (peek) {
            i++;
            continue;
        }
        q->bytes -= n;
        pbuf_free(e->p);
        k_sock_rxq_pop(q);
    }
    if (!peek && done > 0 && s->pcb.tcp != NULL)
        tcp_recved_all(s->pcb.tcp, done);
    return (long)done;
}

long k_sock_tcp_recv(struct k_sock *s, const struct iovec *iov, int iovcnt,
                     unsigned *flags, bool nonblock)
{
    size_t total = k_sock_iov_total(iov, iovcnt);
    bool peek = *flags & K_MSG_PEEK;
    uint64_t deadline = k_sock_deadline(s->opts.rcvtimeo_ns);
    size_t target = (*flags & K_MSG_WAITALL) ? total : (size_t)s->opts.rcvlowat;
    size_t done = 0;

    *flags = 0;
    if (target > total)
        target = total;
    for (;;) {
        struct k_iov_cursor c;
        bool eof;
        long got;
        int r = 0;

        k_net_lock();
        if (s->state == K_SS_NEW || s->state == K_SS_LISTEN) {
            k_net_unlock();
            return -ENOTCONN;
        }
        if (peek)
            done = 0; /* a peek looks at the queue from its start */
        k_iov_cursor_init(&c, iov, iovcnt, done);
        got = tcp_copy_out(s, &c, total - done, peek);
        if (got < 0) {
            k_net_unlock();
            return done > 0 ? (long)done : got;
        }
        done += (size_t)got;
        eof = s->rxq.count == 0 &&
              (s->rx_fin || s->rd_shut || s->state == K_SS_CLOSED);
        /* A reset reads as its error once, after the data before it. */
        if (eof && done == 0 && s->err != 0) {
            r = -s->err;
            s->err = 0;
        }
        k_net_unlock();
        if (r < 0)
            return r;
        if (done >= target || eof)
            return (long)done;
        if (nonblock)
            return done > 0 ? (long)done : -EAGAIN;
        r = k_sock_wait(s, deadline);
        if (r < 0)
            return done > 0 ? (long)done : r;
    }
}

/* ---- readiness --------------------------------------------------------- */

unsigned k_sock_tcp_poll(struct k_sock *s)
{
    unsigned m = 0;

    switch (s->state) {
    case K_SS_LISTEN: return s->acc_first != NULL ? POLLIN | POLLRDNORM : 0;
    case K_SS_NEW:
        return POLLOUT | POLLWRNORM | POLLHUP; /* what Linux reports */
    case K_SS_CONNECTING: return 0;
    case K_SS_CLOSED:
        m = POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLHUP;
        return s->err != 0 ? m | POLLERR : m;
    case K_SS_CONNECTED: break;
    }
    if (s->rxq.bytes >= (size_t)s->opts.rcvlowat)
        m |= POLLIN | POLLRDNORM;
    if (s->rx_fin || s->rd_shut)
        m |= POLLIN | POLLRDNORM | POLLRDHUP;
    if (s->wr_shut || k_sock_tcp_writable(s->pcb.tcp))
        m |= POLLOUT | POLLWRNORM;
    else
        s->want_out = true;
    if ((s->rx_fin || s->rd_shut) && s->wr_shut)
        m |= POLLHUP;
    return m;
}
