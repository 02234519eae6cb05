/* SPDX-License-Identifier: MIT */
/*
 * Socket options (guest side): validates values like Linux, records them
 * on the socket and applies them to the lwIP pcb where lwIP has the
 * matching behaviour.
 */
#include <errno.h>

#include "lwip/priv/tcp_priv.h" /* lwIP's keep-alive defaults */
#include "lwip/tcp.h"

#include "net_internal.h"
#include "sock_priv.h"

/* Linux's net.core.rmem_max/wmem_max and smallest buffers: the value an
 * app sets is clamped and doubled, and getsockopt shows the result. */
#define BUF_MAX 212992
#define RCVBUF_MIN 2304
#define SNDBUF_MIN 4608
/* Limits of Linux's TCP_KEEP* options. */
#define KEEP_TIME_MAX 32767
#define KEEP_CNT_MAX 127

static int buf_size(int64_t v, int min)
{
    if (v < 0)
        v = 0;
    if (v > BUF_MAX)
        v = BUF_MAX;
    v *= 2;
    return v < min ? min : (int)v;
}

static void opts_changed(struct k_sock *s)
{
    if (s->type == K_SOCK_STREAM)
        k_sock_tcp_apply_opts(s);
    else if (s->pcb.udp != NULL)
        k_sock_udp_apply_opts(s);
}

static int set_tcp_only(struct k_sock *s, enum k_sockopt opt, int64_t v)
{
    struct k_sock_opts *o = &s->opts;

    if (s->type != K_SOCK_STREAM)
        return -ENOPROTOOPT; /* TCP level on a UDP socket */
    switch (opt) {
    case K_TCP_NODELAY: o->nodelay = v != 0; return 0;
    case K_TCP_KEEPIDLE:
    case K_TCP_KEEPINTVL:
        if (v < 1 || v > KEEP_TIME_MAX)
            return -EINVAL;
        if (opt == K_TCP_KEEPIDLE)
            o->keepidle_s = (uint32_t)v;
        else
            o->keepintvl_s = (uint32_t)v;
        return 0;
    case K_TCP_KEEPCNT:
        if (v < 1 || v > KEEP_CNT_MAX)
            return -EINVAL;
        o->keepcnt = (uint32_t)v;
        return 0;
    default: return -ENOPROTOOPT;
    }
}

/* Records one option; core lock held. */
static int set_locked(struct k_sock *s, enum k_sockopt opt,
                      const struct k_sockopt_val *val)
{
    struct k_sock_opts *o = &s->opts;
    int64_t v = val->i;

    switch (opt) {
    case K_SO_REUSEADDR: o->reuseaddr = v != 0; return 0;
    case K_SO_KEEPALIVE: o->keepalive = v != 0; return 0;
    case K_SO_BROADCAST: o->broadcast = v != 0; return 0;
    case K_SO_RCVBUF: o->rcvbuf = buf_size(v, RCVBUF_MIN); return 0;
    case K_SO_SNDBUF: o->sndbuf = buf_size(v, SNDBUF_MIN); return 0;
    case K_SO_RCVLOWAT:
        o->rcvlowat = v < 1 ? 1 : v > INT32_MAX ? INT32_MAX : (int)v;
        return 0;
    case K_SO_RCVTIMEO: o->rcvtimeo_ns = (uint64_t)v; return 0;
    case K_SO_SNDTIMEO: o->sndtimeo_ns = (uint64_t)v; return 0;
    case K_SO_LINGER:
        o->linger = v ? (val->i2 < 0               ? 0
                         : val->i2 > INT32_MAX / 2 ? INT32_MAX / 2
                                                   : (int)val->i2)
                      : -1;
        return 0;
    case K_SO_PRIORITY:
        /* Unprivileged Linux allows 0..6; with one queue per link the
         * priority changes nothing here. */
        if (v < 0 || v > 6)
            return -EPERM;
        o->priority = (int)v;
        return 0;
    case K_IP_TOS: o->tos = (int)(v & 0xff); return 0;
    case K_IP_TTL:
        if (v != -1 && (v < 1 || v > 255))
            return -EINVAL;
        o->ttl = (int)v;
        return 0;
    case K_SO_ERROR:
    case K_SO_ACCEPTCONN:
    case K_TCP_MAXSEG: return -ENOPROTOOPT; /* read-only */
    default: return set_tcp_only(s, opt, v);
    }
}

int k_sock_setopt(struct k_sock *s, enum k_sockopt opt,
                  const struct k_sockopt_val *val)
{
    int r;

    k_net_lock();
    r = set_locked(s, opt, val);
    if (r == 0)
        opts_changed(s);
    k_net_unlock();
    return r;
}

static int get_buf(const struct k_sock *s, bool rcv)
{
    int set = rcv ? s->opts.rcvbuf : s->opts.sndbuf;

    if (set > 0)
        return set;
    if (s->type == K_SOCK_DGRAM)
        return BUF_MAX;
    return rcv ? TCP_WND : TCP_SND_BUF;
}

static int get_locked(struct k_sock *s, enum k_sockopt opt,
                      struct k_sockopt_val *val)
{
    const struct k_sock_opts *o = &s->opts;
    bool tcp = s->type == K_SOCK_STREAM;

    *val = (struct k_sockopt_val){0};
    switch (opt) {
    case K_SO_REUSEADDR: val->i = o->reuseaddr; return 0;
    case K_SO_KEEPALIVE: val->i = o->keepalive; return 0;
    case K_SO_BROADCAST: val->i = o->broadcast; return 0;
    case K_SO_ERROR:
        val->i = s->err;
        s->err = 0;
        return 0;
    case K_SO_ACCEPTCONN: val->i = s->state == K_SS_LISTEN; return 0;
    case K_SO_RCVBUF:
    case K_SO_SNDBUF: val->i = get_buf(s, opt == K_SO_RCVBUF); return 0;
    case K_SO_RCVLOWAT: val->i = o->rcvlowat; return 0;
    case K_SO_RCVTIMEO: val->i = (int64_t)o->rcvtimeo_ns; return 0;
    case K_SO_SNDTIMEO: val->i = (int64_t)o->sndtimeo_ns; return 0;
    case K_SO_LINGER:
        val->i = o->linger >= 0;
        val->i2 = o->linger >= 0 ? o->linger : 0;
        return 0;
    case K_SO_PRIORITY: val->i = o->priority; return 0;
    case K_IP_TOS: val->i = o->tos; return 0;
    case K_IP_TTL:
        val->i = o->ttl < 0 ? (tcp ? TCP_TTL : UDP_TTL) : o->ttl;
        return 0;
    default: break;
    }
    if (!tcp)
        return -ENOPROTOOPT;
    switch (opt) {
    case K_TCP_NODELAY: val->i = o->nodelay; return 0;
    case K_TCP_MAXSEG:
        val->i = s->state == K_SS_CONNECTED && s->pcb.tcp != NULL
                     ? tcp_mss(s->pcb.tcp)
                     : TCP_MSS;
        return 0;
    case K_TCP_KEEPIDLE:
        val->i = o->keepidle_s ? o->keepidle_s : TCP_KEEPIDLE_DEFAULT / 1000;
        return 0;
    case K_TCP_KEEPINTVL:
        val->i = o->keepintvl_s ? o->keepintvl_s : TCP_KEEPINTVL_DEFAULT / 1000;
        return 0;
    case K_TCP_KEEPCNT:
        val->i = o->keepcnt ? o->keepcnt : TCP_KEEPCNT_DEFAULT;
        return 0;
    default: return -ENOPROTOOPT;
    }
}

int k_sock_getopt(struct k_sock *s, enum k_sockopt opt,
                  struct k_sockopt_val *val)
{
    int r;

    k_net_lock();
    r = get_locked(s, opt, val);
    k_net_unlock();
    return r;
}
