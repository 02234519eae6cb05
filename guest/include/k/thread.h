/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel's thread record, shared by the scheduler, the syscall
 * layer (app threads: TLS, tid, signal masks) and the crash path.
 */
#ifndef K_THREAD_H
#define K_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "k/sched.h"

enum k_thread_state {
    K_THREAD_RUNNABLE,
    K_THREAD_RUNNING,
    K_THREAD_BLOCKED,
    K_THREAD_DEAD,
};

struct k_sigaltstack {
    uint64_t sp;
    int32_t flags;
    int32_t pad;
    uint64_t size;
};

struct k_thread {
    uint64_t sp; /* saved kernel stack pointer while switched out */
    uint64_t kstack_top;
    void *kstack;
    size_t kstack_size;
    enum k_thread_state state;
    char name[16];

    k_thread_fn fn;
    void *arg;

    /* Run queue link, or the wait queue the thread sleeps on. */
    struct k_thread *next;
    struct k_thread *prev;
    struct k_waitq *waitq;
    int wake_result; /* 0 woken, -ETIMEDOUT */

    /* Timer list (sorted by deadline) while blocked with a deadline. */
    uint64_t deadline;
    struct k_thread *tnext;
    struct k_thread *tprev;

    /* Every thread, for reaping and statistics. */
    struct k_thread *all_next;

    uint64_t cpu_ticks; /* TSC ticks spent running */
    uint64_t switched_in; /* TSC when it last started running */

    /* App threads only (fpu != NULL). */
    void *fpu; /* XSAVE/FXSAVE area, 64-byte aligned */
    void *fpu_alloc; /* the k_malloc block holding it */
    uint64_t fs_base;
    uint64_t gs_base;
    int tid;
    uint64_t clear_child_tid; /* app address, 0 when none */
    uint64_t robust_list;
    uint64_t sigmask;
    uint64_t sigpending; /* thread-directed signals not yet delivered */
    uint64_t saved_sigmask; /* rt_sigsuspend's caller's mask ... */
    bool restore_sigmask; /* ... to put back once a signal was handled */
    struct k_sigaltstack altstack;
};

/* The running thread. */
extern struct k_thread *k_current;

/* True for threads that run app code. */
static inline bool k_thread_is_app(const struct k_thread *t)
{
    return t->fpu != 0;
}

/*
 * Turns `t` (fresh from k_thread_create, not yet run) into an app
 * thread: allocates its FPU area (a copy of `fpu_from`'s state, or the
 * default state when NULL) and gives it tid `tid`. 0 or -ENOMEM.
 */
int k_thread_make_app(struct k_thread *t, int tid, struct k_thread *fpu_from);
/* Creates an app thread with tid `tid` that starts by returning from a
 * syscall with the register state `frame` (clone), FPU state copied
 * from `parent`. It runs once the caller blocks or yields, so the
 * caller may still set its TLS. NULL when out of memory. */
struct k_thread *k_thread_create_from_frame(const char *name, const void *frame,
                                            unsigned frame_size, int tid,
                                            struct k_thread *parent);
/* Wakes `t` with -EINTR from k_waitq_wait if it is blocked. */
void k_thread_interrupt(struct k_thread *t);
/* The first live app thread whose signal mask lacks every bit of
 * `bits` (NULL when none): where a process-directed signal goes. */
struct k_thread *k_thread_for_signal(uint64_t bits);
/* The live app thread with tid `tid`, or NULL. */
struct k_thread *k_thread_by_tid(int tid);
/* Number of live app threads. */
int k_thread_app_count(void);
/* Process CPU time (all non-idle time) and this thread's CPU time. */
uint64_t k_sched_process_cpu_ns(void);
uint64_t k_sched_thread_cpu_ns(void);

/* Boot: makes the boot context the idle thread; returns the idle loop
 * never. Threads created before run once it starts. */
_Noreturn void k_sched_start(void);
/* Boot: set-up before any thread is created. */
void k_sched_init(void);

/* Sets the FS base of the current app thread and loads it. */
void k_thread_set_fs(uint64_t base);
void k_thread_set_gs(uint64_t base);

#endif
