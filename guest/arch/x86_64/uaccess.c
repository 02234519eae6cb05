/* SPDX-License-Identifier: MIT */
/*
 * Range-checked, fault-tolerant access to app memory from the guest
 * kernel, over the routines in usercopy.S (guest side).
 */
#include <errno.h>
#include <stdint.h>

#include "k/uaccess.h"
#include "k/vm.h"

extern long k_uaccess_copy(void *dst, const void *src, size_t n);
extern long k_uaccess_clear(void *dst, size_t n);
extern long k_uaccess_strncpy(char *dst, const char *src, size_t max);
extern const char k_uaccess_start[], k_uaccess_end[];
extern void k_uaccess_fault(void);
extern const char k_image_start[], k_image_end[];

/* The kernel's areas: its image (low, below 2 GiB) and everything from
 * the direct map up to the guard page under the app's main stack. */
bool k_is_kernel_addr(uint64_t addr)
{
    uint64_t img_lo = (uint64_t)(uintptr_t)k_image_start;
    uint64_t img_hi = (uint64_t)(uintptr_t)k_image_end;

    return (addr >= img_lo && addr < img_hi) ||
           (addr >= ONYX_DIRECT_MAP &&
            addr < ONYX_APP_STACK_TOP - K_STACK_SIZE);
}

bool k_user_range_ok(const void *p, size_t len)
{
    uint64_t a = (uint64_t)(uintptr_t)p;
    uint64_t img_lo = (uint64_t)(uintptr_t)k_image_start;
    uint64_t img_hi = (uint64_t)(uintptr_t)k_image_end;
    uint64_t end;

    if (a >= K_USER_END || len > K_USER_END - a)
        return false;
    end = a + len;
    if (a < img_hi && end > img_lo)
        return false;
    return !(a < ONYX_APP_STACK_TOP - K_STACK_SIZE && end > ONYX_DIRECT_MAP);
}

int k_copy_from_user(void *dst, const void *usrc, size_t len)
{
    if (!k_user_range_ok(usrc, len))
        return -EFAULT;
    return (int)k_uaccess_copy(dst, usrc, len);
}

int k_copy_to_user(void *udst, const void *src, size_t len)
{
    if (!k_user_range_ok(udst, len))
        return -EFAULT;
    return (int)k_uaccess_copy(udst, src, len);
}

int k_clear_user(void *udst, size_t len)
{
    if (!k_user_range_ok(udst, len))
        return -EFAULT;
    return (int)k_uaccess_clear(udst, len);
}

long k_strncpy_from_user(char *dst, const char *usrc, size_t max)
{
    uint64_t a = (uint64_t)(uintptr_t)usrc;
    size_t limit = max;
    long n;

    if (!max || a >= K_USER_END)
        return -EFAULT;
    /* Never read past the end of the app half. */
    if (limit > K_USER_END - a)
        limit = (size_t)(K_USER_END - a);
    n = k_uaccess_strncpy(dst, usrc, limit);
    if (n < 0)
        return n;
    if ((size_t)n >= limit) {
        dst[max - 1] = 0;
        return (size_t)n >= max ? -ENAMETOOLONG : -EFAULT;
    }
    return n;
}

bool k_uaccess_fixup(uint64_t *rip)
{
    uint64_t start = (uint64_t)(uintptr_t)k_uaccess_start;
    uint64_t end = (uint64_t)(uintptr_t)k_uaccess_end;

    if (*rip < start || *rip >= end)
        return false;
    *rip = (uint64_t)(uintptr_t)k_uaccess_fault;
    return true;
}
