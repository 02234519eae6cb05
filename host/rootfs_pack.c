/* SPDX-License-Identifier: MIT */
/* Host-side packing of a directory tree into a rootfs blob (build). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs.h"

#define DATA_ALIGN 16u
#define MAX_DEPTH 64

struct pack_item {
    char *path; /* path inside the image, "/a/b" */
    char *source; /* host path to read the bytes from */
    uint32_t mode;
    uint64_t size;
    uint64_t mtime;
};

struct pack {
    const char *root_real; /* realpath of the directory packed */
    struct pack_item *items;
    uint32_t count;
    uint32_t cap;
    uint64_t data_bytes;
    /* Directories on the current walk path, to refuse symlink loops. */
    dev_t dev[MAX_DEPTH];
    ino_t ino[MAX_DEPTH];
    int depth;
    struct mon_err *err;
};

static int pack_add(struct pack *pk, const char *path, const char *source,
                    const struct stat *st)
{
    struct pack_item *it;

    if (pk->count == MON_ROOTFS_MAX_ENTRIES)
        return mon_err_set(pk->err, -E2BIG, "more than %u files in the rootfs",
                           MON_ROOTFS_MAX_ENTRIES);
    if (pk->count == pk->cap) {
        uint32_t cap = pk->cap ? pk->cap * 2 : 64;
        struct pack_item *items = realloc(pk->items, cap * sizeof(*items));

        if (!items)
            return mon_err_set(pk->err, -ENOMEM, "out of memory");
        pk->items = items;
        pk->cap = cap;
    }
    it = &pk->items[pk->count];
    it->path = strdup(path);
    it->source = strdup(source);
    if (!it->path || !it->source) {
        free(it->path);
        free(it->source);
        return mon_err_set(pk->err, -ENOMEM, "out of memory");
    }
    it->mode = (st->st_mode & S_IFMT) | (st->st_mode & 0777);
    it->size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
    it->mtime = st->st_mtime > 0 ? (uint64_t)st->st_mtime : 0;
    pk->count++;
    pk->data_bytes += (it->size + DATA_ALIGN - 1) & ~(DATA_ALIGN - 1);
    if (pk->data_bytes > MON_ROOTFS_MAX_BYTES)
        return mon_err_set(pk->err, -EFBIG, "rootfs larger than 4 GiB at %s",
                           source);
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a directory's names, sorted so images are reproducible. */
static int list_dir(const char *dir, char ***names, size_t *count,
                    struct mon_err *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0, cap = 0;
    char **v = NULL;

    if (!d)
        return mon_err_set(err, -errno, "%s: %s", dir, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            char **nv;

            cap = cap ? cap * 2 : 16;
            nv = realloc(v, cap * sizeof(*v));
            if (!nv)
                goto out_of_memory;
            v = nv;
        }
        v[n] = strdup(de->d_name);
        if (!v[n])
            goto out_of_memory;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(v, n, sizeof(*v), name_cmp);
    *names = v;
    *count = n;
    return 0;

out_of_memory:
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    closedir(d);
    return mon_err_set(err, -ENOMEM, "out of memory");
}

static int pack_dir(struct pack *pk, const char *host_dir,
                    const char *image_dir);

/* Follows a symlink only when its target stays inside the packed tree. */
static int pack_resolve_link(struct pack *pk, const char *host, char *real,
                             struct stat *st)
{
    size_t root_len = strlen(pk->root_real);

    if (!realpath(host, real))
        return mon_err_set(pk->err, -errno,
                           "%s: symlink cannot be resolved: %s", host,
                           strerror(errno));
    if (strncmp(real, pk->root_real, root_len) != 0 ||
        (real[root_len] != '/' && real[root_len] != '\0'))
        return mon_err_set(pk->err, -EPERM,
                           "%s: symlink points outside the rootfs "
                           "directory (to %s)",
                           host, real);
    if (stat(real, st) < 0)
        return mon_err_set(pk->err, -errno, "%s: %s", real, strerror(errno));
    return 0;
}

static int pack_one(struct pack *pk, const char *host, const char *image)
{
    char real[PATH_MAX];
    const char *source = host;
    struct stat st;
    int rc;

    if (lstat(host, &st) < 0)
        return mon_err_set(pk->err, -errno, "%s: %s", host, strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        rc = pack_resolve_link(pk, host, real, &st);
        if (rc < 0)
            return rc;
        source = real;
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return mon_err_set(pk->err, -EINVAL,
                           "%s: not a regular file or directory; only "
                           "those go into a rootfs",
                           host);
    for (int i = 0; S_ISDIR(st.st_mode) && i < pk->depth; i++) {
        if (pk->dev[i] == st.st_dev && pk->ino[i] == st.st_ino)
            return mon_err_set(pk->err, -ELOOP,
                               "%s: symlink loop back to a parent "
                               "directory",
                               host);
    }
    rc = pack_add(pk, image, source, &st);
    if (rc < 0 || !S_ISDIR(st.st_mode))
        return rc;
    if (pk->depth == MAX_DEPTH)
        return mon_err_set(pk->err, -ELOOP,
                           "%s: directories nested deeper than %d", host,
                           MAX_DEPTH);
    pk->dev[pk->depth] = st.st_dev;
    pk->ino[pk->depth] = st.st_ino;
    pk->depth++;
    rc = pack_dir(pk, source, image);
    pk->depth--;
    return rc;
}

static int pack_dir(struct pack *pk, const char *host_dir,
                    const char *image_dir)
{
    char **names = NULL;
    size_t count = 0;
    int rc = list_dir(host_dir, &names, &count, pk->err);

    for (size_t i = 0; rc == 0 && i < count; i++) {
        char host[PATH_MAX];
        char image[PATH_MAX];

        if ((size_t)snprintf(host, sizeof(host), "%s/%s", host_dir, names[i]) >=
                sizeof(host) ||
            (size_t)snprintf(image, sizeof(image), "%s/%s", image_dir,
                             names[i]) >= sizeof(image) ||
            strlen(image) > 4095) {
            rc = mon_err_set(pk->err, -ENAMETOOLONG, "%s/%s: path too long",
                             host_dir, names[i]);
            break;
        }
        rc = pack_one(pk, host, image);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int read_exact(const char *path, uint8_t *out, uint64_t size,
                      struct mon_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    uint64_t done = 0;
    char extra;

    if (fd < 0)
        return mon_err_set(err, -errno, "%s: %s", path, strerror(errno));
    while (done < size) {
        ssize_t n = read(fd, out + done, size - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (uint64_t)n;
    }
    if (done != size || read(fd, &extra, 1) != 0) {
        close(fd);
        return mon_err_set(err, -EIO, "%s: changed size while packing", path);
    }
    close(fd);
    return 0;
}

/* Lays out header, entries, strings, then 16-byte aligned file data. */
static int pack_emit(struct pack *pk, uint8_t **blob, uint64_t *size)
{
    uint64_t strings = 0;
    uint64_t table = sizeof(struct onyx_rootfs_header) +
                     (uint64_t)pk->count * sizeof(struct onyx_rootfs_entry);
    uint64_t str_pos, data_pos, total;
    struct onyx_rootfs_header *h;
    uint8_t *out;

    for (uint32_t i = 0; i < pk->count; i++)
        strings += strlen(pk->items[i].path) + 1;
    data_pos = (table + strings + DATA_ALIGN - 1) & ~(DATA_ALIGN - 1);
    total = data_pos + pk->data_bytes;
    out = calloc(1, total);
    if (!out)
        return mon_err_set(pk->err, -ENOMEM, "out of memory (%llu bytes)",
                           (unsigned long long)total);
    h = (struct onyx_rootfs_header *)out;
    *h = (struct onyx_rootfs_header){
        .magic = ONYX_ROOTFS_MAGIC, .count = pk->count, .size = total};
    str_pos = table;
    for (uint32_t i = 0; i < pk->count; i++) {
        const struct pack_item *it = &pk->items[i];
        struct onyx_rootfs_entry *e =
            (struct onyx_rootfs_entry *)(out + sizeof(*h) +
                                         (uint64_t)i * sizeof(*e));
        size_t len = strlen(it->path) + 1;
        int rc;

        *e = (struct onyx_rootfs_entry){
            .path_offset = str_pos,
            .mode = it->mode,
            .mtime = it->mtime,
            .size = it->size,
            .data_offset = S_ISREG(it->mode) ? data_pos : 0,
        };
        memcpy(out + str_pos, it->path, len);
        str_pos += len;
        if (!S_ISREG(it->mode))
            continue;
        rc = read_exact(it->source, out + data_pos, it->size, pk->err);
        if (rc < 0) {
            free(out);
            return rc;
        }
        data_pos += (it->size + DATA_ALIGN - 1) & ~(DATA_ALIGN - 1);
    }
    *blob = out;
    *size = total;
    return 0;
}

int mon_rootfs_pack(const char *dir, uint8_t **blob, uint64_t *size,
                    struct mon_err *err)
{
    char root_real[PATH_MAX];
    struct pack pk = {.err = err};
    struct stat st;
    int rc;

    if (!realpath(dir, root_real))
        return mon_err_set(err, -errno, "%s: %s", dir, strerror(errno));
    if (stat(root_real, &st) < 0 || !S_ISDIR(st.st_mode))
        return mon_err_set(err, -ENOTDIR, "%s: not a directory", dir);
    pk.root_real = root_real;
    pk.dev[0] = st.st_dev;
    pk.ino[0] = st.st_ino;
    pk.depth = 1;
    rc = pack_dir(&pk, dir, "");
    if (rc == 0)
        rc = pack_emit(&pk, blob, size);
    for (uint32_t i = 0; i < pk.count; i++) {
        free(pk.items[i].path);
        free(pk.items[i].source);
    }
    free(pk.items);
    return rc;
}
