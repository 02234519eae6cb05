/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the socket syscall files (guest side): Linux ABI
 * addresses and warn-once bookkeeping. Users include musl's socket
 * headers, never lwIP's.
 */
#ifndef ONYX_NET_SYS_SOCK_H
#define ONYX_NET_SYS_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "sock.h"

/* Reads an AF_INET sockaddr of `ulen` bytes at app address `uaddr`.
 * AF_UNSPEC sets *unspec when the caller passes it, else is refused.
 * 0, -EINVAL (length), -EFAULT, -EAFNOSUPPORT. */
int k_sock_addr_in(long uaddr, long ulen, struct k_sockaddr *out, bool *unspec);
/* Writes `a` as a sockaddr_in to app memory, cut to the length at
 * `ulenp`, and stores the full length there. 0, -EINVAL or -EFAULT. */
int k_sock_addr_out(const struct k_sockaddr *a, long uaddr, long ulenp);

/* True the first time `key` is seen, so an unsupported request is
 * logged once; keys: family 0x1xxxx, type 0x2xxxx, option 0x3xxxx. */
bool k_sock_first_time(uint32_t key);

#endif /* ONYX_NET_SYS_SOCK_H */
