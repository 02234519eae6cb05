/* SPDX-License-Identifier: MIT */
/*
 * Guest side of the hypercalls in onyx/abi.h: each argument struct
 * lives in the kernel image (below 4 GiB physical) and its physical
 * address is written to the hypercall's I/O port.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "k/hypercall.h"
#include "k/mm.h"
#include "k/uaccess.h"

/* The kernel image is physically contiguous at ONYX_KERNEL_PHYS. */
static uint32_t image_phys(const void *p)
{
    return (uint32_t)((uint64_t)(uintptr_t)p - ONYX_KERNEL_VBASE);
}

/* The kernel runs in ring 3, where port I/O faults: use the MMIO form,
 * one store into the monitor's page (abi.h). */
static void hc_out(unsigned nr, const void *arg)
{
    volatile uint64_t *slot =
        (volatile uint64_t *)(uintptr_t)(ONYX_HC_MMIO_VIRT + 8ull * nr);

    __asm__ volatile("" : : : "memory");
    *slot = image_phys(arg);
    __asm__ volatile("" : : : "memory");
}

/* Console writes go through this bounce buffer: app buffers and kernel
 * stacks are not physically contiguous. */
static char console_bounce[ONYX_CONSOLE_MAX];
static struct onyx_hc_console console_hc;

/* Returns the monitor's answer: 0, or -errno when its stream failed
 * (-EPIPE when the reader went away, -ENOSPC, -EIO). */
static long console_send(uint32_t stream, uint32_t level, size_t len)
{
    console_hc = (struct onyx_hc_console){
        .buf = image_phys(console_bounce),
        .len = len,
        .stream = stream,
        .level = level,
    };
    hc_out(ONYX_HC_CONSOLE_WRITE, &console_hc);
    return (long)console_hc.ret;
}

void k_hc_console_write(uint32_t stream, uint32_t level, const void *buf,
                        size_t len)
{
    const char *p = buf;

    while (len) {
        size_t n = len < sizeof(console_bounce) ? len : sizeof(console_bounce);

        memcpy(console_bounce, p, n);
        console_send(stream, level, n);
        p += n;
        len -= n;
    }
}

long k_hc_console_write_user(uint32_t stream, const void *ubuf, size_t len)
{
    const char *p = ubuf;
    size_t done = 0;

    while (done < len) {
        size_t n = len - done;

        if (n > sizeof(console_bounce))
            n = sizeof(console_bounce);
        if (k_copy_from_user(console_bounce, p + done, n)) {
            if (done)
                break;
            return -EFAULT;
        }
        long rc = console_send(stream, 0, n);

        if (rc < 0)
            return done ? (long)done : rc;
        done += n;
    }
    return (long)done;
}

/* Kernel log lines come from a static buffer of their own so a line
 * logged while a console write is half-copied does not clobber it. */
void k_hc_console_write_static(uint32_t stream, uint32_t level, const char *buf,
                               size_t len, struct onyx_hc_console *hc)
{
    *hc = (struct onyx_hc_console){
        .buf = image_phys(buf),
        .len = len,
        .stream = stream,
        .level = level,
    };
    hc_out(ONYX_HC_CONSOLE_WRITE, hc);
}

static struct onyx_hc_clock clock_hc;

void k_hc_clock(struct onyx_hc_clock *out)
{
    clock_hc = (struct onyx_hc_clock){0};
    hc_out(ONYX_HC_CLOCK, &clock_hc);
    *out = clock_hc;
}

static struct onyx_hc_poll poll_hc;
static uint32_t host_signal;

uint32_t k_hc_take_signal(void)
{
    uint32_t sig = host_signal;

    host_signal = 0;
    return sig;
}

uint32_t k_hc_poll(uint64_t deadline_ns, uint32_t *stop)
{
    poll_hc = (struct onyx_hc_poll){.deadline_ns = deadline_ns};
    hc_out(ONYX_HC_POLL, &poll_hc);
    if (poll_hc.stop)
        host_signal = poll_hc.stop;
    if (stop)
        *stop = poll_hc.stop;
    return poll_hc.rx_ready;
}

static struct onyx_hc_exit exit_hc;

_Noreturn void k_hc_exit(int status)
{
    exit_hc.status = status;
    /* The monitor never resumes us; if it ever did, ask again. */
    for (;;)
        hc_out(ONYX_HC_EXIT, &exit_hc);
}

_Noreturn void k_hc_crash(struct onyx_hc_crash *crash)
{
    for (;;)
        hc_out(ONYX_HC_CRASH, crash);
}
