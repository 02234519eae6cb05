/* SPDX-License-Identifier: MIT */
/*
 * Socket data syscalls (guest side): recvfrom, sendto, recvmsg, sendmsg.
 * Decodes Linux flags, msghdr and iovecs from app memory and calls the
 * socket core; sees musl's socket headers, never lwIP's.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "k/file.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/proc.h"
#include "k/syscall.h"
#include "k/uaccess.h"

#include "sock.h"
#include "sock_fd.h"
#include "sys_sock.h"

/* struct msghdr as the Linux kernel reads it: size_t lengths (musl's
 * own layout has int lengths with padding, which its wrappers zero). */
struct linux_msghdr {
    void *name;
    uint32_t namelen;
    uint32_t pad0;
    struct iovec *iov;
    uint64_t iovlen;
    void *control;
    uint64_t controllen;
    int32_t flags;
    uint32_t pad1;
};
_Static_assert(sizeof(struct linux_msghdr) == 56, "Linux msghdr layout");

#define LINUX_IOV_MAX 1024
/* Iovecs handled without a heap allocation. */
#define IOV_FAST 8
/* Linux caps one call's byte count so it fits the int-sized result. */
#define IO_MAX 0x7ffff000ul

#define MSG_IGNORED \
    (MSG_NOSIGNAL | MSG_CMSG_CLOEXEC | MSG_DONTROUTE | MSG_EOR | MSG_CONFIRM)

/* Linux MSG_* to K_MSG_*. Flags that only tune Linux internals are
 * ignored; ones whose meaning we cannot give are refused. */
static int msg_flags(long flags, unsigned *out)
{
    unsigned k = 0;

    if (flags & MSG_OOB)
        return -EOPNOTSUPP; /* lwIP has no urgent data */
    if (flags & MSG_ERRQUEUE)
        return -EAGAIN; /* the error queue is always empty */
    if (flags & MSG_FASTOPEN)
        return -EOPNOTSUPP;
    if (flags & MSG_PEEK)
        k |= K_MSG_PEEK;
    if (flags & MSG_DONTWAIT)
        k |= K_MSG_DONTWAIT;
    if (flags & MSG_WAITALL)
        k |= K_MSG_WAITALL;
    if (flags & MSG_MORE)
        k |= K_MSG_MORE;
    if (flags & MSG_TRUNC)
        k |= K_MSG_TRUNC;
    *out = k;
    return 0;
}

/* An app iovec array copied into the kernel and checked. */
struct iov_buf {
    struct iovec *iov;
    int cnt;
    struct iovec fast[IOV_FAST];
};

static void iov_buf_free(struct iov_buf *b)
{
    if (b->iov != b->fast)
        k_free(b->iov);
}

/* Copies `cnt` iovecs from the app and checks each range; lengths add up
 * to at most IO_MAX, trimming the tail like Linux. */
static int iov_buf_load(struct iov_buf *b, const struct iovec *uiov,
                        uint64_t cnt)
{
    size_t total = 0;

    if (cnt > LINUX_IOV_MAX)
        return -EMSGSIZE;
    b->cnt = (int)cnt;
    b->iov = cnt <= IOV_FAST ? b->fast : k_malloc(cnt * sizeof(*b->iov));
    if (b->iov == NULL)
        return -ENOMEM;
    if (k_copy_from_user(b->iov, uiov, cnt * sizeof(*b->iov)) < 0) {
        iov_buf_free(b);
        return -EFAULT;
    }
    for (int i = 0; i < b->cnt; i++) {
        struct iovec *v = &b->iov[i];

        if ((ssize_t)v->iov_len < 0) {
            iov_buf_free(b);
            return -EINVAL;
        }
        if (v->iov_len > IO_MAX - total)
            v->iov_len = IO_MAX - total;
        if (!k_user_range_ok(v->iov_base, v->iov_len)) {
            iov_buf_free(b);
            return -EFAULT;
        }
        total += v->iov_len;
    }
    return 0;
}

/* Receives into `iov`; the sender goes to *from for datagrams. */
static long recv_common(long fd, const struct iovec *iov, int cnt, long flags,
                        unsigned *out_flags, struct k_sockaddr *from,
                        bool *is_dgram)
{
    unsigned kflags;
    struct k_file *f;
    struct k_sock *s;
    long r = msg_flags(flags, &kflags);

    if (r < 0)
        return r;
    r = k_sock_fd_get((int)fd, &f, &s);
    if (r < 0)
        return r;
    *is_dgram = k_sock_type(s) == K_SOCK_DGRAM;
    r = k_sock_recv(s, iov, cnt, &kflags, from, k_sock_file_nonblock(f));
    *out_flags = (kflags & K_MSG_TRUNC) ? MSG_TRUNC : 0;
    k_file_put(f);
    return r;
}

/* EPIPE raises SIGPIPE first unless MSG_NOSIGNAL, as on Linux. */
static long send_common(long fd, const struct iovec *iov, int cnt, long flags,
                        long uaddr, long ulen)
{
    struct k_sockaddr to;
    unsigned kflags;
    struct k_file *f;
    struct k_sock *s;
    long r = msg_flags(flags, &kflags);

    if (r < 0)
        return r;
    r = k_sock_fd_get((int)fd, &f, &s);
    if (r < 0)
        return r;
    /* A stream ignores the address, as on Linux. */
    if (uaddr != 0 && k_sock_type(s) == K_SOCK_DGRAM)
        r = k_sock_addr_in(uaddr, ulen, &to, NULL);
    if (r == 0)
        r = k_sock_send(s, iov, cnt, kflags,
                        uaddr != 0 && k_sock_type(s) == K_SOCK_DGRAM ? &to
                                                                     : NULL,
                        k_sock_file_nonblock(f));
    k_file_put(f);
    if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
        k_signal_raise(SIGPIPE);
    return r;
}

SYSCALL(recvfrom)
{
    size_t len = (size_t)a2 > IO_MAX ? IO_MAX : (size_t)a2;
    struct iovec iov = {.iov_base = (void *)a1, .iov_len = len};
    struct k_sockaddr from;
    unsigned out_flags;
    bool dgram;
    long r;

    if (!k_user_range_ok(iov.iov_base, len))
        return -EFAULT;
    r = recv_common(a0, &iov, 1, a3, &out_flags, &from, &dgram);
    if (r >= 0 && a4 != 0) {
        int e;

        if (dgram) {
            e = k_sock_addr_out(&from, a4, a5);
        } else {
            socklen_t zero = 0; /* a stream reports no address */

            e = a5 != 0 ? k_copy_to_user((void *)a5, &zero, sizeof(zero)) : 0;
        }
        if (e < 0)
            return e;
    }
    return r;
}

SYSCALL(sendto)
{
    size_t len = (size_t)a2 > IO_MAX ? IO_MAX : (size_t)a2;
    struct iovec iov = {.iov_base = (void *)a1, .iov_len = len};

    if (!k_user_range_ok(iov.iov_base, len))
        return -EFAULT;
    return send_common(a0, &iov, 1, a3, a4, a5);
}

/* Writes back what recvmsg reports besides the data: the sender, no
 * control data, and MSG_TRUNC. */
static int recvmsg_out(struct linux_msghdr *m, long um,
                       const struct k_sockaddr *from, bool dgram,
                       unsigned out_flags)
{
    struct linux_msghdr *u = (struct linux_msghdr *)um;
    uint64_t zero = 0;

    if (m->name != NULL && dgram) {
        int e;

        /* namelen is a socklen_t in app memory: hand it over as is. */
        e = k_sock_addr_out(from, (long)m->name, (long)&u->namelen);
        if (e < 0)
            return e;
    } else if (k_copy_to_user(&u->namelen, &zero, sizeof(u->namelen)) < 0) {
        return -EFAULT;
    }
    m->flags = (int32_t)out_flags;
    if (k_copy_to_user(&u->controllen, &zero, sizeof(u->controllen)) < 0 ||
        k_copy_to_user(&u->flags, &m->flags, sizeof(m->flags)) < 0)
        return -EFAULT;
    return 0;
}

SYSCALL(recvmsg)
{
    struct linux_msghdr m;
    struct k_sockaddr from;
    struct iov_buf b;
    unsigned out_flags;
    bool dgram;
    long r;

    if (k_copy_from_user(&m, (const void *)a1, sizeof(m)) < 0)
        return -EFAULT;
    r = iov_buf_load(&b, m.iov, m.iovlen);
    if (r < 0)
        return r;
    r = recv_common(a0, b.iov, b.cnt, a2, &out_flags, &from, &dgram);
    iov_buf_free(&b);
    if (r >= 0) {
        int e = recvmsg_out(&m, a1, &from, dgram, out_flags);

        if (e < 0)
            return e;
    }
    return r;
}

SYSCALL(sendmsg)
{
    struct linux_msghdr m;
    struct iov_buf b;
    long r;

    if (k_copy_from_user(&m, (const void *)a1, sizeof(m)) < 0)
        return -EFAULT;
    /* Control messages (IP_PKTINFO, IP_TTL, ...) would change how the
     * datagram goes out; none is supported, so refuse rather than send
     * it differently. Less than one header means none, as on Linux. */
    if (m.control != NULL && m.controllen >= sizeof(struct cmsghdr)) {
        if (k_sock_first_time(0x40000u))
            k_warn("net: sendmsg control messages not supported");
        return -EOPNOTSUPP;
    }
    r = iov_buf_load(&b, m.iov, m.iovlen);
    if (r < 0)
        return r;
    r = send_common(a0, b.iov, b.cnt, a2, (long)m.name, (long)m.namelen);
    iov_buf_free(&b);
    return r;
}
