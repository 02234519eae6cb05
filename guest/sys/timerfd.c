/* SPDX-License-Identifier: MIT */
/*
 * timerfd_create, timerfd_settime and timerfd_gettime (guest side).
 * Expiries are kept on the monotonic clock; waiters in poll, select
 * and epoll wake at the earliest armed expiry (k_io_wait).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>

#include "k/file.h"
#include "k/fs.h"
#include "k/mm.h"
#include "k/sched.h"
#include "k/time.h"
#include "k/uaccess.h"
#include "sys.h"

#define NS_PER_SEC 1000000000ull

struct tfd {
    int clock;
    uint64_t expiry; /* monotonic ns; K_FOREVER when disarmed */
    uint64_t interval; /* ns; 0 for a one-shot timer */
    uint64_t ticks; /* expirations not yet read */
    struct k_waitq wq; /* readers; settime wakes them */
    struct tfd *next; /* all timerfds */
};

static struct tfd *all_timers;

/* Counts expirations up to now and moves the next expiry on. */
static void tfd_update(struct tfd *t)
{
    uint64_t now = k_time_monotonic_ns();
    uint64_t n;

    if (t->expiry == K_FOREVER || now < t->expiry)
        return;
    if (!t->interval) {
        t->ticks++;
        t->expiry = K_FOREVER;
        return;
    }
    n = (now - t->expiry) / t->interval + 1;
    t->ticks += n;
    t->expiry += n * t->interval;
}

uint64_t k_timerfd_next_deadline(void)
{
    uint64_t d = K_FOREVER;

    for (struct tfd *t = all_timers; t; t = t->next) {
        /* A timer whose expirations are unread stays ready; only the
         * next change of readiness matters. */
        if (!t->ticks && t->expiry < d)
            d = t->expiry;
    }
    return d;
}

static long tfd_read(struct k_file *f, void *buf, size_t len)
{
    struct tfd *t = f->priv;
    uint64_t v;

    if (len < sizeof(v))
        return -EINVAL;
    for (;;) {
        tfd_update(t);
        if (t->ticks)
            break;
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        k_waitq_wait(&t->wq, t->expiry);
    }
    v = t->ticks;
    if (k_copy_to_user(buf, &v, sizeof(v)))
        return -EFAULT;
    t->ticks = 0;
    return sizeof(v);
}

static unsigned tfd_poll(struct k_file *f)
{
    struct tfd *t = f->priv;

    tfd_update(t);
    return t->ticks ? (POLLIN | POLLRDNORM) : 0;
}

static int tfd_fstat(struct k_file *f, struct stat *st)
{
    k_stat_fill(st, 0600, 0, f->id, 0, 0); /* anon inode: no type bits */
    return 0;
}

static void tfd_release(struct k_file *f)
{
    struct tfd *t = f->priv;

    for (struct tfd **p = &all_timers; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    k_free(t);
}

static const struct k_file_ops tfd_ops = {
    .read = tfd_read,
    .poll = tfd_poll,
    .fstat = tfd_fstat,
    .release = tfd_release,
    .anon_name = "timerfd",
};

static struct tfd *tfd_of(long fd)
{
    struct k_file *f = k_fd_lookup((int)fd);

    return f && f->ops == &tfd_ops ? f->priv : NULL;
}

SYSCALL(timerfd_create)
{
    struct tfd *t;
    struct k_file *f;
    int fd;

    if (a0 != CLOCK_REALTIME && a0 != CLOCK_MONOTONIC && a0 != CLOCK_BOOTTIME)
        return -EINVAL;
    if (a1 & ~(TFD_NONBLOCK | TFD_CLOEXEC))
        return -EINVAL;
    t = k_calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->clock = (int)a0;
    t->expiry = K_FOREVER;
    f = k_file_create(&tfd_ops, t, O_RDONLY | (a1 & TFD_NONBLOCK));
    if (!f) {
        k_free(t);
        return -ENOMEM;
    }
    t->next = all_timers;
    all_timers = t;
    fd = k_fd_install(f, a1 & TFD_CLOEXEC);
    if (fd < 0)
        k_file_put(f);
    return fd;
}

static bool ts_valid(const struct timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 &&
           ts->tv_nsec < (long)NS_PER_SEC;
}

static uint64_t ts_ns(const struct timespec *ts)
{
    if ((uint64_t)ts->tv_sec >= K_FOREVER / NS_PER_SEC / 4)
        return K_FOREVER / 4;
    return (uint64_t)ts->tv_sec * NS_PER_SEC + (uint64_t)ts->tv_nsec;
}

static struct timespec ns_ts(uint64_t ns)
{
    return (struct timespec){.tv_sec = (time_t)(ns / NS_PER_SEC),
                             .tv_nsec = (long)(ns % NS_PER_SEC)};
}

static void tfd_current(struct tfd *t, struct itimerspec *cur)
{
    uint64_t now = k_time_monotonic_ns();

    tfd_update(t);
    cur->it_interval = ns_ts(t->interval);
    cur->it_value = ns_ts(t->expiry == K_FOREVER ? 0
                          : t->expiry > now      ? t->expiry - now
                                                 : 1);
}

/* The monotonic expiry for a new it_value. */
static uint64_t tfd_expiry(struct tfd *t, uint64_t value, bool abs)
{
    uint64_t now = k_time_monotonic_ns();
    uint64_t real;

    if (!abs)
        return now + value;
    if (t->clock != CLOCK_REALTIME)
        return value;
    /* An absolute wall-clock time: converted once, at set time. */
    real = k_time_realtime_ns();
    return value > real ? now + (value - real) : now;
}

SYSCALL(timerfd_settime)
{
    struct tfd *t = tfd_of(a0);
    struct itimerspec nv, old;
    uint64_t value;

    if (!t)
        return k_fd_lookup((int)a0) ? -EINVAL : -EBADF;
    if (a1 & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
        return -EINVAL;
    if (k_copy_from_user(&nv, (const void *)a2, sizeof(nv)))
        return -EFAULT;
    if (!ts_valid(&nv.it_value) || !ts_valid(&nv.it_interval))
        return -EINVAL;
    tfd_current(t, &old);
    value = ts_ns(&nv.it_value);
    t->ticks = 0;
    t->interval = ts_ns(&nv.it_interval);
    t->expiry =
        value ? tfd_expiry(t, value, a1 & TFD_TIMER_ABSTIME) : K_FOREVER;
    k_waitq_wake_all(&t->wq);
    k_io_notify();
    if (a3 && k_copy_to_user((void *)a3, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

SYSCALL(timerfd_gettime)
{
    struct tfd *t = tfd_of(a0);
    struct itimerspec cur;

    if (!t)
        return k_fd_lookup((int)a0) ? -EINVAL : -EBADF;
    tfd_current(t, &cur);
    return k_copy_to_user((void *)a1, &cur, sizeof(cur));
}
