/* SPDX-License-Identifier: MIT */
/*
 * poll, ppoll, select and pselect6 (guest side): one generic loop over
 * each file's ops->poll, sleeping on k_io_waitq until something may have
 * changed or the deadline passes. Signal masks are accepted and unused
 * (no signal delivery yet, issue #3).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "k/file.h"
#include "k/mm.h"
#include "k/sched.h"
#include "k/time.h"
#include "k/uaccess.h"
#include "sys.h"

#define NS_PER_SEC 1000000000ull

static unsigned file_poll(struct k_file *f)
{
    return f->ops->poll ? f->ops->poll(f) : (POLLIN | POLLOUT);
}

/* Deadline from a relative timespec: 0 = poll once, K_FOREVER = none. */
static long deadline_from_ts(long uts, uint64_t *deadline)
{
    struct timespec ts;
    uint64_t ns;

    if (!uts) {
        *deadline = K_FOREVER;
        return 0;
    }
    if (k_copy_from_user(&ts, (const void *)uts, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NS_PER_SEC)
        return -EINVAL;
    if ((uint64_t)ts.tv_sec > (K_FOREVER - NS_PER_SEC) / NS_PER_SEC / 2) {
        *deadline = K_FOREVER;
        return 0;
    }
    ns = (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
    *deadline = ns ? k_time_monotonic_ns() + ns : 0;
    return 0;
}

static bool expired(uint64_t deadline)
{
    return deadline != K_FOREVER &&
           (deadline == 0 || k_time_monotonic_ns() >= deadline);
}

static int scan_pollfds(struct pollfd *p, unsigned long n)
{
    int ready = 0;

    for (unsigned long i = 0; i < n; i++) {
        struct k_file *f;

        p[i].revents = 0;
        if (p[i].fd < 0)
            continue;
        f = k_fd_lookup(p[i].fd);
        if (!f)
            p[i].revents = POLLNVAL;
        else
            p[i].revents = (short)(file_poll(f) &
                                   ((unsigned)p[i].events | POLLERR | POLLHUP));
        if (p[i].revents)
            ready++;
    }
    return ready;
}

static long do_poll(long ufds, unsigned long n, uint64_t deadline)
{
    struct pollfd *p;
    long ready;

    if (n > (unsigned long)k_fd_limit() && n > 16)
        return -EINVAL;
    p = k_malloc((n ? n : 1) * sizeof(*p));
    if (!p)
        return -ENOMEM;
    if (k_copy_from_user(p, (const void *)ufds, n * sizeof(*p))) {
        k_free(p);
        return -EFAULT;
    }
    for (;;) {
        ready = scan_pollfds(p, n);
        if (ready || expired(deadline))
            break;
        if (k_io_wait(deadline) == -EINTR) {
            k_free(p);
            return -EINTR;
        }
    }
    if (k_copy_to_user((void *)ufds, p, n * sizeof(*p)))
        ready = -EFAULT;
    k_free(p);
    return ready;
}

SYSCALL(poll)
{
    uint64_t deadline;

    if (a2 < 0)
        deadline = K_FOREVER;
    else if (a2 == 0)
        deadline = 0;
    else
        deadline = k_time_monotonic_ns() + (uint64_t)a2 * 1000000ull;
    return do_poll(a0, (unsigned long)a1, deadline);
}

SYSCALL(ppoll)
{
    uint64_t deadline;
    long err = deadline_from_ts(a2, &deadline);

    if (err)
        return err;
    if (a3 && a4 != 8)
        return -EINVAL;
    return do_poll(a0, (unsigned long)a1, deadline);
}

/* ---- select ------------------------------------------------------- */

#define SEL_IN (POLLIN | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLERR)
#define SEL_EX (POLLPRI)

struct fdsets {
    fd_set in, out, ex;
};

static bool bit(const fd_set *s, int fd)
{
    return FD_ISSET(fd, s);
}

static int scan_sets(int nfds, const struct fdsets *want, struct fdsets *got)
{
    int ready = 0;

    FD_ZERO(&got->in);
    FD_ZERO(&got->out);
    FD_ZERO(&got->ex);
    for (int fd = 0; fd < nfds; fd++) {
        bool any =
            bit(&want->in, fd) || bit(&want->out, fd) || bit(&want->ex, fd);
        struct k_file *f;
        unsigned ev;

        if (!any)
            continue;
        f = k_fd_lookup(fd);
        if (!f)
            return -EBADF;
        ev = file_poll(f);
        if (bit(&want->in, fd) && (ev & SEL_IN)) {
            FD_SET(fd, &got->in);
            ready++;
        }
        if (bit(&want->out, fd) && (ev & SEL_OUT)) {
            FD_SET(fd, &got->out);
            ready++;
        }
        if (bit(&want->ex, fd) && (ev & SEL_EX)) {
            FD_SET(fd, &got->ex);
            ready++;
        }
    }
    return ready;
}

static long load_set(long uset, fd_set *s, size_t bytes)
{
    FD_ZERO(s);
    if (uset && k_copy_from_user(s, (const void *)uset, bytes))
        return -EFAULT;
    return 0;
}

static long store_set(long uset, const fd_set *s, size_t bytes)
{
    if (uset && k_copy_to_user((void *)uset, s, bytes))
        return -EFAULT;
    return 0;
}

static long do_select(long nfds, long uin, long uout, long uex,
                      uint64_t deadline)
{
    struct fdsets want, got;
    size_t bytes;
    long ready;

    if (nfds < 0 || nfds > FD_SETSIZE)
        return -EINVAL;
    bytes = ((size_t)nfds + 63) / 64 * 8;
    if (load_set(uin, &want.in, bytes) || load_set(uout, &want.out, bytes) ||
        load_set(uex, &want.ex, bytes))
        return -EFAULT;
    for (;;) {
        ready = scan_sets((int)nfds, &want, &got);
        if (ready || expired(deadline))
            break;
        if (k_io_wait(deadline) == -EINTR)
            return -EINTR;
    }
    if (ready < 0)
        return ready;
    if (store_set(uin, &got.in, bytes) || store_set(uout, &got.out, bytes) ||
        store_set(uex, &got.ex, bytes))
        return -EFAULT;
    return ready;
}

/* Linux writes the time left back into select's timeval. */
static void store_left(long utv, uint64_t deadline, bool timespec)
{
    uint64_t now = k_time_monotonic_ns();
    uint64_t left = deadline > now ? deadline - now : 0;
    struct timespec ts = {.tv_sec = (time_t)(left / NS_PER_SEC),
                          .tv_nsec = (long)(left % NS_PER_SEC)};

    if (!timespec)
        ts.tv_nsec /= 1000; /* struct timeval has the same layout */
    k_copy_to_user((void *)utv, &ts, sizeof(ts));
}

SYSCALL(select)
{
    uint64_t deadline = K_FOREVER;
    long ready;

    if (a4) {
        struct timeval tv;

        if (k_copy_from_user(&tv, (const void *)a4, sizeof(tv)))
            return -EFAULT;
        if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return -EINVAL;
        if ((uint64_t)tv.tv_sec < K_FOREVER / NS_PER_SEC / 4) {
            uint64_t ns =
                (uint64_t)tv.tv_sec * NS_PER_SEC + (uint64_t)tv.tv_usec * 1000;

            deadline = ns ? k_time_monotonic_ns() + ns : 0;
        }
    }
    ready = do_select(a0, a1, a2, a3, deadline);
    if (a4 && deadline != K_FOREVER)
        store_left(a4, deadline, false);
    return ready;
}

SYSCALL(pselect6)
{
    uint64_t deadline;
    long err = deadline_from_ts(a4, &deadline);
    long ready;

    if (err)
        return err;
    ready = do_select(a0, a1, a2, a3, deadline);
    if (a4 && deadline != K_FOREVER)
        store_left(a4, deadline, true);
    return ready;
}
