/* SPDX-License-Identifier: MIT */
/*
 * sendfile (guest side): copies between two files through a bounce
 * buffer mapped in the app's address space, since every file op takes
 * app (user) pointers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "k/file.h"
#include "k/uaccess.h"
#include "k/vm.h"
#include "sys.h"

#define BOUNCE_SIZE 65536ul
#define RW_MAX 0x7ffff000l

static char *bounce; /* kept for the app's lifetime once mapped */
static bool bounce_busy; /* a blocked sendfile still owns it */

static char *bounce_take(bool *own)
{
    long addr;

    *own = false;
    if (bounce && !bounce_busy) {
        bounce_busy = true;
        return bounce;
    }
    addr = k_vm_mmap(0, BOUNCE_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS);
    if (addr < 0)
        return NULL;
    if (!bounce) {
        bounce = (char *)addr;
        bounce_busy = true;
        return bounce;
    }
    *own = true; /* another thread's sendfile holds the shared one */
    return (char *)addr;
}

static void bounce_give(char *b, bool own)
{
    if (own)
        k_vm_munmap((uint64_t)b, BOUNCE_SIZE);
    else
        bounce_busy = false;
}

/* One chunk in: positional when `off` is given, else at the file's
 * position. */
static long chunk_read(struct k_file *in, char *b, size_t len, int64_t *off)
{
    if (off)
        return in->ops->pread(in, b, len, *off);
    return in->ops->read(in, b, len);
}

static long copy_loop(struct k_file *out, struct k_file *in, int64_t *off,
                      long count, char *b)
{
    long done = 0;

    while (done < count) {
        size_t want = (size_t)(count - done) < BOUNCE_SIZE
                          ? (size_t)(count - done)
                          : BOUNCE_SIZE;
        long n = chunk_read(in, b, want, off);
        long w;

        if (n <= 0)
            return done ? done : n;
        w = out->ops->write(out, b, (size_t)n);
        if (w < 0)
            w = done ? 0 : w;
        if (w < 0)
            return w;
        /* What was read but not written goes back to the source. */
        if (off)
            *off += w;
        else if (w < n && in->ops->lseek)
            in->ops->lseek(in, w - n, SEEK_CUR);
        done += w;
        if (w < n)
            break;
    }
    return done;
}

SYSCALL(sendfile)
{
    struct k_file *out = k_fd_lookup((int)a0);
    struct k_file *in = k_fd_lookup((int)a1);
    int64_t off;
    bool own;
    char *b;
    long n;

    if (!out || !in || (in->flags & O_ACCMODE) == O_WRONLY ||
        (out->flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    if (!out->ops->write || !in->ops->read || (out->flags & O_APPEND))
        return -EINVAL;
    if (a2) {
        if (!in->ops->pread)
            return -ESPIPE;
        if (k_copy_from_user(&off, (const void *)a2, sizeof(off)))
            return -EFAULT;
        if (off < 0)
            return -EINVAL;
    }
    if (a3 < 0)
        return -EINVAL;
    if (a3 == 0)
        return 0;
    b = bounce_take(&own);
    if (!b)
        return -ENOMEM;
    /* References: another thread may close either fd while this one
     * blocks. */
    k_file_get(out);
    k_file_get(in);
    n = copy_loop(out, in, a2 ? &off : NULL, a3 > RW_MAX ? RW_MAX : a3, b);
    k_file_put(in);
    k_file_put(out);
    bounce_give(b, own);
    if (a2 && k_copy_to_user((void *)a2, &off, sizeof(off)))
        return -EFAULT;
    return n;
}
