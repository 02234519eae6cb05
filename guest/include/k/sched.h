/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel threads: cooperative, one vCPU. A thread runs until it
 * blocks, yields or exits; switches save and restore the full register
 * and FPU/SSE/AVX state. When nothing is runnable the scheduler flushes
 * network output and waits in the monitor until the next deadline or
 * packet (ONYX_HC_POLL), then lets drivers process input.
 */
#ifndef K_SCHED_H
#define K_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct k_thread;

/* Deadline meaning "no deadline". */
#define K_FOREVER UINT64_MAX

typedef void (*k_thread_fn)(void *arg);

/* Creates a runnable kernel thread with a guarded stack of at least
 * `stack_size` bytes. Returns NULL when out of memory. */
struct k_thread *k_thread_create(const char *name, k_thread_fn fn, void *arg,
                                 size_t stack_size);
struct k_thread *k_thread_current(void);
/* Lets every other runnable thread run once. */
void k_thread_yield(void);
/* Ends the calling thread; its stack is freed later. */
_Noreturn void k_thread_exit(void);

/* A list of blocked threads. Zero-initialised is empty and valid. */
struct k_waitq {
    struct k_thread *first;
    struct k_thread *last;
};

/*
 * Blocks the calling thread on `q` until k_waitq_wake_* or until the
 * monotonic clock reaches `deadline_ns` (K_FOREVER for none).
 * Returns 0 when woken, -ETIMEDOUT at the deadline, -EINTR when a
 * signal is pending for the thread (issue #3). Spurious wake-ups are
 * allowed: callers re-check their condition in a loop.
 */
int k_waitq_wait(struct k_waitq *q, uint64_t deadline_ns);
void k_waitq_wake_one(struct k_waitq *q);
void k_waitq_wake_all(struct k_waitq *q);

/* Sleeps until the monotonic clock reaches `deadline_ns`. */
void k_sleep_until(uint64_t deadline_ns);

/*
 * Woken whenever any file's readiness may have changed (packet
 * processed, timer fired, buffer freed). poll/select wait here.
 */
extern struct k_waitq k_io_waitq;

#endif
