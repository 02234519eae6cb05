/* SPDX-License-Identifier: MIT */
/*
 * File-system syscalls (guest side): open, stat family, access,
 * readlink, getcwd/chdir, getdents64, and the modifying calls, which
 * fail with EROFS because the whole namespace is read-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "k/fs.h"
#include "k/mm.h"
#include "k/uaccess.h"
#include "sys.h"

#define GETDENTS_CHUNK 65536
#define ROFS_MAGIC 0x4f4e5958 /* f_type of our file systems ("ONYX") */

/* Linux struct statx (include/uapi/linux/stat.h layout). */
struct k_statx_ts {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};

struct k_statx {
    uint32_t stx_mask;
    uint32_t stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink;
    uint32_t stx_uid;
    uint32_t stx_gid;
    uint16_t stx_mode;
    uint16_t pad0;
    uint64_t stx_ino;
    uint64_t stx_size;
    uint64_t stx_blocks;
    uint64_t stx_attributes_mask;
    struct k_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor;
    uint32_t stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};

_Static_assert(sizeof(struct k_statx) == 256, "statx layout");

#define STATX_BASIC_STATS 0x7ffu
#define AT_STATX_FLAGS 0x6000

/* Resolves app path `upath` relative to `dirfd` into `out`. */
static long resolve_at(long dirfd, long upath, char *out, bool empty_ok)
{
    char *path = k_malloc(K_PATH_MAX);
    const char *base = k_cwd();
    long n;

    if (!path)
        return -ENOMEM;
    n = k_strncpy_from_user(path, (const char *)upath, K_PATH_MAX);
    if (n < 0)
        goto out;
    if (n == 0 && empty_ok) {
        n = 1; /* the caller treats this as AT_EMPTY_PATH */
        goto out;
    }
    if (path[0] != '/' && dirfd != AT_FDCWD) {
        struct k_file *d = k_fd_lookup((int)dirfd);

        if (!d) {
            n = -EBADF;
            goto out;
        }
        base = k_vfs_dir_path(d);
        if (!base) {
            n = -ENOTDIR;
            goto out;
        }
    }
    n = k_path_resolve(base, path, out);
out:
    k_free(path);
    return n;
}

static long do_open(long dirfd, long upath, long flags)
{
    char *path = k_malloc(K_PATH_MAX);
    struct k_file *f = NULL;
    long err;

    if (!path)
        return -ENOMEM;
    err = resolve_at(dirfd, upath, path, false);
    if (err)
        goto out;
    err = k_vfs_open(path, (int)flags, &f);
    if (err)
        goto out;
    err = k_fd_install(f, flags & O_CLOEXEC);
    if (err < 0)
        k_file_put(f);
out:
    k_free(path);
    return err;
}

SYSCALL(open)
{
    return do_open(AT_FDCWD, a0, a1);
}

SYSCALL(openat)
{
    return do_open(a0, a1, a2);
}

SYSCALL(creat)
{
    return do_open(AT_FDCWD, a0, O_CREAT | O_WRONLY | O_TRUNC);
}

static long stat_fd(long fd, struct stat *st)
{
    struct k_file *f = k_fd_lookup((int)fd);

    if (!f)
        return -EBADF;
    if (!f->ops->fstat) {
        /* Anonymous character device. */
        k_stat_fill(st, S_IFCHR | 0600, 0, 0, 0, 0);
        return 0;
    }
    return f->ops->fstat(f, st);
}

/* stat of (dirfd, path) honouring AT_EMPTY_PATH; there are no
 * symlinks, so AT_SYMLINK_NOFOLLOW changes nothing. */
static long stat_at(long dirfd, long upath, long flags, struct stat *st)
{
    char *path;
    long err;

    if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
                  AT_STATX_FLAGS))
        return -EINVAL;
    path = k_malloc(K_PATH_MAX);
    if (!path)
        return -ENOMEM;
    err = resolve_at(dirfd, upath, path, flags & AT_EMPTY_PATH);
    if (err == 1)
        err = dirfd == AT_FDCWD ? k_vfs_stat(k_cwd(), st) : stat_fd(dirfd, st);
    else if (!err)
        err = k_vfs_stat(path, st);
    k_free(path);
    return err;
}

static long stat_out(long err, const struct stat *st, long ubuf)
{
    if (err)
        return err;
    return k_copy_to_user((void *)ubuf, st, sizeof(*st));
}

SYSCALL(stat)
{
    struct stat st;

    return stat_out(stat_at(AT_FDCWD, a0, 0, &st), &st, a1);
}

SYSCALL(lstat)
{
    struct stat st;

    return stat_out(stat_at(AT_FDCWD, a0, 0, &st), &st, a1);
}

SYSCALL(fstat)
{
    struct stat st;

    return stat_out(stat_fd(a0, &st), &st, a1);
}

SYSCALL(newfstatat)
{
    struct stat st;

    return stat_out(stat_at(a0, a1, a3, &st), &st, a2);
}

static struct k_statx_ts ts_of(const struct timespec *t)
{
    return (struct k_statx_ts){.tv_sec = t->tv_sec,
                               .tv_nsec = (uint32_t)t->tv_nsec};
}

SYSCALL(statx)
{
    struct stat st;
    struct k_statx sx;
    long err = stat_at(a0, a1, a2, &st);

    if (err)
        return err;
    sx = (struct k_statx){
        .stx_mask = STATX_BASIC_STATS,
        .stx_blksize = (uint32_t)st.st_blksize,
        .stx_nlink = (uint32_t)st.st_nlink,
        .stx_uid = st.st_uid,
        .stx_gid = st.st_gid,
        .stx_mode = (uint16_t)st.st_mode,
        .stx_ino = st.st_ino,
        .stx_size = (uint64_t)st.st_size,
        .stx_blocks = (uint64_t)st.st_blocks,
        .stx_atime = ts_of(&st.st_atim),
        .stx_ctime = ts_of(&st.st_ctim),
        .stx_mtime = ts_of(&st.st_mtim),
        .stx_rdev_major = (uint32_t)((st.st_rdev >> 8) & 0xfff),
        .stx_rdev_minor = (uint32_t)(st.st_rdev & 0xff),
        .stx_dev_major = (uint32_t)((st.st_dev >> 8) & 0xfff),
        .stx_dev_minor = (uint32_t)(st.st_dev & 0xff),
    };
    return k_copy_to_user((void *)a4, &sx, sizeof(sx));
}

static long access_at(long dirfd, long upath, long mode, long flags)
{
    char *path;
    long err;

    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    path = k_malloc(K_PATH_MAX);
    if (!path)
        return -ENOMEM;
    err = resolve_at(dirfd, upath, path, false);
    if (!err)
        err = k_vfs_access(path, (int)mode);
    k_free(path);
    return err;
}

SYSCALL(access)
{
    return access_at(AT_FDCWD, a0, a1, 0);
}

SYSCALL(faccessat)
{
    return access_at(a0, a1, a2, 0);
}

SYSCALL(faccessat2)
{
    return access_at(a0, a1, a2, a3);
}

/* There are no symlinks: an existing path is not one (EINVAL). */
static long readlink_at(long dirfd, long upath)
{
    char *path = k_malloc(K_PATH_MAX);
    struct stat st;
    long err;

    if (!path)
        return -ENOMEM;
    err = resolve_at(dirfd, upath, path, false);
    if (!err)
        err = k_vfs_stat(path, &st);
    k_free(path);
    return err ? err : -EINVAL;
}

SYSCALL(readlink)
{
    return readlink_at(AT_FDCWD, a0);
}

SYSCALL(readlinkat)
{
    return readlink_at(a0, a1);
}

SYSCALL(getcwd)
{
    const char *cwd = k_cwd();
    size_t len = strlen(cwd) + 1;

    if ((size_t)a1 < len)
        return -ERANGE;
    if (k_copy_to_user((void *)a0, cwd, len))
        return -EFAULT;
    return (long)len;
}

SYSCALL(chdir)
{
    char *path = k_malloc(K_PATH_MAX);
    long err;

    if (!path)
        return -ENOMEM;
    err = resolve_at(AT_FDCWD, a0, path, false);
    if (!err)
        err = k_chdir(path);
    k_free(path);
    return err;
}

SYSCALL(fchdir)
{
    struct k_file *f = k_fd_lookup((int)a0);
    const char *path;

    if (!f)
        return -EBADF;
    path = k_vfs_dir_path(f);
    if (!path)
        return -ENOTDIR;
    return k_chdir(path);
}

SYSCALL(getdents64)
{
    struct k_file *f = k_fd_lookup((int)a0);
    size_t len = (size_t)a2 < GETDENTS_CHUNK ? (size_t)a2 : GETDENTS_CHUNK;
    char *buf;
    long n;

    if (!f)
        return -EBADF;
    if (!f->ops->getdents64)
        return -ENOTDIR;
    if (!k_user_range_ok((void *)a1, len))
        return -EFAULT;
    buf = k_malloc(len ? len : 1);
    if (!buf)
        return -ENOMEM;
    n = f->ops->getdents64(f, buf, len);
    if (n > 0 && k_copy_to_user((void *)a1, buf, (size_t)n))
        n = -EFAULT;
    k_free(buf);
    return n;
}

/*
 * A modifying call on (dirfd, path), answered in Linux's order: a call
 * that creates fails with EEXIST on an existing path and EROFS when it
 * could otherwise create it; one that acts on an existing path fails
 * with ENOENT when there is none and EROFS otherwise.
 */
static long modify_at(long dirfd, long upath, bool creates)
{
    char *path = k_malloc(K_PATH_MAX);
    struct stat st;
    long err;

    if (!path)
        return -ENOMEM;
    err = resolve_at(dirfd, upath, path, false);
    if (err)
        goto out;
    if (!k_vfs_stat(path, &st)) {
        err = creates ? -EEXIST : -EROFS;
    } else if (!creates) {
        err = -ENOENT;
    } else {
        char *slash = strrchr(path, '/');

        if (slash == path)
            slash[1] = 0;
        else
            *slash = 0;
        err = k_vfs_stat(path, &st) ? -ENOENT
              : S_ISDIR(st.st_mode) ? -EROFS
                                    : -ENOTDIR;
    }
out:
    k_free(path);
    return err;
}

SYSCALL(mkdir)
{
    return modify_at(AT_FDCWD, a0, true);
}

SYSCALL(mkdirat)
{
    return modify_at(a0, a1, true);
}

SYSCALL(unlink)
{
    return modify_at(AT_FDCWD, a0, false);
}

SYSCALL(unlinkat)
{
    return modify_at(a0, a1, false);
}

SYSCALL(rmdir)
{
    return modify_at(AT_FDCWD, a0, false);
}

SYSCALL(rename)
{
    return modify_at(AT_FDCWD, a0, false);
}

SYSCALL(renameat)
{
    return modify_at(a0, a1, false);
}

SYSCALL(renameat2)
{
    return modify_at(a0, a1, false);
}

SYSCALL(truncate)
{
    return modify_at(AT_FDCWD, a0, false);
}

SYSCALL(ftruncate)
{
    struct k_file *f = k_fd_lookup((int)a0);

    if (!f)
        return -EBADF;
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        return -EINVAL;
    return f->ops->pread ? -EROFS : -EINVAL;
}

static long statfs_fill(long ubuf)
{
    struct statfs sf = {
        .f_type = ROFS_MAGIC,
        .f_bsize = 4096,
        .f_namelen = 255,
        .f_frsize = 4096,
        .f_flags = 1, /* ST_RDONLY */
    };

    return k_copy_to_user((void *)ubuf, &sf, sizeof(sf));
}

SYSCALL(statfs)
{
    struct stat st;
    long err = stat_at(AT_FDCWD, a0, 0, &st);

    return err ? err : statfs_fill(a1);
}

SYSCALL(fstatfs)
{
    struct stat st;
    long err = stat_fd(a0, &st);

    return err ? err : statfs_fill(a1);
}
