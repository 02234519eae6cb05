/* SPDX-License-Identifier: MIT */
/*
 * Inside the socket core (guest side): the socket object shared by
 * sock_core.c, sock_tcp.c, sock_udp.c and sock_opt.c. Sees lwIP's
 * headers; never musl's socket headers.
 */
#ifndef ONYX_NET_SOCK_PRIV_H
#define ONYX_NET_SOCK_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include "k/sched.h"

#include "sock.h"

/* One queued receive unit: a TCP byte run (a pbuf chain of at most 64
 * KiB) or one UDP datagram with its sender. */
struct k_sock_rxent {
    struct pbuf *p;
    uint32_t ip; /* UDP sender, network order */
    uint16_t port;
    uint16_t nbufs; /* pbufs chained in p (TCP merging) */
};

/* Received data waiting for the app: a ring of entries, grown on
 * demand. */
struct k_sock_rxq {
    struct k_sock_rxent *ent;
    uint32_t cap; /* power of two, 0 before the first push */
    uint32_t head;
    uint32_t count;
    size_t bytes; /* payload bytes in all entries */
};

enum k_sock_state {
    K_SS_NEW, /* fresh or bound; TCP: has a pcb in CLOSED */
    K_SS_LISTEN, /* TCP: listen pcb, accept queue */
    K_SS_CONNECTING, /* TCP: SYN sent */
    K_SS_CONNECTED, /* TCP: established (or closing); UDP: unused */
    K_SS_CLOSED, /* TCP: the pcb is gone (reset, timeout, closed) */
};

/* Option values as the app set them (applied to pcbs where lwIP has a
 * matching knob, and copied to accepted connections). */
struct k_sock_opts {
    uint64_t rcvtimeo_ns; /* 0 = none */
    uint64_t sndtimeo_ns;
    int linger; /* seconds, -1 = off */
    int rcvbuf; /* 0 = default */
    int sndbuf;
    int rcvlowat;
    int priority;
    int ttl; /* -1 = default */
    int tos;
    uint32_t keepidle_s;
    uint32_t keepintvl_s;
    uint32_t keepcnt;
    bool reuseaddr;
    bool keepalive;
    bool broadcast;
    bool nodelay;
};

struct k_sock {
    enum k_sock_type type;
    enum k_sock_state state;
    union {
        struct tcp_pcb *tcp; /* also the listen pcb, as lwIP returns it */
        struct udp_pcb *udp;
    } pcb;
    /* Threads blocked in a call on this socket. */
    struct k_waitq waiters;
    int err; /* pending error (positive errno) for SO_ERROR */
    bool rx_fin; /* TCP: the peer sent FIN */
    bool rd_shut; /* shutdown(SHUT_RD) */
    bool wr_shut; /* shutdown(SHUT_WR) */
    bool was_connected; /* TCP: reached CONNECTED once */
    bool nb_connect; /* TCP: the pending connect was nonblocking */
    bool connect_unreported; /* TCP: nonblocking connect done, connect()
                                has not said so yet */
    bool want_out; /* someone saw no POLLOUT; wake k_io_waitq when it
                      comes back */
    bool udp_auto_local; /* UDP: connect chose the local address */
    struct k_sock_rxq rxq;
    struct k_sockaddr local; /* last known, for after the pcb is gone */
    struct k_sockaddr remote;
    /* TCP listen: connections not yet accepted, oldest first. */
    struct k_sock *acc_first;
    struct k_sock *acc_last;
    struct k_sock *acc_next;
    struct k_sock_opts opts;
};

/* sock_core.c */
struct k_sock *k_sock_alloc(enum k_sock_type type);
void k_sock_free(struct k_sock *s);
/* Wakes threads blocked on `s` and poll/select/epoll waiters. */
void k_sock_wake(struct k_sock *s);
/* Blocks until `s` changes; core lock not held. 0, -EAGAIN at the
 * deadline, -EINTR on a signal. */
int k_sock_wait(struct k_sock *s, uint64_t deadline);
uint64_t k_sock_deadline(uint64_t timeout_ns);
bool k_sock_is_local_ip(uint32_t ip);
size_t k_sock_iov_total(const struct iovec *iov, int iovcnt);

/* rx queue; core lock held. */
int k_sock_rxq_push(struct k_sock_rxq *q, struct pbuf *p, uint32_t ip,
                    uint16_t port, bool merge);
struct k_sock_rxent *k_sock_rxq_at(struct k_sock_rxq *q, uint32_t i);
void k_sock_rxq_pop(struct k_sock_rxq *q);
void k_sock_rxq_clear(struct k_sock_rxq *q);

/* Iterates over an iovec as one flat byte range. */
struct k_iov_cursor {
    const struct iovec *iov;
    int cnt;
    int i;
    size_t off;
};
void k_iov_cursor_init(struct k_iov_cursor *c, const struct iovec *iov, int cnt,
                       size_t skip);
/* Copies up to `len` bytes of `p` from `offset` into the cursor's
 * buffers; returns bytes copied (less when the buffers are full or a
 * bad app pointer stopped it), or -EFAULT when nothing was copied. */
long k_iov_copy_from_pbuf(struct k_iov_cursor *c, const struct pbuf *p,
                          size_t offset, size_t len);
/* Checks that app buffers about to be sent are readable (faulting in
 * demand-paged ones); kernel buffers pass. 0 or -EFAULT. */
int k_iov_probe(const struct iovec *iov, int iovcnt);

/* sock_tcp.c, core lock NOT held unless stated */
int k_sock_tcp_init(struct k_sock *s);
void k_sock_tcp_close(struct k_sock *s);
int k_sock_tcp_bind(struct k_sock *s, const struct k_sockaddr *addr);
int k_sock_tcp_listen(struct k_sock *s, int backlog);
int k_sock_tcp_accept(struct k_sock *s, bool nonblock, struct k_sock **out);
int k_sock_tcp_connect(struct k_sock *s, const struct k_sockaddr *addr,
                       bool nonblock);
int k_sock_tcp_shutdown(struct k_sock *s, unsigned how);
long k_sock_tcp_send(struct k_sock *s, const struct iovec *iov, int iovcnt,
                     unsigned flags, bool nonblock);
long k_sock_tcp_recv(struct k_sock *s, const struct iovec *iov, int iovcnt,
                     unsigned *flags, bool nonblock);
unsigned k_sock_tcp_poll(struct k_sock *s); /* core lock held */
/* POLLOUT for a connection: enough room that a write is worth it, the
 * same test lwIP applies before it reports acknowledged data. */
bool k_sock_tcp_writable(struct tcp_pcb *pcb);
/* Pushes the socket's options into its pcb; core lock held. */
void k_sock_tcp_apply_opts(struct k_sock *s);

/* sock_udp.c */
int k_sock_udp_init(struct k_sock *s);
void k_sock_udp_close(struct k_sock *s);
int k_sock_udp_bind(struct k_sock *s, const struct k_sockaddr *addr);
int k_sock_udp_connect(struct k_sock *s, const struct k_sockaddr *addr);
int k_sock_udp_shutdown(struct k_sock *s, unsigned how);
long k_sock_udp_send(struct k_sock *s, const struct iovec *iov, int iovcnt,
                     const struct k_sockaddr *to);
long k_sock_udp_recv(struct k_sock *s, const struct iovec *iov, int iovcnt,
                     unsigned *flags, struct k_sockaddr *from, bool nonblock);
unsigned k_sock_udp_poll(struct k_sock *s); /* core lock held */
/* Pushes the socket's options into its pcb; core lock held. */
void k_sock_udp_apply_opts(struct k_sock *s);
/* Bytes the UDP receive queue may hold. */
size_t k_sock_udp_rcvbuf(const struct k_sock *s);

#endif /* ONYX_NET_SOCK_PRIV_H */
