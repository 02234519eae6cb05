/* SPDX-License-Identifier: MIT */
/*
 * lwIP's heap on the guest kernel allocator, within a byte budget (guest
 * side). lwIP is built to live in fixed pools and degrades gracefully when
 * an allocation fails (frames dropped and retransmitted, oldest TIME-WAIT
 * pcbs reclaimed); the budget keeps that behaviour with a heap, so a flood
 * of connections or tiny segments cannot eat the app's memory.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "k/log.h"
#include "k/mm.h"

#include "net_internal.h"

/* Each block starts with its size so frees can be accounted; 16 bytes
 * keep the kernel heap's alignment for the caller. */
#define MEM_HDR 16u

/* Until k_net_init sizes it from guest memory. */
static uint64_t budget = 16u << 20;
static uint64_t in_use;
static bool warned;

void k_net_mem_set_budget(uint64_t bytes)
{
    budget = bytes;
}

uint64_t k_net_mem_in_use(void)
{
    return in_use;
}

void *k_net_mem_alloc(size_t size)
{
    uint64_t *hdr;

    if (size > budget || in_use > budget - size) {
        if (!warned) {
            k_warn("net: memory budget reached, dropping: budget=%llu",
                   (unsigned long long)budget);
            warned = true;
        }
        return NULL;
    }
    hdr = k_malloc(size + MEM_HDR);
    if (hdr == NULL)
        return NULL;
    hdr[0] = size;
    in_use += size;
    return (char *)hdr + MEM_HDR;
}

void *k_net_mem_calloc(size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    p = k_net_mem_alloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

void k_net_mem_free(void *ptr)
{
    uint64_t *hdr;

    if (ptr == NULL)
        return;
    hdr = (uint64_t *)((char *)ptr - MEM_HDR);
    in_use -= hdr[0];
    k_free(hdr);
}
