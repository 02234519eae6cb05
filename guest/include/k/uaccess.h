/* SPDX-License-Identifier: MIT */
/*
 * Access to app memory from the guest kernel. App and kernel share one
 * address space and one ring (k/arch.h), so app pointers are checked
 * against the kernel's own areas; a page fault that demand paging cannot
 * resolve makes the copy return -EFAULT instead of crashing.
 */
#ifndef K_UACCESS_H
#define K_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "onyx/abi.h"

/* End of everything the app may address (its main stack's top). */
#define K_USER_END ONYX_APP_STACK_TOP

/* True when [p, p+len) is app memory: below K_USER_END and clear of
 * the kernel image, the direct map and kernel allocations. */
bool k_user_range_ok(const void *p, size_t len);
/* True when `addr` lies in one of the kernel's areas. */
bool k_is_kernel_addr(uint64_t addr);

/* 0 or -EFAULT. */
int k_copy_from_user(void *dst, const void *usrc, size_t len);
int k_copy_to_user(void *udst, const void *src, size_t len);
int k_clear_user(void *udst, size_t len);
/* Copies a NUL-terminated string of at most max-1 bytes plus NUL.
 * Returns its length, -EFAULT, or -ENAMETOOLONG when longer. */
long k_strncpy_from_user(char *dst, const char *usrc, size_t max);

/* True when `rip` is inside the fault-tolerant copy routines; the page
 * fault handler then resumes at their error exit. */
bool k_uaccess_fixup(uint64_t *rip);

#endif
