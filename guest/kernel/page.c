/* SPDX-License-Identifier: MIT */
/*
 * Physical page allocator over [phys_free_start, mem_size): never-used
 * pages are handed out without being touched (fresh guest memory reads
 * as zero and every first touch is an expensive nested fault); freed
 * pages are recycled first and zeroed when reused (guest side).
 */
#include <stdint.h>
#include <string.h>

#include "k/boot.h"
#include "k/log.h"
#include "k/mm.h"

/*
 * Freed pages are kept on a stack of physical addresses. The stack lives
 * in pages of its own, each holding FREE_PER_PAGE entries and a link to
 * the previous one; a freed page becomes the next stack page only when
 * the current one is full, so freeing touches one page in 511 (under
 * kvm_pvm the first touch of a page through the direct map is an exit).
 */
#define FREE_PER_PAGE (K_PAGE_SIZE / sizeof(uint64_t) - 1)

struct free_page {
    uint64_t prev; /* physical address of the previous stack page */
    uint64_t entry[FREE_PER_PAGE];
};

static uint64_t fresh_next; /* first never-used page */
static uint64_t fresh_end;
static struct free_page *free_top; /* current stack page, NULL if none */
static uint64_t free_top_phys;
static unsigned free_top_used;
static uint64_t free_count;

void k_page_init(void)
{
    uint64_t start =
        (k_boot_info->phys_free_start + K_PAGE_SIZE - 1) & ~(K_PAGE_SIZE - 1);
    uint64_t end = k_boot_info->mem_size & ~(K_PAGE_SIZE - 1);

    if (start >= end)
        k_panic("mm: no free memory: phys_free_start=0x%lx mem_size=0x%lx",
                k_boot_info->phys_free_start, k_boot_info->mem_size);
    fresh_next = start;
    fresh_end = end;
}

/* A recycled page (zeroed), or 0 when the stack is empty. */
static uint64_t pop_free(void)
{
    uint64_t phys;

    if (!free_top)
        return 0;
    if (free_top_used) {
        phys = free_top->entry[--free_top_used];
    } else {
        /* The stack page itself is the last free page it holds. */
        phys = free_top_phys;
        free_top_phys = free_top->prev;
        free_top = free_top_phys ? k_phys_to_virt(free_top_phys) : NULL;
        free_top_used = free_top ? FREE_PER_PAGE : 0;
    }
    free_count--;
    memset(k_phys_to_virt(phys), 0, K_PAGE_SIZE);
    return phys;
}

uint64_t k_page_alloc(void)
{
    uint64_t phys = pop_free();

    if (phys)
        return phys;
    if (fresh_next >= fresh_end)
        return 0;
    phys = fresh_next;
    fresh_next += K_PAGE_SIZE;
    return phys;
}

void k_page_free(uint64_t phys)
{
    if (phys & (K_PAGE_SIZE - 1) || phys >= fresh_end)
        k_panic("mm: freeing bad page 0x%lx", phys);
    free_count++;
    if (free_top && free_top_used < FREE_PER_PAGE) {
        free_top->entry[free_top_used++] = phys;
        return;
    }
    /* Full (or no stack yet): the freed page becomes the new top. */
    free_top = k_phys_to_virt(phys);
    free_top->prev = free_top_phys;
    free_top_phys = phys;
    free_top_used = 0;
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
