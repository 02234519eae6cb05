/* SPDX-License-Identifier: MIT */
/*
 * Socket syscalls (guest side): decode the Linux x86-64 ABI (sockaddr_in,
 * msghdr, MSG_* flags, socket options) from app memory, then call the
 * socket core. Sees musl's socket headers, never lwIP's. This file
 * holds the calls that set up and name sockets.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "k/file.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/syscall.h"
#include "k/uaccess.h"

#include "sock.h"
#include "sock_fd.h"
#include "sys_sock.h"

/* ---- warn once -------------------------------------------------------- */

/* Remembers up to this many distinct unsupported requests to warn about
 * each only once; later ones are still refused, just not logged. */
#define WARNED_MAX 64
static uint32_t warned[WARNED_MAX];
static unsigned warned_count;

bool k_sock_first_time(uint32_t key)
{
    for (unsigned i = 0; i < warned_count; i++) {
        if (warned[i] == key)
            return false;
    }
    if (warned_count == WARNED_MAX)
        return false;
    warned[warned_count++] = key;
    return true;
}

/* ---- socket, bind, listen, accept, connect ------------------------------- */

SYSCALL(socket)
{
    int domain = (int)a0;
    int type = (int)a1 & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    int proto = (int)a2;
    enum k_sock_type kind;
    struct k_sock *s;
    int r;

    if (domain != AF_INET) {
        /* Apps probe AF_INET6 and fall back; still say it once. */
        if (k_sock_first_time(0x10000u | (uint32_t)(domain & 0xffff)))
            k_warn("net: socket family not supported: family=%d", domain);
        return -EAFNOSUPPORT;
    }
    if ((int)a1 & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (type == SOCK_STREAM && (proto == 0 || proto == IPPROTO_TCP)) {
        kind = K_SOCK_STREAM;
    } else if (type == SOCK_DGRAM && (proto == 0 || proto == IPPROTO_UDP)) {
        kind = K_SOCK_DGRAM;
    } else {
        if (k_sock_first_time(0x20000u | (uint32_t)(type << 8) |
                              (uint32_t)(proto & 0xff)))
            k_warn("net: socket type not supported: type=%d proto=%d", type,
                   proto);
        return type == SOCK_STREAM || type == SOCK_DGRAM ? -EPROTONOSUPPORT
                                                         : -ESOCKTNOSUPPORT;
    }
    r = k_sock_create(kind, &s);
    if (r < 0)
        return r;
    return k_sock_fd_new(s, (int)a1 & SOCK_NONBLOCK, (int)a1 & SOCK_CLOEXEC);
}

SYSCALL(bind)
{
    struct k_sockaddr addr;
    bool unspec = false;
    struct k_file *f;
    struct k_sock *s;
    int r = k_sock_fd_get((int)a0, &f, &s);

    if (r < 0)
        return r;
    r = k_sock_addr_in(a1, a2, &addr, &unspec);
    /* Linux takes AF_UNSPEC for INADDR_ANY here, for old programs. */
    if (r == 0 && unspec) {
        struct sockaddr_in sin;

        if ((size_t)a2 < sizeof(sin) ||
            k_copy_from_user(&sin, (const void *)a1, sizeof(sin)) < 0)
            r = -EINVAL;
        else if (sin.sin_addr.s_addr != INADDR_ANY)
            r = -EAFNOSUPPORT;
        else
            addr = (struct k_sockaddr){.port = __builtin_bswap16(sin.sin_port)};
    }
    if (r == 0)
        r = k_sock_bind(s, &addr);
    k_file_put(f);
    return r;
}

SYSCALL(listen)
{
    struct k_file *f;
    struct k_sock *s;
    int r = k_sock_fd_get((int)a0, &f, &s);

    if (r < 0)
        return r;
    r = k_sock_listen(s, (int)a1);
    k_file_put(f);
    return r;
}

static long do_accept(long fd, long uaddr, long ulenp, long flags)
{
    struct k_sock *s, *c;
    struct k_sockaddr peer;
    struct k_file *f;
    int r;

    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    r = k_sock_fd_get((int)fd, &f, &s);
    if (r < 0)
        return r;
    r = k_sock_accept(s, k_sock_file_nonblock(f), &c, &peer);
    k_file_put(f);
    if (r < 0)
        return r;
    r = k_sock_fd_new(c, flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC);
    if (r >= 0 && uaddr != 0) {
        int e = k_sock_addr_out(&peer, uaddr, ulenp);

        if (e < 0) {
            k_fd_close(r); /* like Linux: the connection is dropped */
            return e;
        }
    }
    return r;
}

SYSCALL(accept)
{
    return do_accept(a0, a1, a2, 0);
}

SYSCALL(accept4)
{
    return do_accept(a0, a1, a2, a3);
}

SYSCALL(connect)
{
    struct k_sockaddr addr;
    bool unspec = false;
    struct k_file *f;
    struct k_sock *s;
    int r = k_sock_fd_get((int)a0, &f, &s);

    if (r < 0)
        return r;
    r = k_sock_addr_in(a1, a2, &addr, &unspec);
    if (r == 0)
        r = k_sock_connect(s, unspec ? NULL : &addr, k_sock_file_nonblock(f));
    k_file_put(f);
    return r;
}

SYSCALL(shutdown)
{
    static const unsigned how[] = {K_SHUT_RD, K_SHUT_WR, K_SHUT_RD | K_SHUT_WR};
    struct k_file *f;
    struct k_sock *s;
    int r;

    if (a1 < SHUT_RD || a1 > SHUT_RDWR)
        return -EINVAL;
    r = k_sock_fd_get((int)a0, &f, &s);
    if (r < 0)
        return r;
    r = k_sock_shutdown(s, how[a1]);
    k_file_put(f);
    return r;
}

static long do_name(long fd, long uaddr, long ulenp, bool peer)
{
    struct k_sockaddr a;
    struct k_file *f;
    struct k_sock *s;
    int r = k_sock_fd_get((int)fd, &f, &s);

    if (r < 0)
        return r;
    r = k_sock_name(s, peer, &a);
    if (r == 0)
        r = k_sock_addr_out(&a, uaddr, ulenp);
    k_file_put(f);
    return r;
}

SYSCALL(getsockname)
{
    return do_name(a0, a1, a2, false);
}

SYSCALL(getpeername)
{
    return do_name(a0, a1, a2, true);
}
