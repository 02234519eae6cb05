/* SPDX-License-Identifier: MIT */
/*
 * 4-level page-table editing in the tables the monitor built: 4 KiB
 * mappings with W^X rights, reached through the direct map; lookups
 * that never fault; TLB flushes gathered into one trip through the
 * ring-0 gate per operation (guest side).
 */
#include <errno.h>
#include <stdint.h>

#include "k/arch.h"
#include "k/boot.h"
#include "k/mm.h"
#include "k/paging.h"

#define LEVELS 4
/* Beyond this many pages one whole-TLB flush is cheaper than invlpg's
 * (each emulated in ring 0 under kvm_pvm). */
#define FLUSH_PAGES_MAX 32

/* Pages whose translations changed since the last k_pt_flush. */
static uint64_t gather_lo, gather_hi;
static uint64_t gather_pages;

static void gather(uint64_t va)
{
    if (!gather_pages || va < gather_lo)
        gather_lo = va;
    if (!gather_pages || va + K_PAGE_SIZE > gather_hi)
        gather_hi = va + K_PAGE_SIZE;
    gather_pages++;
}

void k_pt_flush(void)
{
    uint64_t span;

    if (!gather_pages)
        return;
    span = (gather_hi - gather_lo) / K_PAGE_SIZE;
    if (span <= FLUSH_PAGES_MAX)
        k_arch_invlpg_range(gather_lo, span);
    else
        k_arch_flush_tlb();
    gather_pages = 0;
}

static unsigned index_at(uint64_t va, int level)
{
    /* level 3 = PML4 ... level 0 = page table */
    return (unsigned)((va >> (12 + 9 * level)) & 511);
}

static uint64_t *table_virt(uint64_t entry)
{
    return k_phys_to_virt(entry & K_PTE_ADDR);
}

static bool phys_ok(uint64_t phys, uint64_t len)
{
    return phys < k_boot_info->mem_size && len <= k_boot_info->mem_size - phys;
}

static uint64_t *root(void)
{
    return k_phys_to_virt(k_boot_info->pml4_phys);
}

static uint64_t leaf_flags(unsigned rights)
{
    /* All code runs in ring 3 (U). Accessed and dirty are set up
     * front: nothing here reads them, and a shadow MMU (kvm_pvm)
     * prefetches neighbouring entries only when they are set. */
    uint64_t f = K_PTE_P | K_PTE_U | K_PTE_A;

    if (rights & K_MAP_W)
        f |= K_PTE_W | K_PTE_D;
    if (!(rights & K_MAP_X))
        f |= K_PTE_NX;
    return f;
}

/* Walks to the page-table entry for `va`, creating tables when
 * `create`. NULL when a table is missing (or cannot be allocated) or
 * a large page covers va. */
static uint64_t *walk(uint64_t va, bool create)
{
    uint64_t *table = root();

    for (int level = LEVELS - 1; level > 0; level--) {
        uint64_t *e = &table[index_at(va, level)];

        if (!(*e & K_PTE_P)) {
            uint64_t page;

            if (!create)
                return NULL;
            page = k_page_alloc();
            if (!page)
                return NULL;
            /* Rights are decided at the leaf only. */
            *e = page | K_PTE_P | K_PTE_W | K_PTE_U;
        } else if (*e & K_PTE_PS) {
            return NULL;
        } else if (create && (*e & (K_PTE_W | K_PTE_U | K_PTE_NX)) !=
                                 (K_PTE_W | K_PTE_U)) {
            /* A monitor-built table may be read-only or NX above a
             * segment; leaves carry the rights, so open it up. */
            *e = (*e | K_PTE_W | K_PTE_U) & ~K_PTE_NX;
        }
        table = table_virt(*e);
    }
    return &table[index_at(va, 0)];
}

int k_pt_map(uint64_t va, uint64_t phys, unsigned rights)
{
    uint64_t *pte = walk(va, true);

    if (!pte)
        return -ENOMEM;
    if (*pte & (K_PTE_P | K_PTE_KEPT))
        return -EEXIST;
    *pte = (phys & K_PTE_ADDR) | leaf_flags(rights);
    return 0;
}

uint64_t k_pt_take(uint64_t va)
{
    uint64_t *pte = walk(va, false);
    uint64_t old;

    if (!pte || !(*pte & (K_PTE_P | K_PTE_KEPT)))
        return 0;
    old = *pte;
    *pte = 0;
    gather(va);
    return old & K_PTE_ADDR;
}

/*
 * Visits every present 4 KiB entry in [start, end), skipping whole
 * absent tables, and applies `fn`. Shared by unmap and protect.
 */
typedef void (*pte_fn)(uint64_t va, uint64_t *pte, unsigned arg);

static void walk_range(uint64_t start, uint64_t end, pte_fn fn, unsigned arg)
{
    uint64_t va = start;

    if (start >= end)
        return;

    while (va < end) {
        uint64_t *table = root();
        int level;

        for (level = LEVELS - 1; level > 0; level--) {
            uint64_t e = table[index_at(va, level)];

            if (!(e & K_PTE_P) || (e & K_PTE_PS))
                break;
            table = table_virt(e);
        }
        if (level > 0) {
            /* Skip to the next entry at this level. */
            uint64_t span = 1ull << (12 + 9 * level);
            uint64_t next = (va & ~(span - 1)) + span;

            if (next <= va)
                return;
            va = next;
            continue;
        }
        for (unsigned i = index_at(va, 0); i < 512 && va < end; i++) {
            if (table[i] & (K_PTE_P | K_PTE_KEPT))
                fn(va, &table[i], arg);
            va += K_PAGE_SIZE;
        }
    }
}

static void unmap_one(uint64_t va, uint64_t *pte, unsigned free_pages)
{
    uint64_t phys = *pte & K_PTE_ADDR;

    *pte = 0;
    gather(va);
    if (free_pages)
        k_page_free(phys);
}

void k_pt_unmap_range(uint64_t start, uint64_t end, bool free_pages)
{
    walk_range(start, end, unmap_one, free_pages);
    k_pt_flush();
}

static void protect_one(uint64_t va, uint64_t *pte, unsigned rights)
{
    if (rights)
        *pte = (*pte & K_PTE_ADDR) | leaf_flags(rights);
    else
        *pte = (*pte & K_PTE_ADDR) | K_PTE_KEPT;
    gather(va);
}

void k_pt_protect_range(uint64_t start, uint64_t end, unsigned rights)
{
    walk_range(start, end, protect_one, rights);
    k_pt_flush();
}

int k_pt_prepare(uint64_t start, uint64_t end)
{
    for (uint64_t va = start; va < end; va += K_PAGE_SIZE) {
        if (!walk(va, true))
            return -ENOMEM;
        /* One walk per page table is enough. */
        va |= (512 * K_PAGE_SIZE - 1) & ~(K_PAGE_SIZE - 1);
    }
    return 0;
}

uint64_t k_pt_lookup(uint64_t va, uint64_t *page_size)
{
    uint64_t *table = root();

    for (int level = LEVELS - 1; level >= 0; level--) {
        uint64_t e = table[index_at(va, level)];

        if (!(e & K_PTE_P))
            return 0;
        if (level == 0 || (e & K_PTE_PS)) {
            if (page_size)
                *page_size = 1ull << (12 + 9 * level);
            return e;
        }
        if (!phys_ok(e & K_PTE_ADDR, K_PAGE_SIZE))
            return 0;
        table = table_virt(e);
    }
    return 0;
}

bool k_pt_allows(uint64_t pte, bool write, bool exec)
{
    if (!(pte & K_PTE_P))
        return false;
    if (write && !(pte & K_PTE_W))
        return false;
    if (exec && (pte & K_PTE_NX))
        return false;
    return true;
}

uint64_t k_virt_to_phys(const void *virt)
{
    uint64_t va = (uint64_t)(uintptr_t)virt;
    uint64_t size = 0;
    uint64_t e = k_pt_lookup(va, &size);

    if (!e)
        return UINT64_MAX;
    return (e & K_PTE_ADDR & ~(size - 1)) + (va & (size - 1));
}
