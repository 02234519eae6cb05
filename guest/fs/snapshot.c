/* SPDX-License-Identifier: MIT */
/*
 * Read-only files whose bytes were generated when they were opened
 * (/proc and the guest-made /etc files): reading, positional reading and
 * seeking over that snapshot (guest side).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "k/fs.h"
#include "k/uaccess.h"

long k_snapshot_pread(struct k_file *f, void *buf, size_t len, int64_t off)
{
    const struct k_snapshot *s = f->priv;

    if (off < 0)
        return -EINVAL;
    if ((uint64_t)off >= s->len)
        return 0;
    if (len > s->len - (size_t)off)
        len = s->len - (size_t)off;
    if (k_copy_to_user(buf, s->data + off, len))
        return -EFAULT;
    return (long)len;
}

long k_snapshot_read(struct k_file *f, void *buf, size_t len)
{
    long n = k_snapshot_pread(f, buf, len, f->pos);

    if (n > 0)
        f->pos += n;
    return n;
}

long k_snapshot_lseek(struct k_file *f, int64_t off, int whence)
{
    const struct k_snapshot *s = f->priv;
    int64_t base;

    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = f->pos; break;
    case SEEK_END: base = (int64_t)s->len; break;
    default: return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->pos = base + off;
    return f->pos;
}
