/* SPDX-License-Identifier: MIT */
/*
 * Access to app memory from the guest kernel. App pointers are checked
 * to lie in the lower half; a page fault that demand paging cannot
 * resolve makes the copy return -EFAULT instead of crashing.
 */
#ifndef K_UACCESS_H
#define K_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* End of the app half of the address space. */
#define K_USER_END 0x0000800000000000ull

/* True when [p, p+len) lies inside the app half (no overflow). */
static inline bool k_user_range_ok(const void *p, size_t len)
{
    uint64_t a = (uint64_t)(uintptr_t)p;

    return a < K_USER_END && len <= K_USER_END - a;
}

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
