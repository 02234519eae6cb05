/* SPDX-License-Identifier: MIT */
/* Host-side validation of a packed read-only root file system blob. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rootfs.h"

const struct onyx_rootfs_entry *mon_rootfs_entry(const void *blob, uint32_t i)
{
    const uint8_t *base = blob;

    return (
        const struct onyx_rootfs_entry *)(base +
                                          sizeof(struct onyx_rootfs_header) +
                                          (uint64_t)i *
                                              sizeof(struct onyx_rootfs_entry));
}

const char *mon_rootfs_path(const void *blob, const struct onyx_rootfs_entry *e)
{
    return (const char *)blob + e->path_offset;
}

/* Paths are "/a/b": absolute, no empty, "." or ".." components, no
 * trailing slash. */
static bool path_valid(const char *p, size_t len)
{
    size_t i = 0;

    if (len < 2 || p[0] != '/' || p[len - 1] == '/')
        return false;
    while (i < len) {
        size_t start = ++i;

        while (i < len && p[i] != '/')
            i++;
        if (i == start || (i - start == 1 && p[start] == '.') ||
            (i - start == 2 && p[start] == '.' && p[start + 1] == '.'))
            return false;
    }
    return true;
}

/* A small open-addressing set of paths (offset into the blob + length)
 * so duplicate and parent checks stay linear in the entry count. */
struct path_set {
    const char *base;
    uint64_t *slots; /* offset + 1, 0 = empty */
    uint32_t *lens;
    uint32_t *is_dir;
    size_t mask;
};

static uint64_t path_hash(const char *p, size_t len)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
    return h;
}

/* Returns the slot holding the path, or the empty slot where it goes. */
static size_t set_find(const struct path_set *s, const char *p, size_t len)
{
    size_t i = path_hash(p, len) & s->mask;

    while (s->slots[i] != 0) {
        const char *q = s->base + (s->slots[i] - 1);

        if (s->lens[i] == len && memcmp(q, p, len) == 0)
            return i;
        i = (i + 1) & s->mask;
    }
    return i;
}

static int set_create(struct path_set *s, const char *base, uint32_t count)
{
    size_t cap = 16;

    while (cap < (size_t)count * 2)
        cap *= 2;
    s->base = base;
    s->mask = cap - 1;
    s->slots = calloc(cap, sizeof(*s->slots));
    s->lens = calloc(cap, sizeof(*s->lens));
    s->is_dir = calloc(cap, sizeof(*s->is_dir));
    if (!s->slots || !s->lens || !s->is_dir)
        return -ENOMEM;
    return 0;
}

static void set_destroy(struct path_set *s)
{
    free(s->slots);
    free(s->lens);
    free(s->is_dir);
}

static int check_entry(const uint8_t *blob, uint64_t size, uint32_t i,
                       struct path_set *set, struct mon_err *err)
{
    const struct onyx_rootfs_entry *e = mon_rootfs_entry(blob, i);
    const char *path;
    const char *slash;
    size_t len;
    size_t slot;
    uint32_t type = e->mode & S_IFMT;

    if (e->path_offset >= size)
        return mon_err_set(err, -EINVAL, "rootfs entry %u: path offset outside",
                           i);
    path = (const char *)blob + e->path_offset;
    len = strnlen(path, size - e->path_offset);
    if (len == size - e->path_offset || len > 4095 || !path_valid(path, len))
        return mon_err_set(err, -EINVAL, "rootfs entry %u: bad path", i);
    if (type == S_IFDIR && (e->size != 0 || e->data_offset != 0))
        return mon_err_set(
            err, -EINVAL, "rootfs entry %u (%s): directory with data", i, path);
    if (type == S_IFREG &&
        (e->data_offset > size || e->size > size - e->data_offset))
        return mon_err_set(err, -EINVAL,
                           "rootfs entry %u (%s): data outside the blob", i,
                           path);
    if (type != S_IFDIR && type != S_IFREG)
        return mon_err_set(err, -EINVAL,
                           "rootfs entry %u (%s): mode 0%o is neither a "
                           "file nor a directory",
                           i, path, e->mode);
    slash = memrchr(path, '/', len);
    if (slash != path) {
        size_t p = set_find(set, path, (size_t)(slash - path));

        if (set->slots[p] == 0 || !set->is_dir[p])
            return mon_err_set(err, -EINVAL,
                               "rootfs entry %u (%s): parent directory "
                               "not listed before it",
                               i, path);
    }
    slot = set_find(set, path, len);
    if (set->slots[slot] != 0)
        return mon_err_set(err, -EINVAL, "rootfs entry %u (%s): listed twice",
                           i, path);
    set->slots[slot] = e->path_offset + 1;
    set->lens[slot] = (uint32_t)len;
    set->is_dir[slot] = type == S_IFDIR;
    return 0;
}

int mon_rootfs_check(const void *blob, uint64_t size, struct mon_err *err)
{
    const struct onyx_rootfs_header *h = blob;
    struct path_set set;
    int rc;

    if (size < sizeof(*h))
        return mon_err_set(err, -EINVAL, "rootfs truncated (%llu bytes)",
                           (unsigned long long)size);
    if (((uintptr_t)blob & 7) != 0)
        return mon_err_set(err, -EINVAL, "rootfs misaligned in the image");
    if (h->magic != ONYX_ROOTFS_MAGIC)
        return mon_err_set(err, -EINVAL, "rootfs magic 0x%08x is wrong",
                           h->magic);
    if (h->size != size)
        return mon_err_set(
            err, -EINVAL, "rootfs header says %llu bytes, section has %llu",
            (unsigned long long)h->size, (unsigned long long)size);
    if (h->count > MON_ROOTFS_MAX_ENTRIES ||
        h->count > (size - sizeof(*h)) / sizeof(struct onyx_rootfs_entry))
        return mon_err_set(err, -EINVAL, "rootfs entry count %u is absurd",
                           h->count);
    rc = set_create(&set, blob, h->count);
    if (rc < 0) {
        set_destroy(&set);
        return mon_err_set(err, rc, "rootfs: out of memory");
    }
    for (uint32_t i = 0; i < h->count && rc == 0; i++)
        rc = check_entry(blob, size, i, &set, err);
    set_destroy(&set);
    return rc;
}
