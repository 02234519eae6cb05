/* SPDX-License-Identifier: MIT */
/*
 * Syscall bodies. Each takes the six raw argument registers and returns
 * a value or -errno, exactly as Linux does; guest/sys/table.c maps
 * Linux x86-64 syscall numbers to them. Unknown numbers return -ENOSYS
 * and log the syscall's name once at warn level.
 */
#ifndef K_SYSCALL_H
#define K_SYSCALL_H

typedef long (*k_syscall_fn)(long a0, long a1, long a2, long a3, long a4,
                             long a5);

#define SYSCALL(name) \
    long sys_##name(long a0, long a1, long a2, long a3, long a4, long a5)

/* Sockets: guest/net/sys_socket.c */
SYSCALL(socket);
SYSCALL(bind);
SYSCALL(listen);
SYSCALL(accept);
SYSCALL(accept4);
SYSCALL(connect);
SYSCALL(recvfrom);
SYSCALL(sendto);
SYSCALL(recvmsg);
SYSCALL(sendmsg);
SYSCALL(shutdown);
SYSCALL(setsockopt);
SYSCALL(getsockopt);
SYSCALL(getsockname);
SYSCALL(getpeername);

/* Dispatch entry from the syscall trampoline. */
long k_syscall_dispatch(long nr, long a0, long a1, long a2, long a3, long a4,
                        long a5);

#endif
