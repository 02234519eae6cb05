/* SPDX-License-Identifier: MIT */
/*
 * Linux struct sockaddr_in in and out of app memory (guest side).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "k/uaccess.h"

#include "sys_sock.h"

/* sockaddr_storage size: longer addresses are rejected like Linux. */
#define LINUX_ADDR_MAX 128

static uint16_t swap16(uint16_t v)
{
    return __builtin_bswap16(v);
}

/* Reads an AF_INET sockaddr. AF_UNSPEC sets *unspec when the caller
 * allows it (connect), else is rejected. */
int k_sock_addr_in(long uaddr, long ulen, struct k_sockaddr *out, bool *unspec)
{
    struct sockaddr_in sin;
    size_t n;

    if (ulen < (long)sizeof(sa_family_t) || ulen > LINUX_ADDR_MAX)
        return -EINVAL;
    memset(&sin, 0, sizeof(sin));
    n = (size_t)ulen < sizeof(sin) ? (size_t)ulen : sizeof(sin);
    if (k_copy_from_user(&sin, (const void *)uaddr, n) < 0)
        return -EFAULT;
    if (sin.sin_family == AF_UNSPEC && unspec != NULL) {
        *unspec = true;
        return 0;
    }
    if (sin.sin_family != AF_INET)
        return -EAFNOSUPPORT;
    if ((size_t)ulen < sizeof(sin))
        return -EINVAL;
    out->ip = sin.sin_addr.s_addr;
    out->port = swap16(sin.sin_port);
    return 0;
}

/* Writes an AF_INET sockaddr, cut to the caller's buffer, and its full
 * length to *ulenp, like Linux. */
int k_sock_addr_out(const struct k_sockaddr *a, long uaddr, long ulenp)
{
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = swap16(a->port),
        .sin_addr.s_addr = a->ip,
    };
    socklen_t len;

    if (k_copy_from_user(&len, (const void *)ulenp, sizeof(len)) < 0)
        return -EFAULT;
    if ((int)len < 0)
        return -EINVAL;
    if (len > sizeof(sin))
        len = sizeof(sin);
    if (k_copy_to_user((void *)uaddr, &sin, len) < 0)
        return -EFAULT;
    len = sizeof(sin);
    return k_copy_to_user((void *)ulenp, &len, sizeof(len));
}
