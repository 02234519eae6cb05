/* SPDX-License-Identifier: MIT */
/*
 * The read-only root file system packed into the image (ONYX_ROOTFS_*
 * in abi.h): validated once at boot, then looked up by path through a
 * hash index (guest side). File bytes are read in place from the blob.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "k/boot.h"
#include "k/fs.h"
#include "k/log.h"
#include "k/mm.h"

static const uint8_t *blob;
static uint64_t blob_size;
static const struct onyx_rootfs_entry *entries;
static uint32_t count;
static uint32_t *index_table; /* entry index + 1, 0 = empty */
static uint32_t index_mask;

static uint32_t hash_path(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

static bool entry_valid(const struct onyx_rootfs_entry *e)
{
    const char *path;

    if (e->path_offset >= blob_size)
        return false;
    path = (const char *)blob + e->path_offset;
    if (!memchr(path, 0, blob_size - e->path_offset) || path[0] != '/')
        return false;
    if (S_ISDIR(e->mode))
        return true;
    if (!S_ISREG(e->mode))
        return false;
    return e->data_offset <= blob_size && e->size <= blob_size - e->data_offset;
}

static bool validate(const struct onyx_blob *b)
{
    const struct onyx_rootfs_header *h;

    if (b->size < sizeof(*h) || b->phys >= k_boot_info->mem_size ||
        b->size > k_boot_info->mem_size - b->phys)
        return false;
    blob = k_phys_to_virt(b->phys);
    h = (const void *)blob;
    if (h->magic != ONYX_ROOTFS_MAGIC || h->size > b->size ||
        h->size < sizeof(*h))
        return false;
    blob_size = h->size;
    if (h->count > (blob_size - sizeof(*h)) / sizeof(*entries))
        return false;
    entries = (const void *)(blob + sizeof(*h));
    count = h->count;
    for (uint32_t i = 0; i < count; i++)
        if (!entry_valid(&entries[i]))
            return false;
    return true;
}

static const char *entry_path(uint32_t i)
{
    return (const char *)blob + entries[i].path_offset;
}

static bool build_index(void)
{
    uint32_t size = 16;

    while (size < count * 2)
        size <<= 1;
    index_table = k_calloc(size, sizeof(*index_table));
    if (!index_table)
        return false;
    index_mask = size - 1;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t slot = hash_path(entry_path(i)) & index_mask;

        while (index_table[slot])
            slot = (slot + 1) & index_mask;
        index_table[slot] = i + 1;
    }
    return true;
}

void k_rootfs_init(void)
{
    const struct onyx_blob *b = &k_boot_info->rootfs;

    if (!b->phys || !b->size)
        return;
    if (!validate(b)) {
        k_err("rootfs: image file tree is malformed, ignoring it: "
              "size=%lu",
              b->size);
        count = 0;
        return;
    }
    if (count && !build_index()) {
        k_err("rootfs: out of memory indexing %u entries", count);
        count = 0;
        return;
    }
    k_debug("rootfs: %u entries, %lu bytes", count, blob_size);
}

static void node_from(uint32_t i, struct k_rootfs_node *out)
{
    const struct onyx_rootfs_entry *e = &entries[i];

    *out = (struct k_rootfs_node){
        .path = entry_path(i),
        .data = S_ISREG(e->mode) ? blob + e->data_offset : NULL,
        .size = S_ISREG(e->mode) ? e->size : 0,
        .mode = e->mode,
        .index = i + 2, /* 1 is the root */
        .mtime = e->mtime,
    };
}

int k_rootfs_lookup(const char *path, struct k_rootfs_node *out)
{
    if (count) {
        uint32_t slot = hash_path(path) & index_mask;

        for (; index_table[slot]; slot = (slot + 1) & index_mask) {
            uint32_t i = index_table[slot] - 1;

            if (!strcmp(entry_path(i), path)) {
                node_from(i, out);
                if (!strcmp(path, "/"))
                    out->index = 1;
                return 0;
            }
        }
    }
    if (!strcmp(path, "/")) {
        *out = (struct k_rootfs_node){
            .path = "/",
            .mode = S_IFDIR | 0755,
            .index = 1,
        };
        return 0;
    }
    return -ENOENT;
}

/* True when `path` names a direct child of canonical directory `dir`. */
static bool is_child(const char *dir, const char *path)
{
    size_t n = strlen(dir);

    if (n == 1) /* the root */
        n = 0;
    if (strncmp(path, dir, n) || path[n] != '/' || !path[n + 1])
        return false;
    return !strchr(path + n + 1, '/');
}

int k_rootfs_next_child(const char *dir, uint32_t *cursor,
                        struct k_rootfs_node *out)
{
    for (uint32_t i = *cursor; i < count; i++) {
        if (is_child(dir, entry_path(i))) {
            node_from(i, out);
            *cursor = i + 1;
            return 0;
        }
    }
    *cursor = count;
    return -ENOENT;
}
