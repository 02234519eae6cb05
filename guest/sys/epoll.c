/* SPDX-License-Identifier: MIT */
/*
 * epoll (guest side): an interest list scanned with each file's
 * ops->poll, like poll(2), with waits on k_io_waitq. An edge-triggered
 * entry is reported when a bit became ready since the last scan, when
 * it is readable and k_io_gen moved (data may have arrived), or when
 * it is writable, the app wrote to it and k_io_gen moved (space may
 * have been freed) since its last report. A scan starts after the
 * entry last reported, so a small maxevents never starves the others.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>

#include "k/file.h"
#include "k/fs.h"
#include "k/mm.h"
#include "k/sched.h"
#include "k/time.h"
#include "k/uaccess.h"
#include "sys.h"

#define NS_PER_SEC 1000000000ull
#define EP_MAX_EVENTS (INT32_MAX / (int)sizeof(struct epoll_event))
/* Flags that are not readiness bits. */
#define EP_CONTROL (EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)

struct ep_item {
    int fd;
    uint64_t file_id; /* the file registered at fd (k_file.id) */
    uint32_t events;
    uint64_t data;
    uint64_t gen; /* k_io_gen at the last report */
    uint64_t out_seq; /* the file's out_seq at the last report */
    uint32_t last; /* ready bits seen by the last scan (edge detection) */
    bool disabled; /* EPOLLONESHOT fired; EPOLL_CTL_MOD re-arms */
};

struct epoll {
    struct ep_item *items;
    int count, cap;
    int next; /* where the next scan starts */
};

static const struct k_file_ops epoll_ops;

/* The live file of an item, or NULL once its fd was closed (Linux
 * drops such entries when the file goes away). */
static struct k_file *item_file(const struct ep_item *it)
{
    struct k_file *f = k_fd_lookup(it->fd);

    return f && f->id == it->file_id ? f : NULL;
}

static void item_remove(struct epoll *ep, int i)
{
    ep->items[i] = ep->items[--ep->count];
    if (ep->next >= ep->count)
        ep->next = 0;
}

#define EP_IN_BITS (EPOLLIN | EPOLLRDNORM | EPOLLPRI | EPOLLRDHUP)
#define EP_OUT_BITS (EPOLLOUT | EPOLLWRNORM)

/* The item's ready bits now (level), 0 when disabled. */
static uint32_t item_level(const struct ep_item *it, struct k_file *f)
{
    uint32_t want = (it->events & ~EP_CONTROL) | EPOLLERR | EPOLLHUP;

    if (it->disabled)
        return 0;
    return (f->ops->poll ? f->ops->poll(f) : (EPOLLIN | EPOLLOUT)) & want;
}

/* Whether ready bits `ev` make an edge-triggered item fire. */
static bool edge_fires(const struct ep_item *it, struct k_file *f, uint32_t ev)
{
    bool moved = it->gen != k_io_gen;

    if (ev & ~it->last)
        return true;
    if (moved && (ev & EP_IN_BITS))
        return true;
    return moved && (ev & EP_OUT_BITS) && f->out_seq != it->out_seq;
}

/* Events of `it` to report now, 0 for none (no state changes). */
static uint32_t item_ready(const struct ep_item *it, struct k_file *f)
{
    uint32_t ev = item_level(it, f);

    if (ev && (it->events & EPOLLET) && !edge_fires(it, f, ev))
        return 0;
    return ev;
}

/* Fills up to `max` events from the ready entries; returns how many. */
static int ep_scan(struct epoll *ep, struct epoll_event *out, int max)
{
    int n = 0;
    int seen = 0;

    for (int i = ep->next; seen < ep->count && n < max; seen++) {
        struct ep_item *it;
        struct k_file *f;
        uint32_t ev;

        if (i >= ep->count)
            i = 0;
        it = &ep->items[i];
        f = item_file(it);
        if (!f) {
            item_remove(ep, i); /* slot i now holds another entry */
            seen--;
            continue;
        }
        ev = item_level(it, f);
        if (ev && (it->events & EPOLLET) && !edge_fires(it, f, ev)) {
            it->last = ev; /* bits that dropped can rise again */
            ev = 0;
        }
        if (ev) {
            out[n].events = ev;
            out[n].data.u64 = it->data;
            n++;
            it->gen = k_io_gen;
            it->out_seq = f->out_seq;
            it->last = ev;
            if (it->events & EPOLLONESHOT)
                it->disabled = true;
            ep->next = i + 1 < ep->count ? i + 1 : 0;
        }
        i++;
    }
    return n;
}

static unsigned epoll_poll(struct k_file *f)
{
    struct epoll *ep = f->priv;

    for (int i = 0; i < ep->count; i++) {
        struct k_file *t = item_file(&ep->items[i]);

        if (t && t != f && item_ready(&ep->items[i], t))
            return EPOLLIN | EPOLLRDNORM;
    }
    return 0;
}

static int epoll_fstat(struct k_file *f, struct stat *st)
{
    k_stat_fill(st, 0600, 0, f->id, 0, 0); /* anon inode: no type bits */
    return 0;
}

static void epoll_release(struct k_file *f)
{
    struct epoll *ep = f->priv;

    k_free(ep->items);
    k_free(ep);
}

static const struct k_file_ops epoll_ops = {
    .poll = epoll_poll,
    .fstat = epoll_fstat,
    .release = epoll_release,
    .anon_name = "eventpoll",
};

static long ep_create(long flags)
{
    struct epoll *ep;
    struct k_file *f;
    int fd;

    if (flags & ~EPOLL_CLOEXEC)
        return -EINVAL;
    ep = k_calloc(1, sizeof(*ep));
    if (!ep)
        return -ENOMEM;
    f = k_file_create(&epoll_ops, ep, O_RDWR);
    if (!f) {
        k_free(ep);
        return -ENOMEM;
    }
    fd = k_fd_install(f, flags & EPOLL_CLOEXEC);
    if (fd < 0)
        k_file_put(f);
    return fd;
}

SYSCALL(epoll_create)
{
    return a0 <= 0 ? -EINVAL : ep_create(0);
}

SYSCALL(epoll_create1)
{
    return ep_create(a0);
}

static struct epoll *epoll_of(long fd, long *err)
{
    struct k_file *f = k_fd_lookup((int)fd);

    *err = f ? -EINVAL : -EBADF;
    return f && f->ops == &epoll_ops ? f->priv : NULL;
}

static int ep_find(struct epoll *ep, int fd, uint64_t id)
{
    for (int i = 0; i < ep->count; i++) {
        if (ep->items[i].fd == fd && ep->items[i].file_id == id)
            return i;
    }
    return -1;
}

/* True when epoll set `from` reaches `target` through nested epoll
 * files, or nests deeper than Linux allows (EP_MAX_NESTS). */
#define EP_MAX_NESTS 4

static bool ep_reaches(const struct epoll *from, const struct epoll *target,
                       int depth)
{
    if (from == target || depth > EP_MAX_NESTS)
        return true;
    for (int i = 0; i < from->count; i++) {
        struct k_file *f = item_file(&from->items[i]);

        if (f && f->ops == &epoll_ops && ep_reaches(f->priv, target, depth + 1))
            return true;
    }
    return false;
}

static long ep_add(struct epoll *ep, int fd, struct k_file *t,
                   const struct epoll_event *ev)
{
    struct stat st;

    /* A cycle of epoll sets would make readiness checks recurse
     * forever. */
    if (t->ops == &epoll_ops && ep_reaches(t->priv, ep, 1))
        return -ELOOP;

    /* Regular files and directories are always ready: Linux refuses
     * them (EPERM) rather than report them forever. */
    if (t->ops->fstat && !t->ops->fstat(t, &st) &&
        (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
        return -EPERM;
    if (ep->count == ep->cap) {
        int cap = ep->cap ? ep->cap * 2 : 16;
        struct ep_item *n = k_realloc(ep->items, (size_t)cap * sizeof(*n));

        if (!n)
            return -ENOMEM;
        ep->items = n;
        ep->cap = cap;
    }
    ep->items[ep->count++] = (struct ep_item){
        .fd = fd,
        .file_id = t->id,
        .events = ev->events,
        .data = ev->data.u64,
        .gen = k_io_gen - 1, /* never reported: report if ready now */
    };
    return 0;
}

SYSCALL(epoll_ctl)
{
    long err;
    struct epoll *ep = epoll_of(a0, &err);
    struct k_file *t = k_fd_lookup((int)a2);
    struct epoll_event ev = {0};
    int i;

    if (!ep)
        return err;
    if (!t)
        return -EBADF;
    if (t->priv == ep)
        return -EINVAL;
    if (a1 != EPOLL_CTL_DEL &&
        k_copy_from_user(&ev, (const void *)a3, sizeof(ev)))
        return -EFAULT;
    i = ep_find(ep, (int)a2, t->id);
    switch (a1) {
    case EPOLL_CTL_ADD:
        if (i >= 0)
            return -EEXIST;
        return ep_add(ep, (int)a2, t, &ev);
    case EPOLL_CTL_MOD:
        if (i < 0)
            return -ENOENT;
        if ((ev.events | ep->items[i].events) & EPOLLEXCLUSIVE)
            return -EINVAL;
        ep->items[i].events = ev.events;
        ep->items[i].data = ev.data.u64;
        ep->items[i].disabled = false;
        ep->items[i].gen = k_io_gen - 1;
        ep->items[i].last = 0;
        return 0;
    case EPOLL_CTL_DEL:
        if (i < 0)
            return -ENOENT;
        item_remove(ep, i);
        return 0;
    default: return -EINVAL;
    }
}

static long ep_wait(long epfd, long uevents, long max, uint64_t deadline)
{
    long err;
    struct epoll *ep = epoll_of(epfd, &err);
    struct k_file *self;
    struct epoll_event *out;
    int n;

    if (!ep)
        return err;
    if (max <= 0 || max > EP_MAX_EVENTS)
        return -EINVAL;
    if (!k_user_range_ok((void *)uevents, (size_t)max * sizeof(*out)))
        return -EFAULT;
    if (max > 1024)
        max = 1024; /* bounded kernel buffer; the rest stay pending */
    out = k_malloc((size_t)max * sizeof(*out));
    if (!out)
        return -ENOMEM;
    /* Held while waiting: another thread may close the epoll fd. */
    self = k_fd_lookup((int)epfd);
    k_file_get(self);
    for (;;) {
        n = ep_scan(ep, out, (int)max);
        if (n || deadline == 0 ||
            (deadline != K_FOREVER && k_time_monotonic_ns() >= deadline))
            break;
        if (k_io_wait(deadline) == -EINTR) {
            n = -EINTR;
            break;
        }
    }
    if (n > 0 && k_copy_to_user((void *)uevents, out, (size_t)n * sizeof(*out)))
        n = -EFAULT;
    k_free(out);
    k_file_put(self);
    return n;
}

static uint64_t deadline_ms(long ms)
{
    if (ms < 0)
        return K_FOREVER;
    if (ms == 0)
        return 0;
    return k_time_monotonic_ns() + (uint64_t)ms * 1000000ull;
}

SYSCALL(epoll_wait)
{
    return ep_wait(a0, a1, a2, deadline_ms((int)a3));
}

/* Signal masks are accepted and unused: signals are not delivered
 * while waiting (docs/LIMITATIONS.md). */
SYSCALL(epoll_pwait)
{
    if (a4 && a5 != 8)
        return -EINVAL;
    return ep_wait(a0, a1, a2, deadline_ms((int)a3));
}

SYSCALL(epoll_pwait2)
{
    struct timespec ts;
    uint64_t deadline = K_FOREVER;

    if (a4 && a5 != 8)
        return -EINVAL;
    if (a3) {
        if (k_copy_from_user(&ts, (const void *)a3, sizeof(ts)))
            return -EFAULT;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NS_PER_SEC)
            return -EINVAL;
        if ((uint64_t)ts.tv_sec < K_FOREVER / NS_PER_SEC / 4) {
            uint64_t ns =
                (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;

            deadline = ns ? k_time_monotonic_ns() + ns : 0;
        }
    }
    return ep_wait(a0, a1, a2, deadline);
}
