/* SPDX-License-Identifier: MIT */
/*
 * Process and thread syscalls of the one app process (guest side):
 * exit, ids, uname, arch_prctl (TLS), clone for threads, resource
 * limits, sysinfo, getrandom and scheduling.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>

#include "k/arch.h"
#include "k/file.h"
#include "k/fs.h"
#include "k/hypercall.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/net.h"
#include "k/proc.h"
#include "k/random.h"
#include "k/thread.h"
#include "k/time.h"
#include "k/uaccess.h"
#include "sys.h"

/* arch_prctl codes (Linux asm/prctl.h). */
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

#define GETRANDOM_MAX 33554431l /* Linux's per-call cap */
#define NUM_RLIMITS 16
#define CLK_TCK_HZ 100

static unsigned umask_bits = 022;
static int next_tid = K_PID + 1;

static struct rlimit rlimits[NUM_RLIMITS] = {
    [RLIMIT_CPU] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_FSIZE] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_DATA] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_STACK] = {8ul << 20, RLIM_INFINITY},
    [RLIMIT_CORE] = {0, RLIM_INFINITY},
    [RLIMIT_RSS] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_NPROC] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_NOFILE] = {K_FD_MAX, K_FD_MAX},
    [RLIMIT_MEMLOCK] = {8ul << 20, 8ul << 20},
    [RLIMIT_AS] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_LOCKS] = {RLIM_INFINITY, RLIM_INFINITY},
    [RLIMIT_SIGPENDING] = {64, 64},
    [RLIMIT_MSGQUEUE] = {819200, 819200},
    [RLIMIT_NICE] = {0, 0},
    [RLIMIT_RTPRIO] = {0, 0},
    [RLIMIT_RTTIME] = {RLIM_INFINITY, RLIM_INFINITY},
};

_Noreturn void k_proc_exit(int status)
{
    k_net_flush();
    k_hc_exit(status & 0xff);
}

SYSCALL(exit_group)
{
    k_proc_exit((int)a0);
}

SYSCALL(exit)
{
    struct k_thread *t = k_current;

    if (k_thread_app_count() <= 1)
        k_proc_exit((int)a0);
    if (t->clear_child_tid) {
        uint32_t zero = 0;

        /* pthread_join waits on this word (CLONE_CHILD_CLEARTID). */
        if (!k_copy_to_user((void *)t->clear_child_tid, &zero, 4))
            k_futex_wake(t->clear_child_tid, 1);
    }
    k_thread_exit();
}

SYSCALL(getpid)
{
    return K_PID;
}

SYSCALL(gettid)
{
    return k_current->tid;
}

SYSCALL(getppid)
{
    return 0; /* like Linux's init: no parent in this machine */
}

SYSCALL(getuid)
{
    return 0;
}

SYSCALL(geteuid)
{
    return 0;
}

SYSCALL(getgid)
{
    return 0;
}

SYSCALL(getegid)
{
    return 0;
}

SYSCALL(getpgrp)
{
    return K_PID;
}

SYSCALL(getpgid)
{
    return a0 == 0 || a0 == K_PID ? K_PID : -ESRCH;
}

SYSCALL(getsid)
{
    return a0 == 0 || a0 == K_PID ? K_PID : -ESRCH;
}

SYSCALL(setsid)
{
    return -EPERM; /* already a process group (and session) leader */
}

SYSCALL(uname)
{
    struct utsname u;

    memset(&u, 0, sizeof(u));
    strcpy(u.sysname, "Linux");
    strncpy(u.nodename, k_proc_name(), sizeof(u.nodename) - 1);
    strcpy(u.release, "6.1.0-onyx");
    strcpy(u.version, "#1 SMP Onyx unikernel");
    strcpy(u.machine, "x86_64");
    strcpy(u.domainname, "(none)");
    return k_copy_to_user((void *)a0, &u, sizeof(u));
}

SYSCALL(arch_prctl)
{
    uint64_t v;

    switch (a0) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        if ((uint64_t)a1 >= K_USER_END)
            return -EPERM;
        if (a0 == ARCH_SET_FS)
            k_thread_set_fs((uint64_t)a1);
        else
            k_thread_set_gs((uint64_t)a1);
        return 0;
    case ARCH_GET_FS:
        v = k_arch_get_fs_base(k_current->fs_base);
        return k_copy_to_user((void *)a1, &v, sizeof(v));
    case ARCH_GET_GS:
        v = k_arch_get_gs_base(k_current->gs_base);
        return k_copy_to_user((void *)a1, &v, sizeof(v));
    default: return -EINVAL;
    }
}

SYSCALL(set_tid_address)
{
    k_current->clear_child_tid = (uint64_t)a0;
    return k_current->tid;
}

SYSCALL(set_robust_list)
{
    /* struct robust_list_head is 24 bytes; the list is only walked by
     * the kernel when a thread dies holding robust mutexes. */
    if (a1 != 24)
        return -EINVAL;
    k_current->robust_list = (uint64_t)a0;
    return 0;
}

SYSCALL(get_robust_list)
{
    uint64_t head = k_current->robust_list;
    uint64_t len = 24;

    if (a0 != 0 && a0 != k_current->tid)
        return -ESRCH;
    if (k_copy_to_user((void *)a1, &head, sizeof(head)) ||
        k_copy_to_user((void *)a2, &len, sizeof(len)))
        return -EFAULT;
    return 0;
}

/* ---- threads -------------------------------------------------------- */

#define CLONE_THREAD_FLAGS \
    (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_OK_FLAGS                                                         \
    (CLONE_THREAD_FLAGS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | \
     CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED | CLONE_IO)

/*
 * Only threads exist here (one address space, no fork): clone must ask
 * for a thread sharing everything. The child starts by returning 0
 * from this syscall on `newsp` with the parent's other registers.
 */
SYSCALL(clone)
{
    unsigned long flags = (unsigned long)a0;
    struct k_syscall_frame frame;
    struct k_thread *t;
    uint32_t tid;
    static bool warned;

    if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS ||
        (flags & ~(unsigned long)CLONE_OK_FLAGS)) {
        if (!warned) {
            warned = true;
            k_warn("sys: clone without a shared address space (fork, "
                   "vfork, spawn) is not supported: flags=0x%lx",
                   flags);
        }
        return -EINVAL;
    }
    memcpy(&frame, (void *)(k_current->kstack_top - sizeof(frame)),
           sizeof(frame));
    frame.rax = 0;
    if (a1)
        frame.rsp = (uint64_t)a1;
    tid = (uint32_t)next_tid;
    t = k_thread_create_from_frame("app", &frame, sizeof(frame), (int)tid,
                                   k_current);
    if (!t)
        return -ENOMEM;
    next_tid++;
    t->fs_base = (flags & CLONE_SETTLS) ? (uint64_t)a4 : k_current->fs_base;
    t->gs_base = k_current->gs_base;
    t->sigmask = k_current->sigmask;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = (uint64_t)a3;
    if ((flags & CLONE_PARENT_SETTID) &&
        k_copy_to_user((void *)a2, &tid, sizeof(tid)))
        return -EFAULT;
    if ((flags & CLONE_CHILD_SETTID) &&
        k_copy_to_user((void *)a3, &tid, sizeof(tid)))
        return -EFAULT;
    return tid;
}

SYSCALL(sched_yield)
{
    k_thread_yield();
    return 0;
}

SYSCALL(sched_getaffinity)
{
    uint64_t mask = 1; /* one vCPU */

    if (a0 != 0 && a0 != K_PID && a0 != k_current->tid)
        return -ESRCH;
    if (a1 < (long)sizeof(mask) || (a1 & 7))
        return -EINVAL;
    if (k_clear_user((void *)a2, (size_t)a1) ||
        k_copy_to_user((void *)a2, &mask, sizeof(mask)))
        return -EFAULT;
    return sizeof(mask);
}

SYSCALL(getcpu)
{
    unsigned zero = 0;

    if ((a0 && k_copy_to_user((void *)a0, &zero, sizeof(zero))) ||
        (a1 && k_copy_to_user((void *)a1, &zero, sizeof(zero))))
        return -EFAULT;
    return 0;
}

/* ---- resources ------------------------------------------------------ */

static long rlimit_get(long res, long uold)
{
    if (res < 0 || res >= NUM_RLIMITS)
        return -EINVAL;
    if (uold &&
        k_copy_to_user((void *)uold, &rlimits[res], sizeof(struct rlimit)))
        return -EFAULT;
    return 0;
}

static long rlimit_set(long res, long unew)
{
    struct rlimit r;

    if (res < 0 || res >= NUM_RLIMITS)
        return -EINVAL;
    if (k_copy_from_user(&r, (const void *)unew, sizeof(r)))
        return -EFAULT;
    if (r.rlim_cur > r.rlim_max)
        return -EINVAL;
    if (res == RLIMIT_NOFILE) {
        /* The fd table has K_FD_MAX slots (like Linux's nr_open). */
        if (r.rlim_max > K_FD_MAX)
            return -EPERM;
        k_fd_set_limit((int)r.rlim_cur);
    }
    rlimits[res] = r;
    return 0;
}

SYSCALL(prlimit64)
{
    struct rlimit old;
    long err;

    if (a0 != 0 && a0 != K_PID)
        return -ESRCH;
    if (a1 < 0 || a1 >= NUM_RLIMITS)
        return -EINVAL;
    old = rlimits[a1];
    if (a2) {
        err = rlimit_set(a1, a2);
        if (err)
            return err;
    }
    if (a3 && k_copy_to_user((void *)a3, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

SYSCALL(getrlimit)
{
    return rlimit_get(a0, a1);
}

SYSCALL(setrlimit)
{
    return rlimit_set(a0, a1);
}

unsigned k_umask_get(void)
{
    return umask_bits;
}

SYSCALL(umask)
{
    unsigned old = umask_bits;

    umask_bits = (unsigned)a0 & 0777;
    return old;
}

#define SYSINFO_LINUX_SIZE 112
_Static_assert(__builtin_offsetof(struct sysinfo, mem_unit) + 4 <=
                   SYSINFO_LINUX_SIZE,
               "struct sysinfo layout");

SYSCALL(sysinfo)
{
    struct sysinfo si;
    uint64_t used, total;

    k_mem_stats(&used, &total);
    memset(&si, 0, sizeof(si));
    si.uptime = (long)(k_time_boot_ns() / 1000000000ull);
    si.totalram = total;
    si.freeram = total - used;
    si.procs = (unsigned short)k_thread_app_count();
    si.mem_unit = 1;
    /* Linux's struct sysinfo ends after mem_unit (112 bytes); musl's
     * adds 256 reserved bytes that glibc callers do not have. */
    return k_copy_to_user((void *)a0, &si, SYSINFO_LINUX_SIZE);
}

static void timeval_of(struct timeval *tv, uint64_t ns)
{
    tv->tv_sec = (time_t)(ns / 1000000000ull);
    tv->tv_usec = (suseconds_t)(ns % 1000000000ull / 1000);
}

SYSCALL(getrusage)
{
    struct rusage ru;
    uint64_t used;

    if (a0 != RUSAGE_SELF && a0 != RUSAGE_THREAD && a0 != RUSAGE_CHILDREN)
        return -EINVAL;
    memset(&ru, 0, sizeof(ru));
    if (a0 != RUSAGE_CHILDREN) {
        k_mem_stats(&used, NULL);
        /* The app and the kernel share one CPU and one ring: all of it
         * counts as user time. */
        timeval_of(&ru.ru_utime, a0 == RUSAGE_SELF ? k_sched_process_cpu_ns()
                                                   : k_sched_thread_cpu_ns());
        ru.ru_maxrss = (long)(used / 1024);
    }
    return k_copy_to_user((void *)a1, &ru, sizeof(ru));
}

SYSCALL(times)
{
    uint64_t ticks_per_ns = 1000000000ull / CLK_TCK_HZ;
    struct tms t = {
        .tms_utime = (clock_t)(k_sched_process_cpu_ns() / ticks_per_ns),
    };

    if (a0 && k_copy_to_user((void *)a0, &t, sizeof(t)))
        return -EFAULT;
    return (long)(k_time_boot_ns() / ticks_per_ns);
}

SYSCALL(getrandom)
{
    unsigned long flags = (unsigned long)a2;
    size_t len = (size_t)a1 > GETRANDOM_MAX ? GETRANDOM_MAX : (size_t)a1;
    char tmp[256];
    size_t done = 0;

    if (flags & ~(unsigned long)(GRND_NONBLOCK | GRND_RANDOM | 0x4))
        return -EINVAL;
    if ((flags & GRND_RANDOM) && (flags & 0x4)) /* GRND_INSECURE */
        return -EINVAL;
    while (done < len) {
        size_t n = len - done < sizeof(tmp) ? len - done : sizeof(tmp);

        k_random_bytes(tmp, n);
        if (k_copy_to_user((char *)a0 + done, tmp, n)) {
            memset(tmp, 0, sizeof(tmp));
            return done ? (long)done : -EFAULT;
        }
        done += n;
    }
    memset(tmp, 0, sizeof(tmp));
    return (long)done;
}

/* The app's own calls only: the rest are for processes Onyx does not
 * have (capabilities, seccomp, child subreapers). */
SYSCALL(prctl)
{
    static int dumpable = 1;
    static int pdeathsig;
    static int no_new_privs;
    static bool warned;
    char name[16];

    switch (a0) {
    case PR_SET_NAME:
        /* Longer names are cut to 15 bytes, as on Linux. */
        memset(name, 0, sizeof(name));
        for (size_t i = 0; i < sizeof(name) - 1; i++) {
            if (k_copy_from_user(&name[i], (const char *)a1 + i, 1))
                return -EFAULT;
            if (!name[i])
                break;
        }
        memcpy(k_current->name, name, sizeof(name));
        return 0;
    case PR_GET_NAME:
        memcpy(name, k_current->name, sizeof(name));
        name[sizeof(name) - 1] = 0;
        return k_copy_to_user((void *)a1, name, sizeof(name));
    case PR_SET_DUMPABLE:
        if (a1 != 0 && a1 != 1)
            return -EINVAL;
        dumpable = (int)a1;
        return 0;
    case PR_GET_DUMPABLE: return dumpable;
    case PR_SET_PDEATHSIG:
        if (a1 < 0 || a1 > 64)
            return -EINVAL;
        pdeathsig = (int)a1; /* no parent ever dies: never sent */
        return 0;
    case PR_GET_PDEATHSIG:
        return k_copy_to_user((void *)a1, &pdeathsig, sizeof(pdeathsig));
    case PR_SET_NO_NEW_PRIVS:
        /* Nothing can be exec'd, so no privileges can ever be gained. */
        if (a1 != 1 || a2 || a3 || a4)
            return -EINVAL;
        no_new_privs = 1;
        return 0;
    case PR_GET_NO_NEW_PRIVS: return no_new_privs;
    case PR_SET_TIMERSLACK: return 0; /* a hint; timers fire on time */
    default:
        if (!warned) {
            warned = true;
            k_warn("sys: prctl option not supported: option=%ld", a0);
        }
        return -EINVAL;
    }
}
