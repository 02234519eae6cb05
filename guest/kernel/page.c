/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator over [phys_free_start, mem_size): never-used
 * pages are handed out without being touched (fresh guest memory reads
 * as zero and every first touch is an expensive nested fault); freed
 * pages are kept on a list threaded through themselves and zeroed when
 * reused (guest side).
 */
#include <stdint.h>
#include <string.h>

#include "k/boot.h"
#include "k/log.h"
#include "k/mm.h"

static uint64_t fresh_next; /* first never-used page */
static uint64_t fresh_end;
static uint64_t free_head; /* physical address, 0 = empty */
static uint64_t free_count;
static uint64_t total_pages;
static uint64_t first_page;

void k_page_init(void)
{
    uint64_t start = (k_boot_info->phys_free_start + K_PAGE_SIZE - 1) &
                     ~(K_PAGE_SIZE - 1);
    uint64_t end = k_boot_info->mem_size & ~(K_PAGE_SIZE - 1);

    if (start >= end)
        k_panic("mm: no free memory: phys_free_start=0x%lx mem_size=0x%lx",
                k_boot_info->phys_free_start, k_boot_info->mem_size);
    fresh_next = start;
    fresh_end = end;
    first_page = start;
    total_pages = (end - start) / K_PAGE_SIZE;
}

uint64_t k_page_alloc(void)
{
    uint64_t phys;

    if (free_head) {
        uint64_t *p = k_phys_to_virt(free_head);

        phys = free_head;
        free_head = *p;
        free_count--;
        memset(p, 0, K_PAGE_SIZE);
        return phys;
    }
    if (fresh_next >= fresh_end)
        return 0;
    phys = fresh_next;
    fresh_next += K_PAGE_SIZE;
    return phys;
}

void k_page_free(uint64_t phys)
{
    uint64_t *p;

    if (phys & (K_PAGE_SIZE - 1) || phys >= fresh_end)
        k_panic("mm: freeing bad page 0x%lx", phys);
    p = k_phys_to_virt(phys);
    *p = free_head;
    free_head = phys;
    free_count++;
}

uint64_t k_page_free_count(void)
{
    return free_count + (fresh_end - fresh_next) / K_PAGE_SIZE;
}

void k_mem_stats(uint64_t *used, uint64_t *total)
{
    uint64_t all = k_boot_info->mem_size;
    uint64_t avail = k_page_free_count() * K_PAGE_SIZE;

    if (total)
        *total = all;
    if (used)
        *used = all - avail;
}
