/* SPDX-License-Identifier: MIT */
/* Guest side of the hypercalls defined in onyx/abi.h. */
#ifndef K_HYPERCALL_H
#define K_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include "onyx/abi.h"

/* Writes to a console stream; splits at ONYX_CONSOLE_MAX. `buf` may be
 * any mapped kernel or app address (copied through a bounce buffer). */
void k_hc_console_write(uint32_t stream, uint32_t level, const void *buf,
                        size_t len);
/* Writes app memory to a console stream through the bounce buffer.
 * Returns bytes written, or -EFAULT when nothing could be read. */
long k_hc_console_write_user(uint32_t stream, const void *ubuf, size_t len);
/* Sends `len` bytes of `buf` with `hc` as the argument struct; both must
 * lie in the kernel image (static storage). For the kernel log, whose
 * lines may be emitted while the bounce buffer is in use. */
void k_hc_console_write_static(uint32_t stream, uint32_t level, const char *buf,
                               size_t len, struct onyx_hc_console *hc);
/* Fills `out` with host clocks and the guest TSC at the same moment. */
void k_hc_clock(struct onyx_hc_clock *out);
/* See struct onyx_hc_poll. Returns packets waiting in the RX ring.
 * A signal the host reports (the `stop` field) is also kept for
 * k_hc_take_signal, whoever made the call. */
uint32_t k_hc_poll(uint64_t deadline_ns, uint32_t *stop);
/* The last signal a poll reported and nobody took yet (0: none). */
uint32_t k_hc_take_signal(void);
_Noreturn void k_hc_exit(int status);
_Noreturn void k_hc_crash(struct onyx_hc_crash *crash);

#endif
