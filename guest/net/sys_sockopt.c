/* SPDX-License-Identifier: MIT */
/*
 * setsockopt/getsockopt (guest side): maps Linux (level, name) pairs and
 * their value layouts (int, struct timeval, struct linger) to the socket
 * core's options. Anything else is refused with ENOPROTOOPT and logged
 * once, never accepted and ignored.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "k/file.h"
#include "k/log.h"
#include "k/syscall.h"
#include "k/uaccess.h"

#include "sock.h"
#include "sock_fd.h"
#include "sys_sock.h"

/* SO_RCVTIMEO/SO_SNDTIMEO: the original numbers and the _NEW ones, the
 * same struct timeval on x86-64. */
#define LINUX_SO_RCVTIMEO_OLD 20
#define LINUX_SO_SNDTIMEO_OLD 21
#define LINUX_SO_RCVTIMEO_NEW 66
#define LINUX_SO_SNDTIMEO_NEW 67

enum opt_kind {
    OPT_INT,
    OPT_TIMEVAL,
    OPT_LINGER,
};

struct opt_map {
    int level;
    int name;
    enum k_sockopt opt;
    enum opt_kind kind;
};

static const struct opt_map opt_map[] = {
    {SOL_SOCKET, SO_REUSEADDR, K_SO_REUSEADDR, OPT_INT},
    {SOL_SOCKET, SO_KEEPALIVE, K_SO_KEEPALIVE, OPT_INT},
    {SOL_SOCKET, SO_BROADCAST, K_SO_BROADCAST, OPT_INT},
    {SOL_SOCKET, SO_ERROR, K_SO_ERROR, OPT_INT},
    {SOL_SOCKET, SO_ACCEPTCONN, K_SO_ACCEPTCONN, OPT_INT},
    {SOL_SOCKET, SO_RCVBUF, K_SO_RCVBUF, OPT_INT},
    {SOL_SOCKET, SO_SNDBUF, K_SO_SNDBUF, OPT_INT},
    {SOL_SOCKET, SO_RCVBUFFORCE, K_SO_RCVBUF, OPT_INT},
    {SOL_SOCKET, SO_SNDBUFFORCE, K_SO_SNDBUF, OPT_INT},
    {SOL_SOCKET, SO_RCVLOWAT, K_SO_RCVLOWAT, OPT_INT},
    {SOL_SOCKET, SO_PRIORITY, K_SO_PRIORITY, OPT_INT},
    {SOL_SOCKET, LINUX_SO_RCVTIMEO_OLD, K_SO_RCVTIMEO, OPT_TIMEVAL},
    {SOL_SOCKET, LINUX_SO_SNDTIMEO_OLD, K_SO_SNDTIMEO, OPT_TIMEVAL},
    {SOL_SOCKET, LINUX_SO_RCVTIMEO_NEW, K_SO_RCVTIMEO, OPT_TIMEVAL},
    {SOL_SOCKET, LINUX_SO_SNDTIMEO_NEW, K_SO_SNDTIMEO, OPT_TIMEVAL},
    {SOL_SOCKET, SO_LINGER, K_SO_LINGER, OPT_LINGER},
    {IPPROTO_TCP, TCP_NODELAY, K_TCP_NODELAY, OPT_INT},
    {IPPROTO_TCP, TCP_MAXSEG, K_TCP_MAXSEG, OPT_INT},
    {IPPROTO_TCP, TCP_KEEPIDLE, K_TCP_KEEPIDLE, OPT_INT},
    {IPPROTO_TCP, TCP_KEEPINTVL, K_TCP_KEEPINTVL, OPT_INT},
    {IPPROTO_TCP, TCP_KEEPCNT, K_TCP_KEEPCNT, OPT_INT},
    {IPPROTO_IP, IP_TOS, K_IP_TOS, OPT_INT},
    {IPPROTO_IP, IP_TTL, K_IP_TTL, OPT_INT},
};

static const struct opt_map *opt_find(long level, long name)
{
    for (size_t i = 0; i < sizeof(opt_map) / sizeof(opt_map[0]); i++) {
        if (opt_map[i].level == level && opt_map[i].name == name)
            return &opt_map[i];
    }
    return NULL;
}

static int unsupported(long level, long name, const char *call)
{
    if (k_sock_first_time(0x30000u | (uint32_t)((level & 0xff) << 8) |
                          (uint32_t)(name & 0xff)))
        k_warn("net: %s option not supported: level=%ld name=%ld", call, level,
               name);
    return -ENOPROTOOPT;
}

/* Reads the option value from app memory in the layout `kind` uses. */
static int opt_read(enum opt_kind kind, long uval, long ulen,
                    struct k_sockopt_val *v)
{
    struct timeval tv;
    struct linger lg;
    int i;

    switch (kind) {
    case OPT_INT:
        if (ulen < (long)sizeof(i))
            return -EINVAL;
        if (k_copy_from_user(&i, (const void *)uval, sizeof(i)) < 0)
            return -EFAULT;
        v->i = i;
        return 0;
    case OPT_TIMEVAL:
        if (ulen < (long)sizeof(tv))
            return -EINVAL;
        if (k_copy_from_user(&tv, (const void *)uval, sizeof(tv)) < 0)
            return -EFAULT;
        if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return -EDOM;
        /* Negative means "time out at once" on Linux, zero "never". */
        if (tv.tv_sec < 0)
            v->i = 1;
        else if (tv.tv_sec > INT32_MAX)
            v->i = 0;
        else
            v->i = tv.tv_sec * 1000000000ll + tv.tv_usec * 1000ll;
        return 0;
    case OPT_LINGER:
        if (ulen < (long)sizeof(lg))
            return -EINVAL;
        if (k_copy_from_user(&lg, (const void *)uval, sizeof(lg)) < 0)
            return -EFAULT;
        v->i = lg.l_onoff != 0;
        v->i2 = lg.l_linger;
        return 0;
    }
    return -EINVAL;
}

SYSCALL(setsockopt)
{
    const struct opt_map *m = opt_find(a1, a2);
    struct k_sockopt_val v = {0};
    struct k_file *f;
    struct k_sock *s;
    int r;

    r = k_sock_fd_get((int)a0, &f, &s);
    if (r < 0)
        return r;
    if (m == NULL) {
        r = unsupported(a1, a2, "setsockopt");
        goto out;
    }
    r = opt_read(m->kind, a3, a4, &v);
    if (r == 0)
        r = k_sock_setopt(s, m->opt, &v);
out:
    k_file_put(f);
    return r;
}

/* Options the ABI layer answers itself: they describe the socket. */
static bool opt_fixed(struct k_sock *s, long level, long name, int *out)
{
    bool tcp = k_sock_type(s) == K_SOCK_STREAM;

    if (level != SOL_SOCKET)
        return false;
    switch (name) {
    case SO_TYPE: *out = tcp ? SOCK_STREAM : SOCK_DGRAM; return true;
    case SO_DOMAIN: *out = AF_INET; return true;
    case SO_PROTOCOL: *out = tcp ? IPPROTO_TCP : IPPROTO_UDP; return true;
    case SO_SNDLOWAT:
        *out = 1; /* Linux reports 1 and refuses to change it */
        return true;
    default: return false;
    }
}

/* Writes the value in the layout `kind` uses, cut to the app's buffer,
 * and the length written, like Linux. */
static int opt_write(enum opt_kind kind, const struct k_sockopt_val *v,
                     long uval, long ulenp)
{
    struct timeval tv;
    struct linger lg;
    int i;
    const void *src;
    socklen_t len;
    socklen_t size;

    if (k_copy_from_user(&len, (const void *)ulenp, sizeof(len)) < 0)
        return -EFAULT;
    if ((int)len < 0)
        return -EINVAL;
    switch (kind) {
    case OPT_TIMEVAL:
        tv.tv_sec = v->i / 1000000000ll;
        tv.tv_usec = (v->i % 1000000000ll) / 1000;
        src = &tv;
        size = sizeof(tv);
        break;
    case OPT_LINGER:
        lg.l_onoff = (int)v->i;
        lg.l_linger = (int)v->i2;
        src = &lg;
        size = sizeof(lg);
        break;
    default:
        i = (int)v->i;
        src = &i;
        size = sizeof(i);
        break;
    }
    if (len > size)
        len = size;
    if (k_copy_to_user((void *)uval, src, len) < 0 ||
        k_copy_to_user((void *)ulenp, &len, sizeof(len)) < 0)
        return -EFAULT;
    return 0;
}

SYSCALL(getsockopt)
{
    const struct opt_map *m = opt_find(a1, a2);
    struct k_sockopt_val v = {0};
    struct k_file *f;
    struct k_sock *s;
    int fixed;
    int r;

    r = k_sock_fd_get((int)a0, &f, &s);
    if (r < 0)
        return r;
    if (opt_fixed(s, a1, a2, &fixed)) {
        v.i = fixed;
        r = opt_write(OPT_INT, &v, a3, a4);
    } else if (m == NULL) {
        r = unsupported(a1, a2, "getsockopt");
    } else {
        r = k_sock_getopt(s, m->opt, &v);
        if (r == 0)
            r = opt_write(m->kind, &v, a3, a4);
    }
    k_file_put(f);
    return r;
}
