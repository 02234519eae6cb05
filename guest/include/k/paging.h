/* SPDX-License-Identifier: MIT */
/*
 * Page-table editing for the guest kernel: 4 KiB mappings in the tables
 * the monitor built, reached through the direct map (guest side).
 */
#ifndef K_PAGING_H
#define K_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define K_PTE_P (1ull << 0)
#define K_PTE_W (1ull << 1)
#define K_PTE_U (1ull << 2)
#define K_PTE_A (1ull << 5)
#define K_PTE_D (1ull << 6)
#define K_PTE_PS (1ull << 7)
#define K_PTE_NX (1ull << 63)
/* Software bit: a page kept while its region is PROT_NONE (P clear). */
#define K_PTE_KEPT (1ull << 9)
#define K_PTE_ADDR 0x000ffffffffff000ull

/* Access rights of a mapping, W^X enforced by the callers' policy. */
#define K_MAP_R 1u
#define K_MAP_W 2u
#define K_MAP_X 4u

/* Maps the 4 KiB page at `va` to `phys` with K_MAP_* rights. Creates
 * intermediate tables as needed. 0, -ENOMEM, or -EEXIST when a page is
 * already mapped there (the old mapping is kept). */
int k_pt_map(uint64_t va, uint64_t phys, unsigned rights);
/* Removes the mapping at `va`; returns its physical page or 0 when
 * nothing was mapped. The TLB entry stays until k_pt_flush. */
uint64_t k_pt_take(uint64_t va);
/* Flushes every translation changed by k_pt_take since the last flush
 * (the range functions below flush by themselves). */
void k_pt_flush(void);
/* Unmaps every page in [start, end) and hands each physical page to
 * k_page_free when `free_pages`; skips absent tables quickly. */
void k_pt_unmap_range(uint64_t start, uint64_t end, bool free_pages);
/* Changes the rights of every mapped page in [start, end). Rights 0
 * (PROT_NONE) keep the page but make it not present. */
void k_pt_protect_range(uint64_t start, uint64_t end, unsigned rights);
/* Creates the page tables [start, end) needs, so later k_pt_map calls
 * there cannot fail. 0 or -ENOMEM. */
int k_pt_prepare(uint64_t start, uint64_t end);
/* The leaf entry for `va` (4 KiB, or the 2 MiB/1 GiB entry that covers
 * it), 0 when not present. Never faults. */
uint64_t k_pt_lookup(uint64_t va, uint64_t *page_size);
/* True when `rights` would be allowed by entry `pte` for access kind
 * write/exec. */
bool k_pt_allows(uint64_t pte, bool write, bool exec);

#endif
