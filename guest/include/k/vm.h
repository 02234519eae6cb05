/* SPDX-License-Identifier: MIT */
/*
 * The app's address space: regions for the image, brk, anonymous mmaps
 * and the main stack, demand-paged with zero pages (guest side). All
 * functions return 0 or a value, or -errno like the Linux syscalls.
 */
#ifndef K_VM_H
#define K_VM_H

#include <stdbool.h>
#include <stdint.h>

/* Main stack: 8 MiB below ONYX_APP_STACK_TOP, one guard page below. */
#define K_STACK_SIZE (8ull << 20)

/* Boot: registers the app's loaded segments (from its program headers)
 * and the main stack. */
void k_vm_init(void);

/*
 * Page fault at `addr` with x86 error code `error`: maps a zero page
 * when `addr` lies in a region whose rights allow the access. Returns 0
 * when handled, -EFAULT when the access is invalid, -ENOMEM when no
 * page is left.
 */
int k_vm_fault(uint64_t addr, uint64_t error);
/* Short description of why `addr` would fault, for crash reports. */
const char *k_vm_describe(uint64_t addr);
/* True when `addr` lies in a mapped region, whatever its rights. */
bool k_vm_mapped(uint64_t addr);

long k_vm_brk(uint64_t addr);
long k_vm_mmap(uint64_t addr, uint64_t len, int prot, int flags);
long k_vm_munmap(uint64_t addr, uint64_t len);
long k_vm_mprotect(uint64_t addr, uint64_t len, int prot);
long k_vm_madvise(uint64_t addr, uint64_t len, int advice);
long k_vm_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
                 uint64_t new_addr);
/* Maps every page of [start, end) now (MAP_POPULATE, stack set-up).
 * 0, -ENOMEM, or -EFAULT when part of the range is not a region. */
int k_vm_populate(uint64_t start, uint64_t end);

/* Writes the app's regions in /proc/self/maps form into `buf`;
 * returns the bytes written, or `size` when they did not all fit. */
size_t k_vm_format_maps(char *buf, size_t size);

#endif
