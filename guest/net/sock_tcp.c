/* SPDX-License-Identifier: MIT */
/*
 * TCP sockets on lwIP's raw API (guest side): connection state driven by
 * lwIP callbacks, accept queues, blocking accept/connect that wait on the
 * socket's wait queue with the SO_*TIMEO deadlines, shutdown and close.
 * The data path is in sock_tcp_io.c.
 */
#include <errno.h>

#include "lwip/tcp.h"

#include "net_internal.h"
#include "sock_priv.h"

#define TCP_BACKLOG_MAX 255

static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                         err_t err);
static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len);
static void tcp_err_cb(void *arg, err_t err);

bool k_sock_tcp_writable(struct tcp_pcb *pcb)
{
    return tcp_sndbuf(pcb) > TCP_SNDLOWAT &&
           tcp_sndqueuelen(pcb) < TCP_SNDQUEUELOWAT;
}

static void cache_addrs(struct k_sock *s, const struct tcp_pcb *pcb)
{
    s->local.ip = ip4_addr_get_u32(&pcb->local_ip);
    s->local.port = pcb->local_port;
    s->remote.ip = ip4_addr_get_u32(&pcb->remote_ip);
    s->remote.port = pcb->remote_port;
}

static void tcp_attach(struct k_sock *s, struct tcp_pcb *pcb)
{
    s->pcb.tcp = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, tcp_recv_cb);
    tcp_sent(pcb, tcp_sent_cb);
    tcp_err(pcb, tcp_err_cb);
}

/* Cuts every link from the pcb back to the socket, so lwIP can finish
 * the connection on its own; returns the pcb (NULL if none). */
static struct tcp_pcb *tcp_detach(struct k_sock *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;

    s->pcb.tcp = NULL;
    if (pcb == NULL)
        return NULL;
    tcp_arg(pcb, NULL);
    if (pcb->state == LISTEN) {
        tcp_accept(pcb, NULL);
        return pcb;
    }
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
    return pcb;
}

void k_sock_tcp_apply_opts(struct k_sock *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;
    const struct k_sock_opts *o = &s->opts;

    if (pcb == NULL)
        return;
    if (o->reuseaddr)
        ip_set_option(pcb, SOF_REUSEADDR);
    else
        ip_reset_option(pcb, SOF_REUSEADDR);
    /* lwIP hands SO_KEEPALIVE on to accepted pcbs itself. */
    if (o->keepalive)
        ip_set_option(pcb, SOF_KEEPALIVE);
    else
        ip_reset_option(pcb, SOF_KEEPALIVE);
    pcb->tos = (u8_t)o->tos;
    pcb->ttl = o->ttl < 0 ? TCP_TTL : (u8_t)o->ttl;
    if (pcb->state == LISTEN)
        return; /* a listen pcb has no Nagle or keep-alive timers */
    if (o->nodelay)
        tcp_nagle_disable(pcb);
    else
        tcp_nagle_enable(pcb);
    if (o->keepidle_s != 0)
        pcb->keep_idle = o->keepidle_s * 1000u;
    if (o->keepintvl_s != 0)
        pcb->keep_intvl = o->keepintvl_s * 1000u;
    if (o->keepcnt != 0)
        pcb->keep_cnt = o->keepcnt;
}

/* ---- lwIP callbacks (core lock held) ------------------------------------ */

static err_t tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                         err_t err)
{
    struct k_sock *s = arg;

    (void)err; /* always ERR_OK in lwIP 2.1 */
    if (p == NULL) {
        s->rx_fin = true;
        if (s->wr_shut) {
            /* Both directions are finished. lwIP now keeps the pcb in
             * TIME-WAIT (or closing) and frees it without telling us, so
             * let go of it here. */
            tcp_detach(s);
            s->state = K_SS_CLOSED;
            k_net_tw_watch();
        }
        k_sock_wake(s);
        return ERR_OK;
    }
    (void)pcb;
    /* On failure lwIP keeps the data and offers it again later. */
    if (k_sock_rxq_push(&s->rxq, p, 0, 0, true) < 0)
        return ERR_MEM;
    k_sock_wake(s);
    return ERR_OK;
}

static err_t tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct k_sock *s = arg;

    (void)len;
    k_waitq_wake_all(&s->waiters);
    /* Pollers care only when writability comes back. */
    if (s->want_out && k_sock_tcp_writable(pcb)) {
        s->want_out = false;
        k_waitq_wake_all(&k_io_waitq);
    }
    return ERR_OK;
}

static void tcp_err_cb(void *arg, err_t err)
{
    struct k_sock *s = arg;

    s->pcb.tcp = NULL; /* lwIP has already freed it */
    switch (err) {
    case ERR_CLSD: /* both sides closed in order */ break;
    case ERR_RST:
        s->err = s->state == K_SS_CONNECTING ? ECONNREFUSED : ECONNRESET;
        break;
    case ERR_ABRT:
        /* Our own aborts happen after tcp_detach, so this is lwIP giving
         * up: SYN or data retransmissions, or keep-alive probes. */
        s->err = ETIMEDOUT;
        break;
    default: s->err = k_net_errno(err); break;
    }
    s->state = K_SS_CLOSED;
    k_sock_wake(s);
}

static err_t tcp_connected_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct k_sock *s = arg;

    (void)err; /* always ERR_OK; failures arrive through tcp_err_cb */
    s->state = K_SS_CONNECTED;
    s->was_connected = true;
    s->connect_unreported = s->nb_connect;
    cache_addrs(s, pcb);
    k_sock_wake(s);
    return ERR_OK;
}

static err_t tcp_accept_cb(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    struct k_sock *ls = arg;
    struct k_sock *c;

    /* newpcb NULL: lwIP had no memory for a SYN; nothing to do. */
    if (newpcb == NULL || err != ERR_OK || ls == NULL ||
        ls->state != K_SS_LISTEN)
        return ERR_VAL;
    c = k_sock_alloc(K_SOCK_STREAM);
    if (c == NULL)
        return ERR_MEM; /* lwIP resets the connection */
    c->opts = ls->opts;
    c->state = K_SS_CONNECTED;
    c->was_connected = true;
    tcp_attach(c, newpcb);
    k_sock_tcp_apply_opts(c);
    cache_addrs(c, newpcb);
    /* Counts against the backlog until accept() takes it. */
    tcp_backlog_delayed(newpcb);
    if (ls->acc_last != NULL)
        ls->acc_last->acc_next = c;
    else
        ls->acc_first = c;
    ls->acc_last = c;
    k_sock_wake(ls);
    return ERR_OK;
}

/* ---- socket calls -------------------------------------------------------- */

int k_sock_tcp_init(struct k_sock *s)
{
    struct tcp_pcb *pcb = tcp_new();

    if (pcb == NULL)
        return -ENOBUFS;
    tcp_attach(s, pcb);
    k_sock_tcp_apply_opts(s);
    return 0;
}

/* Resets and frees connections nobody accepted. */
static void tcp_drop_accept_queue(struct k_sock *s)
{
    struct k_sock *c = s->acc_first;

    while (c != NULL) {
        struct k_sock *next = c->acc_next;
        struct tcp_pcb *pcb = tcp_detach(c);

        if (pcb != NULL)
            tcp_abort(pcb);
        k_sock_rxq_clear(&c->rxq);
        k_sock_free(c);
        c = next;
    }
    s->acc_first = NULL;
    s->acc_last = NULL;
}

/* SO_LINGER with a timeout: wait until the peer has everything. Core
 * lock held; dropped while waiting. */
static void tcp_linger(struct k_sock *s)
{
    uint64_t deadline =
        k_sock_deadline((uint64_t)s->opts.linger * 1000000000ull);

    while (s->pcb.tcp != NULL &&
           (s->pcb.tcp->unsent != NULL || s->pcb.tcp->unacked != NULL)) {
        int r;

        tcp_output(s->pcb.tcp);
        k_net_unlock();
        r = k_sock_wait(s, deadline);
        k_net_lock();
        if (r < 0)
            break;
    }
}

void k_sock_tcp_close(struct k_sock *s)
{
    struct tcp_pcb *pcb;

    k_net_lock();
    if (s->state == K_SS_LISTEN) {
        pcb = tcp_detach(s);
        if (pcb != NULL)
            tcp_close(pcb); /* never fails for a listen pcb */
        tcp_drop_accept_queue(s);
        k_net_unlock();
        return;
    }
    if (s->state == K_SS_CONNECTED && s->opts.linger > 0)
        tcp_linger(s);
    /* Unread data makes tcp_close send RST instead of FIN, as on Linux. */
    k_sock_rxq_clear(&s->rxq);
    pcb = tcp_detach(s);
    if (pcb != NULL) {
        if (s->opts.linger == 0 && pcb->state != CLOSED)
            tcp_abort(pcb); /* SO_LINGER 0: reset, drop unsent data */
        else if (tcp_close(pcb) != ERR_OK)
            tcp_abort(pcb);
        else if (s->was_connected)
            k_net_tw_watch();
    }
    k_net_unlock();
}

int k_sock_tcp_bind(struct k_sock *s, const struct k_sockaddr *addr)
{
    ip4_addr_t ip;
    err_t e;
    int r = 0;

    k_net_lock();
    if (s->state != K_SS_NEW || s->pcb.tcp == NULL ||
        s->pcb.tcp->local_port != 0) {
        r = -EINVAL;
        goto out;
    }
    ip4_addr_set_u32(&ip, addr->ip);
    e = tcp_bind(s->pcb.tcp, &ip, addr->port);
    if (e == ERR_USE || e == ERR_BUF) {
        r = -EADDRINUSE;
        goto out;
    }
    if (e != ERR_OK) {
        r = -k_net_errno(e);
        goto out;
    }
    s->local.ip = addr->ip;
    s->local.port = s->pcb.tcp->local_port;
out:
    k_net_unlock();
    return r;
}

int k_sock_tcp_listen(struct k_sock *s, int backlog)
{
    u8_t bl = (u8_t)(backlog < 1                 ? 1
                     : backlog > TCP_BACKLOG_MAX ? TCP_BACKLOG_MAX
                                                 : backlog);
    struct tcp_pcb *lpcb;
    err_t e = ERR_OK;
    int r = 0;

    k_net_lock();
    if (s->state == K_SS_LISTEN) {
        tcp_backlog_set(s->pcb.tcp, bl);
        goto out;
    }
    if (s->state != K_SS_NEW || s->pcb.tcp == NULL) {
        r = -EINVAL;
        goto out;
    }
    /* Like Linux, listening unbound picks an ephemeral port. */
    if (s->pcb.tcp->local_port == 0)
        e = tcp_bind(s->pcb.tcp, IP4_ADDR_ANY4, 0);
    if (e != ERR_OK) {
        r = -EADDRINUSE;
        goto out;
    }
    lpcb = tcp_listen_with_backlog_and_err(s->pcb.tcp, bl, &e);
    if (lpcb == NULL) {
        r = e == ERR_USE ? -EADDRINUSE : -ENOBUFS;
        goto out;
    }
    /* The old pcb is freed; the listen pcb takes its place. */
    s->pcb.tcp = lpcb;
    tcp_arg(lpcb, s);
    tcp_accept(lpcb, tcp_accept_cb);
    s->state = K_SS_LISTEN;
    s->local.ip = ip4_addr_get_u32(&lpcb->local_ip);
    s->local.port = lpcb->local_port;
out:
    k_net_unlock();
    return r;
}

int k_sock_tcp_accept(struct k_sock *s, bool nonblock, struct k_sock **out)
{
    uint64_t deadline = k_sock_deadline(s->opts.rcvtimeo_ns);

    for (;;) {
        struct k_sock *c;
        int r;

        k_net_lock();
        if (s->state != K_SS_LISTEN) {
            k_net_unlock();
            return -EINVAL;
        }
        c = s->acc_first;
        if (c != NULL) {
            s->acc_first = c->acc_next;
            if (s->acc_first == NULL)
                s->acc_last = NULL;
            c->acc_next = NULL;
            if (c->pcb.tcp != NULL)
                tcp_backlog_accepted(c->pcb.tcp);
            k_net_unlock();
            *out = c;
            return 0;
        }
        k_net_unlock();
        if (nonblock)
            return -EAGAIN;
        r = k_sock_wait(s, deadline);
        if (r < 0)
            return r;
    }
}

/* Starts the handshake; core lock held. */
static int tcp_connect_start(struct k_sock *s, const struct k_sockaddr *addr,
                             bool nonblock)
{
    ip4_addr_t ip;
    err_t e;

    if (s->pcb.tcp == NULL) {
        /* An earlier attempt failed and took its pcb along. */
        struct tcp_pcb *pcb = tcp_new();

        if (pcb == NULL)
            return -ENOBUFS;
        tcp_attach(s, pcb);
        k_sock_tcp_apply_opts(s);
        s->state = K_SS_NEW;
    }
    /* Like Linux, connecting to 0.0.0.0 means this host. */
    ip4_addr_set_u32(&ip, addr->ip != 0 ? addr->ip : PP_HTONL(IPADDR_LOOPBACK));
    e = tcp_connect(s->pcb.tcp, &ip, addr->port, tcp_connected_cb);
    switch (e) {
    case ERR_OK: break;
    case ERR_RTE: return -ENETUNREACH;
    case ERR_USE:
    case ERR_BUF: /* no free local port */ return -EADDRNOTAVAIL;
    default: return -k_net_errno(e);
    }
    s->state = K_SS_CONNECTING;
    s->nb_connect = nonblock;
    s->connect_unreported = false;
    cache_addrs(s, s->pcb.tcp);
    return 0;
}

static int tcp_connect_wait(struct k_sock *s, uint64_t deadline)
{
    for (;;) {
        int r;

        k_net_lock();
        if (s->state != K_SS_CONNECTING) {
            if (s->state == K_SS_CONNECTED) {
                r = 0;
            } else {
                r = s->err != 0 ? -s->err : -ECONNABORTED;
                s->err = 0;
            }
            s->connect_unreported = false;
            k_net_unlock();
            return r;
        }
        k_net_unlock();
        r = k_sock_wait(s, deadline);
        /* SO_SNDTIMEO ran out: Linux says EINPROGRESS and the handshake
         * carries on. */
        if (r == -EAGAIN)
            return -EINPROGRESS;
        if (r < 0)
            return r;
    }
}

int k_sock_tcp_connect(struct k_sock *s, const struct k_sockaddr *addr,
                       bool nonblock)
{
    uint64_t deadline = k_sock_deadline(s->opts.sndtimeo_ns);
    int r = 0;

    /* AF_UNSPEC on a stream would mean "abort and unconnect". */
    if (addr == NULL)
        return -EOPNOTSUPP;
    k_net_lock();
    switch (s->state) {
    case K_SS_NEW: r = tcp_connect_start(s, addr, nonblock); break;
    case K_SS_CONNECTING: r = nonblock ? -EALREADY : 0; break;
    case K_SS_CONNECTED:
        /* The first connect() after a nonblocking one completed reports
         * success, later ones EISCONN, as on Linux. */
        r = s->connect_unreported ? 0 : -EISCONN;
        s->connect_unreported = false;
        k_net_unlock();
        return r;
    case K_SS_LISTEN: r = -EISCONN; break;
    case K_SS_CLOSED:
        if (s->was_connected) {
            r = -EISCONN;
        } else if (s->err != 0) {
            r = -s->err; /* the failed attempt, not yet reported */
            s->err = 0;
        } else {
            r = tcp_connect_start(s, addr, nonblock);
        }
        break;
    }
    k_net_unlock();
    if (r != 0)
        return r;
    if (nonblock)
        return s->state == K_SS_CONNECTING ? -EINPROGRESS : 0;
    return tcp_connect_wait(s, deadline);
}

int k_sock_tcp_shutdown(struct k_sock *s, unsigned how)
{
    struct tcp_pcb *pcb;
    int r = 0;

    k_net_lock();
    switch (s->state) {
    case K_SS_LISTEN:
        /* Stops listening; blocked accept() calls get EINVAL. */
        if (how & K_SHUT_RD) {
            pcb = tcp_detach(s);
            if (pcb != NULL)
                tcp_close(pcb);
            tcp_drop_accept_queue(s);
            s->state = K_SS_CLOSED;
        }
        break;
    case K_SS_CONNECTED:
        if (how & K_SHUT_RD)
            s->rd_shut = true;
        if ((how & K_SHUT_WR) && !s->wr_shut) {
            s->wr_shut = true;
            /* Sends FIN after the queued data. */
            tcp_shutdown(s->pcb.tcp, 0, 1);
            if (s->rx_fin) {
                /* Both directions done: as in tcp_recv_cb. */
                tcp_detach(s);
                s->state = K_SS_CLOSED;
            }
        }
        break;
    case K_SS_CLOSED:
        /* Linux reports ENOTCONN but still records the shutdown. */
        s->rd_shut = s->rd_shut || (how & K_SHUT_RD);
        s->wr_shut = s->wr_shut || (how & K_SHUT_WR);
        r = -ENOTCONN;
        break;
    default: r = -ENOTCONN; break;
    }
    k_sock_wake(s);
    k_net_unlock();
    return r;
}
