/* SPDX-License-Identifier: MIT */
/*
 * Cooperative threads on the guest's one vCPU: run queue, wait queues
 * with deadlines, context switches with lazy FPU hand-over, and the idle
 * loop that flushes the network and waits in the monitor (ONYX_HC_POLL)
 * until the next deadline or packet.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "k/arch.h"
#include "k/file.h"
#include "k/hypercall.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/net.h"
#include "k/proc.h"
#include "k/sched.h"
#include "k/thread.h"
#include "k/time.h"

#define STACK_MIN (16ul << 10)
/* Kernel stack of an app thread: socket calls run lwIP on it. */
#define APP_KSTACK (32ul << 10)
#define FPU_ALIGN 64

struct k_thread *k_current;
struct k_waitq k_io_waitq;

extern char k_boot_stack_bottom[], k_boot_stack_top[];

static struct k_thread idle_thread;
static struct k_thread *rq_head, *rq_tail;
static struct k_thread *timers; /* blocked threads by deadline */
static struct k_thread *all_threads;
static struct k_thread *fpu_owner; /* whose state is in the FPU now */
static uint64_t loaded_fs, loaded_gs;
static uint64_t idle_ticks;
static int app_threads;

void k_thread_main(void);

static void rq_push(struct k_thread *t)
{
    t->state = K_THREAD_RUNNABLE;
    t->next = NULL;
    if (rq_tail)
        rq_tail->next = t;
    else
        rq_head = t;
    rq_tail = t;
}

static struct k_thread *rq_pop(void)
{
    struct k_thread *t = rq_head;

    if (t) {
        rq_head = t->next;
        if (!rq_head)
            rq_tail = NULL;
        t->next = NULL;
    }
    return t;
}

static void timer_insert(struct k_thread *t)
{
    struct k_thread **link = &timers;
    struct k_thread *prev = NULL;

    while (*link && (*link)->deadline <= t->deadline) {
        prev = *link;
        link = &(*link)->tnext;
    }
    t->tprev = prev;
    t->tnext = *link;
    if (*link)
        (*link)->tprev = t;
    *link = t;
}

static void timer_remove(struct k_thread *t)
{
    if (t->tprev)
        t->tprev->tnext = t->tnext;
    else
        timers = t->tnext;
    if (t->tnext)
        t->tnext->tprev = t->tprev;
    t->tnext = t->tprev = NULL;
}

static void waitq_remove(struct k_thread *t)
{
    struct k_waitq *q = t->waitq;

    if (t->prev)
        t->prev->next = t->next;
    else
        q->first = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        q->last = t->prev;
    t->next = t->prev = NULL;
    t->waitq = NULL;
}

static void wake(struct k_thread *t, int result)
{
    if (t->state != K_THREAD_BLOCKED)
        return;
    if (t->waitq)
        waitq_remove(t);
    if (t->deadline != K_FOREVER)
        timer_remove(t);
    t->wake_result = result;
    rq_push(t);
}

void k_thread_interrupt(struct k_thread *t)
{
    wake(t, -EINTR);
}

struct k_thread *k_thread_for_signal(uint64_t bits)
{
    struct k_thread *t;

    for (t = all_threads; t; t = t->all_next)
        if (k_thread_is_app(t) && t->state != K_THREAD_DEAD &&
            !(t->sigmask & bits))
            return t;
    return NULL;
}

struct k_thread *k_thread_by_tid(int tid)
{
    struct k_thread *t;

    for (t = all_threads; t; t = t->all_next)
        if (k_thread_is_app(t) && t->state != K_THREAD_DEAD && t->tid == tid)
            return t;
    return NULL;
}

static void expire_timers(void)
{
    uint64_t now;

    if (!timers)
        return;
    now = k_time_monotonic_ns();
    while (timers && timers->deadline <= now)
        wake(timers, -ETIMEDOUT);
}

static void load_tls(struct k_thread *next)
{
    if (next->fs_base != loaded_fs) {
        k_arch_set_fs_base(next->fs_base);
        loaded_fs = next->fs_base;
    }
    if (next->gs_base != loaded_gs) {
        k_arch_set_gs_base(next->gs_base);
        loaded_gs = next->gs_base;
    }
}

static void switch_to(struct k_thread *next)
{
    struct k_thread *prev = k_current;
    uint64_t now = k_rdtsc();

    prev->cpu_ticks += now - prev->switched_in;
    next->switched_in = now;
    if (k_thread_is_app(prev) && k_arch_has_fsgsbase()) {
        /* The app may have changed them itself with wrfsbase. */
        prev->fs_base = loaded_fs = k_arch_get_fs_base(loaded_fs);
        prev->gs_base = loaded_gs = k_arch_get_gs_base(loaded_gs);
    }
    /* Kernel threads never touch FPU registers, so the app state
     * stays live in them until another app thread needs the FPU. */
    if (k_thread_is_app(next)) {
        if (fpu_owner != next) {
            if (fpu_owner)
                k_fpu_save(fpu_owner->fpu);
            k_fpu_restore(next->fpu);
            fpu_owner = next;
        }
        load_tls(next);
    }
    k_syscall_kstack_top = next->kstack_top;
    k_current = next;
    next->state = K_THREAD_RUNNING;
    k_arch_switch(&prev->sp, next->sp);
}

/* Runs the next runnable thread, or the idle thread when none. The
 * caller has already queued or blocked the current thread. */
static void schedule(void)
{
    struct k_thread *next;

    expire_timers();
    next = rq_pop();
    if (!next)
        next = &idle_thread;
    if (next == k_current) {
        next->state = K_THREAD_RUNNING;
        return;
    }
    switch_to(next);
}

static void free_thread(struct k_thread *t)
{
    k_vmap_free(t->kstack, t->kstack_size);
    k_free(t->fpu_alloc);
    k_free(t);
}

/* Frees the stacks of exited threads; never the running one. */
static void reap(void)
{
    struct k_thread **link = &all_threads;

    while (*link) {
        struct k_thread *t = *link;

        if (t->state == K_THREAD_DEAD && t != k_current) {
            *link = t->all_next;
            free_thread(t);
        } else {
            link = &t->all_next;
        }
    }
}

static struct k_thread *thread_alloc(const char *name, size_t stack_size)
{
    struct k_thread *t = k_calloc(1, sizeof(*t));
    size_t size = stack_size < STACK_MIN ? STACK_MIN : stack_size;

    if (!t)
        return NULL;
    size = (size + K_PAGE_SIZE - 1) & ~(K_PAGE_SIZE - 1);
    t->kstack = k_vmap_alloc(size);
    if (!t->kstack) {
        k_free(t);
        return NULL;
    }
    t->kstack_size = size;
    t->kstack_top = (uint64_t)(uintptr_t)t->kstack + size;
    t->deadline = K_FOREVER;
    strncpy(t->name, name, sizeof(t->name) - 1);
    return t;
}

/* Pushes the frame k_arch_switch pops: six callee-saved registers and
 * a return address. */
static uint64_t *push_switch_frame(uint64_t *sp, void (*ret)(void))
{
    *--sp = (uint64_t)(uintptr_t)ret;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    return sp;
}

static void thread_start(struct k_thread *t, uint64_t *sp)
{
    t->sp = (uint64_t)(uintptr_t)sp;
    t->all_next = all_threads;
    all_threads = t;
    rq_push(t);
}

struct k_thread *k_thread_create(const char *name, k_thread_fn fn, void *arg,
                                 size_t stack_size)
{
    struct k_thread *t;
    uint64_t *sp;

    reap();
    t = thread_alloc(name, stack_size);
    if (!t)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    sp = (uint64_t *)(uintptr_t)t->kstack_top;
    *--sp = 0; /* k_arch_thread_start is entered like a function */
    sp = push_switch_frame(sp, k_arch_thread_start);
    thread_start(t, sp);
    return t;
}

struct k_thread *k_thread_create_from_frame(const char *name, const void *frame,
                                            unsigned frame_size, int tid,
                                            struct k_thread *parent)
{
    struct k_thread *t;
    uint64_t *sp;

    reap();
    t = thread_alloc(name, APP_KSTACK);
    if (!t)
        return NULL;
    if (k_thread_make_app(t, tid, parent)) {
        k_vmap_free(t->kstack, t->kstack_size);
        k_free(t);
        return NULL;
    }
    sp = (uint64_t *)(uintptr_t)(t->kstack_top - frame_size);
    memcpy(sp, frame, frame_size);
    sp = push_switch_frame(sp, k_syscall_return);
    thread_start(t, sp);
    return t;
}

int k_thread_make_app(struct k_thread *t, int tid, struct k_thread *fpu_from)
{
    size_t size = k_fpu_area_size();
    char *raw = k_malloc(size + FPU_ALIGN);

    if (!raw)
        return -ENOMEM;
    t->fpu_alloc = raw;
    t->fpu = (void *)(((uintptr_t)raw + FPU_ALIGN - 1) &
                      ~(uintptr_t)(FPU_ALIGN - 1));
    if (fpu_from) {
        if (fpu_owner == fpu_from)
            k_fpu_save(fpu_from->fpu);
        memcpy(t->fpu, fpu_from->fpu, size);
    } else {
        k_fpu_init_area(t->fpu);
    }
    t->tid = tid;
    app_threads++;
    return 0;
}

void k_thread_main(void)
{
    k_current->fn(k_current->arg);
    k_thread_exit();
}

struct k_thread *k_thread_current(void)
{
    return k_current;
}

_Noreturn void k_thread_exit(void)
{
    struct k_thread *t = k_current;

    if (t == &idle_thread)
        k_panic("sched: the idle thread cannot exit");
    if (k_thread_is_app(t))
        app_threads--;
    if (fpu_owner == t)
        fpu_owner = NULL;
    t->state = K_THREAD_DEAD;
    schedule();
    k_panic("sched: dead thread %s was scheduled", t->name);
}

int k_thread_app_count(void)
{
    return app_threads;
}

/* Gives the monitor a chance to deliver packets or a stop request
 * without waiting. */
static void poll_monitor(uint64_t deadline)
{
    uint64_t start = k_rdtsc();
    uint32_t rx = k_hc_poll(deadline, NULL);
    uint32_t sig = k_hc_take_signal();

    if (deadline)
        idle_ticks += k_rdtsc() - start;
    if (sig)
        k_signal_from_host((int)sig);
    if (rx)
        k_net_input();
}

void k_thread_yield(void)
{
    if (k_current == &idle_thread) {
        schedule();
        return;
    }
    expire_timers();
    if (!rq_head) {
        /* Nobody else runnable: the monitor is the only "other". */
        k_net_flush();
        poll_monitor(0);
        expire_timers();
        if (!rq_head)
            return;
    }
    rq_push(k_current);
    schedule();
}

int k_waitq_wait(struct k_waitq *q, uint64_t deadline_ns)
{
    struct k_thread *t = k_current;

    if (t == &idle_thread)
        k_panic("sched: the idle thread tried to block");
    if (deadline_ns != K_FOREVER && deadline_ns <= k_time_monotonic_ns())
        return -ETIMEDOUT;
    t->waitq = q;
    t->next = NULL;
    t->prev = q->last;
    if (q->last)
        q->last->next = t;
    else
        q->first = t;
    q->last = t;
    t->deadline = deadline_ns;
    if (deadline_ns != K_FOREVER)
        timer_insert(t);
    t->wake_result = 0;
    t->state = K_THREAD_BLOCKED;
    schedule();
    t->deadline = K_FOREVER;
    return t->wake_result;
}

void k_waitq_wake_one(struct k_waitq *q)
{
    if (q->first)
        wake(q->first, 0);
}

void k_waitq_wake_all(struct k_waitq *q)
{
    /* Readiness changes (guest/net wakes k_io_waitq directly) advance
     * the generation edge-triggered epoll compares against. */
    if (q == &k_io_waitq)
        k_io_gen++;
    while (q->first)
        wake(q->first, 0);
}

void k_sleep_until(uint64_t deadline_ns)
{
    struct k_waitq q = {0};

    while (k_time_monotonic_ns() < deadline_ns)
        k_waitq_wait(&q, deadline_ns);
}

void k_thread_set_fs(uint64_t base)
{
    k_current->fs_base = base;
    k_arch_set_fs_base(base);
    loaded_fs = base;
}

void k_thread_set_gs(uint64_t base)
{
    k_current->gs_base = base;
    k_arch_set_gs_base(base);
    loaded_gs = base;
}

uint64_t k_sched_process_cpu_ns(void)
{
    return k_time_ticks_to_ns(k_rdtsc() - k_boot_tsc - idle_ticks);
}

uint64_t k_sched_thread_cpu_ns(void)
{
    struct k_thread *t = k_current;

    return k_time_ticks_to_ns(t->cpu_ticks + (k_rdtsc() - t->switched_in));
}

void k_sched_init(void)
{
    idle_thread = (struct k_thread){
        .kstack = k_boot_stack_bottom,
        .kstack_size = (size_t)(k_boot_stack_top - k_boot_stack_bottom),
        .kstack_top = (uint64_t)(uintptr_t)k_boot_stack_top,
        .state = K_THREAD_RUNNING,
        .name = "idle",
        .deadline = K_FOREVER,
        .switched_in = k_rdtsc(),
    };
    k_current = &idle_thread;
}

static uint64_t earliest_deadline(void)
{
    uint64_t d = timers ? timers->deadline : K_FOREVER;
    uint64_t net = k_net_next_deadline();

    return net < d ? net : d;
}

_Noreturn void k_sched_start(void)
{
    for (;;) {
        reap();
        schedule();
        /* Back in the idle thread: nothing is runnable. */
        k_net_flush();
        expire_timers();
        if (rq_head)
            continue;
        poll_monitor(earliest_deadline());
    }
}
