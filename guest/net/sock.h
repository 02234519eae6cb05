/* SPDX-License-Identifier: MIT */
/*
 * The socket core's contract (guest side): BSD-like sockets implemented
 * on lwIP's raw API (sock_*.c), called by the Linux ABI layer
 * (sys_socket.c, socket_file.c). Only neutral types cross this header:
 * neither lwIP's nor musl's socket headers are needed to use it, since
 * the two cannot share a translation unit.
 *
 * Every function may be called from any thread that is not inside lwIP.
 * Blocking calls park the caller on the socket's own wait queue (and
 * honour the socket's timeouts); any readiness change also wakes
 * k_io_waitq for poll/select/epoll. Errors are negative Linux errno
 * values.
 */
#ifndef ONYX_NET_SOCK_H
#define ONYX_NET_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct k_sock;

enum k_sock_type {
    K_SOCK_STREAM = 1, /* TCP */
    K_SOCK_DGRAM = 2, /* UDP */
};

/* An IPv4 endpoint. */
struct k_sockaddr {
    uint32_t ip; /* network byte order */
    uint16_t port; /* host byte order */
};

/* Message flags (our own bits; sys_socket.c maps Linux MSG_*). */
#define K_MSG_PEEK 0x01u
#define K_MSG_DONTWAIT 0x02u
#define K_MSG_WAITALL 0x04u
#define K_MSG_MORE 0x08u
/* recv in: return a datagram's full length; recv out: it was cut. */
#define K_MSG_TRUNC 0x10u

/* shutdown() directions. */
#define K_SHUT_RD 0x1u
#define K_SHUT_WR 0x2u

/* Options, with their value in struct k_sockopt_val. */
enum k_sockopt {
    K_SO_REUSEADDR, /* i: bool */
    K_SO_KEEPALIVE, /* i: bool */
    K_SO_BROADCAST, /* i: bool */
    K_SO_ERROR, /* get only, clears: i: positive errno or 0 */
    K_SO_ACCEPTCONN, /* get only: i: bool */
    K_SO_RCVBUF, /* i: bytes as given to setsockopt */
    K_SO_SNDBUF, /* i: bytes as given to setsockopt */
    K_SO_RCVLOWAT, /* i: bytes, >= 1 */
    K_SO_RCVTIMEO, /* i: ns, 0 = no timeout */
    K_SO_SNDTIMEO, /* i: ns, 0 = no timeout */
    K_SO_LINGER, /* i: on/off, i2: seconds */
    K_SO_PRIORITY, /* i: 0..6, no queueing effect on one link */
    K_TCP_NODELAY, /* i: bool */
    K_TCP_MAXSEG, /* get only: i: bytes */
    K_TCP_KEEPIDLE, /* i: seconds */
    K_TCP_KEEPINTVL, /* i: seconds */
    K_TCP_KEEPCNT, /* i: probes */
    K_IP_TOS, /* i: 0..255 */
    K_IP_TTL, /* i: 1..255, -1 = default */
};

struct k_sockopt_val {
    int64_t i;
    int64_t i2;
};

/* Creates an unbound socket. */
int k_sock_create(enum k_sock_type type, struct k_sock **out);
/* Closes the socket and frees it; honours SO_LINGER (may block). */
void k_sock_close(struct k_sock *s);
enum k_sock_type k_sock_type(const struct k_sock *s);

int k_sock_bind(struct k_sock *s, const struct k_sockaddr *addr);
int k_sock_listen(struct k_sock *s, int backlog);
/* Takes the next connection; `peer` may be NULL. */
int k_sock_accept(struct k_sock *s, bool nonblock, struct k_sock **out,
                  struct k_sockaddr *peer);
/* `addr` NULL means AF_UNSPEC (UDP: dissolve the association). Returns
 * -EINPROGRESS when nonblocking and the handshake is under way. */
int k_sock_connect(struct k_sock *s, const struct k_sockaddr *addr,
                   bool nonblock);
int k_sock_shutdown(struct k_sock *s, unsigned how);
/* Local (peer = false) or remote address. */
int k_sock_name(struct k_sock *s, bool peer, struct k_sockaddr *out);

/* Sends the bytes of `iov`; `to` may be NULL. Returns bytes queued. */
long k_sock_send(struct k_sock *s, const struct iovec *iov, int iovcnt,
                 unsigned flags, const struct k_sockaddr *to, bool nonblock);
/* Receives into `iov`; *flags holds K_MSG_* in and K_MSG_TRUNC out;
 * `from` may be NULL. Returns bytes (0 at end of stream). */
long k_sock_recv(struct k_sock *s, const struct iovec *iov, int iovcnt,
                 unsigned *flags, struct k_sockaddr *from, bool nonblock);

/* Readiness now: POLLIN/POLLOUT/POLLERR/POLLHUP/POLLRDHUP (and the
 * RDNORM/WRNORM twins). Never blocks. */
unsigned k_sock_poll(struct k_sock *s);
/* Bytes a read would return now (FIONREAD): TCP all queued bytes, UDP
 * the next datagram's length. */
int k_sock_nread(struct k_sock *s, int *out);
/* Bytes sent but not yet acknowledged (TIOCOUTQ). */
int k_sock_nwrite(struct k_sock *s, int *out);

int k_sock_setopt(struct k_sock *s, enum k_sockopt opt,
                  const struct k_sockopt_val *val);
int k_sock_getopt(struct k_sock *s, enum k_sockopt opt,
                  struct k_sockopt_val *val);

#endif /* ONYX_NET_SOCK_H */
