/* SPDX-License-Identifier: MIT */
/*
 * The file operations of a socket fd (guest side): read/write/readv/
 * writev/poll/fstat/ioctl/close on top of the socket core.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "k/file.h"
#include "k/proc.h"
#include "k/uaccess.h"

#include "sock.h"
#include "sock_fd.h"

_Static_assert(O_NONBLOCK == 04000, "sock_fd.h assumes Linux O_NONBLOCK");

/* The file stays alive while a call sleeps in it, even if another
 * thread closes the fd meanwhile. */
static long sock_file_readv(struct k_file *f, const struct iovec *iov, int cnt)
{
    unsigned flags = 0;
    long r;

    k_file_get(f);
    r = k_sock_recv(f->priv, iov, cnt, &flags, NULL, k_sock_file_nonblock(f));
    k_file_put(f);
    return r;
}

/* write() on a socket whose peer is gone raises SIGPIPE, then EPIPE. */
static long sock_file_writev(struct k_file *f, const struct iovec *iov, int cnt)
{
    long r;

    k_file_get(f);
    r = k_sock_send(f->priv, iov, cnt, 0, NULL, k_sock_file_nonblock(f));
    k_file_put(f);
    if (r == -EPIPE)
        k_signal_raise(SIGPIPE);
    return r;
}

static long sock_file_read(struct k_file *f, void *buf, size_t len)
{
    struct iovec iov = {.iov_base = buf, .iov_len = len};

    return sock_file_readv(f, &iov, 1);
}

static long sock_file_write(struct k_file *f, const void *buf, size_t len)
{
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};

    return sock_file_writev(f, &iov, 1);
}

static unsigned sock_file_poll(struct k_file *f)
{
    return k_sock_poll(f->priv);
}

static int sock_file_fstat(struct k_file *f, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFSOCK | 0777;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    /* Linux numbers socket inodes uniquely; the object address is. */
    st->st_ino = (ino_t)((uintptr_t)f->priv >> 4);
    return 0;
}

static long int_to_user(unsigned long arg, int v)
{
    return k_copy_to_user((void *)arg, &v, sizeof(v));
}

static long sock_file_ioctl(struct k_file *f, unsigned long req,
                            unsigned long arg)
{
    int v;
    int r;

    switch (req) {
    case FIONBIO:
        if (k_copy_from_user(&v, (const void *)arg, sizeof(v)) < 0)
            return -EFAULT;
        if (v)
            f->flags |= O_NONBLOCK;
        else
            f->flags &= ~O_NONBLOCK;
        return 0;
    case FIONREAD:
        r = k_sock_nread(f->priv, &v);
        return r < 0 ? r : int_to_user(arg, v);
    case TIOCOUTQ:
        r = k_sock_nwrite(f->priv, &v);
        return r < 0 ? r : int_to_user(arg, v);
    default: return -ENOTTY;
    }
}

static void sock_file_release(struct k_file *f)
{
    k_sock_close(f->priv);
}

const struct k_file_ops k_sock_file_ops = {
    .read = sock_file_read,
    .write = sock_file_write,
    .readv = sock_file_readv,
    .writev = sock_file_writev,
    .poll = sock_file_poll,
    .fstat = sock_file_fstat,
    .ioctl = sock_file_ioctl,
    .release = sock_file_release,
};

int k_sock_fd_new(struct k_sock *s, bool nonblock, bool cloexec)
{
    struct k_file *f = k_file_create(&k_sock_file_ops, s,
                                     O_RDWR | (nonblock ? O_NONBLOCK : 0));
    int fd;

    if (f == NULL) {
        k_sock_close(s);
        return -ENOMEM;
    }
    fd = k_fd_install(f, cloexec);
    if (fd < 0)
        k_file_put(f); /* closes the socket */
    return fd;
}

int k_sock_fd_get(int fd, struct k_file **f, struct k_sock **s)
{
    struct k_file *file = k_fd_lookup(fd);

    if (file == NULL)
        return -EBADF;
    if (file->ops != &k_sock_file_ops)
        return -ENOTSOCK;
    k_file_get(file);
    *f = file;
    *s = file->priv;
    return 0;
}
