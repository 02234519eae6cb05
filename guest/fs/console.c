/* SPDX-License-Identifier: MIT */
/*
 * The app's console (guest side): fd 0 reads end-of-file, fds 1 and 2
 * write to the monitor's stdout and stderr streams; /dev/console is
 * both (reads end-of-file, writes stdout). It is not a
 * terminal: terminal ioctls fail with ENOTTY, so libc buffers output
 * fully and flushes at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "k/fs.h"
#include "k/hypercall.h"
#include "k/proc.h"

static long console_read(struct k_file *f, void *buf, size_t len)
{
    /* No input stream exists: stdin is at end of file. */
    return 0;
}

static long console_write(struct k_file *f, const void *buf, size_t len)
{
    uint32_t stream =
        (uintptr_t)f->priv == 2 ? ONYX_CONSOLE_STDERR : ONYX_CONSOLE_STDOUT;

    long rc;

    if ((uintptr_t)f->priv == 0)
        return -EBADF; /* stdin is read-only */
    rc = k_hc_console_write_user(stream, buf, len);
    /* The reader of the monitor's stdout went away: like Linux, SIGPIPE
     * first (its default action ends the app with 141), then EPIPE. */
    if (rc == -EPIPE)
        k_signal_raise(SIGPIPE);
    return rc;
}

static unsigned console_poll(struct k_file *f)
{
    uintptr_t which = (uintptr_t)f->priv;

    return which == 0 ? POLLIN : which == 3 ? (POLLIN | POLLOUT) : POLLOUT;
}

static int console_fstat(struct k_file *f, struct stat *st)
{
    k_stat_fill(st, S_IFCHR | 0620, 0, 200 + (uintptr_t)f->priv, K_DEV_DEVFS,
                0);
    st->st_rdev = makedev(5, 1);
    return 0;
}

static long console_ioctl(struct k_file *f, unsigned long req,
                          unsigned long arg)
{
    return -ENOTTY;
}

static const struct k_file_ops console_ops = {
    .read = console_read,
    .write = console_write,
    .poll = console_poll,
    .fstat = console_fstat,
    .ioctl = console_ioctl,
};

struct k_file *k_console_open(int which, int flags)
{
    /* 3 is /dev/console: opened with the caller's access mode, it
     * reads end-of-file and writes to stdout. */
    int mode = which == 0   ? O_RDONLY
               : which == 3 ? flags & O_ACCMODE
                            : O_WRONLY;

    return k_file_create(&console_ops, (void *)(uintptr_t)which,
                         mode | (flags & (O_NONBLOCK | O_APPEND)));
}
