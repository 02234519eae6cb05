/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel without networking (the "minimal" variant `onyx build`
 * picks for apps that cannot create an AF_INET socket): the k/net.h
 * hooks do nothing and the socket syscalls refuse, saying why.
 * socketpair stays in guest/sys/pipe.c and works in both variants.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "k/boot.h"
#include "k/file.h"
#include "k/log.h"
#include "k/net.h"
#include "k/sched.h"
#include "k/syscall.h"

void k_net_init(void)
{
    /* A network device from `onyx run -p` has no stack to drive here. */
    if (k_boot_info->net.present)
        k_warn("net: this kernel was built without networking "
               "(minimal kernel); the network device is ignored: rebuild "
               "with onyx build --kernel full");
}

bool k_net_tx_pending(void)
{
    return false;
}

void k_net_flush(void)
{
}

void k_net_input(void)
{
}

uint64_t k_net_next_deadline(void)
{
    return K_FOREVER;
}

SYSCALL(socket)
{
    static bool warned;
    int domain = (int)a0;

    if (domain == AF_INET && !warned) {
        warned = true;
        k_warn("net: socket(AF_INET) refused: this image's kernel was "
               "built without networking (onyx build --kernel minimal, "
               "or auto found no socket call); rebuild with --kernel full");
    }
    return -EAFNOSUPPORT;
}

/* No fd can be a socket here (socketpair gives pipe-like files, which
 * the full kernel's socket calls refuse the same way). */
static long no_socket(long fd)
{
    return k_fd_lookup((int)fd) ? -ENOTSOCK : -EBADF;
}

SYSCALL(bind)
{
    return no_socket(a0);
}
SYSCALL(listen)
{
    return no_socket(a0);
}
SYSCALL(accept)
{
    return no_socket(a0);
}
SYSCALL(accept4)
{
    return no_socket(a0);
}
SYSCALL(connect)
{
    return no_socket(a0);
}
SYSCALL(recvfrom)
{
    return no_socket(a0);
}
SYSCALL(sendto)
{
    return no_socket(a0);
}
SYSCALL(recvmsg)
{
    return no_socket(a0);
}
SYSCALL(sendmsg)
{
    return no_socket(a0);
}
SYSCALL(shutdown)
{
    return no_socket(a0);
}
SYSCALL(setsockopt)
{
    return no_socket(a0);
}
SYSCALL(getsockopt)
{
    return no_socket(a0);
}
SYSCALL(getsockname)
{
    return no_socket(a0);
}
SYSCALL(getpeername)
{
    return no_socket(a0);
}
