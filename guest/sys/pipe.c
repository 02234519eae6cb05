/* SPDX-License-Identifier: MIT */
/*
 * Pipes and AF_UNIX stream socket pairs (guest side): each direction
 * is a ring buffer in kernel memory; a pipe end reads or writes one
 * ring, a socket-pair end reads one ring and writes the other.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "k/file.h"
#include "k/fs.h"
#include "k/mm.h"
#include "k/sched.h"
#include "k/uaccess.h"
#include "k/proc.h"
#include "sys.h"

#define PIPE_SIZE 65536u
#define PIPE_ATOMIC 4096u /* PIPE_BUF: smaller writes are never split */

struct ring {
    char *buf;
    uint32_t head; /* next byte to read */
    uint32_t count; /* bytes stored */
    int readers, writers; /* open ends on each side */
    struct k_waitq wq; /* blocked readers and writers */
};

struct pipe_end {
    struct ring *rx; /* NULL: this end does not read */
    struct ring *tx; /* NULL: this end does not write */
    bool sock; /* socket-pair end (stat and poll differ) */
};

static struct ring *ring_create(void)
{
    struct ring *r = k_calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->buf = k_malloc(PIPE_SIZE);
    if (!r->buf) {
        k_free(r);
        return NULL;
    }
    return r;
}

static void ring_drop(struct ring *r)
{
    if (r->readers == 0 && r->writers == 0) {
        k_free(r->buf);
        k_free(r);
    }
}

/* Moves up to `len` bytes out of `r` into app memory. */
static long ring_read(struct ring *r, char *ubuf, size_t len)
{
    size_t done = 0;

    while (done < len && r->count) {
        size_t chunk = PIPE_SIZE - r->head;

        if (chunk > r->count)
            chunk = r->count;
        if (chunk > len - done)
            chunk = len - done;
        if (k_copy_to_user(ubuf + done, r->buf + r->head, chunk))
            return done ? (long)done : -EFAULT;
        r->head = (uint32_t)((r->head + chunk) % PIPE_SIZE);
        r->count -= (uint32_t)chunk;
        done += chunk;
    }
    return (long)done;
}

static long ring_write(struct ring *r, const char *ubuf, size_t len)
{
    size_t done = 0;

    while (done < len && r->count < PIPE_SIZE) {
        uint32_t tail = (r->head + r->count) % PIPE_SIZE;
        size_t chunk = PIPE_SIZE - tail;

        if (chunk > PIPE_SIZE - r->count)
            chunk = PIPE_SIZE - r->count;
        if (chunk > len - done)
            chunk = len - done;
        if (k_copy_from_user(r->buf + tail, ubuf + done, chunk))
            return done ? (long)done : -EFAULT;
        r->count += (uint32_t)chunk;
        done += chunk;
    }
    return (long)done;
}

static long end_read(struct k_file *f, void *buf, size_t len)
{
    struct pipe_end *e = f->priv;
    struct ring *r = e->rx;
    long n;

    if (!r)
        return -EBADF;
    if (!len)
        return 0;
    while (!r->count) {
        if (!r->writers)
            return 0;
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        if (k_signal_pending() ||
            k_waitq_wait(&r->wq, K_FOREVER) == -EINTR)
            return -EINTR;
    }
    n = ring_read(r, buf, len);
    if (n > 0) {
        k_waitq_wake_all(&r->wq);
        k_io_notify();
    }
    return n;
}

/* A blocking write moves every byte (pipe(7)); a non-blocking one
 * what fits, or EAGAIN when nothing does. */
static long end_write(struct k_file *f, const void *buf, size_t len)
{
    struct pipe_end *e = f->priv;
    struct ring *r = e->tx;
    size_t done = 0;

    if (!r)
        return -EBADF;
    while (done < len) {
        long n;

        if (len <= PIPE_ATOMIC && PIPE_SIZE - r->count < len && r->readers) {
            if (f->flags & O_NONBLOCK)
                return -EAGAIN;
            if (k_signal_pending() ||
                k_waitq_wait(&r->wq, K_FOREVER) == -EINTR)
                return done ? (long)done : -EINTR;
            continue;
        }

        if (!r->readers) {
            if (done)
                return (long)done;
            k_signal_raise(SIGPIPE); /* as Linux: the signal, then EPIPE */
            return -EPIPE;
        }
        n = ring_write(r, (const char *)buf + done, len - done);
        if (n < 0)
            return done ? (long)done : n;
        if (n > 0) {
            done += (size_t)n;
            k_waitq_wake_all(&r->wq);
            k_io_notify();
            continue;
        }
        if (f->flags & O_NONBLOCK)
            return done ? (long)done : -EAGAIN;
        if (k_signal_pending() || k_waitq_wait(&r->wq, K_FOREVER) == -EINTR)
            return done ? (long)done : -EINTR;
    }
    return (long)done;
}

static unsigned end_poll(struct k_file *f)
{
    struct pipe_end *e = f->priv;
    unsigned ev = 0;

    if (e->rx) {
        if (e->rx->count)
            ev |= POLLIN | POLLRDNORM;
        if (!e->rx->writers)
            ev |= e->sock ? (POLLIN | POLLRDHUP) : POLLHUP;
    }
    if (e->tx) {
        if (!e->tx->readers)
            ev |= e->sock ? POLLOUT : POLLERR;
        else if (e->tx->count < PIPE_SIZE)
            ev |= POLLOUT | POLLWRNORM;
    }
    if (e->sock && e->rx && !e->rx->writers && !e->tx->readers)
        ev |= POLLHUP;
    return ev;
}

static int end_fstat(struct k_file *f, struct stat *st)
{
    struct pipe_end *e = f->priv;

    k_stat_fill(st, e->sock ? (S_IFSOCK | 0777) : (S_IFIFO | 0600), 0, f->id, 0,
                0);
    return 0;
}

static long end_ioctl(struct k_file *f, unsigned long req, unsigned long arg)
{
    struct pipe_end *e = f->priv;
    int n;

    if (req != FIONREAD)
        return -ENOTTY;
    n = e->rx ? (int)e->rx->count : 0;
    return k_copy_to_user((void *)arg, &n, sizeof(n));
}

static void end_release(struct k_file *f)
{
    struct pipe_end *e = f->priv;

    if (e->rx) {
        e->rx->readers--;
        k_waitq_wake_all(&e->rx->wq);
        ring_drop(e->rx);
    }
    if (e->tx) {
        e->tx->writers--;
        k_waitq_wake_all(&e->tx->wq);
        ring_drop(e->tx);
    }
    k_free(e);
    k_io_notify();
}

static const struct k_file_ops pipe_ops = {
    .read = end_read,
    .write = end_write,
    .poll = end_poll,
    .fstat = end_fstat,
    .ioctl = end_ioctl,
    .release = end_release,
};

/* A file for one end; takes a reader/writer count on the rings. */
static struct k_file *end_create(struct ring *rx, struct ring *tx, bool sock,
                                 int flags)
{
    struct pipe_end *e = k_malloc(sizeof(*e));
    struct k_file *f;

    if (!e)
        return NULL;
    *e = (struct pipe_end){.rx = rx, .tx = tx, .sock = sock};
    f = k_file_create(&pipe_ops, e, flags);
    if (!f) {
        k_free(e);
        return NULL;
    }
    if (rx)
        rx->readers++;
    if (tx)
        tx->writers++;
    return f;
}

/* Installs both files and writes the two fds to `ufds`. */
static long install_pair(struct k_file *a, struct k_file *b, bool cloexec,
                         long ufds)
{
    int fds[2];

    fds[0] = k_fd_install(a, cloexec);
    if (fds[0] < 0)
        goto fail_both;
    fds[1] = k_fd_install(b, cloexec);
    if (fds[1] < 0) {
        k_fd_close(fds[0]);
        k_file_put(b);
        return fds[1];
    }
    if (k_copy_to_user((void *)ufds, fds, sizeof(fds))) {
        k_fd_close(fds[0]);
        k_fd_close(fds[1]);
        return -EFAULT;
    }
    return 0;
fail_both:
    k_file_put(a);
    k_file_put(b);
    return fds[0];
}

static long make_pair(bool sock, int flags, long ufds)
{
    struct ring *r1 = ring_create();
    struct ring *r2 = sock ? ring_create() : NULL;
    struct k_file *a = NULL, *b = NULL;
    int fl = flags & O_NONBLOCK;

    if (!r1 || (sock && !r2))
        goto fail_rings;
    if (sock) {
        a = end_create(r1, r2, true, O_RDWR | fl);
        b = a ? end_create(r2, r1, true, O_RDWR | fl) : NULL;
    } else {
        a = end_create(r1, NULL, false, O_RDONLY | fl);
        b = a ? end_create(NULL, r1, false, O_WRONLY | fl) : NULL;
    }
    if (!b) {
        if (!a)
            goto fail_rings;
        k_file_put(a); /* its release frees the rings it held */
        return -ENOMEM;
    }
    return install_pair(a, b, flags & O_CLOEXEC, ufds);
fail_rings:
    if (r1)
        ring_drop(r1);
    if (r2)
        ring_drop(r2);
    return -ENOMEM;
}

SYSCALL(pipe2)
{
    if (a1 & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
        return -EINVAL;
    return make_pair(false, (int)a1, a0);
}

SYSCALL(pipe)
{
    return make_pair(false, 0, a0);
}

SYSCALL(socketpair)
{
    int type = (int)a1 & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    int flags = 0;

    if (a0 != AF_UNIX)
        return -EAFNOSUPPORT;
    if (type != SOCK_STREAM)
        /* TODO(#3): SOCK_DGRAM/SEQPACKET pairs - socketpair gives
         * EOPNOTSUPP for them */
        return -EOPNOTSUPP;
    if (a2 != 0)
        return -EPROTONOSUPPORT;
    if (a1 & SOCK_NONBLOCK)
        flags |= O_NONBLOCK;
    if (a1 & SOCK_CLOEXEC)
        flags |= O_CLOEXEC;
    return make_pair(true, flags, a3);
}
