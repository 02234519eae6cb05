/* SPDX-License-Identifier: MIT */
/* Guest kernel memory: physical pages, kernel heap, address conversion. */
#ifndef K_MM_H
#define K_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "onyx/abi.h"

#define K_PAGE_SIZE 4096ul

/* Physical <-> direct-map virtual address. */
static inline void *k_phys_to_virt(uint64_t phys)
{
    return (void *)(uintptr_t)(phys + ONYX_DIRECT_MAP);
}

/* Physical address of any mapped kernel or app virtual address, or
 * UINT64_MAX when unmapped (walks the page tables). */
uint64_t k_virt_to_phys(const void *virt);

/* One zeroed physical page; returns its physical address, 0 when out of
 * memory. */
uint64_t k_page_alloc(void);
void k_page_free(uint64_t phys);

/* Boot: takes over [phys_free_start, mem_size). */
void k_page_init(void);
/* Pages still available for k_page_alloc. */
uint64_t k_page_free_count(void);

/*
 * Kernel virtual allocations in the ONYX_KVMALLOC_BASE area: `size`
 * rounded up to whole pages, mapped read-write no-execute, with an
 * unmapped guard page below (stack overflow or a neighbour's overrun
 * faults). k_vmap_free takes the same size. NULL when out of memory.
 */
void *k_vmap_alloc(size_t size);
void k_vmap_free(void *p, size_t size);

/*
 * Kernel heap. Memory is zeroed by k_calloc only. Alignment is 16 bytes
 * (page alignment for sizes >= 4096). Returns NULL when out of memory.
 * k_free(NULL) is a no-op. Safe from any kernel context except the crash
 * path.
 */
void *k_malloc(size_t size);
void *k_calloc(size_t n, size_t size);
void *k_realloc(void *ptr, size_t size);
void k_free(void *ptr);

/* Bytes of guest memory in use and in total, for sysinfo and logs. */
void k_mem_stats(uint64_t *used, uint64_t *total);

#endif
