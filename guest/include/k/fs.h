/* SPDX-License-Identifier: MIT */
/*
 * The guest's file namespace: the read-only rootfs from the image,
 * /dev devices and the console (guest side). Paths given to k_vfs_*
 * are canonical: absolute, no "." or ".." components, no repeated or
 * trailing slashes (k_path_resolve makes them).
 */
#ifndef K_FS_H
#define K_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "k/file.h"

#define K_PATH_MAX 4096
#define K_DEV_ROOTFS 1 /* st_dev of rootfs files */
#define K_DEV_DEVFS 5 /* st_dev of /dev files */
#define K_DEV_TMPFS 6 /* st_dev of /tmp files */
#define K_DEV_PROCFS 7 /* st_dev of /proc files */

struct stat;

/* The process umask (umask(2)); creating calls clear these bits. */
unsigned k_umask_get(void);

/* Boot: validates the rootfs blob and opens the console as fds 0-2. */
void k_fs_init(void);

/* Joins `path` to `base` (a canonical directory, used when `path` is
 * relative) into canonical form in `out` (K_PATH_MAX bytes). 0,
 * -ENOENT for an empty path, -ENAMETOOLONG. */
int k_path_resolve(const char *base, const char *path, char *out);
/* The current directory (canonical) and chdir to a canonical path. */
const char *k_cwd(void);
int k_chdir(const char *path);

/* Opens a canonical path with open(2) flags; `mode` (umask applied)
 * is for files O_CREAT makes. 0 and *out, or -errno: -ENOENT, -EROFS
 * for any write or create outside /tmp, -EISDIR, -ENOTDIR, -EEXIST
 * (O_CREAT|O_EXCL on an existing file). */
int k_vfs_open(const char *path, int flags, unsigned mode,
               struct k_file **out);
/* stat(2) of a canonical path into a kernel buffer. */
int k_vfs_stat(const char *path, struct stat *st);
/* access(2) mode check (F_OK/R_OK/W_OK/X_OK) for uid 0. */
int k_vfs_access(const char *path, int mode);
/* The canonical path of a directory opened through k_vfs_open into
 * `out` (K_PATH_MAX bytes): 0, or -ENOTDIR for anything else (openat's
 * dirfd, fchdir), -ENOENT for a removed directory. */
int k_vfs_dir_path(struct k_file *f, char *out);
/* The path an open file was opened by, for /proc/self/fd links: 0
 * and `out` (K_PATH_MAX bytes), or -ENOENT for files without one
 * (pipes, sockets, removed files). */
int k_vfs_file_path(struct k_file *f, char *out);
/* readlink(2) of a canonical path: 0 and the target in `out`
 * (K_PATH_MAX bytes), -EINVAL when it is not a link, -ENOENT. */
int k_vfs_readlink(const char *path, char *out);

/* Fills a Linux struct stat with the fields Onyx knows. */
void k_stat_fill(struct stat *st, uint32_t mode, uint64_t size, uint64_t ino,
                 uint64_t dev, uint64_t mtime);

/* Rootfs entries, looked up by canonical path. */
struct k_rootfs_node {
    const char *path;
    const uint8_t *data;
    uint64_t size;
    uint32_t mode;
    uint32_t index; /* stable: used for st_ino */
    uint64_t mtime;
};

void k_rootfs_init(void);
/* 0 and *out, or -ENOENT. "/" always exists. */
int k_rootfs_lookup(const char *path, struct k_rootfs_node *out);
/* Iterates the children of directory `dir`: *cursor starts at 0.
 * 0 and *out for the next child, -ENOENT at the end. */
int k_rootfs_next_child(const char *dir, uint32_t *cursor,
                        struct k_rootfs_node *out);

/*
 * tmpfs at /tmp: the only writable tree. Paths are canonical and
 * under /tmp (k_tmpfs_owns). All return 0 or -errno as the matching
 * syscalls do (ENOENT, ENOTDIR, EEXIST, EISDIR, ENOTEMPTY, EBUSY,
 * EINVAL for moving a directory into itself, ENOSPC out of memory).
 */
void k_tmpfs_init(void);
bool k_tmpfs_owns(const char *path);
int k_tmpfs_open(const char *path, int flags, unsigned mode,
                 struct k_file **out);
int k_tmpfs_stat(const char *path, struct stat *st);
int k_tmpfs_mkdir(const char *path, unsigned mode);
/* unlink (`dir` false) or rmdir (`dir` true). */
int k_tmpfs_remove(const char *path, bool dir);
int k_tmpfs_rename(const char *from, const char *to, bool noreplace);
int k_tmpfs_truncate(const char *path, int64_t size);
/* By path (f NULL) or by open file; -EROFS for a file outside tmpfs. */
int k_tmpfs_chmod(const char *path, struct k_file *f, unsigned mode);
/* uid/gid UINT32_MAX leaves one unchanged. */
int k_tmpfs_chown(const char *path, struct k_file *f, uint32_t uid,
                  uint32_t gid);
/* memfd_create: a new read-write tmpfs file with no name in the tree
 * (`name` shows in /proc/self/fd links). 0 and *out, or -ENOMEM. */
int k_tmpfs_create_anon(const char *name, int flags, struct k_file **out);
/* Times in realtime ns; UINT64_MAX leaves one unchanged. */
int k_tmpfs_utimens(const char *path, struct k_file *f, uint64_t atime,
                    uint64_t mtime);
bool k_tmpfs_is_file(struct k_file *f);
int k_tmpfs_dir_path(struct k_file *f, char *out, size_t size);
/* The path of any open tmpfs file or directory; -ENOENT once removed
 * or for other files. */
int k_tmpfs_file_path(struct k_file *f, char *out, size_t size);

/*
 * /proc: generated read-only files (cpuinfo, meminfo, self/maps,
 * self/status, ...). k_procfs_owns: path is /proc or under it.
 */
bool k_procfs_owns(const char *path);
int k_procfs_open(const char *path, int flags, struct k_file **out);
int k_procfs_stat(const char *path, struct stat *st);
int k_procfs_readlink(const char *path, char *out);

/*
 * Generated /etc/resolv.conf (only when the run has a DNS server),
 * /etc/hosts, /etc/passwd and /etc/group, used for paths the rootfs
 * does not have. 0, or -ENOENT for other paths, -EROFS for writes.
 */
int k_etcfs_open(const char *path, int flags, struct k_file **out);
int k_etcfs_stat(const char *path, struct stat *st);

/* /dev: devices by name ("null"), 0 and a new file or -ENOENT. */
int k_dev_open(const char *name, int flags, struct k_file **out);
int k_dev_stat(const char *name, struct stat *st);
/* The name of the n-th device, NULL past the end (for getdents). */
const char *k_dev_name(unsigned n);

/* The console: a new file for stream fd 0, 1 or 2, or 3 for
 * /dev/console (access mode from `flags`). */
struct k_file *k_console_open(int which, int flags);

/* Builds one linux_dirent64 record at `buf` (kernel memory); returns
 * its length, or 0 when it does not fit in `space`. */
size_t k_dirent_put(void *buf, size_t space, uint64_t ino, int64_t off,
                    unsigned char type, const char *name);

/*
 * A read-only file generated at open (/proc, guest-made /etc files): its
 * k_file's priv starts with this header, `data` pointing at `len` bytes
 * owned by the same allocation. The functions serve it as file ops.
 */
struct k_snapshot {
    size_t len;
    const char *data;
};

long k_snapshot_pread(struct k_file *f, void *buf, size_t len, int64_t off);
long k_snapshot_read(struct k_file *f, void *buf, size_t len);
long k_snapshot_lseek(struct k_file *f, int64_t off, int whence);

#endif
