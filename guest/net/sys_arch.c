/* SPDX-License-Identifier: MIT */
/*
 * lwIP's operating-system layer on the guest kernel's cooperative threads
 * (guest side): semaphores, the core mutex, mailboxes, threads, time.
 *
 * Threads switch only when one blocks or yields and interrupts are always
 * off, so a critical section is simply code that does not block; waits
 * park the thread on a kernel wait queue with a deadline.
 */
#include <errno.h>
#include <stdarg.h>

#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"

#include "k/log.h"
#include "k/mm.h"
#include "k/sched.h"
#include "k/time.h"

#include "net_internal.h"

#define NS_PER_MS 1000000ull

static uint64_t deadline_after_ms(uint32_t timeout_ms)
{
    if (timeout_ms == 0)
        return K_FOREVER;
    return k_time_monotonic_ns() + (uint64_t)timeout_ms * NS_PER_MS;
}

static uint32_t ms_since(uint64_t start_ns)
{
    uint64_t ms = (k_time_monotonic_ns() - start_ns) / NS_PER_MS;

    /* SYS_ARCH_TIMEOUT (0xffffffff) is reserved for "timed out". */
    return ms >= SYS_ARCH_TIMEOUT ? SYS_ARCH_TIMEOUT - 1 : (uint32_t)ms;
}

/*
 * Waits on `q` for lwIP. lwIP cannot handle an interrupted wait, so a
 * pending signal (-EINTR) only makes the thread yield and wait again.
 * XXX: only kernel threads (tcpip_thread) wait here today; an app thread
 * with a signal pending that never clears would spin through yields.
 */
static int wait_for_lwip(struct k_waitq *q, uint64_t deadline)
{
    int r = k_waitq_wait(q, deadline);

    if (r == -EINTR) {
        k_thread_yield();
        return 0;
    }
    return r;
}

/* ---- semaphores ---------------------------------------------------- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    *sem = (sys_sem_t){.valid = true, .count = count};
    return ERR_OK;
}

void sys_sem_signal(sys_sem_t *sem)
{
    sem->count++;
    k_waitq_wake_one(&sem->waiters);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
    uint64_t start = k_time_monotonic_ns();
    uint64_t deadline = deadline_after_ms(timeout);

    while (sem->count == 0) {
        if (wait_for_lwip(&sem->waiters, deadline) == -ETIMEDOUT &&
            sem->count == 0)
            return SYS_ARCH_TIMEOUT;
    }
    sem->count--;
    return ms_since(start);
}

void sys_sem_free(sys_sem_t *sem)
{
    sem->valid = false;
}

int sys_sem_valid(sys_sem_t *sem)
{
    return sem->valid;
}

void sys_sem_set_invalid(sys_sem_t *sem)
{
    sem->valid = false;
}

/* ---- mutexes ------------------------------------------------------- */

err_t sys_mutex_new(sys_mutex_t *mutex)
{
    *mutex = (sys_mutex_t){.valid = true};
    return ERR_OK;
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
    while (mutex->locked)
        wait_for_lwip(&mutex->waiters, K_FOREVER);
    mutex->locked = true;
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
    LWIP_ASSERT("unlocking a free mutex", mutex->locked);
    mutex->locked = false;
    k_waitq_wake_one(&mutex->waiters);
}

void sys_mutex_free(sys_mutex_t *mutex)
{
    mutex->valid = false;
}

int sys_mutex_valid(sys_mutex_t *mutex)
{
    return mutex->valid;
}

void sys_mutex_set_invalid(sys_mutex_t *mutex)
{
    mutex->valid = false;
}

void k_net_assert_core_locked(void)
{
    /* lwip_init runs before tcpip_init creates the lock. */
    if (lock_tcpip_core.valid && !lock_tcpip_core.locked)
        k_panic("lwip: core called without the core lock");
}

bool k_net_core_trylock(void)
{
    if (lock_tcpip_core.locked)
        return false;
    lock_tcpip_core.locked = true;
    return true;
}

/* ---- mailboxes ----------------------------------------------------- */

/* The mailbox tcpip_thread sleeps on with a timer deadline, if any. */
static sys_mbox_t *timer_mbox;
static uint64_t timer_mbox_deadline;

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    uint32_t n = size > 0 ? (uint32_t)size : 16;

    *mbox = (sys_mbox_t){.size = n};
    mbox->msgs = k_calloc(n, sizeof(void *));
    if (mbox->msgs == NULL)
        return ERR_MEM;
    mbox->valid = true;
    return ERR_OK;
}

static void mbox_put(sys_mbox_t *mbox, void *msg)
{
    mbox->msgs[(mbox->head + mbox->count) % mbox->size] = msg;
    mbox->count++;
    k_waitq_wake_one(&mbox->readers);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    while (mbox->count == mbox->size)
        wait_for_lwip(&mbox->writers, K_FOREVER);
    mbox_put(mbox, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    if (mbox->count == mbox->size)
        return ERR_MEM;
    mbox_put(mbox, msg);
    return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
    return sys_mbox_trypost(mbox, msg);
}

static void mbox_take(sys_mbox_t *mbox, void **msg)
{
    void *m = mbox->msgs[mbox->head];

    mbox->head = (mbox->head + 1) % mbox->size;
    mbox->count--;
    if (msg != NULL)
        *msg = m;
    k_waitq_wake_one(&mbox->writers);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
    uint64_t start = k_time_monotonic_ns();
    uint64_t deadline = deadline_after_ms(timeout);

    while (mbox->count == 0) {
        int r;

        if (mbox->kicked) {
            mbox->kicked = false;
            return SYS_ARCH_TIMEOUT;
        }
        timer_mbox = mbox;
        timer_mbox_deadline = deadline;
        r = wait_for_lwip(&mbox->readers, deadline);
        timer_mbox = NULL;
        if (r == -ETIMEDOUT && mbox->count == 0)
            return SYS_ARCH_TIMEOUT;
    }
    mbox->kicked = false;
    mbox_take(mbox, msg);
    return ms_since(start);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    if (mbox->count == 0)
        return SYS_MBOX_EMPTY;
    mbox_take(mbox, msg);
    return 0;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
    LWIP_ASSERT("freeing a mailbox that holds messages", mbox->count == 0);
    k_free(mbox->msgs);
    mbox->msgs = NULL;
    mbox->valid = false;
}

int sys_mbox_valid(sys_mbox_t *mbox)
{
    return mbox->valid;
}

void sys_mbox_set_invalid(sys_mbox_t *mbox)
{
    mbox->valid = false;
}

/*
 * lwIP adds timers from whichever thread holds the core lock, but
 * tcpip_thread computed its sleep from the timer list as it was when it
 * went to sleep. Called with the core lock held after app-side lwIP work:
 * if the earliest timer is now due before that sleep ends, make the
 * sleeping fetch return a timeout so tcpip_thread looks again.
 */
void k_net_timers_check(void)
{
    u32_t ms;

    if (timer_mbox == NULL)
        return;
    ms = sys_timeouts_sleeptime();
    if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
        return;
    if (k_time_monotonic_ns() + (uint64_t)ms * NS_PER_MS >= timer_mbox_deadline)
        return;
    timer_mbox->kicked = true;
    k_waitq_wake_all(&timer_mbox->readers);
}

/* ---- threads, time, protection ------------------------------------------- */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg,
                            int stacksize, int prio)
{
    struct k_thread *t;
    size_t size = stacksize > 0 ? (size_t)stacksize : DEFAULT_THREAD_STACKSIZE;

    (void)prio; /* the scheduler has no priorities */
    t = k_thread_create(name, thread, arg, size);
    if (t == NULL)
        k_panic("net: cannot create thread %s: out of memory", name);
    return t;
}

void sys_init(void)
{
}

u32_t sys_now(void)
{
    return k_time_ms();
}

sys_prot_t sys_arch_protect(void)
{
    return 0;
}

void sys_arch_unprotect(sys_prot_t pval)
{
    (void)pval;
}

void k_net_diag(const char *fmt, ...)
{
    char line[256];
    va_list ap;

    va_start(ap, fmt);
    k_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    k_debug("lwip: %s", line);
}
