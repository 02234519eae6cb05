/* SPDX-License-Identifier: MIT */
/*
 * Open files and the file descriptor table. Every fd (console, rootfs
 * file, socket, ...) is a struct k_file with an ops table; the syscall
 * layer dispatches read/write/close/poll/fcntl through it.
 */
#ifndef K_FILE_H
#define K_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct k_file;
struct stat; /* Linux x86-64 layout, from musl's headers */
struct iovec;

struct k_file_ops {
    /* Each returns bytes transferred or -errno. NULL means -EINVAL
     * (read on a write-only fd, etc.). Blocking ops honour
     * (f->flags & O_NONBLOCK) by returning -EAGAIN. */
    long (*read)(struct k_file *f, void *buf, size_t len);
    long (*write)(struct k_file *f, const void *buf, size_t len);
    /* Optional; generic code loops over read/write when NULL. */
    long (*readv)(struct k_file *f, const struct iovec *iov, int cnt);
    long (*writev)(struct k_file *f, const struct iovec *iov, int cnt);
    /* Optional positional I/O and seeking; NULL gives -ESPIPE. */
    long (*pread)(struct k_file *f, void *buf, size_t len, int64_t off);
    /* Optional positional write (NULL: -ESPIPE) and size change (NULL:
     * -EINVAL); regular writable files have both. */
    long (*pwrite)(struct k_file *f, const void *buf, size_t len,
                   int64_t off);
    int (*truncate)(struct k_file *f, int64_t size);
    long (*lseek)(struct k_file *f, int64_t off, int whence);
    /* Readiness right now: POLLIN/POLLOUT/POLLERR/POLLHUP bits. Never
     * blocks. NULL means always POLLIN|POLLOUT. */
    unsigned (*poll)(struct k_file *f);
    /* Fills a Linux struct stat. NULL gives a character device. */
    int (*fstat)(struct k_file *f, struct stat *st);
    /* Optional ioctl; NULL gives -ENOTTY. */
    long (*ioctl)(struct k_file *f, unsigned long req, unsigned long arg);
    /* Called when the last reference goes; frees f->priv. */
    void (*release)(struct k_file *f);
    /* Called when O_NONBLOCK changes through fcntl; may be NULL. */
    void (*set_flags)(struct k_file *f, int flags);
    /* Optional getdents64 for directories; NULL gives -ENOTDIR. */
    long (*getdents64)(struct k_file *f, void *buf, size_t len);
    /* Anonymous files (eventfd, epoll, ...): the name their
     * /proc/self/fd link shows, "anon_inode:[name]". */
    const char *anon_name;
};

struct k_file {
    const struct k_file_ops *ops;
    int refs; /* fds (and dups) pointing at this file */
    int flags; /* O_* status flags: O_NONBLOCK, O_APPEND, access mode */
    int64_t pos; /* file position for seekable files */
    void *priv; /* owner data */
    uint64_t id; /* unique for the guest's lifetime (epoll keys) */
    uint64_t out_seq; /* write-type syscalls on it so far (epoll) */
};

/* Allocates a file with one reference; NULL when out of memory. */
struct k_file *k_file_create(const struct k_file_ops *ops, void *priv,
                             int flags);
void k_file_get(struct k_file *f);
/* Drops a reference; calls ops->release and frees at zero. */
void k_file_put(struct k_file *f);

/* Installs `f` at the lowest free fd (taking over the caller's
 * reference); `cloexec` is recorded. Returns the fd or -EMFILE. */
int k_fd_install(struct k_file *f, bool cloexec);
/* Returns the file at `fd` with no new reference, or NULL. */
struct k_file *k_fd_lookup(int fd);
int k_fd_close(int fd);
/* Installs at the lowest free fd >= min (F_DUPFD); fd or -EMFILE. */
int k_fd_install_from(int min, struct k_file *f, bool cloexec);
/* Installs at exactly `fd`, closing what was there (dup2); fd or
 * -EBADF when out of range. Takes over the caller's reference. */
int k_fd_install_at(int fd, struct k_file *f, bool cloexec);
/* FD_CLOEXEC state: 0/1, or -EBADF. */
int k_fd_get_cloexec(int fd);
int k_fd_set_cloexec(int fd, bool cloexec);
/* RLIMIT_NOFILE: fds at or above the limit are never handed out. The
 * limit cannot exceed K_FD_MAX (-EPERM). */
int k_fd_limit(void);
int k_fd_set_limit(int limit);

#define K_FD_MAX 1024

/*
 * Readiness generation: bumped whenever any file's readiness may have
 * changed (every wake of k_io_waitq). Edge-triggered epoll reports a
 * ready file again only after it moved.
 */
extern uint64_t k_io_gen;
/* Wakes poll/select/epoll waiters after a readiness change. */
void k_io_notify(void);
/*
 * Waits on k_io_waitq until a readiness change or `deadline_ns`, but
 * no later than the earliest armed timerfd. 0 or -ETIMEDOUT.
 */
int k_io_wait(uint64_t deadline_ns);
/* Earliest expiry of any armed timerfd, K_FOREVER (UINT64_MAX) if none. */
uint64_t k_timerfd_next_deadline(void);

#endif
