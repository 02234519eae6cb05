/* SPDX-License-Identifier: MIT */
/*
 * Host-side builder of the guest's initial 4-level page tables: kernel
 * and app segments with 4 KiB W^X pages and the 2 MiB direct map.
 */
#include <errno.h>
#include <string.h>

#include "onyx/abi.h"
#include "vm.h"

#define ENTRIES 512u
/* Intermediate tables allow everything; leaves decide W and NX. */
#define TABLE_FLAGS (MON_PTE_P | MON_PTE_W | MON_PTE_U)

/* A zeroed page for a table: the low pool first, then after the kernel.
 * Pool pages are fresh (zero) because nothing else is placed there. */
static uint64_t table_alloc(struct mon_vm *vm)
{
    uint64_t pa;

    if (vm->pt_next + ONYX_PAGE_SIZE <= ONYX_KERNEL_PHYS &&
        vm->pt_next + ONYX_PAGE_SIZE <= vm->mem_size) {
        pa = vm->pt_next;
        vm->pt_next += ONYX_PAGE_SIZE;
        return pa;
    }
    return mon_vm_alloc(vm, ONYX_PAGE_SIZE);
}

static uint64_t *table_at(struct mon_vm *vm, uint64_t pa)
{
    return mon_vm_ptr(vm, pa, ONYX_PAGE_SIZE);
}

/* Returns the table that entry `idx` of `table` points to, creating it. */
static uint64_t *table_next(struct mon_vm *vm, uint64_t *table, unsigned idx)
{
    uint64_t pa;

    if (table[idx] & MON_PTE_P) {
        if (table[idx] & MON_PTE_PS)
            return NULL;
        return table_at(vm, table[idx] & MON_PTE_ADDR);
    }
    pa = table_alloc(vm);
    if (pa == 0)
        return NULL;
    table[idx] = pa | TABLE_FLAGS;
    return table_at(vm, pa);
}

static int paging_root(struct mon_vm *vm)
{
    if (vm->pml4)
        return 0;
    vm->pml4 = table_alloc(vm);
    return vm->pml4 ? 0 : -ENOMEM;
}

/* Walks to the table at `level` (1 = PT, 2 = PD) holding va's entry. */
static uint64_t *paging_walk(struct mon_vm *vm, uint64_t va, int level)
{
    uint64_t *t = table_at(vm, vm->pml4);

    for (int shift = 39; t && shift > 12 + 9 * (level - 1); shift -= 9)
        t = table_next(vm, t, (unsigned)(va >> shift) & (ENTRIES - 1));
    return t;
}

/* Merges permissions of a page mapped twice: writable if either is,
 * executable if either is. */
static uint64_t merge_leaf(uint64_t old, uint64_t new)
{
    uint64_t nx = (old & new) & MON_PTE_NX;

    return ((old | new) & ~MON_PTE_NX) | nx;
}

int mon_paging_map(struct mon_vm *vm, uint64_t va, uint64_t pa, uint64_t size,
                   uint64_t flags)
{
    uint64_t end = va + size;

    if (paging_root(vm) < 0)
        return -ENOMEM;
    for (; va < end; va += ONYX_PAGE_SIZE, pa += ONYX_PAGE_SIZE) {
        uint64_t *pt = paging_walk(vm, va, 1);
        unsigned idx = (unsigned)(va >> 12) & (ENTRIES - 1);
        uint64_t leaf = pa | MON_PTE_P | MON_PTE_U | flags;

        if (!pt)
            return -ENOMEM;
        if (!(pt[idx] & MON_PTE_P))
            pt[idx] = leaf;
        else if ((pt[idx] & MON_PTE_ADDR) == pa)
            pt[idx] = merge_leaf(pt[idx], leaf);
        else
            return -EEXIST;
    }
    return 0;
}

int mon_paging_map_direct(struct mon_vm *vm)
{
    const uint64_t huge = 2ull << 20;

    if (paging_root(vm) < 0)
        return -ENOMEM;
    for (uint64_t pa = 0; pa < vm->mem_size; pa += huge) {
        uint64_t va = ONYX_DIRECT_MAP + pa;
        uint64_t *pd = paging_walk(vm, va, 2);
        unsigned idx = (unsigned)(va >> 21) & (ENTRIES - 1);

        if (!pd)
            return -ENOMEM;
        pd[idx] =
            pa | MON_PTE_P | MON_PTE_U | MON_PTE_W | MON_PTE_PS | MON_PTE_NX;
    }
    return 0;
}
