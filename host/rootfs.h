/* SPDX-License-Identifier: MIT */
/*
 * Host side of the read-only root file system (ONYX_ROOTFS_* in
 * onyx/abi.h): packing a directory tree at build time and validating a
 * packed blob read from an image.
 */
#ifndef MON_ROOTFS_H
#define MON_ROOTFS_H

#include <stdint.h>

#include "onyx/abi.h"
#include "util.h"

/* Limits on what `onyx build --rootfs` packs and an image may hold. */
#define MON_ROOTFS_MAX_ENTRIES (1u << 20)
#define MON_ROOTFS_MAX_BYTES (4 * MON_GIB)

/*
 * Packs the tree under `dir` (not including `dir` itself, whose
 * children become "/name"). Regular files and directories are packed;
 * a symlink is followed when its target stays inside `dir`, else
 * refused; other file types are refused. Entries are sorted by name,
 * parents before children. On success *blob is malloc'd and the caller
 * frees it. Returns 0 or -errno with a message naming the file.
 */
int mon_rootfs_pack(const char *dir, uint8_t **blob, uint64_t *size,
                    struct mon_err *err);

/*
 * Validates a blob: header, entry table and every path/data range
 * inside it, absolute normalised paths, known modes, no duplicates,
 * parents listed before children. Returns 0 or -EINVAL.
 */
int mon_rootfs_check(const void *blob, uint64_t size, struct mon_err *err);

/* Entry `i` of a checked blob and its path. */
const struct onyx_rootfs_entry *mon_rootfs_entry(const void *blob, uint32_t i);
const char *mon_rootfs_path(const void *blob,
                            const struct onyx_rootfs_entry *e);

#endif
