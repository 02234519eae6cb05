/* SPDX-License-Identifier: MIT */
/*
 * Simple devices under /dev (guest side): null, zero, full, random and
 * urandom (the kernel's ChaCha20 generator), and stdin/stdout/stderr
 * opening the console streams again.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "k/fs.h"
#include "k/mm.h"
#include "k/random.h"
#include "k/uaccess.h"

#define CHUNK 4096

static long null_read(struct k_file *f, void *buf, size_t len)
{
    return 0;
}

static long null_write(struct k_file *f, const void *buf, size_t len)
{
    return (long)len;
}

static long zero_read(struct k_file *f, void *buf, size_t len)
{
    if (k_clear_user(buf, len))
        return -EFAULT;
    return (long)len;
}

static long full_write(struct k_file *f, const void *buf, size_t len)
{
    return -ENOSPC;
}

static long random_read(struct k_file *f, void *buf, size_t len)
{
    char tmp[256];
    size_t done = 0;

    while (done < len) {
        size_t n = len - done < sizeof(tmp) ? len - done : sizeof(tmp);

        k_random_bytes(tmp, n);
        if (k_copy_to_user((char *)buf + done, tmp, n)) {
            memset(tmp, 0, sizeof(tmp));
            return done ? (long)done : -EFAULT;
        }
        done += n;
    }
    memset(tmp, 0, sizeof(tmp));
    return (long)done;
}

static long dev_pread_zero(struct k_file *f, void *buf, size_t len, int64_t off)
{
    return zero_read(f, buf, len);
}

static long dev_pread_null(struct k_file *f, void *buf, size_t len, int64_t off)
{
    return 0;
}

static long dev_lseek(struct k_file *f, int64_t off, int whence)
{
    /* Seeking a character device succeeds and means nothing (Linux
     * returns 0 for these). */
    f->pos = 0;
    return 0;
}

struct dev {
    const char *name;
    unsigned major, minor;
    struct k_file_ops ops;
};

static int dev_fstat(struct k_file *f, struct stat *st);

static const struct dev devices[] = {
    {"null",
     1,
     3,
     {.read = null_read,
      .write = null_write,
      .pread = dev_pread_null,
      .lseek = dev_lseek,
      .fstat = dev_fstat}},
    {"zero",
     1,
     5,
     {.read = zero_read,
      .write = null_write,
      .pread = dev_pread_zero,
      .lseek = dev_lseek,
      .fstat = dev_fstat}},
    {"full",
     1,
     7,
     {.read = zero_read,
      .write = full_write,
      .lseek = dev_lseek,
      .fstat = dev_fstat}},
    {"random",
     1,
     8,
     {.read = random_read,
      .write = null_write,
      .lseek = dev_lseek,
      .fstat = dev_fstat}},
    {"urandom",
     1,
     9,
     {.read = random_read,
      .write = null_write,
      .lseek = dev_lseek,
      .fstat = dev_fstat}},
};

#define NUM_DEVICES (sizeof(devices) / sizeof(devices[0]))

/* Console files by index for k_console_open (3: /dev/console). */
static const char *const console_names[4] = {"stdin", "stdout", "stderr",
                                             "console"};

static void stat_dev(const struct dev *d, struct stat *st)
{
    k_stat_fill(st, S_IFCHR | 0666, 0, 100 + (uint64_t)(d - devices),
                K_DEV_DEVFS, 0);
    st->st_rdev = makedev(d->major, d->minor);
}

static int dev_fstat(struct k_file *f, struct stat *st)
{
    stat_dev(f->priv, st);
    return 0;
}

static const struct dev *find(const char *name)
{
    for (unsigned i = 0; i < NUM_DEVICES; i++)
        if (!strcmp(devices[i].name, name))
            return &devices[i];
    return NULL;
}

static int find_console(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(console_names[i], name))
            return i;
    return -1;
}

int k_dev_open(const char *name, int flags, struct k_file **out)
{
    const struct dev *d = find(name);
    int con = find_console(name);

    if (flags & O_DIRECTORY)
        return d || con >= 0 ? -ENOTDIR : -ENOENT;
    if (con >= 0) {
        *out = k_console_open(con, flags);
        return *out ? 0 : -ENOMEM;
    }
    if (!d)
        return (flags & O_CREAT) ? -EACCES : -ENOENT;
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return -EEXIST;
    *out = k_file_create(&d->ops, (void *)d,
                         flags & (O_ACCMODE | O_NONBLOCK | O_APPEND));
    return *out ? 0 : -ENOMEM;
}

int k_dev_stat(const char *name, struct stat *st)
{
    const struct dev *d = find(name);
    int con = find_console(name);

    if (con >= 0) {
        k_stat_fill(st, S_IFCHR | 0620, 0, 200 + (uint64_t)con, K_DEV_DEVFS, 0);
        st->st_rdev = makedev(5, 1);
        return 0;
    }
    if (!d)
        return -ENOENT;
    stat_dev(d, st);
    return 0;
}

const char *k_dev_name(unsigned n)
{
    if (n < NUM_DEVICES)
        return devices[n].name;
    n -= NUM_DEVICES;
    return n < 4 ? console_names[n] : NULL;
}
