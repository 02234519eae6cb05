/* SPDX-License-Identifier: MIT */
/*
 * Kernel virtual allocations (thread stacks, large heap blocks) in the
 * ONYX_KVMALLOC_BASE area, each preceded by an unmapped guard page;
 * address ranges are recycled through a sorted free list (guest side).
 */
#include <stdint.h>

#include "k/log.h"
#include "k/mm.h"
#include "k/paging.h"

/* 128 GiB of addresses, ending well below the app's main stack. */
#define VMAP_SPAN (1ull << 37)

struct range {
    uint64_t start;
    uint64_t end;
    struct range *next;
};

static struct range *free_list;
static bool vmap_ready;

static bool vmap_init(void)
{
    free_list = k_malloc(sizeof(*free_list));
    if (!free_list)
        return false;
    *free_list = (struct range){
        .start = ONYX_KVMALLOC_BASE,
        .end = ONYX_KVMALLOC_BASE + VMAP_SPAN,
    };
    vmap_ready = true;
    return true;
}

static uint64_t range_take(uint64_t len)
{
    struct range **link = &free_list;

    for (struct range *r = free_list; r; link = &r->next, r = r->next) {
        uint64_t start = r->start;

        if (r->end - r->start < len)
            continue;
        r->start += len;
        if (r->start == r->end) {
            *link = r->next;
            k_free(r);
        }
        return start;
    }
    return 0;
}

static void range_give(uint64_t start, uint64_t end)
{
    struct range **link = &free_list;
    struct range *prev = NULL;
    struct range *r = free_list;

    while (r && r->start < start) {
        prev = r;
        link = &r->next;
        r = r->next;
    }
    if (prev && prev->end == start) {
        prev->end = end;
        if (r && r->start == end) {
            prev->end = r->end;
            prev->next = r->next;
            k_free(r);
        }
        return;
    }
    if (r && r->start == end) {
        r->start = start;
        return;
    }
    {
        struct range *n = k_malloc(sizeof(*n));

        if (!n) {
            /* Losing a range of addresses is harmless: there are
             * 128 GiB of them. */
            k_warn("vmap: out of memory, address range leaked: "
                   "start=0x%lx",
                   start);
            return;
        }
        *n = (struct range){.start = start, .end = end, .next = r};
        *link = n;
    }
}

void *k_vmap_alloc(size_t size)
{
    uint64_t pages = (size + K_PAGE_SIZE - 1) / K_PAGE_SIZE;
    uint64_t base;
    uint64_t va;

    if (!pages || pages > VMAP_SPAN / K_PAGE_SIZE / 2)
        return NULL;
    if (!vmap_ready && !vmap_init())
        return NULL;
    if (pages > k_page_free_count())
        return NULL;
    base = range_take((pages + 1) * K_PAGE_SIZE);
    if (!base)
        return NULL;
    va = base + K_PAGE_SIZE; /* the guard stays unmapped */
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t phys = k_page_alloc();

        if (!phys || k_pt_map(va + i * K_PAGE_SIZE, phys, K_MAP_R | K_MAP_W)) {
            if (phys)
                k_page_free(phys);
            k_pt_unmap_range(va, va + i * K_PAGE_SIZE, true);
            range_give(base, base + (pages + 1) * K_PAGE_SIZE);
            return NULL;
        }
    }
    return (void *)(uintptr_t)va;
}

void k_vmap_free(void *p, size_t size)
{
    uint64_t va = (uint64_t)(uintptr_t)p;
    uint64_t pages = (size + K_PAGE_SIZE - 1) / K_PAGE_SIZE;

    if (!p)
        return;
    if (va & (K_PAGE_SIZE - 1) || va < ONYX_KVMALLOC_BASE + K_PAGE_SIZE ||
        va >= ONYX_KVMALLOC_BASE + VMAP_SPAN)
        k_panic("vmap: bad free of %p", p);
    k_pt_unmap_range(va, va + pages * K_PAGE_SIZE, true);
    range_give(va - K_PAGE_SIZE, va + pages * K_PAGE_SIZE);
}
