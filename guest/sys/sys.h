/* SPDX-License-Identifier: MIT */
/*
 * Syscall bodies of the guest core (guest/sys/), declared once for the
 * table. Each takes the raw argument registers and returns a value or
 * -errno like Linux.
 */
#ifndef GUEST_SYS_H
#define GUEST_SYS_H

#include <stdint.h>

#include "k/syscall.h"

/* Entries of k_syscall_names (highest Linux x86-64 number + 1). */
#define K_SYSCALL_NAMES 448

extern const char *const k_syscall_names[K_SYSCALL_NAMES];

/* io.c */
SYSCALL(read);
SYSCALL(write);
SYSCALL(readv);
SYSCALL(writev);
SYSCALL(pread64);
SYSCALL(pwrite64);
SYSCALL(preadv);
SYSCALL(lseek);
SYSCALL(close);
SYSCALL(dup);
SYSCALL(dup2);
SYSCALL(dup3);
SYSCALL(fcntl);
SYSCALL(ioctl);
SYSCALL(fsync);
SYSCALL(pwritev);
SYSCALL(flock);
SYSCALL(sendfile);

/* fs.c */
SYSCALL(open);
SYSCALL(openat);
SYSCALL(creat);
SYSCALL(stat);
SYSCALL(lstat);
SYSCALL(fstat);
SYSCALL(newfstatat);
SYSCALL(statx);
SYSCALL(access);
SYSCALL(faccessat);
SYSCALL(faccessat2);
SYSCALL(readlink);
SYSCALL(readlinkat);
SYSCALL(getcwd);
SYSCALL(chdir);
SYSCALL(fchdir);
SYSCALL(getdents64);
SYSCALL(mkdir);
SYSCALL(mkdirat);
SYSCALL(unlink);
SYSCALL(unlinkat);
SYSCALL(rmdir);
SYSCALL(rename);
SYSCALL(renameat);
SYSCALL(renameat2);
SYSCALL(truncate);
SYSCALL(ftruncate);
SYSCALL(statfs);
SYSCALL(fallocate);
SYSCALL(chmod);
SYSCALL(fchmod);
SYSCALL(fchmodat);
SYSCALL(utimensat);
SYSCALL(chown);
SYSCALL(lchown);
SYSCALL(fchown);
SYSCALL(fchownat);
SYSCALL(memfd_create);
SYSCALL(fadvise64);
SYSCALL(sync);
SYSCALL(syncfs);
SYSCALL(fstatfs);

/* poll.c */
SYSCALL(poll);
SYSCALL(ppoll);
SYSCALL(select);
SYSCALL(pselect6);

/* epoll.c, eventfd.c, timerfd.c, pipe.c */
SYSCALL(epoll_create);
SYSCALL(epoll_create1);
SYSCALL(epoll_ctl);
SYSCALL(epoll_wait);
SYSCALL(epoll_pwait);
SYSCALL(epoll_pwait2);
SYSCALL(eventfd);
SYSCALL(eventfd2);
SYSCALL(timerfd_create);
SYSCALL(timerfd_settime);
SYSCALL(timerfd_gettime);
SYSCALL(pipe);
SYSCALL(pipe2);
SYSCALL(socketpair);

/* mem.c */
SYSCALL(mmap);
SYSCALL(munmap);
SYSCALL(mprotect);
SYSCALL(brk);
SYSCALL(madvise);
SYSCALL(mremap);

/* proc.c */
SYSCALL(exit);
SYSCALL(exit_group);
SYSCALL(getpid);
SYSCALL(gettid);
SYSCALL(getppid);
SYSCALL(getuid);
SYSCALL(geteuid);
SYSCALL(getgid);
SYSCALL(getegid);
SYSCALL(getpgrp);
SYSCALL(getpgid);
SYSCALL(getsid);
SYSCALL(setsid);
SYSCALL(uname);
SYSCALL(arch_prctl);
SYSCALL(set_tid_address);
SYSCALL(set_robust_list);
SYSCALL(get_robust_list);
SYSCALL(prlimit64);
SYSCALL(getrlimit);
SYSCALL(setrlimit);
SYSCALL(umask);
SYSCALL(prctl);
SYSCALL(sysinfo);
SYSCALL(getrandom);
SYSCALL(sched_yield);
SYSCALL(sched_getaffinity);
SYSCALL(getcpu);
SYSCALL(getrusage);
SYSCALL(clone);

/* time.c */
SYSCALL(clock_gettime);
SYSCALL(clock_getres);
SYSCALL(gettimeofday);
SYSCALL(time);
SYSCALL(nanosleep);
SYSCALL(clock_nanosleep);
SYSCALL(times);

/* signal.c */
SYSCALL(rt_sigaction);
SYSCALL(rt_sigprocmask);
SYSCALL(sigaltstack);
SYSCALL(rt_sigreturn);
SYSCALL(rt_sigpending);
SYSCALL(rt_sigsuspend);
SYSCALL(pause);
SYSCALL(kill);
SYSCALL(tkill);
SYSCALL(tgkill);

/* The syscall being handled (table.c sets it before dispatch); valid
 * in a syscall body until it blocks. */
struct k_syscall_frame;
extern struct k_syscall_frame *k_syscall_cur;
/* On return from syscall `nr` of an app thread: runs the default
 * action of, or sets up `f` to enter the handler of, one pending
 * signal the thread does not block (signal.c). */
void k_signal_deliver(struct k_syscall_frame *f, long nr);

/* futex.c */
SYSCALL(futex);

/* Wakes futex waiters on `uaddr` (thread exit's clear_child_tid). */
long k_futex_wake(uint64_t uaddr, int n);

/* Ends the app with `status` after flushing the network. */
_Noreturn void k_proc_exit(int status);

#endif
