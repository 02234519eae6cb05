/* SPDX-License-Identifier: MIT */
/*
 * `onyx inspect --syscalls` (host side): which Linux syscalls an
 * image's app code contains and which of them its kernel implements.
 */
#ifndef MON_SYSCALLS_H
#define MON_SYSCALLS_H

#include "image.h"

/*
 * Disassembles the app's executable code (objdump), finds each
 * `syscall` instruction and the constant put in eax before it, and
 * prints one greppable line per number and per unknown site against
 * the kernel's table read from the image. 0, or -errno with a message
 * printed.
 */
int mon_syscalls_report(const struct mon_image *img);

/*
 * Whether the static ELF app[0..app_size) may make syscall `nr`: *may
 * is true when a site puts `nr` in eax or any site's number is not a
 * constant. 0, or -errno with a message printed (objdump missing or
 * failing, out of memory).
 */
int mon_syscalls_may_call(const uint8_t *app, uint64_t app_size, int nr,
                          bool *may);

/* Prints every syscall the image's kernel implements, one
 * "kernel-syscall: NAME NR" line each. 0 or -errno. */
int mon_syscalls_kernel(const struct mon_image *img);

#endif
