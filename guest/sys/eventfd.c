/* SPDX-License-Identifier: MIT */
/*
 * eventfd and eventfd2 (guest side): a 64-bit counter file that
 * threads and event loops use to wake each other.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include "k/file.h"
#include "k/fs.h"
#include "k/mm.h"
#include "k/sched.h"
#include "k/uaccess.h"
#include "sys.h"

#define EFD_MAX 0xfffffffffffffffeull

struct efd {
    uint64_t count;
    bool semaphore;
    struct k_waitq wq;
};

static long efd_read(struct k_file *f, void *buf, size_t len)
{
    struct efd *e = f->priv;
    uint64_t v;

    if (len < sizeof(v))
        return -EINVAL;
    while (!e->count) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        k_waitq_wait(&e->wq, K_FOREVER);
    }
    v = e->semaphore ? 1 : e->count;
    if (k_copy_to_user(buf, &v, sizeof(v)))
        return -EFAULT;
    e->count -= v;
    k_waitq_wake_all(&e->wq);
    k_io_notify();
    return sizeof(v);
}

static long efd_write(struct k_file *f, const void *buf, size_t len)
{
    struct efd *e = f->priv;
    uint64_t v;

    if (len < sizeof(v))
        return -EINVAL;
    if (k_copy_from_user(&v, buf, sizeof(v)))
        return -EFAULT;
    if (v > EFD_MAX)
        return -EINVAL;
    while (v > EFD_MAX - e->count) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        k_waitq_wait(&e->wq, K_FOREVER);
    }
    e->count += v;
    if (v) {
        k_waitq_wake_all(&e->wq);
        k_io_notify();
    }
    return sizeof(v);
}

static unsigned efd_poll(struct k_file *f)
{
    struct efd *e = f->priv;
    unsigned ev = 0;

    if (e->count)
        ev |= POLLIN | POLLRDNORM;
    if (e->count < EFD_MAX)
        ev |= POLLOUT | POLLWRNORM;
    return ev;
}

static int efd_fstat(struct k_file *f, struct stat *st)
{
    k_stat_fill(st, 0600, 0, f->id, 0, 0); /* anon inode: no type bits */
    return 0;
}

static void efd_release(struct k_file *f)
{
    k_free(f->priv);
}

static const struct k_file_ops efd_ops = {
    .read = efd_read,
    .write = efd_write,
    .poll = efd_poll,
    .fstat = efd_fstat,
    .release = efd_release,
    .anon_name = "eventfd",
};

static long efd_create(unsigned initval, long flags)
{
    struct efd *e;
    struct k_file *f;
    int fd;

    if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC))
        return -EINVAL;
    e = k_calloc(1, sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->count = initval;
    e->semaphore = flags & EFD_SEMAPHORE;
    f = k_file_create(&efd_ops, e, O_RDWR | (flags & EFD_NONBLOCK));
    if (!f) {
        k_free(e);
        return -ENOMEM;
    }
    fd = k_fd_install(f, flags & EFD_CLOEXEC);
    if (fd < 0)
        k_file_put(f);
    return fd;
}

SYSCALL(eventfd2)
{
    return efd_create((unsigned)a0, a1);
}

SYSCALL(eventfd)
{
    return efd_create((unsigned)a0, 0);
}
