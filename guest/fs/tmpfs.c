/* SPDX-License-Identifier: MIT */
/*
 * The writable in-memory file system mounted at /tmp (guest side):
 * a tree of nodes whose file data lives in guest pages. Memory is
 * the storage, so fsync has nothing to do and nothing survives the
 * guest.
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
#include "k/time.h"
#include "k/uaccess.h"

#define MOUNT "/tmp"
#define NAME_MAX_LINUX 255
#define NS_PER_SEC 1000000000ull

struct tnode {
    char name[NAME_MAX_LINUX + 1];
    struct tnode *parent; /* NULL for the root and unlinked nodes */
    struct tnode *children; /* directories: first child */
    struct tnode *sibling; /* next child of the same parent */
    uint32_t mode;
    uint32_t uid, gid; /* stored for chown; never checked (root) */
    uint64_t ino;
    uint64_t *pages; /* regular files: physical pages, 0 for a hole */
    uint64_t npages; /* entries in `pages` */
    uint64_t nalloc; /* pages allocated */
    uint64_t size;
    uint64_t mtime, ctime, atime; /* realtime ns */
    int opens; /* open files on this node */
    bool linked; /* still has a name in the tree */
};

static struct tnode root = {
    .mode = S_IFDIR | 01777,
    .ino = 1,
    .linked = true,
};
static uint64_t next_ino = 2;

static uint64_t now_ns(void);
static void touch(struct tnode *n);
static void pages_free_from(struct tnode *n, uint64_t first);

void k_tmpfs_init(void)
{
    root.atime = now_ns();
    touch(&root);
}

/* "/tmp/a/b" -> "a/b", "/tmp" -> "", anything else -> NULL. */
static const char *rel_path(const char *path)
{
    size_t n = sizeof(MOUNT) - 1;

    if (strncmp(path, MOUNT, n))
        return NULL;
    if (!path[n])
        return path + n;
    return path[n] == '/' ? path + n + 1 : NULL;
}

bool k_tmpfs_owns(const char *path)
{
    return rel_path(path) != NULL;
}

static struct tnode *child_find(struct tnode *dir, const char *name, size_t n)
{
    for (struct tnode *c = dir->children; c; c = c->sibling) {
        if (strlen(c->name) == n && !memcmp(c->name, name, n))
            return c;
    }
    return NULL;
}

/*
 * Walks `path` (canonical, under /tmp). With `leaf` set, stops at the
 * parent directory, stores it in *out and the last name in *leaf
 * (NULL for the mount point itself). 0, -ENOENT or -ENOTDIR.
 */
static int walk(const char *path, struct tnode **out, const char **leaf)
{
    const char *p = rel_path(path);
    struct tnode *n = &root;

    if (leaf)
        *leaf = NULL;
    while (p && *p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);

        if (!S_ISDIR(n->mode))
            return -ENOTDIR;
        if (leaf && !slash) {
            if (len > NAME_MAX_LINUX)
                return -ENAMETOOLONG;
            *leaf = p;
            break;
        }
        n = child_find(n, p, len);
        if (!n)
            return -ENOENT;
        p = slash ? slash + 1 : p + len;
    }
    *out = n;
    return 0;
}

static int lookup(const char *path, struct tnode **out)
{
    return walk(path, out, NULL);
}

static uint64_t now_ns(void)
{
    return k_time_realtime_ns();
}

static void touch(struct tnode *n)
{
    n->mtime = n->ctime = now_ns();
}

static void node_fill_stat(const struct tnode *n, struct stat *st)
{
    uint64_t links = 1;

    if (S_ISDIR(n->mode)) {
        links = 2;
        for (struct tnode *c = n->children; c; c = c->sibling)
            links += S_ISDIR(c->mode);
    } else if (!n->linked) {
        links = 0;
    }
    k_stat_fill(st, n->mode, S_ISDIR(n->mode) ? 4096 : n->size, n->ino,
                K_DEV_TMPFS, n->mtime / NS_PER_SEC);
    st->st_uid = n->uid;
    st->st_gid = n->gid;
    st->st_nlink = links;
    st->st_blocks = (blkcnt_t)(n->nalloc * (K_PAGE_SIZE / 512));
    st->st_atim.tv_sec = (time_t)(n->atime / NS_PER_SEC);
    st->st_atim.tv_nsec = (long)(n->atime % NS_PER_SEC);
    st->st_mtim.tv_nsec = (long)(n->mtime % NS_PER_SEC);
    st->st_ctim.tv_sec = (time_t)(n->ctime / NS_PER_SEC);
    st->st_ctim.tv_nsec = (long)(n->ctime % NS_PER_SEC);
}

static void node_free_if_unused(struct tnode *n)
{
    if (!n->linked && n->opens == 0) {
        pages_free_from(n, 0);
        k_free(n->pages);
        k_free(n);
    }
}

static void unlink_node(struct tnode *n)
{
    struct tnode **p = &n->parent->children;

    while (*p != n)
        p = &(*p)->sibling;
    *p = n->sibling;
    touch(n->parent);
    n->parent = NULL;
    n->sibling = NULL;
    n->linked = false;
}

static void link_node(struct tnode *dir, struct tnode *n)
{
    n->parent = dir;
    n->sibling = dir->children;
    dir->children = n;
    n->linked = true;
    touch(dir);
}

/* ---- file data: one page array per file, holes read as zeros ----- */

#define PG K_PAGE_SIZE

/*
 * Invariant: bytes of allocated pages past n->size are zero, so
 * growing a file (truncate, a write past the end) never shows old data.
 */
static void pages_free_from(struct tnode *n, uint64_t first)
{
    for (uint64_t i = first; i < n->npages; i++) {
        if (n->pages[i]) {
            k_page_free(n->pages[i]);
            n->pages[i] = 0;
            n->nalloc--;
        }
    }
}

/* The page holding byte offset `idx` * PG, allocated when `alloc`;
 * NULL for a hole (or out of memory when allocating). */
static char *page_at(struct tnode *n, uint64_t idx, bool alloc)
{
    if (idx >= n->npages) {
        uint64_t len = n->npages ? n->npages * 2 : 16;
        uint64_t *a;

        if (!alloc)
            return NULL;
        while (len <= idx)
            len *= 2;
        a = k_realloc(n->pages, (size_t)len * sizeof(*a));
        if (!a)
            return NULL;
        memset(a + n->npages, 0, (size_t)(len - n->npages) * sizeof(*a));
        n->pages = a;
        n->npages = len;
    }
    if (!n->pages[idx]) {
        if (!alloc)
            return NULL;
        n->pages[idx] = k_page_alloc(); /* zeroed */
        if (!n->pages[idx])
            return NULL;
        n->nalloc++;
    }
    return k_phys_to_virt(n->pages[idx]);
}

static int node_resize(struct tnode *n, uint64_t size)
{
    if (size > (1ull << 40))
        return -EFBIG;
    if (size < n->size) {
        char *last = page_at(n, size / PG, false);

        pages_free_from(n, (size + PG - 1) / PG);
        if (last && size % PG)
            memset(last + size % PG, 0, PG - size % PG);
    }
    n->size = size;
    return 0;
}

static struct tnode *file_node(struct k_file *f)
{
    return f->priv;
}

static long tf_pread(struct k_file *f, void *buf, size_t len, int64_t off)
{
    struct tnode *n = file_node(f);
    size_t done = 0;

    if (off < 0)
        return -EINVAL;
    if ((uint64_t)off >= n->size)
        return 0;
    if (len > n->size - (uint64_t)off)
        len = (size_t)(n->size - (uint64_t)off);
    while (done < len) {
        uint64_t pos = (uint64_t)off + done;
        size_t in = (size_t)(pos % PG);
        size_t chunk = len - done < PG - in ? len - done : PG - in;
        char *p = page_at(n, pos / PG, false);
        int err = p ? k_copy_to_user((char *)buf + done, p + in, chunk)
                    : k_clear_user((char *)buf + done, chunk);

        if (err)
            return done ? (long)done : -EFAULT;
        done += chunk;
    }
    n->atime = now_ns();
    return (long)len;
}

static long tf_pwrite(struct k_file *f, const void *buf, size_t len,
                      int64_t off)
{
    struct tnode *n = file_node(f);
    size_t done = 0;
    long err = 0;

    if (off < 0)
        return -EINVAL;
    if ((uint64_t)off + len > (1ull << 40))
        return -EFBIG;
    while (done < len) {
        uint64_t pos = (uint64_t)off + done;
        size_t in = (size_t)(pos % PG);
        size_t chunk = len - done < PG - in ? len - done : PG - in;
        char *p = page_at(n, pos / PG, true);

        if (!p) {
            err = -ENOSPC;
            break;
        }
        if (k_copy_from_user(p + in, (const char *)buf + done, chunk)) {
            /* Keep the invariant: nothing past the end but zeros. */
            if (pos + chunk > n->size) {
                size_t from = pos >= n->size ? in : (size_t)(n->size % PG);

                memset(p + from, 0, in + chunk - from);
            }
            err = -EFAULT;
            break;
        }
        done += chunk;
        if (pos + chunk > n->size)
            n->size = pos + chunk;
    }
    if (done)
        touch(n);
    return done ? (long)done : err;
}

static long tf_read(struct k_file *f, void *buf, size_t len)
{
    long n = tf_pread(f, buf, len, f->pos);

    if (n > 0)
        f->pos += n;
    return n;
}

static long tf_write(struct k_file *f, const void *buf, size_t len)
{
    long n;

    if (f->flags & O_APPEND)
        f->pos = (int64_t)file_node(f)->size;
    n = tf_pwrite(f, buf, len, f->pos);
    if (n > 0)
        f->pos += n;
    return n;
}

static long tf_lseek(struct k_file *f, int64_t off, int whence)
{
    int64_t base;

    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = f->pos; break;
    case SEEK_END: base = (int64_t)file_node(f)->size; break;
    case SEEK_DATA:
    case SEEK_HOLE:
        if (off < 0 || (uint64_t)off >= file_node(f)->size)
            return -ENXIO;
        f->pos = whence == SEEK_DATA ? off : (int64_t)file_node(f)->size;
        return f->pos;
    default: return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->pos = base + off;
    return f->pos;
}

static int tf_truncate(struct k_file *f, int64_t size)
{
    struct tnode *n = file_node(f);
    int err;

    if (size < 0)
        return -EINVAL;
    err = node_resize(n, (uint64_t)size);
    if (!err)
        touch(n);
    return err;
}

static int tn_fstat(struct k_file *f, struct stat *st)
{
    node_fill_stat(f->priv, st);
    return 0;
}

static void tn_release(struct k_file *f)
{
    struct tnode *n = f->priv;

    n->opens--;
    node_free_if_unused(n);
}

static const struct k_file_ops tfile_ops = {
    .read = tf_read,
    .write = tf_write,
    .pread = tf_pread,
    .pwrite = tf_pwrite,
    .lseek = tf_lseek,
    .truncate = tf_truncate,
    .fstat = tn_fstat,
    .release = tn_release,
};

/* ---- directories: positions are 0 ".", 1 "..", 2 + child index ---- */

static long td_getdents64(struct k_file *f, void *buf, size_t len)
{
    struct tnode *d = f->priv;
    size_t used = 0;

    for (;;) {
        struct tnode *c = NULL;
        const char *name;
        uint64_t ino;
        unsigned char type = DT_DIR;
        size_t n;

        if (f->pos == 0) {
            name = ".";
            ino = d->ino;
        } else if (f->pos == 1) {
            name = "..";
            ino = d->parent ? d->parent->ino : d->ino;
        } else {
            c = d->children;
            for (int64_t i = 2; c && i < f->pos; i++)
                c = c->sibling;
            if (!c)
                break;
            name = c->name;
            ino = c->ino;
            type = S_ISDIR(c->mode) ? DT_DIR : DT_REG;
        }
        n = k_dirent_put((char *)buf + used, len - used, ino, f->pos + 1, type,
                         name);
        if (!n)
            return used ? (long)used : -EINVAL;
        used += n;
        f->pos++;
    }
    return (long)used;
}

static long td_lseek(struct k_file *f, int64_t off, int whence)
{
    if (whence != SEEK_SET || off < 0)
        return -EINVAL;
    f->pos = off;
    return off;
}

static const struct k_file_ops tdir_ops = {
    .lseek = td_lseek,
    .fstat = tn_fstat,
    .release = tn_release,
    .getdents64 = td_getdents64,
};

/* Writes the canonical path of directory `n` into `out`. */
static int node_path(const struct tnode *n, char *out, size_t size)
{
    size_t len = 0;
    char tmp[K_PATH_MAX];
    size_t pos = sizeof(tmp) - 1;

    tmp[pos] = 0;
    for (; n && n != &root; n = n->parent) {
        size_t l = strlen(n->name);

        if (l + 1 > pos)
            return -ENAMETOOLONG;
        pos -= l;
        memcpy(tmp + pos, n->name, l);
        tmp[--pos] = '/';
    }
    if (n != &root)
        return -ENOENT; /* removed directory */
    len = sizeof(MOUNT) - 1 + (sizeof(tmp) - 1 - pos);
    if (len + 1 > size)
        return -ENAMETOOLONG;
    memcpy(out, MOUNT, sizeof(MOUNT) - 1);
    memcpy(out + sizeof(MOUNT) - 1, tmp + pos, sizeof(tmp) - pos);
    return 0;
}

int k_tmpfs_dir_path(struct k_file *f, char *out, size_t size)
{
    if (f->ops != &tdir_ops)
        return -ENOTDIR;
    return node_path(f->priv, out, size);
}

int k_tmpfs_file_path(struct k_file *f, char *out, size_t size)
{
    const struct tnode *n = f->priv;

    if (f->ops != &tdir_ops && f->ops != &tfile_ops)
        return -ENOENT;
    if (f->ops == &tfile_ops && !n->linked) {
        /* Like Linux, minus the folder it was removed from. */
        k_snprintf(out, size, "/%s (deleted)", n->name);
        return 0;
    }
    return node_path(n, out, size);
}

/* ---- the namespace ------------------------------------------------ */

static struct tnode *node_create(struct tnode *dir, const char *name,
                                 uint32_t mode)
{
    struct tnode *n = k_calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    strcpy(n->name, name);
    n->mode = mode;
    n->ino = next_ino++;
    n->atime = now_ns();
    touch(n);
    link_node(dir, n);
    return n;
}

static int open_node(struct tnode *n, int flags, struct k_file **out)
{
    int keep = O_ACCMODE | O_NONBLOCK | O_APPEND;

    if (S_ISDIR(n->mode)) {
        if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT))
            return -EISDIR;
        *out = k_file_create(&tdir_ops, n, O_RDONLY | O_DIRECTORY);
    } else {
        if (flags & O_DIRECTORY)
            return -ENOTDIR;
        if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
            node_resize(n, 0);
            touch(n);
        }
        *out = k_file_create(&tfile_ops, n, flags & keep);
    }
    if (!*out)
        return -ENOMEM;
    n->opens++;
    return 0;
}

int k_tmpfs_open(const char *path, int flags, unsigned mode,
                 struct k_file **out)
{
    struct tnode *dir, *n;
    const char *name;
    int err = walk(path, &dir, &name);

    if (err)
        return err;
    if (!name)
        return open_node(dir, flags, out); /* the mount point */
    if (!S_ISDIR(dir->mode))
        return -ENOTDIR;
    n = child_find(dir, name, strlen(name));
    if (n) {
        if ((flags & O_CREAT) && (flags & O_EXCL))
            return -EEXIST;
        return open_node(n, flags, out);
    }
    if (!(flags & O_CREAT))
        return -ENOENT;
    if (flags & O_DIRECTORY)
        return -EINVAL;
    n = node_create(dir, name, S_IFREG | (mode & 07777));
    if (!n)
        return -ENOSPC;
    err = open_node(n, flags & ~O_TRUNC, out);
    if (err) {
        unlink_node(n);
        node_free_if_unused(n);
    }
    return err;
}

int k_tmpfs_stat(const char *path, struct stat *st)
{
    struct tnode *n;
    int err = lookup(path, &n);

    if (!err)
        node_fill_stat(n, st);
    return err;
}

int k_tmpfs_mkdir(const char *path, unsigned mode)
{
    struct tnode *dir;
    const char *name;
    int err = walk(path, &dir, &name);

    if (err)
        return err;
    if (!name || child_find(dir, name, strlen(name)))
        return -EEXIST;
    if (!S_ISDIR(dir->mode))
        return -ENOTDIR;
    return node_create(dir, name, S_IFDIR | (mode & 07777)) ? 0 : -ENOSPC;
}

/* unlink (dir false) or rmdir (dir true). */
int k_tmpfs_remove(const char *path, bool dir)
{
    struct tnode *n;
    int err = lookup(path, &n);

    if (err)
        return err;
    if (n == &root)
        return dir ? -EBUSY : -EISDIR;
    if (dir && !S_ISDIR(n->mode))
        return -ENOTDIR;
    if (!dir && S_ISDIR(n->mode))
        return -EISDIR;
    if (dir && n->children)
        return -ENOTEMPTY;
    unlink_node(n);
    node_free_if_unused(n);
    return 0;
}

static bool is_ancestor(const struct tnode *a, const struct tnode *n)
{
    for (; n; n = n->parent)
        if (n == a)
            return true;
    return false;
}

/* Checks whether `from` may replace `to` (rename(2) rules). */
static int check_replace(struct tnode *from, struct tnode *to)
{
    if (S_ISDIR(from->mode) && !S_ISDIR(to->mode))
        return -ENOTDIR;
    if (!S_ISDIR(from->mode) && S_ISDIR(to->mode))
        return -EISDIR;
    if (S_ISDIR(to->mode) && to->children)
        return -ENOTEMPTY;
    if (to == &root)
        return -EBUSY;
    return 0;
}

int k_tmpfs_rename(const char *from, const char *to, bool noreplace)
{
    struct tnode *n, *dir, *old;
    const char *name;
    int err = lookup(from, &n);

    if (err)
        return err;
    err = walk(to, &dir, &name);
    if (err)
        return err;
    if (n == &root || !name)
        return -EBUSY;
    if (!S_ISDIR(dir->mode))
        return -ENOTDIR;
    if (is_ancestor(n, dir))
        return -EINVAL;
    old = child_find(dir, name, strlen(name));
    if (old == n)
        return noreplace ? -EEXIST : 0;
    if (old) {
        if (noreplace)
            return -EEXIST;
        err = check_replace(n, old);
        if (err)
            return err;
        unlink_node(old);
        node_free_if_unused(old);
    }
    unlink_node(n);
    strcpy(n->name, name);
    link_node(dir, n);
    n->ctime = now_ns();
    return 0;
}

int k_tmpfs_truncate(const char *path, int64_t size)
{
    struct tnode *n;
    int err = lookup(path, &n);

    if (err)
        return err;
    if (S_ISDIR(n->mode))
        return -EISDIR;
    if (size < 0)
        return -EINVAL;
    err = node_resize(n, (uint64_t)size);
    if (!err)
        touch(n);
    return err;
}

static struct tnode *node_of_file(struct k_file *f)
{
    return f->ops == &tfile_ops || f->ops == &tdir_ops ? f->priv : NULL;
}

static void set_mode(struct tnode *n, unsigned mode)
{
    n->mode = (n->mode & S_IFMT) | (mode & 07777);
    n->ctime = now_ns();
}

/* The node of `path`, or of open file `f` when path is NULL. */
static int target(const char *path, struct k_file *f, struct tnode **n)
{
    if (!path) {
        *n = node_of_file(f);
        return *n ? 0 : -EROFS;
    }
    return lookup(path, n);
}

int k_tmpfs_chmod(const char *path, struct k_file *f, unsigned mode)
{
    struct tnode *n;
    int err = target(f ? NULL : path, f, &n);

    if (!err)
        set_mode(n, mode);
    return err;
}

int k_tmpfs_chown(const char *path, struct k_file *f, uint32_t uid,
                  uint32_t gid)
{
    struct tnode *n;
    int err = target(f ? NULL : path, f, &n);

    if (err)
        return err;
    if (uid != UINT32_MAX)
        n->uid = uid;
    if (gid != UINT32_MAX)
        n->gid = gid;
    if (uid != UINT32_MAX || gid != UINT32_MAX) {
        /* chown(2) clears set-user-ID and set-group-ID on files. */
        if (!S_ISDIR(n->mode))
            n->mode &= ~(uint32_t)(S_ISUID | S_ISGID);
        n->ctime = now_ns();
    }
    return 0;
}

int k_tmpfs_create_anon(const char *name, int flags, struct k_file **out)
{
    struct tnode *n = k_calloc(1, sizeof(*n));
    int err;

    if (!n)
        return -ENOMEM;
    k_snprintf(n->name, sizeof(n->name), "memfd:%s", name);
    n->mode = S_IFREG | 0777;
    n->ino = next_ino++;
    n->atime = now_ns();
    touch(n);
    err = open_node(n, O_RDWR | flags, out);
    if (err)
        k_free(n); /* never linked, never opened */
    return err;
}

int k_tmpfs_utimens(const char *path, struct k_file *f, uint64_t atime,
                    uint64_t mtime)
{
    struct tnode *n = f ? node_of_file(f) : NULL;

    if (!f) {
        int err = lookup(path, &n);

        if (err)
            return err;
    } else if (!n) {
        return -EROFS;
    }
    if (atime != UINT64_MAX)
        n->atime = atime;
    if (mtime != UINT64_MAX)
        n->mtime = mtime;
    n->ctime = now_ns();
    return 0;
}

bool k_tmpfs_is_file(struct k_file *f)
{
    return node_of_file(f) != NULL;
}
