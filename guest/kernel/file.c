/* SPDX-License-Identifier: MIT */
/*
 * Open files and the app's file descriptor table (guest side). A file
 * is reference counted: each fd (and each dup of it) holds one.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "k/file.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/proc.h"
#include "k/sched.h"

struct fd_slot {
    struct k_file *file;
    bool cloexec;
};

static struct fd_slot fds[K_FD_MAX];
static int fd_limit = K_FD_MAX; /* RLIMIT_NOFILE soft limit */
static uint64_t next_file_id = 1;
uint64_t k_io_gen;

struct k_file *k_file_create(const struct k_file_ops *ops, void *priv,
                             int flags)
{
    struct k_file *f = k_calloc(1, sizeof(*f));

    if (!f)
        return NULL;
    f->ops = ops;
    f->priv = priv;
    f->flags = flags;
    f->refs = 1;
    f->id = next_file_id++;
    return f;
}

void k_file_get(struct k_file *f)
{
    f->refs++;
}

void k_file_put(struct k_file *f)
{
    if (--f->refs > 0)
        return;
    if (f->refs < 0)
        k_panic("file: reference count below zero: %p", (void *)f);
    if (f->ops->release)
        f->ops->release(f);
    k_free(f);
}

int k_fd_install_at(int fd, struct k_file *f, bool cloexec)
{
    struct k_file *old;

    if (fd < 0 || fd >= fd_limit)
        return -EBADF;
    old = fds[fd].file;
    fds[fd].file = f;
    fds[fd].cloexec = cloexec;
    if (old)
        k_file_put(old);
    return fd;
}

int k_fd_install_from(int min, struct k_file *f, bool cloexec)
{
    for (int fd = min < 0 ? 0 : min; fd < fd_limit; fd++) {
        if (!fds[fd].file) {
            fds[fd].file = f;
            fds[fd].cloexec = cloexec;
            return fd;
        }
    }
    return -EMFILE;
}

int k_fd_install(struct k_file *f, bool cloexec)
{
    return k_fd_install_from(0, f, cloexec);
}

struct k_file *k_fd_lookup(int fd)
{
    if (fd < 0 || fd >= K_FD_MAX)
        return NULL;
    return fds[fd].file;
}

int k_fd_close(int fd)
{
    struct k_file *f = k_fd_lookup(fd);

    if (!f)
        return -EBADF;
    fds[fd].file = NULL;
    fds[fd].cloexec = false;
    k_file_put(f);
    return 0;
}

int k_fd_get_cloexec(int fd)
{
    if (!k_fd_lookup(fd))
        return -EBADF;
    return fds[fd].cloexec;
}

int k_fd_set_cloexec(int fd, bool cloexec)
{
    if (!k_fd_lookup(fd))
        return -EBADF;
    fds[fd].cloexec = cloexec;
    return 0;
}

int k_fd_limit(void)
{
    return fd_limit;
}

int k_fd_set_limit(int limit)
{
    if (limit < 0 || limit > K_FD_MAX)
        return -EPERM;
    fd_limit = limit;
    return 0;
}

void k_io_notify(void)
{
    k_waitq_wake_all(&k_io_waitq); /* also advances k_io_gen */
}

int k_io_wait(uint64_t deadline_ns)
{
    uint64_t timer = k_timerfd_next_deadline();
    int err;

    if (k_signal_pending())
        return -EINTR;
    if (timer < deadline_ns) {
        err = k_waitq_wait(&k_io_waitq, timer);
        if (err == -ETIMEDOUT) {
            /* A timerfd expired: that is a readiness change too. */
            k_io_gen++;
            return 0;
        }
        return err;
    }
    return k_waitq_wait(&k_io_waitq, deadline_ns);
}
