/* SPDX-License-Identifier: MIT */
/*
 * File descriptor I/O syscalls (guest side): read/write and their
 * vector and positional forms, lseek, close, dup*, fcntl and ioctl,
 * dispatched through each file's k_file_ops.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "k/file.h"
#include "k/mm.h"
#include "k/uaccess.h"
#include "sys.h"

#define IOV_MAX_LINUX 1024
/* Linux caps one transfer at this many bytes. */
#define RW_MAX 0x7ffff000ul

static struct k_file *readable_file(long fd, long *err)
{
    struct k_file *f = k_fd_lookup((int)fd);

    *err = -EBADF;
    if (!f || (f->flags & O_ACCMODE) == O_WRONLY)
        return NULL;
    return f;
}

static struct k_file *writable_file(long fd, long *err)
{
    struct k_file *f = k_fd_lookup((int)fd);

    *err = -EBADF;
    if (!f || (f->flags & O_ACCMODE) == O_RDONLY)
        return NULL;
    return f;
}

static size_t cap_len(size_t len)
{
    return len > RW_MAX ? RW_MAX : len;
}

/* Drops the reference a blocking call held so that another thread
 * closing the fd meanwhile cannot free the file under it. */
static long put_ret(struct k_file *f, long ret)
{
    k_file_put(f);
    return ret;
}

SYSCALL(read)
{
    long err;
    struct k_file *f = readable_file(a0, &err);
    size_t len = cap_len((size_t)a2);

    if (!f)
        return err;
    if (!f->ops->read)
        return -EINVAL;
    if (!k_user_range_ok((void *)a1, len))
        return -EFAULT;
    k_file_get(f);
    return put_ret(f, f->ops->read(f, (void *)a1, len));
}

SYSCALL(write)
{
    long err;
    struct k_file *f = writable_file(a0, &err);
    size_t len = cap_len((size_t)a2);

    if (!f)
        return err;
    if (!f->ops->write)
        return -EINVAL;
    if (!k_user_range_ok((const void *)a1, len))
        return -EFAULT;
    k_file_get(f);
    return put_ret(f, f->ops->write(f, (const void *)a1, len));
}

/* Copies and checks an app iovec array; k_free the result. */
static long load_iov(long uiov, long cnt, struct iovec **out)
{
    struct iovec *iov;
    size_t total = 0;

    if (cnt < 0 || cnt > IOV_MAX_LINUX)
        return -EINVAL;
    iov = k_malloc((size_t)(cnt ? cnt : 1) * sizeof(*iov));
    if (!iov)
        return -ENOMEM;
    if (k_copy_from_user(iov, (const void *)uiov, (size_t)cnt * sizeof(*iov))) {
        k_free(iov);
        return -EFAULT;
    }
    for (long i = 0; i < cnt; i++) {
        if (iov[i].iov_len > RW_MAX - total) {
            k_free(iov);
            return -EINVAL;
        }
        total += iov[i].iov_len;
        if (!k_user_range_ok(iov[i].iov_base, iov[i].iov_len)) {
            k_free(iov);
            return -EFAULT;
        }
    }
    *out = iov;
    return 0;
}

/*
 * Generic vector I/O over single transfers: stops at the first short
 * transfer so a blocking file never blocks after data already moved.
 */
static long rw_loop(struct k_file *f, const struct iovec *iov, long cnt,
                    bool write)
{
    long total = 0;

    for (long i = 0; i < cnt; i++) {
        long n;

        if (!iov[i].iov_len)
            continue;
        n = write ? f->ops->write(f, iov[i].iov_base, iov[i].iov_len)
                  : f->ops->read(f, iov[i].iov_base, iov[i].iov_len);
        if (n < 0)
            return total ? total : n;
        total += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    return total;
}

/* readv and writev: the file's own vector op, else one transfer per
 * element. */
static long vector_rw(long fd, long uiov, long cnt, bool write)
{
    long err;
    struct k_file *f = write ? writable_file(fd, &err)
                             : readable_file(fd, &err);
    long (*vec)(struct k_file *, const struct iovec *, int);
    struct iovec *iov;

    if (!f)
        return err;
    vec = write ? f->ops->writev : f->ops->readv;
    if (!vec && (write ? !f->ops->write : !f->ops->read))
        return -EINVAL;
    err = load_iov(uiov, cnt, &iov);
    if (err)
        return err;
    k_file_get(f);
    err = vec ? vec(f, iov, (int)cnt) : rw_loop(f, iov, cnt, write);
    k_free(iov);
    return put_ret(f, err);
}

SYSCALL(readv)
{
    return vector_rw(a0, a1, a2, false);
}

SYSCALL(writev)
{
    return vector_rw(a0, a1, a2, true);
}

SYSCALL(pread64)
{
    long err;
    struct k_file *f = readable_file(a0, &err);
    size_t len = cap_len((size_t)a2);

    if (!f)
        return err;
    if (!f->ops->pread)
        return -ESPIPE;
    if (a3 < 0)
        return -EINVAL;
    if (!k_user_range_ok((void *)a1, len))
        return -EFAULT;
    return f->ops->pread(f, (void *)a1, len, a3);
}

SYSCALL(preadv)
{
    long err;
    struct k_file *f = readable_file(a0, &err);
    struct iovec *iov;
    long total = 0;
    int64_t off = a3;

    if (!f)
        return err;
    if (!f->ops->pread)
        return -ESPIPE;
    if (off < 0)
        return -EINVAL;
    err = load_iov(a1, a2, &iov);
    if (err)
        return err;
    for (long i = 0; i < a2; i++) {
        long n = f->ops->pread(f, iov[i].iov_base, iov[i].iov_len, off + total);

        if (n < 0) {
            total = total ? total : n;
            break;
        }
        total += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    k_free(iov);
    return total;
}

SYSCALL(pwrite64)
{
    long err;
    struct k_file *f = writable_file(a0, &err);
    size_t len = cap_len((size_t)a2);

    if (!f)
        return err;
    if (!f->ops->pwrite)
        return -ESPIPE;
    if (a3 < 0)
        return -EINVAL;
    if (!k_user_range_ok((const void *)a1, len))
        return -EFAULT;
    return f->ops->pwrite(f, (const void *)a1, len, a3);
}

SYSCALL(pwritev)
{
    long err;
    struct k_file *f = writable_file(a0, &err);
    struct iovec *iov;
    long total = 0;

    if (!f)
        return err;
    if (!f->ops->pwrite)
        return -ESPIPE;
    if (a3 < 0)
        return -EINVAL;
    err = load_iov(a1, a2, &iov);
    if (err)
        return err;
    for (long i = 0; i < a2; i++) {
        long n = f->ops->pwrite(f, iov[i].iov_base, iov[i].iov_len, a3 + total);

        if (n < 0) {
            total = total ? total : n;
            break;
        }
        total += n;
        if ((size_t)n < iov[i].iov_len)
            break;
    }
    k_free(iov);
    return total;
}

SYSCALL(lseek)
{
    struct k_file *f = k_fd_lookup((int)a0);

    if (!f)
        return -EBADF;
    if (!f->ops->lseek)
        return -ESPIPE;
    return f->ops->lseek(f, a1, (int)a2);
}

SYSCALL(close)
{
    return k_fd_close((int)a0);
}

SYSCALL(dup)
{
    struct k_file *f = k_fd_lookup((int)a0);
    int fd;

    if (!f)
        return -EBADF;
    k_file_get(f);
    fd = k_fd_install(f, false);
    if (fd < 0)
        k_file_put(f);
    return fd;
}

static long dup_to(long oldfd, long newfd, bool cloexec)
{
    struct k_file *f = k_fd_lookup((int)oldfd);
    int fd;

    if (!f)
        return -EBADF;
    if (newfd < 0 || newfd >= k_fd_limit())
        return -EBADF;
    k_file_get(f);
    fd = k_fd_install_at((int)newfd, f, cloexec);
    if (fd < 0)
        k_file_put(f);
    return fd;
}

SYSCALL(dup2)
{
    if (a0 == a1)
        return k_fd_lookup((int)a0) ? a1 : -EBADF;
    return dup_to(a0, a1, false);
}

SYSCALL(dup3)
{
    if (a2 & ~O_CLOEXEC)
        return -EINVAL;
    if (a0 == a1)
        return -EINVAL;
    return dup_to(a0, a1, a2 & O_CLOEXEC);
}

static long set_status_flags(struct k_file *f, long flags)
{
    /* Only these status flags can change after open (fcntl(2)). */
    int changeable = O_NONBLOCK | O_APPEND;
    int old = f->flags;

    f->flags = (f->flags & ~changeable) | ((int)flags & changeable);
    if (f->ops->set_flags && (old ^ f->flags) & O_NONBLOCK)
        f->ops->set_flags(f, f->flags);
    return 0;
}

/*
 * Record locks. There is one process, and POSIX locks never conflict
 * with the owner's own: every lock is granted at once and F_GETLK
 * always finds the range unlocked.
 */
static long lock_cmd(struct k_file *f, long cmd, long ulock)
{
    struct flock fl;

    if (k_copy_from_user(&fl, (const void *)ulock, sizeof(fl)))
        return -EFAULT;
    if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
        return -EINVAL;
    if (fl.l_whence != SEEK_SET && fl.l_whence != SEEK_CUR &&
        fl.l_whence != SEEK_END)
        return -EINVAL;
    if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
        fl.l_type = F_UNLCK;
        return k_copy_to_user((void *)ulock, &fl, sizeof(fl));
    }
    if (fl.l_type == F_RDLCK && (f->flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (fl.l_type == F_WRLCK && (f->flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    return 0;
}

SYSCALL(flock)
{
    if (!k_fd_lookup((int)a0))
        return -EBADF;
    switch (a1 & ~LOCK_NB) {
    case LOCK_SH:
    case LOCK_EX:
    case LOCK_UN: return 0; /* one process: never contended */
    default: return -EINVAL;
    }
}

SYSCALL(fcntl)
{
    struct k_file *f = k_fd_lookup((int)a0);
    int fd;

    if (!f)
        return -EBADF;
    switch (a1) {
    case F_GETFD: return k_fd_get_cloexec((int)a0) ? FD_CLOEXEC : 0;
    case F_SETFD: return k_fd_set_cloexec((int)a0, a2 & FD_CLOEXEC);
    case F_GETFL: return f->flags;
    case F_SETFL: return set_status_flags(f, a2);
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (a2 < 0 || a2 >= k_fd_limit())
            return -EINVAL;
        k_file_get(f);
        fd = k_fd_install_from((int)a2, f, a1 == F_DUPFD_CLOEXEC);
        if (fd < 0)
            k_file_put(f);
        return fd;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: return lock_cmd(f, a1, a2);
    default: return -EINVAL;
    }
}

SYSCALL(ioctl)
{
    struct k_file *f = k_fd_lookup((int)a0);
    int on;

    if (!f)
        return -EBADF;
    switch ((unsigned long)a1) {
    case FIONBIO:
        if (k_copy_from_user(&on, (const void *)a2, sizeof(on)))
            return -EFAULT;
        return set_status_flags(f, on ? (f->flags | O_NONBLOCK)
                                      : (f->flags & ~O_NONBLOCK));
    case FIOCLEX: return k_fd_set_cloexec((int)a0, true);
    case FIONCLEX: return k_fd_set_cloexec((int)a0, false);
    default: break;
    }
    if (!f->ops->ioctl)
        return -ENOTTY;
    return f->ops->ioctl(f, (unsigned long)a1, (unsigned long)a2);
}

SYSCALL(fsync)
{
    struct k_file *f = k_fd_lookup((int)a0);

    if (!f)
        return -EBADF;
    /* Files live in memory (tmpfs) or in the image: nothing is
     * buffered. Sockets, pipes and devices give EINVAL like Linux. */
    if (f->ops->truncate || f->ops->getdents64)
        return 0;
    return f->ops->pread && (f->flags & O_ACCMODE) == O_RDONLY ? 0 : -EINVAL;
}
