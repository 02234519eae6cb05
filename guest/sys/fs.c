/* SPDX-License-Identifier: MIT */
/*
 * File-system syscalls (guest side): open, stat family, access,
 * readlink, getcwd/chdir, getdents64, and the modifying calls, which
 * act on the tmpfs at /tmp and fail with EROFS everywhere else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "k/fs.h"
#include "k/mm.h"
#include "k/time.h"
#include "k/uaccess.h"
#include "sys.h"

#define GETDENTS_CHUNK 65536
#define ROFS_MAGIC 0x4f4e5958 /* f_type of our file systems ("ONYX") */
#define TMPFS_MAGIC_LINUX 0x01021994

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
    char *path = k_malloc(2 * K_PATH_MAX);
    char *dir = path + K_PATH_MAX;
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
    /* dirfd is an int: glibc leaves the upper half of the register
     * zero, so AT_FDCWD arrives as 0xffffff9c. */
    if (path[0] != '/' && (int)dirfd != AT_FDCWD) {
        struct k_file *d = k_fd_lookup((int)dirfd);

        if (!d) {
            n = -EBADF;
            goto out;
        }
        n = k_vfs_dir_path(d, dir);
        if (n)
            goto out;
        base = dir;
    }
    n = k_path_resolve(base, path, out);
out:
    k_free(path);
    return n;
}

static long do_open(long dirfd, long upath, long flags, long mode)
{
    char *path = k_malloc(K_PATH_MAX);
    struct k_file *f = NULL;
    long err;

    if (!path)
        return -ENOMEM;
    err = resolve_at(dirfd, upath, path, false);
    if (err)
        goto out;
    err = k_vfs_open(path, (int)flags, (unsigned)mode & ~k_umask_get(), &f);
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
    return do_open(AT_FDCWD, a0, a1, a2);
}

SYSCALL(openat)
{
    return do_open(a0, a1, a2, a3);
}

SYSCALL(creat)
{
    return do_open(AT_FDCWD, a0, O_CREAT | O_WRONLY | O_TRUNC, a1);
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
        err = (int)dirfd == AT_FDCWD ? k_vfs_stat(k_cwd(), st)
                                     : stat_fd((int)dirfd, st);
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

/* Only /proc has links; anything else that exists is not one. */
static long readlink_at(long dirfd, long upath, long ubuf, long size)
{
    char *path = k_malloc(2 * K_PATH_MAX);
    char *target = path + K_PATH_MAX;
    long err;

    if (!path)
        return -ENOMEM;
    if (size <= 0) {
        err = -EINVAL;
        goto out;
    }
    err = resolve_at(dirfd, upath, path, false);
    if (!err)
        err = k_vfs_readlink(path, target);
    if (!err) {
        size_t n = strlen(target);

        if (n > (size_t)size)
            n = (size_t)size; /* truncated, no terminator (readlink(2)) */
        err = k_copy_to_user((void *)ubuf, target, n) ? -EFAULT : (long)n;
    }
out:
    k_free(path);
    return err;
}

SYSCALL(readlink)
{
    return readlink_at(AT_FDCWD, a0, a1, a2);
}

SYSCALL(readlinkat)
{
    return readlink_at(a0, a1, a2, a3);
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
    char *path;
    long err;

    if (!f)
        return -EBADF;
    path = k_malloc(K_PATH_MAX);
    if (!path)
        return -ENOMEM;
    err = k_vfs_dir_path(f, path);
    if (!err)
        err = k_chdir(path);
    k_free(path);
    return err;
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
 * Why a modifying call on `path` outside /tmp fails, in Linux's order:
 * a call that creates fails with EEXIST on an existing path and EROFS
 * when it could otherwise create it; one that acts on an existing path
 * fails with ENOENT when there is none and EROFS otherwise.
 */
static long readonly_error(char *path, bool creates)
{
    struct stat st;
    char *slash;

    if (!k_vfs_stat(path, &st))
        return creates ? -EEXIST : -EROFS;
    if (!creates)
        return -ENOENT;
    slash = strrchr(path, '/');
    if (slash == path)
        slash[1] = 0;
    else
        *slash = 0;
    return k_vfs_stat(path, &st) ? -ENOENT
           : S_ISDIR(st.st_mode) ? -EROFS
                                 : -ENOTDIR;
}

enum modify_op { OP_MKDIR, OP_UNLINK, OP_RMDIR, OP_TRUNCATE };

/* mkdir, unlink, rmdir and truncate of (dirfd, path). */
static long modify_at(long dirfd, long upath, enum modify_op op, long arg)
{
    char *path = k_malloc(K_PATH_MAX);
    long err;

    if (!path)
        return -ENOMEM;
    err = resolve_at(dirfd, upath, path, false);
    if (err)
        goto out;
    if (!k_tmpfs_owns(path)) {
        err = readonly_error(path, op == OP_MKDIR);
        goto out;
    }
    switch (op) {
    case OP_MKDIR:
        err = k_tmpfs_mkdir(path, (unsigned)arg & ~k_umask_get());
        break;
    case OP_UNLINK: err = k_tmpfs_remove(path, false); break;
    case OP_RMDIR: err = k_tmpfs_remove(path, true); break;
    case OP_TRUNCATE: err = k_tmpfs_truncate(path, arg); break;
    }
out:
    k_free(path);
    return err;
}

SYSCALL(mkdir)
{
    return modify_at(AT_FDCWD, a0, OP_MKDIR, a1);
}

SYSCALL(mkdirat)
{
    return modify_at(a0, a1, OP_MKDIR, a2);
}

SYSCALL(unlink)
{
    return modify_at(AT_FDCWD, a0, OP_UNLINK, 0);
}

SYSCALL(unlinkat)
{
    if (a2 & ~AT_REMOVEDIR)
        return -EINVAL;
    return modify_at(a0, a1, (a2 & AT_REMOVEDIR) ? OP_RMDIR : OP_UNLINK, 0);
}

SYSCALL(rmdir)
{
    return modify_at(AT_FDCWD, a0, OP_RMDIR, 0);
}

SYSCALL(truncate)
{
    return modify_at(AT_FDCWD, a0, OP_TRUNCATE, a1);
}

#define RENAME_NOREPLACE_LINUX 1

static long rename_at(long olddir, long uold, long newdir, long unew,
                      long flags)
{
    char *from = k_malloc(2 * K_PATH_MAX);
    char *to = from + K_PATH_MAX;
    bool in_old, in_new;
    long err;

    if (!from)
        return -ENOMEM;
    err = -EINVAL; /* RENAME_EXCHANGE and RENAME_WHITEOUT: not here */
    if (flags & ~RENAME_NOREPLACE_LINUX)
        goto out;
    err = resolve_at(olddir, uold, from, false);
    if (!err)
        err = resolve_at(newdir, unew, to, false);
    if (err)
        goto out;
    in_old = k_tmpfs_owns(from);
    in_new = k_tmpfs_owns(to);
    if (in_old && in_new)
        err = k_tmpfs_rename(from, to, flags & RENAME_NOREPLACE_LINUX);
    else if (in_old || in_new)
        err = in_old ? -EXDEV : readonly_error(from, false);
    else
        err = readonly_error(from, false);
out:
    k_free(from);
    return err;
}

SYSCALL(rename)
{
    return rename_at(AT_FDCWD, a0, AT_FDCWD, a1, 0);
}

SYSCALL(renameat)
{
    return rename_at(a0, a1, a2, a3, 0);
}

SYSCALL(renameat2)
{
    return rename_at(a0, a1, a2, a3, a4);
}

SYSCALL(ftruncate)
{
    struct k_file *f = k_fd_lookup((int)a0);

    if (!f)
        return -EBADF;
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        return -EINVAL;
    if (!f->ops->truncate)
        return f->ops->pread ? -EROFS : -EINVAL;
    return f->ops->truncate(f, a1);
}

SYSCALL(fallocate)
{
    struct k_file *f = k_fd_lookup((int)a0);
    struct stat st;
    long err;

    if (!f)
        return -EBADF;
    if ((f->flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    if (a1 & ~FALLOC_FL_KEEP_SIZE)
        return -EOPNOTSUPP; /* punching holes, collapsing: not here */
    if (a2 < 0 || a3 <= 0 || a2 > INT64_MAX - a3)
        return -EINVAL;
    if (!f->ops->truncate || !f->ops->fstat)
        return f->ops->pread ? -EROFS : -ENODEV;
    err = f->ops->fstat(f, &st);
    if (err || (a1 & FALLOC_FL_KEEP_SIZE) || st.st_size >= a2 + a3)
        return err; /* memory is allocated as it is written */
    return f->ops->truncate(f, a2 + a3);
}

/* chmod family: tmpfs only; the rest is read-only. */
static long chmod_at(long dirfd, long upath, long mode, long flags)
{
    char *path;
    long err;

    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    path = k_malloc(K_PATH_MAX);
    if (!path)
        return -ENOMEM;
    err = resolve_at(dirfd, upath, path, flags & AT_EMPTY_PATH);
    if (err == 1) {
        struct k_file *f = k_fd_lookup((int)dirfd);

        err = f ? k_tmpfs_chmod(NULL, f, (unsigned)mode) : -EBADF;
    } else if (!err) {
        err = k_tmpfs_owns(path) ? k_tmpfs_chmod(path, NULL, (unsigned)mode)
                                 : readonly_error(path, false);
    }
    k_free(path);
    return err;
}

SYSCALL(chmod)
{
    return chmod_at(AT_FDCWD, a0, a1, 0);
}

SYSCALL(fchmodat)
{
    return chmod_at(a0, a1, a2, 0);
}

SYSCALL(fchmod)
{
    struct k_file *f = k_fd_lookup((int)a0);

    if (!f)
        return -EBADF;
    return k_tmpfs_chmod(NULL, f, (unsigned)a1);
}

#define NS_PER_SEC 1000000000ull

/* One utimensat time: UINT64_MAX to leave it, else realtime ns. */
static long utime_of(const struct timespec *ts, uint64_t *out)
{
    if (ts->tv_nsec == UTIME_OMIT) {
        *out = UINT64_MAX;
        return 0;
    }
    if (ts->tv_nsec == UTIME_NOW) {
        *out = k_time_realtime_ns();
        return 0;
    }
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (long)NS_PER_SEC)
        return -EINVAL;
    *out = (uint64_t)ts->tv_sec * NS_PER_SEC + (uint64_t)ts->tv_nsec;
    return 0;
}

SYSCALL(utimensat)
{
    struct timespec ts[2];
    uint64_t at = k_time_realtime_ns(), mt = at;
    char *path;
    long err;

    if (a3 & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (a2) {
        if (k_copy_from_user(ts, (const void *)a2, sizeof(ts)))
            return -EFAULT;
        if (utime_of(&ts[0], &at) || utime_of(&ts[1], &mt))
            return -EINVAL;
    }
    if (!a1) { /* futimens: the file at dirfd */
        struct k_file *f = k_fd_lookup((int)a0);

        return f ? k_tmpfs_utimens(NULL, f, at, mt) : -EBADF;
    }
    path = k_malloc(K_PATH_MAX);
    if (!path)
        return -ENOMEM;
    err = resolve_at(a0, a1, path, false);
    if (!err)
        err = k_tmpfs_owns(path) ? k_tmpfs_utimens(path, NULL, at, mt)
                                 : readonly_error(path, false);
    k_free(path);
    return err;
}

static long statfs_fill(long ubuf, const struct stat *st)
{
    struct statfs sf = {
        .f_type = ROFS_MAGIC,
        .f_bsize = 4096,
        .f_namelen = 255,
        .f_frsize = 4096,
        .f_flags = 1, /* ST_RDONLY */
    };

    if (st->st_dev == K_DEV_TMPFS) {
        uint64_t used, total;

        k_mem_stats(&used, &total);
        sf.f_type = TMPFS_MAGIC_LINUX;
        sf.f_flags = 0;
        sf.f_blocks = total / 4096;
        sf.f_bfree = sf.f_bavail = (total - used) / 4096;
    }

    return k_copy_to_user((void *)ubuf, &sf, sizeof(sf));
}

SYSCALL(statfs)
{
    struct stat st;
    long err = stat_at(AT_FDCWD, a0, 0, &st);

    return err ? err : statfs_fill(a1, &st);
}

SYSCALL(fstatfs)
{
    struct stat st;
    long err = stat_fd(a0, &st);

    return err ? err : statfs_fill(a1, &st);
}

/* chown family: ownership is stored on tmpfs and never checked (the
 * app is root); elsewhere the tree is read-only. */
static long chown_at(long dirfd, long upath, long uid, long gid, long flags)
{
    char *path;
    long err;

    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    path = k_malloc(K_PATH_MAX);
    if (!path)
        return -ENOMEM;
    err = resolve_at(dirfd, upath, path, flags & AT_EMPTY_PATH);
    if (err == 1) {
        struct k_file *f = k_fd_lookup((int)dirfd);

        err = f ? k_tmpfs_chown(NULL, f, (uint32_t)uid, (uint32_t)gid) : -EBADF;
    } else if (!err) {
        err = k_tmpfs_owns(path)
                  ? k_tmpfs_chown(path, NULL, (uint32_t)uid, (uint32_t)gid)
                  : readonly_error(path, false);
    }
    k_free(path);
    return err;
}

SYSCALL(chown)
{
    return chown_at(AT_FDCWD, a0, a1, a2, 0);
}

SYSCALL(lchown)
{
    return chown_at(AT_FDCWD, a0, a1, a2, AT_SYMLINK_NOFOLLOW);
}

SYSCALL(fchownat)
{
    return chown_at(a0, a1, a2, a3, a4);
}

SYSCALL(fchown)
{
    struct k_file *f = k_fd_lookup((int)a0);

    if (!f)
        return -EBADF;
    return k_tmpfs_chown(NULL, f, (uint32_t)a1, (uint32_t)a2);
}

#define MFD_CLOEXEC_LINUX 1u
#define MFD_ALLOW_SEALING_LINUX 2u
#define MFD_NAME_MAX 249

SYSCALL(memfd_create)
{
    char name[MFD_NAME_MAX + 1];
    struct k_file *f;
    long err;
    int fd;

    /* TODO(#3): file seals (MFD_ALLOW_SEALING, F_ADD_SEALS) - EINVAL */
    if ((unsigned long)a1 & ~(unsigned long)MFD_CLOEXEC_LINUX)
        return -EINVAL;
    err = k_strncpy_from_user(name, (const char *)a0, sizeof(name));
    if (err < 0)
        return err == -ENAMETOOLONG ? -EINVAL : err;
    err = k_tmpfs_create_anon(name, 0, &f);
    if (err)
        return err;
    fd = k_fd_install(f, a1 & MFD_CLOEXEC_LINUX);
    if (fd < 0)
        k_file_put(f);
    return fd;
}

SYSCALL(fadvise64)
{
    struct k_file *f = k_fd_lookup((int)a0);

    if (!f)
        return -EBADF;
    if (!f->ops->pread)
        return -ESPIPE;
    if (a3 < POSIX_FADV_NORMAL || a3 > POSIX_FADV_NOREUSE)
        return -EINVAL;
    return 0; /* files are in memory: advice changes nothing */
}

SYSCALL(sync)
{
    return 0; /* nothing is buffered on the way to a disk */
}

SYSCALL(syncfs)
{
    return k_fd_lookup((int)a0) ? 0 : -EBADF;
}
