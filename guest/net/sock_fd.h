/* SPDX-License-Identifier: MIT */
/*
 * Sockets as files (guest side): the k_file face of a k_sock, shared by
 * socket_file.c and sys_socket.c.
 */
#ifndef ONYX_NET_SOCK_FD_H
#define ONYX_NET_SOCK_FD_H

#include <stdbool.h>

#include "k/file.h"

#include "sock.h"

extern const struct k_file_ops k_sock_file_ops;

/* Wraps `s` in a file and installs it at the lowest free fd. Returns the
 * fd, or -errno after closing `s`. */
int k_sock_fd_new(struct k_sock *s, bool nonblock, bool cloexec);

/* The file and socket behind `fd`, with a reference on the file that the
 * caller drops with k_file_put. -EBADF or -ENOTSOCK. */
int k_sock_fd_get(int fd, struct k_file **f, struct k_sock **s);

static inline bool k_sock_file_nonblock(const struct k_file *f)
{
    return (f->flags & 04000) != 0; /* O_NONBLOCK, Linux x86-64 */
}

#endif /* ONYX_NET_SOCK_FD_H */
