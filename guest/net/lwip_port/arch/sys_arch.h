/* SPDX-License-Identifier: MIT */
/*
 * lwIP's operating-system types for the Onyx guest kernel (guest side):
 * semaphores, mutexes and mailboxes built on the kernel's cooperative
 * threads and wait queues (implemented in guest/net/sys_arch.c).
 */
#ifndef ONYX_LWIP_ARCH_SYS_ARCH_H
#define ONYX_LWIP_ARCH_SYS_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "k/sched.h"

struct k_net_sem {
    bool valid;
    uint32_t count;
    struct k_waitq waiters;
};

struct k_net_mutex {
    bool valid;
    bool locked;
    struct k_waitq waiters;
};

/* A bounded ring of messages. `kicked` makes one waiting fetch return a
 * timeout early so tcpip_thread re-reads its timer list (sys_arch.c). */
struct k_net_mbox {
    bool valid;
    bool kicked;
    uint32_t size;
    uint32_t head; /* next message to fetch */
    uint32_t count; /* messages queued */
    void **msgs;
    struct k_waitq readers;
    struct k_waitq writers;
};

/* lwIP names these types; macros rather than typedefs keep the kernel's
 * rule of no struct typedefs. */
#define sys_sem_t struct k_net_sem
#define sys_mutex_t struct k_net_mutex
#define sys_mbox_t struct k_net_mbox
#define sys_thread_t struct k_thread *

/* Threads never preempt each other and interrupts stay off, so lwIP's
 * short critical sections need no protection at all. */
typedef int sys_prot_t;

#endif /* ONYX_LWIP_ARCH_SYS_ARCH_H */
