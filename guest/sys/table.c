/* SPDX-License-Identifier: MIT */
/*
 * Linux x86-64 syscall numbers to their bodies, the C side of the
 * syscall entry, and the "unimplemented syscall" warning (guest side).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "k/arch.h"
#include "k/file.h"
#include "k/log.h"
#include "k/net.h"
#include "k/thread.h"
#include "sys.h"

#define ENTRY(name) [SYS_##name] = sys_##name

/* `onyx inspect --syscalls` reads this table (by its symbol name) from
 * the kernel ELF in an image: keep the name. */
static const k_syscall_fn k_syscall_table[K_SYSCALL_NAMES] = {
    ENTRY(read),
    ENTRY(write),
    ENTRY(readv),
    ENTRY(writev),
    ENTRY(pread64),
    ENTRY(pwrite64),
    ENTRY(preadv),
    ENTRY(lseek),
    ENTRY(close),
    ENTRY(dup),
    ENTRY(dup2),
    ENTRY(dup3),
    ENTRY(fcntl),
    ENTRY(ioctl),
    ENTRY(fsync),
    [SYS_fdatasync] = sys_fsync,
    ENTRY(pwritev),
    ENTRY(flock),
    ENTRY(sendfile),

    ENTRY(open),
    ENTRY(openat),
    ENTRY(creat),
    ENTRY(stat),
    ENTRY(lstat),
    ENTRY(fstat),
    ENTRY(newfstatat),
    ENTRY(statx),
    ENTRY(access),
    ENTRY(faccessat),
    ENTRY(faccessat2),
    ENTRY(readlink),
    ENTRY(readlinkat),
    ENTRY(getcwd),
    ENTRY(chdir),
    ENTRY(fchdir),
    ENTRY(getdents64),
    ENTRY(mkdir),
    ENTRY(mkdirat),
    ENTRY(unlink),
    ENTRY(unlinkat),
    ENTRY(rmdir),
    ENTRY(rename),
    ENTRY(renameat),
    ENTRY(renameat2),
    ENTRY(truncate),
    ENTRY(ftruncate),
    ENTRY(statfs),
    ENTRY(fallocate),
    ENTRY(chmod),
    ENTRY(fchmod),
    ENTRY(fchmodat),
    ENTRY(utimensat),
    ENTRY(chown),
    ENTRY(lchown),
    ENTRY(fchown),
    ENTRY(fchownat),
    ENTRY(memfd_create),
    ENTRY(fadvise64),
    ENTRY(sync),
    ENTRY(syncfs),
    ENTRY(fstatfs),

    ENTRY(poll),
    ENTRY(ppoll),
    ENTRY(select),
    ENTRY(pselect6),
    ENTRY(epoll_create),
    ENTRY(epoll_create1),
    ENTRY(epoll_ctl),
    ENTRY(epoll_wait),
    ENTRY(epoll_pwait),
    ENTRY(epoll_pwait2),
    ENTRY(eventfd),
    ENTRY(eventfd2),
    ENTRY(timerfd_create),
    ENTRY(timerfd_settime),
    ENTRY(timerfd_gettime),
    ENTRY(pipe),
    ENTRY(pipe2),
    ENTRY(socketpair),

    ENTRY(mmap),
    ENTRY(munmap),
    ENTRY(mprotect),
    ENTRY(brk),
    ENTRY(madvise),
    ENTRY(mremap),

    ENTRY(exit),
    ENTRY(exit_group),
    ENTRY(getpid),
    ENTRY(gettid),
    ENTRY(getppid),
    ENTRY(getuid),
    ENTRY(geteuid),
    ENTRY(getgid),
    ENTRY(getegid),
    ENTRY(getpgrp),
    ENTRY(getpgid),
    ENTRY(getsid),
    ENTRY(setsid),
    ENTRY(uname),
    ENTRY(arch_prctl),
    ENTRY(set_tid_address),
    ENTRY(set_robust_list),
    ENTRY(get_robust_list),
    ENTRY(prlimit64),
    ENTRY(getrlimit),
    ENTRY(setrlimit),
    ENTRY(umask),
    ENTRY(prctl),
    ENTRY(sysinfo),
    ENTRY(getrandom),
    ENTRY(sched_yield),
    ENTRY(sched_getaffinity),
    ENTRY(getcpu),
    ENTRY(getrusage),
    ENTRY(clone),

    ENTRY(clock_gettime),
    ENTRY(clock_getres),
    ENTRY(gettimeofday),
    ENTRY(time),
    ENTRY(nanosleep),
    ENTRY(clock_nanosleep),
    ENTRY(times),

    ENTRY(rt_sigaction),
    ENTRY(rt_sigprocmask),
    ENTRY(sigaltstack),
    ENTRY(rt_sigreturn),
    ENTRY(rt_sigpending),
    ENTRY(rt_sigsuspend),
    ENTRY(pause),
    ENTRY(kill),
    ENTRY(tkill),
    ENTRY(tgkill),

    ENTRY(futex),

    /* Sockets: guest/net/. */
    ENTRY(socket),
    ENTRY(bind),
    ENTRY(listen),
    ENTRY(accept),
    ENTRY(accept4),
    ENTRY(connect),
    ENTRY(recvfrom),
    ENTRY(sendto),
    ENTRY(recvmsg),
    ENTRY(sendmsg),
    ENTRY(shutdown),
    ENTRY(setsockopt),
    ENTRY(getsockopt),
    ENTRY(getsockname),
    ENTRY(getpeername),
};

/* One bit per syscall number already reported as unimplemented. */
static uint64_t warned[K_SYSCALL_NAMES / 64 + 1];
static bool warned_range;

static long unimplemented(long nr)
{
    if (nr >= 0 && nr < K_SYSCALL_NAMES) {
        uint64_t bit = 1ull << (nr % 64);

        if (!(warned[nr / 64] & bit)) {
            const char *name = k_syscall_names[nr];

            warned[nr / 64] |= bit;
            k_warn("sys: unimplemented syscall %s (nr %ld)",
                   name ? name : "unknown", nr);
        }
    } else if (!warned_range) {
        warned_range = true;
        k_warn("sys: syscall number out of range: nr=%ld", nr);
    }
    return -ENOSYS;
}

/* Write-type calls whose first argument is the fd written to. */
static bool writes_fd(long nr)
{
    switch (nr) {
    case SYS_write:
    case SYS_writev:
    case SYS_pwrite64:
    case SYS_pwritev:
    case SYS_sendto:
    case SYS_sendmsg:
    case SYS_sendmmsg:
    case SYS_sendfile: return true;
    default: return false;
    }
}

long k_syscall_dispatch(long nr, long a0, long a1, long a2, long a3, long a4,
                        long a5)
{
    long r;

    if (nr < 0 || nr >= K_SYSCALL_NAMES || !k_syscall_table[nr])
        return unimplemented(nr);
    r = k_syscall_table[nr](a0, a1, a2, a3, a4, a5);
    if (writes_fd(nr)) {
        /* Edge-triggered epoll reports EPOLLOUT again only after the
         * app wrote (guest/sys/epoll.c). */
        struct k_file *f = k_fd_lookup((int)a0);

        if (f)
            f->out_seq++;
    }
    return r;
}

void k_syscall_handle(struct k_syscall_frame *f)
{
    long nr = (long)f->rax;

    k_syscall_cur = f;
    f->rax = (uint64_t)k_syscall_dispatch(
        (long)f->rax, (long)f->rdi, (long)f->rsi, (long)f->rdx, (long)f->r10,
        (long)f->r8, (long)f->r9);
    /* Replies leave now, not at the next idle period. */
    if (k_net_tx_pending())
        k_net_flush();
    if (k_thread_is_app(k_current))
        k_signal_deliver(f, nr);
}
