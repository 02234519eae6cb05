/* SPDX-License-Identifier: MIT */
/*
 * The file namespace (guest side): open/stat/access over the read-only
 * rootfs, /dev, the tmpfs at /tmp and /proc; file and directory objects
 * for the rootfs, and the linux_dirent64 records getdents64 returns.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "k/fs.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/uaccess.h"

#define DEV_DIR "/dev"
#define DEV_PREFIX "/dev/"
/* getdents64 positions: 0 ".", 1 "..", then 2 + a rootfs cursor.
 * Listing "/" shows the image's tree only, like a chroot: /dev works by
 * name but is not listed (so tree walks match the host's). */
#define POS_END (1ll << 40)

struct dir_priv {
    bool devfs;
    char path[];
};

void k_stat_fill(struct stat *st, uint32_t mode, uint64_t size, uint64_t ino,
                 uint64_t dev, uint64_t mtime)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = dev;
    st->st_ino = ino;
    st->st_mode = mode;
    st->st_nlink = S_ISDIR(mode) ? 2 : 1;
    st->st_size = (off_t)size;
    st->st_blksize = 4096;
    st->st_blocks = (blkcnt_t)((size + 511) / 512);
    st->st_atim.tv_sec = (time_t)mtime;
    st->st_mtim.tv_sec = (time_t)mtime;
    st->st_ctim.tv_sec = (time_t)mtime;
}

size_t k_dirent_put(void *buf, size_t space, uint64_t ino, int64_t off,
                    unsigned char type, const char *name)
{
    size_t namelen = strlen(name);
    size_t reclen = (19 + namelen + 1 + 7) & ~(size_t)7;
    char *p = buf;
    uint16_t rl = (uint16_t)reclen;

    if (reclen > space)
        return 0;
    memset(p, 0, reclen);
    memcpy(p, &ino, 8);
    memcpy(p + 8, &off, 8);
    memcpy(p + 16, &rl, 2);
    p[18] = (char)type;
    memcpy(p + 19, name, namelen);
    return reclen;
}

/* ---- rootfs regular files ---------------------------------------- */

static const struct k_rootfs_node *file_node(struct k_file *f)
{
    return f->priv;
}

static long file_pread(struct k_file *f, void *buf, size_t len, int64_t off)
{
    const struct k_rootfs_node *n = file_node(f);
    uint64_t avail;

    if (off < 0)
        return -EINVAL;
    if ((uint64_t)off >= n->size)
        return 0;
    avail = n->size - (uint64_t)off;
    if (len > avail)
        len = (size_t)avail;
    if (k_copy_to_user(buf, n->data + off, len))
        return -EFAULT;
    return (long)len;
}

static long file_read(struct k_file *f, void *buf, size_t len)
{
    long n = file_pread(f, buf, len, f->pos);

    if (n > 0)
        f->pos += n;
    return n;
}

static long seek_to(struct k_file *f, int64_t off, int whence, uint64_t size)
{
    int64_t base;

    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = f->pos; break;
    case SEEK_END: base = (int64_t)size; break;
    case SEEK_DATA:
        if (off < 0 || (uint64_t)off >= size)
            return -ENXIO;
        f->pos = off;
        return off;
    case SEEK_HOLE:
        if (off < 0 || (uint64_t)off >= size)
            return -ENXIO;
        f->pos = (int64_t)size;
        return f->pos;
    default: return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->pos = base + off;
    return f->pos;
}

static long file_lseek(struct k_file *f, int64_t off, int whence)
{
    return seek_to(f, off, whence, file_node(f)->size);
}

static int file_fstat(struct k_file *f, struct stat *st)
{
    const struct k_rootfs_node *n = file_node(f);

    k_stat_fill(st, n->mode, n->size, n->index, K_DEV_ROOTFS, n->mtime);
    return 0;
}

static void node_release(struct k_file *f)
{
    k_free(f->priv);
}

static const struct k_file_ops file_ops = {
    .read = file_read,
    .pread = file_pread,
    .lseek = file_lseek,
    .fstat = file_fstat,
    .release = node_release,
};

/* ---- directories --------------------------------------------------- */

static long dir_lseek(struct k_file *f, int64_t off, int whence)
{
    /* Positions are the opaque d_off values getdents64 hands out. */
    if (whence != SEEK_SET || off < 0)
        return -EINVAL;
    f->pos = off;
    return off;
}

static int dir_fstat(struct k_file *f, struct stat *st)
{
    struct dir_priv *d = f->priv;

    return k_vfs_stat(d->path, st);
}

/* Emits the next entry of directory `d` at f->pos; 0 at the end, the
 * record length, or -EINVAL when it does not fit. */
static long dir_next(struct k_file *f, char *buf, size_t space)
{
    struct dir_priv *d = f->priv;
    struct k_rootfs_node n;
    int64_t next = f->pos + 1;
    size_t len;

    if (f->pos < 2) {
        len = k_dirent_put(buf, space, f->pos ? 1 : 2, next, DT_DIR,
                           f->pos ? ".." : ".");
    } else if (d->devfs) {
        const char *name = k_dev_name((unsigned)(f->pos - 2));

        if (!name)
            return 0;
        len = k_dirent_put(buf, space, 100 + (uint64_t)f->pos, next, DT_CHR,
                           name);
    } else if (f->pos < POS_END) {
        uint32_t cursor = (uint32_t)(f->pos - 2);

        if (k_rootfs_next_child(d->path, &cursor, &n)) {
            f->pos = POS_END;
            return 0;
        }
        next = 2 + (int64_t)cursor;
        len = k_dirent_put(buf, space, n.index, next,
                           S_ISDIR(n.mode) ? DT_DIR : DT_REG,
                           strrchr(n.path, '/') + 1);
    } else {
        return 0;
    }
    if (!len)
        return -EINVAL;
    f->pos = next;
    return (long)len;
}

static long dir_getdents64(struct k_file *f, void *buf, size_t len)
{
    size_t used = 0;

    for (;;) {
        long n = dir_next(f, (char *)buf + used, len - used);

        if (n == 0)
            break;
        if (n < 0)
            return used ? (long)used : -EINVAL;
        used += (size_t)n;
    }
    return (long)used;
}

static void dir_release(struct k_file *f)
{
    k_free(f->priv);
}

static const struct k_file_ops dir_ops = {
    .lseek = dir_lseek,
    .fstat = dir_fstat,
    .release = dir_release,
    .getdents64 = dir_getdents64,
};

static int open_dir(const char *path, bool devfs, int flags,
                    struct k_file **out)
{
    size_t n = strlen(path) + 1;
    struct dir_priv *d;

    if ((flags & O_ACCMODE) != O_RDONLY)
        return -EISDIR;
    if (flags & O_CREAT)
        return (flags & O_EXCL) ? -EEXIST : -EISDIR;
    d = k_malloc(sizeof(*d) + n);
    if (!d)
        return -ENOMEM;
    d->devfs = devfs;
    memcpy(d->path, path, n);
    *out = k_file_create(&dir_ops, d,
                         O_RDONLY | O_DIRECTORY | (flags & O_NONBLOCK));
    if (!*out) {
        k_free(d);
        return -ENOMEM;
    }
    return 0;
}

int k_vfs_dir_path(struct k_file *f, char *out)
{
    if (f->ops != &dir_ops)
        return k_tmpfs_dir_path(f, out, K_PATH_MAX);
    strcpy(out, ((struct dir_priv *)f->priv)->path);
    return 0;
}

/* ---- the namespace ------------------------------------------------- */

static bool is_dev_dir(const char *path)
{
    return !strcmp(path, DEV_DIR);
}

static const char *dev_name(const char *path)
{
    size_t n = sizeof(DEV_PREFIX) - 1;

    return strncmp(path, DEV_PREFIX, n) ? NULL : path + n;
}

/* Why creating `path` fails: the parent must exist for EROFS. */
static int create_error(const char *path)
{
    char parent[K_PATH_MAX];
    struct stat st;
    char *slash;

    strcpy(parent, path);
    slash = strrchr(parent, '/');
    if (slash == parent)
        slash[1] = 0;
    else
        *slash = 0;
    if (k_vfs_stat(parent, &st))
        return -ENOENT;
    return S_ISDIR(st.st_mode) ? -EROFS : -ENOTDIR;
}

static int open_rootfs(const char *path, int flags, struct k_file **out)
{
    struct k_rootfs_node n;
    struct k_rootfs_node *copy;

    if (k_rootfs_lookup(path, &n)) {
        int err = k_etcfs_open(path, flags, out);

        if (err != -ENOENT)
            return err;
        return (flags & O_CREAT) ? create_error(path) : -ENOENT;
    }
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return -EEXIST;
    if (S_ISDIR(n.mode))
        return open_dir(path, false, flags, out);
    if (flags & O_DIRECTORY)
        return -ENOTDIR;
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
        return -EROFS;
    copy = k_malloc(sizeof(*copy));
    if (!copy)
        return -ENOMEM;
    *copy = n;
    *out = k_file_create(&file_ops, copy,
                         O_RDONLY | (flags & (O_NONBLOCK | O_APPEND)));
    if (!*out) {
        k_free(copy);
        return -ENOMEM;
    }
    return 0;
}

int k_vfs_open(const char *path, int flags, unsigned mode, struct k_file **out)
{
    const char *dev = dev_name(path);

    if (k_tmpfs_owns(path))
        return k_tmpfs_open(path, flags, mode, out);
    if (k_procfs_owns(path))
        return k_procfs_open(path, flags, out);
    if (is_dev_dir(path))
        return open_dir(path, true, flags, out);
    if (dev)
        return k_dev_open(dev, flags, out);
    return open_rootfs(path, flags, out);
}

int k_vfs_stat(const char *path, struct stat *st)
{
    const char *dev = dev_name(path);
    struct k_rootfs_node n;

    if (k_tmpfs_owns(path))
        return k_tmpfs_stat(path, st);
    if (k_procfs_owns(path))
        return k_procfs_stat(path, st);
    if (is_dev_dir(path)) {
        k_stat_fill(st, S_IFDIR | 0755, 0, 99, K_DEV_DEVFS, 0);
        return 0;
    }
    if (dev)
        return k_dev_stat(dev, st);
    if (k_rootfs_lookup(path, &n))
        return k_etcfs_stat(path, st);
    k_stat_fill(st, n.mode, n.size, n.index, K_DEV_ROOTFS, n.mtime);
    return 0;
}

int k_vfs_access(const char *path, int mode)
{
    struct stat st;
    int err = k_vfs_stat(path, &st);

    if (err)
        return err;
    if (mode & ~(R_OK | W_OK | X_OK))
        return -EINVAL;
    if ((mode & W_OK) &&
        (st.st_dev == K_DEV_ROOTFS || st.st_dev == K_DEV_PROCFS))
        return -EROFS;
    if ((mode & X_OK) && !S_ISDIR(st.st_mode) && !(st.st_mode & 0111))
        return -EACCES;
    return 0;
}

int k_vfs_file_path(struct k_file *f, char *out)
{
    if (f->ops == &dir_ops || f->ops == &file_ops) {
        const char *p = f->ops == &dir_ops ? ((struct dir_priv *)f->priv)->path
                                           : file_node(f)->path;

        if (strlen(p) >= K_PATH_MAX)
            return -ENAMETOOLONG;
        strcpy(out, p);
        return 0;
    }
    return k_tmpfs_file_path(f, out, K_PATH_MAX);
}

int k_vfs_readlink(const char *path, char *out)
{
    struct stat st;
    int err;

    if (k_procfs_owns(path)) {
        err = k_procfs_readlink(path, out);
        if (err != -EINVAL)
            return err;
    }
    /* There are no symlinks elsewhere: an existing path is not one. */
    err = k_vfs_stat(path, &st);
    return err ? err : -EINVAL;
}

void k_fs_init(void)
{
    k_rootfs_init();
    k_tmpfs_init();
    for (int fd = 0; fd < 3; fd++) {
        struct k_file *f = k_console_open(fd, 0);

        if (!f || k_fd_install(f, false) != fd)
            k_panic("fs: cannot open the console as fd %d", fd);
    }
}
