/* SPDX-License-Identifier: MIT */
/*
 * Kernel heap (guest side): power-of-two size classes from 32 to 2048
 * bytes carved from direct-mapped pages, and page-aligned blocks from
 * k_vmap_alloc for anything larger. Every block has a 16-byte header
 * just before it naming its class and size.
 */
#include <stdint.h>
#include <string.h>

#include "k/log.h"
#include "k/mm.h"

#define HDR_SIZE 16
#define MAGIC_SMALL 0x6b6d656du /* "kmem" */
#define MAGIC_LARGE 0x6b6d4c47u
#define MAGIC_FREE 0x6b667265u
#define CLASS_MIN_SHIFT 5 /* 32 bytes */
#define CLASS_MAX_SHIFT 11 /* 2048 bytes */
#define NUM_CLASSES (CLASS_MAX_SHIFT - CLASS_MIN_SHIFT + 1)

struct hdr {
    uint32_t magic;
    uint32_t cls; /* size class; data pages for large blocks */
    uint64_t size; /* bytes the caller asked for */
};

_Static_assert(sizeof(struct hdr) == HDR_SIZE, "heap header");

struct free_block {
    struct hdr hdr;
    struct free_block *next;
};

static struct free_block *free_lists[NUM_CLASSES];

static int class_of(size_t total)
{
    int cls = 0;

    while ((1ul << (cls + CLASS_MIN_SHIFT)) < total)
        cls++;
    return cls;
}

static bool refill(int cls)
{
    size_t block = 1ul << (cls + CLASS_MIN_SHIFT);
    uint64_t phys = k_page_alloc();
    char *page;

    if (!phys)
        return false;
    page = k_phys_to_virt(phys);
    for (size_t off = 0; off + block <= K_PAGE_SIZE; off += block) {
        struct free_block *b = (struct free_block *)(page + off);

        b->hdr.magic = MAGIC_FREE;
        b->hdr.cls = (uint32_t)cls;
        b->next = free_lists[cls];
        free_lists[cls] = b;
    }
    return true;
}

static void *alloc_large(size_t size)
{
    size_t total = K_PAGE_SIZE + size;
    uint64_t pages = (size + K_PAGE_SIZE - 1) / K_PAGE_SIZE;
    char *base;
    struct hdr *h;

    if (total < size || pages > UINT32_MAX)
        return NULL;
    base = k_vmap_alloc(total);
    if (!base)
        return NULL;
    /* Header at the end of the first page: the block is page aligned. */
    h = (struct hdr *)(base + K_PAGE_SIZE - HDR_SIZE);
    *h = (struct hdr){
        .magic = MAGIC_LARGE, .cls = (uint32_t)pages, .size = size};
    return base + K_PAGE_SIZE;
}

void *k_malloc(size_t size)
{
    int cls;
    struct free_block *b;

    if (size > (1ul << CLASS_MAX_SHIFT) - HDR_SIZE)
        return alloc_large(size);
    cls = class_of(size + HDR_SIZE);
    if (!free_lists[cls] && !refill(cls))
        return NULL;
    b = free_lists[cls];
    free_lists[cls] = b->next;
    b->hdr =
        (struct hdr){.magic = MAGIC_SMALL, .cls = (uint32_t)cls, .size = size};
    return (char *)b + HDR_SIZE;
}

void *k_calloc(size_t n, size_t size)
{
    size_t total;
    void *p;

    if (__builtin_mul_overflow(n, size, &total))
        return NULL;
    p = k_malloc(total);
    if (p)
        memset(p, 0, total);
    return p;
}

static struct hdr *header_of(void *ptr)
{
    struct hdr *h = (struct hdr *)((char *)ptr - HDR_SIZE);

    if (h->magic != MAGIC_SMALL && h->magic != MAGIC_LARGE)
        k_panic("heap: free or realloc of a bad pointer %p (magic 0x%x)", ptr,
                h->magic);
    return h;
}

void k_free(void *ptr)
{
    struct hdr *h;

    if (!ptr)
        return;
    h = header_of(ptr);
    if (h->magic == MAGIC_LARGE) {
        size_t pages = h->cls;

        h->magic = MAGIC_FREE;
        k_vmap_free((char *)ptr - K_PAGE_SIZE, (pages + 1) * K_PAGE_SIZE);
        return;
    }
    {
        struct free_block *b = (struct free_block *)h;
        uint32_t cls = h->cls;

        if (cls >= NUM_CLASSES)
            k_panic("heap: corrupt header at %p", ptr);
        b->hdr.magic = MAGIC_FREE;
        b->next = free_lists[cls];
        free_lists[cls] = b;
    }
}

void *k_realloc(void *ptr, size_t size)
{
    struct hdr *h;
    size_t capacity;
    void *n;

    if (!ptr)
        return k_malloc(size);
    if (!size) {
        k_free(ptr);
        return NULL;
    }
    h = header_of(ptr);
    if (h->magic == MAGIC_SMALL)
        capacity = (1ul << (h->cls + CLASS_MIN_SHIFT)) - HDR_SIZE;
    else
        capacity = (size_t)h->cls * K_PAGE_SIZE;
    if (size <= capacity) {
        h->size = size;
        return ptr;
    }
    n = k_malloc(size);
    if (!n)
        return NULL;
    memcpy(n, ptr, h->size < size ? h->size : size);
    k_free(ptr);
    return n;
}
