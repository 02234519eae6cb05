/* SPDX-License-Identifier: MIT */
/*
 * futex (guest side): waiters keyed by the word's address in the one
 * address space, in hashed lists; WAIT/WAKE, their BITSET forms and
 * (CMP_)REQUEUE, with monotonic or realtime deadlines.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "k/log.h"
#include "k/sched.h"
#include "k/time.h"
#include "k/uaccess.h"
#include "sys.h"

/* Linux futex(2) operations (uapi linux/futex.h values). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

#define BUCKETS 64
#define NS_PER_SEC 1000000000ull

struct waiter {
    uint64_t uaddr;
    uint32_t bitset;
    bool woken;
    struct k_waitq q;
    struct waiter *next;
    struct waiter *prev;
};

static struct waiter *buckets[BUCKETS];

static struct waiter **bucket_of(uint64_t uaddr)
{
    return &buckets[(uaddr >> 2) % BUCKETS];
}

static void link_waiter(struct waiter *w)
{
    struct waiter **b = bucket_of(w->uaddr);

    w->prev = NULL;
    w->next = *b;
    if (*b)
        (*b)->prev = w;
    *b = w;
}

static void unlink_waiter(struct waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        *bucket_of(w->uaddr) = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->next = w->prev = NULL;
}

static long futex_wait(uint64_t uaddr, uint32_t val, uint64_t deadline,
                       uint32_t bitset)
{
    struct waiter w = {.uaddr = uaddr, .bitset = bitset};
    uint32_t cur;

    if (k_copy_from_user(&cur, (const void *)uaddr, sizeof(cur)))
        return -EFAULT;
    if (cur != val)
        return -EAGAIN;
    link_waiter(&w);
    while (!w.woken) {
        if (k_waitq_wait(&w.q, deadline) == -ETIMEDOUT && !w.woken) {
            unlink_waiter(&w);
            return -ETIMEDOUT;
        }
    }
    return 0;
}

static long wake_matching(uint64_t uaddr, long n, uint32_t bitset)
{
    struct waiter *w = *bucket_of(uaddr);
    long woken = 0;

    while (w && woken < n) {
        struct waiter *next = w->next;

        if (w->uaddr == uaddr && (w->bitset & bitset)) {
            unlink_waiter(w);
            w->woken = true;
            k_waitq_wake_one(&w->q);
            woken++;
        }
        w = next;
    }
    return woken;
}

long k_futex_wake(uint64_t uaddr, int n)
{
    return wake_matching(uaddr, n, FUTEX_BITSET_MATCH_ANY);
}

/* Wakes up to nwake waiters, moves up to nmove others to uaddr2;
 * returns how many were woken, *moved how many moved. */
static long requeue(uint64_t uaddr, long nwake, long nmove, uint64_t uaddr2,
                    long *moved_out)
{
    long woken = wake_matching(uaddr, nwake, FUTEX_BITSET_MATCH_ANY);
    long moved = 0;
    struct waiter *w = *bucket_of(uaddr);

    while (w && moved < nmove) {
        struct waiter *next = w->next;

        if (w->uaddr == uaddr) {
            unlink_waiter(w);
            w->uaddr = uaddr2;
            link_waiter(w);
            moved++;
        }
        w = next;
    }
    *moved_out = moved;
    return woken;
}

/* Deadline (monotonic ns) from a futex timeout argument. */
static long deadline_of(long uts, bool absolute, bool realtime,
                        uint64_t *deadline)
{
    struct timespec ts;
    uint64_t ns;

    *deadline = K_FOREVER;
    if (!uts)
        return 0;
    if (k_copy_from_user(&ts, (const void *)uts, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NS_PER_SEC)
        return -EINVAL;
    if ((uint64_t)ts.tv_sec >= K_FOREVER / NS_PER_SEC / 2)
        return 0;
    ns = (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
    if (!absolute) {
        *deadline = k_time_monotonic_ns() + ns;
    } else if (realtime) {
        uint64_t now = k_time_realtime_ns();

        *deadline = k_time_monotonic_ns() + (ns > now ? ns - now : 0);
    } else {
        *deadline = ns;
    }
    return 0;
}

SYSCALL(futex)
{
    uint64_t uaddr = (uint64_t)a0;
    int op = (int)a1 & FUTEX_CMD_MASK;
    bool realtime = a1 & FUTEX_CLOCK_REALTIME;
    uint64_t deadline;
    uint32_t cur;
    long err, moved;
    static bool warned;

    if (uaddr & 3)
        return -EINVAL;
    switch (op) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
        if (op == FUTEX_WAIT_BITSET && !(uint32_t)a5)
            return -EINVAL;
        err = deadline_of(a3, op == FUTEX_WAIT_BITSET, realtime, &deadline);
        if (err)
            return err;
        return futex_wait(uaddr, (uint32_t)a2, deadline,
                          op == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY
                                           : (uint32_t)a5);
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
        if (op == FUTEX_WAKE_BITSET && !(uint32_t)a5)
            return -EINVAL;
        return wake_matching(uaddr, a2 < 0 ? 0 : a2,
                             op == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY
                                              : (uint32_t)a5);
    case FUTEX_CMP_REQUEUE:
        if (k_copy_from_user(&cur, (const void *)uaddr, sizeof(cur)))
            return -EFAULT;
        if (cur != (uint32_t)a5)
            return -EAGAIN;
        /* fall through */
    case FUTEX_REQUEUE:
        if (a2 < 0 || a3 < 0 || ((uint64_t)a4 & 3))
            return -EINVAL;
        err = requeue(uaddr, a2, a3, (uint64_t)a4, &moved);
        /* CMP_REQUEUE counts the moved waiters too (futex(2)). */
        return op == FUTEX_REQUEUE ? err : err + moved;
    default:
        if (!warned) {
            warned = true;
            k_warn("sys: futex operation %d is not implemented", op);
        }
        return -ENOSYS;
    }
}
