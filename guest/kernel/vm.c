/* SPDX-License-Identifier: MIT */
/*
 * The app's address space (guest side): a sorted array of regions
 * (image segments, brk, anonymous mmaps, the main stack) whose pages are
 * mapped on first touch with a zero page, W^X rights from PROT_*, and
 * the Linux calls that reshape them (brk, mmap, munmap, mprotect,
 * madvise, mremap).
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "k/arch.h"
#include "k/boot.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/paging.h"
#include "k/uaccess.h"
#include "k/vm.h"

#define PAGE K_PAGE_SIZE
#define MMAP_MIN 0x10000ull /* like vm.mmap_min_addr */
#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
#define STACK_OVERFLOW_ZONE (1ull << 20)

/* VMA_KERNEL reserves the kernel image's addresses (it sits below
 * 2 GiB, inside the range brk and mmap hints could reach). */
enum vma_kind { VMA_IMAGE, VMA_BRK, VMA_ANON, VMA_STACK, VMA_KERNEL };

struct vma {
    uint64_t start;
    uint64_t end;
    uint32_t prot;
    uint32_t kind;
};

static struct vma *vmas;
static size_t nvma;
static size_t vma_cap;
extern const char k_image_start[], k_image_end[];

static uint64_t brk_start;
static uint64_t brk_cur;
static bool warned_wx;

static uint64_t page_up(uint64_t v)
{
    return (v + PAGE - 1) & ~(PAGE - 1);
}

static unsigned rights_of(uint32_t prot)
{
    unsigned r = 0;

    if (prot & PROT_READ)
        r |= K_MAP_R;
    if (prot & PROT_WRITE)
        r |= K_MAP_R | K_MAP_W;
    if (prot & PROT_EXEC)
        r |= K_MAP_R | K_MAP_X;
    return r;
}

/* Index of the first region ending above `addr` (nvma if none). */
static size_t lower_bound(uint64_t addr)
{
    size_t lo = 0;
    size_t hi = nvma;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (vmas[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct vma *find(uint64_t addr)
{
    size_t i = lower_bound(addr);

    if (i < nvma && vmas[i].start <= addr)
        return &vmas[i];
    return NULL;
}

static bool range_free(uint64_t start, uint64_t end)
{
    size_t i = lower_bound(start);

    return i == nvma || vmas[i].start >= end;
}

static int insert_at(size_t i, struct vma v)
{
    if (nvma == vma_cap) {
        size_t cap = vma_cap ? vma_cap * 2 : 32;
        struct vma *n = k_realloc(vmas, cap * sizeof(*n));

        if (!n)
            return -ENOMEM;
        vmas = n;
        vma_cap = cap;
    }
    memmove(&vmas[i + 1], &vmas[i], (nvma - i) * sizeof(*vmas));
    vmas[i] = v;
    nvma++;
    return 0;
}

static void remove_at(size_t i)
{
    memmove(&vmas[i], &vmas[i + 1], (nvma - i - 1) * sizeof(*vmas));
    nvma--;
}

/* Makes `addr` a region boundary (splits the region containing it). */
static int split_at(uint64_t addr)
{
    size_t i = lower_bound(addr);
    struct vma upper;

    if (i == nvma || vmas[i].start >= addr)
        return 0;
    upper = vmas[i];
    upper.start = addr;
    vmas[i].end = addr;
    return insert_at(i + 1, upper);
}

static bool mergeable(const struct vma *a, const struct vma *b)
{
    return a->end == b->start && a->prot == b->prot && a->kind == b->kind &&
           a->kind != VMA_IMAGE;
}

/* Merges neighbours around [start, end) that became alike. */
static void merge_around(uint64_t start, uint64_t end)
{
    size_t i = lower_bound(start ? start - 1 : 0);

    while (i + 1 < nvma && vmas[i].start <= end) {
        if (mergeable(&vmas[i], &vmas[i + 1])) {
            vmas[i].end = vmas[i + 1].end;
            remove_at(i + 1);
        } else {
            i++;
        }
    }
}

/* Removes [start, end) from the regions and frees its pages. */
static int unmap_range(uint64_t start, uint64_t end)
{
    size_t i;

    if (split_at(start) || split_at(end))
        return -ENOMEM;
    i = lower_bound(start);
    while (i < nvma && vmas[i].start < end)
        remove_at(i);
    k_pt_unmap_range(start, end, true);
    return 0;
}

static int add_region(uint64_t start, uint64_t end, uint32_t prot,
                      uint32_t kind)
{
    int err =
        insert_at(lower_bound(start), (struct vma){start, end, prot, kind});

    if (!err)
        merge_around(start, end);
    return err;
}

static bool covered(uint64_t start, uint64_t end)
{
    size_t i = lower_bound(start);
    uint64_t at = start;

    for (; i < nvma && at < end; i++) {
        if (vmas[i].start > at)
            return false;
        at = vmas[i].end;
    }
    return at >= end;
}

static void check_wx(uint64_t addr, uint32_t prot)
{
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC) && !warned_wx) {
        warned_wx = true;
        k_warn("vm: app maps memory writable and executable, W^X is off "
               "for it: addr=0x%lx",
               addr);
    }
}

/* ---- page faults ---------------------------------------------------- */

/* Pages mapped ahead of a sequential fault: under kvm_pvm every fault
 * the guest sees costs ~45 us (the exception is delivered through
 * emulated ring 0), mapping a page costs ~0.3 us. */
#define FAULT_AROUND 32

static int map_zero(uint64_t page, unsigned rights)
{
    uint64_t phys = k_page_alloc();
    int err;

    if (!phys)
        return -ENOMEM;
    err = k_pt_map(page, phys, rights);
    if (err) {
        k_page_free(phys);
        return err == -EEXIST ? 0 : -ENOMEM;
    }
    return 0;
}

/*
 * When the fault continues a run (the page before it, or after it for
 * the downward-growing stack, is mapped), map the next FAULT_AROUND
 * pages of the region in the same direction now. Random access does
 * not trigger it, so sparse use of a big mapping stays sparse.
 */
static void fault_around(const struct vma *v, uint64_t page)
{
    bool down = v->kind == VMA_STACK;
    uint64_t prev = down ? page + PAGE : page - PAGE;
    unsigned rights = rights_of(v->prot);

    if (prev < v->start || prev >= v->end || !k_pt_lookup(prev, NULL))
        return;
    for (int i = 1; i <= FAULT_AROUND; i++) {
        uint64_t va = down ? page - i * PAGE : page + i * PAGE;

        if (va < v->start || va >= v->end || k_pt_lookup(va, NULL))
            break;
        if (k_page_free_count() < 256 || map_zero(va, rights))
            break;
    }
}

int k_vm_fault(uint64_t addr, uint64_t error)
{
    bool write = error & (1u << 1);
    bool exec = error & (1u << 4);
    uint64_t page = addr & ~(PAGE - 1);
    struct vma *v;
    int err;

    if (addr >= K_USER_END)
        return -EFAULT;
    v = find(addr);
    if (!v || !(v->prot & PROT_ALL))
        return -EFAULT;
    if ((write && !(v->prot & PROT_WRITE)) || (exec && !(v->prot & PROT_EXEC)))
        return -EFAULT;
    if (error & 1) {
        /* Present: only a stale TLB entry can make this legal. */
        if (!k_pt_allows(k_pt_lookup(page, NULL), write, exec))
            return -EFAULT;
        k_arch_invlpg_range(page, 1);
        return 0;
    }
    err = map_zero(page, rights_of(v->prot));
    if (err)
        return err;
    fault_around(v, page);
    return 0;
}

bool k_vm_mapped(uint64_t addr)
{
    return addr < K_USER_END && find(addr) != NULL;
}

const char *k_vm_describe(uint64_t addr)
{
    uint64_t stack_low = ONYX_APP_STACK_TOP - K_STACK_SIZE;
    struct vma *v;

    if (addr < PAGE)
        return "null pointer";
    /* Frames bigger than the guard page jump past it: anything just
     * below the main stack is an overflow too. */
    if (addr >= stack_low - STACK_OVERFLOW_ZONE && addr < stack_low)
        return "below the main stack: stack overflow";
    if (addr >= K_USER_END || k_is_kernel_addr(addr))
        return "kernel address";
    v = find(addr);
    if (!v)
        return "no mapping at this address";
    if (!(v->prot & PROT_ALL))
        return "region is PROT_NONE";
    return "access not allowed by the region's protection";
}

int k_vm_populate(uint64_t start, uint64_t end)
{
    for (uint64_t va = start & ~(PAGE - 1); va < end; va += PAGE) {
        struct vma *v = find(va);
        int err;

        if (!v)
            return -EFAULT;
        if (!(v->prot & PROT_ALL) || k_pt_lookup(va, NULL))
            continue;
        err = k_vm_fault(va, 0);
        if (err)
            return err;
    }
    return 0;
}

/* ---- brk ------------------------------------------------------------ */

long k_vm_brk(uint64_t addr)
{
    uint64_t old_end = page_up(brk_cur);
    uint64_t new_end = page_up(addr);

    if (addr < brk_start || addr >= K_USER_END)
        return (long)brk_cur;
    if (new_end > old_end) {
        struct vma *last = old_end > brk_start ? find(old_end - 1) : NULL;

        if (!range_free(old_end, new_end) ||
            (new_end - old_end) / PAGE > k_page_free_count())
            return (long)brk_cur;
        if (last && last->kind == VMA_BRK && last->end == old_end)
            last->end = new_end;
        else if (add_region(old_end, new_end, PROT_READ | PROT_WRITE, VMA_BRK))
            return (long)brk_cur;
    } else if (new_end < old_end && unmap_range(new_end, old_end)) {
        return (long)brk_cur;
    }
    brk_cur = addr;
    return (long)brk_cur;
}

/* ---- mmap family ---------------------------------------------------- */

/* Highest free gap of `len` bytes below `top`, or 0. */
static uint64_t find_gap(uint64_t len, uint64_t top)
{
    uint64_t hi = top;

    for (size_t i = nvma; i-- > 0;) {
        if (vmas[i].start >= hi)
            continue;
        if (vmas[i].end < hi && hi - vmas[i].end >= len)
            return hi - len;
        hi = vmas[i].start;
    }
    return hi >= MMAP_MIN + len ? hi - len : 0;
}

/* A range the app may map or unmap: clear of the kernel image and below
 * the kernel's areas (the main stack above them is fixed). */
static bool user_range(uint64_t start, uint64_t len)
{
    uint64_t lo = (uint64_t)(uintptr_t)k_image_start;
    uint64_t hi = (uint64_t)(uintptr_t)k_image_end;

    if (start < MMAP_MIN || start >= ONYX_DIRECT_MAP ||
        len > ONYX_DIRECT_MAP - start)
        return false;
    return start + len <= lo || start >= hi;
}

long k_vm_mmap(uint64_t addr, uint64_t len, int prot, int flags)
{
    uint64_t size = page_up(len);
    bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    uint64_t start = 0;
    int err;

    if (!len || size < len || (prot & ~PROT_ALL))
        return -EINVAL;
    if (fixed) {
        if ((addr & (PAGE - 1)) || !user_range(addr, size))
            return -EINVAL;
        if (!range_free(addr, addr + size)) {
            if (flags & MAP_FIXED_NOREPLACE)
                return -EEXIST;
            if (unmap_range(addr, addr + size))
                return -ENOMEM;
        }
        start = addr;
    } else {
        addr &= ~(PAGE - 1);
        if (addr && user_range(addr, size) && range_free(addr, addr + size))
            start = addr;
        else
            start = find_gap(size, (flags & MAP_32BIT) ? 1ull << 31
                                                       : ONYX_APP_MMAP_TOP);
        if (!start)
            return -ENOMEM;
    }
    /* Refuse what obviously cannot be backed, like Linux's heuristic
     * overcommit: more writable memory than pages left. */
    if ((prot & PROT_WRITE) && size / PAGE > k_page_free_count())
        return -ENOMEM;
    check_wx(start, (uint32_t)prot);
    err = add_region(start, start + size, (uint32_t)prot, VMA_ANON);
    if (err)
        return err;
    if (flags & MAP_POPULATE)
        k_vm_populate(start, start + size);
    return (long)start;
}

long k_vm_munmap(uint64_t addr, uint64_t len)
{
    uint64_t size = page_up(len);

    if ((addr & (PAGE - 1)) || !len || size < len || !user_range(addr, size))
        return -EINVAL;
    return unmap_range(addr, addr + size);
}

long k_vm_mprotect(uint64_t addr, uint64_t len, int prot)
{
    uint64_t size = page_up(len);
    uint64_t end = addr + size;

    if ((addr & (PAGE - 1)) || size < len || (prot & ~PROT_ALL))
        return -EINVAL;
    if (!size)
        return 0;
    if (!covered(addr, end) || !k_user_range_ok((void *)addr, size))
        return -ENOMEM;
    if (split_at(addr) || split_at(end))
        return -ENOMEM;
    check_wx(addr, (uint32_t)prot);
    for (size_t i = lower_bound(addr); i < nvma && vmas[i].start < end; i++)
        vmas[i].prot = (uint32_t)prot;
    k_pt_protect_range(addr, end, rights_of((uint32_t)prot));
    merge_around(addr, end);
    return 0;
}

long k_vm_madvise(uint64_t addr, uint64_t len, int advice)
{
    uint64_t size = page_up(len);
    uint64_t end = addr + size;

    if ((addr & (PAGE - 1)) || size < len ||
        !k_user_range_ok((void *)addr, size))
        return -EINVAL;
    switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_MERGEABLE:
    case MADV_UNMERGEABLE:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
        /* Hints with no effect on what the app observes. */
        return covered(addr, end) ? 0 : -ENOMEM;
    case MADV_DONTNEED:
    case MADV_FREE: break;
    default: return -EINVAL;
    }
    if (!covered(addr, end))
        return -ENOMEM;
    for (size_t i = lower_bound(addr); i < nvma && vmas[i].start < end; i++)
        if (vmas[i].kind == VMA_IMAGE)
            /* Linux would refill these from the file; we cannot. */
            return -EINVAL;
    /* The next touch maps a fresh zero page. */
    k_pt_unmap_range(addr, end, true);
    return 0;
}

/* Moves the pages of [from, from+len) to `to` (tables prepared). */
static void move_pages(uint64_t from, uint64_t to, uint64_t len, uint32_t prot)
{
    unsigned rights = rights_of(prot);

    for (uint64_t off = 0; off < len; off += PAGE) {
        uint64_t phys = k_pt_take(from + off);

        if (phys && k_pt_map(to + off, phys, rights ? rights : K_MAP_R))
            k_panic("vm: mremap lost a page at 0x%lx", to + off);
    }
    k_pt_flush();
    if (!rights)
        k_pt_protect_range(to, to + len, 0);
}

long k_vm_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
                 uint64_t new_addr)
{
    uint64_t old_size = page_up(old_len);
    uint64_t new_size = page_up(new_len);
    struct vma *v = find(old);
    struct vma copy;
    uint64_t to;

    if ((old & (PAGE - 1)) || !new_len || new_size < new_len ||
        old_size < old_len || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
        ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
        return -EINVAL;
    if (!old_size || !v || old_size > v->end - old || v->kind == VMA_KERNEL)
        return -EFAULT;
    if (!(flags & MREMAP_FIXED) && new_size <= old_size) {
        if (new_size < old_size && unmap_range(old + new_size, old + old_size))
            return -ENOMEM;
        return (long)old;
    }
    if (!(flags & MREMAP_FIXED) && old + old_size == v->end &&
        v->kind != VMA_BRK && user_range(old, new_size) &&
        range_free(v->end, old + new_size)) {
        v->end = old + new_size; /* grow in place */
        return (long)old;
    }
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    copy = *v;
    if (flags & MREMAP_FIXED) {
        if ((new_addr & (PAGE - 1)) || !user_range(new_addr, new_size) ||
            (new_addr < old + old_size && old < new_addr + new_size))
            return -EINVAL;
        if (unmap_range(new_addr, new_addr + new_size))
            return -ENOMEM;
        to = new_addr;
    } else {
        to = find_gap(new_size, ONYX_APP_MMAP_TOP);
        if (!to)
            return -ENOMEM;
    }
    if (k_pt_prepare(to, to + new_size) ||
        add_region(to, to + new_size, copy.prot,
                   copy.kind == VMA_IMAGE ? VMA_ANON : copy.kind))
        return -ENOMEM;
    move_pages(old, to, old_size < new_size ? old_size : new_size, copy.prot);
    if (unmap_range(old, old + old_size))
        k_warn("vm: mremap could not unmap the old range: addr=0x%lx", old);
    return (long)to;
}

/* ---- boot ----------------------------------------------------------- */

static uint32_t prot_of_phdr(uint32_t flags)
{
    return ((flags & PF_R) ? PROT_READ : 0) |
           ((flags & PF_W) ? PROT_WRITE : 0) | ((flags & PF_X) ? PROT_EXEC : 0);
}

static void register_image(void)
{
    const struct onyx_boot_info *b = k_boot_info;
    uint64_t prev_end = 0;

    if (b->app_phentsize != sizeof(Elf64_Phdr))
        k_panic("vm: app program header size %u, expected %zu",
                b->app_phentsize, sizeof(Elf64_Phdr));
    for (uint32_t i = 0; i < b->app_phnum; i++) {
        Elf64_Phdr ph;
        uint64_t start, end;

        /* In the app's image, or a copy in the direct map: either way
         * mapped by the monitor. */
        memcpy(&ph, (const void *)(uintptr_t)(b->app_phdr + i * sizeof(ph)),
               sizeof(ph));
        if (ph.p_type != PT_LOAD || !ph.p_memsz)
            continue;
        start = ph.p_vaddr & ~(PAGE - 1);
        end = page_up(ph.p_vaddr + ph.p_memsz);
        /* A page shared by two segments belongs to the first (the
         * monitor mapped it with the union of their rights). */
        if (start < prev_end)
            start = prev_end;
        if (start < end &&
            add_region(start, end, prot_of_phdr(ph.p_flags), VMA_IMAGE))
            k_panic("vm: out of memory registering the app image");
        if (end > prev_end)
            prev_end = end;
    }
}

void k_vm_init(void)
{
    uint64_t klo = (uint64_t)(uintptr_t)k_image_start & ~(PAGE - 1);
    uint64_t khi = page_up((uint64_t)(uintptr_t)k_image_end);

    if (add_region(klo, khi, PROT_NONE, VMA_KERNEL))
        k_panic("vm: out of memory registering the kernel image");
    register_image();
    brk_start = brk_cur = page_up(k_boot_info->app_brk_start);
    if (add_region(ONYX_APP_STACK_TOP - K_STACK_SIZE, ONYX_APP_STACK_TOP,
                   PROT_READ | PROT_WRITE, VMA_STACK))
        k_panic("vm: out of memory registering the main stack");
}

size_t k_vm_format_maps(char *buf, size_t size)
{
    static const char *const names[] = {[VMA_IMAGE] = "",
                                        [VMA_BRK] = "[heap]",
                                        [VMA_ANON] = "",
                                        [VMA_STACK] = "[stack]",
                                        [VMA_KERNEL] = "[onyx]"};
    size_t len = 0;

    for (size_t i = 0; i < nvma; i++) {
        const struct vma *v = &vmas[i];
        int n;

        if (v->kind == VMA_BRK && v->start == v->end)
            continue;
        n = k_snprintf(
            buf + len, size - len, "%08lx-%08lx %c%c%cp 00000000 00:00 0%s%s\n",
            v->start, v->end, v->prot & PROT_READ ? 'r' : '-',
            v->prot & PROT_WRITE ? 'w' : '-', v->prot & PROT_EXEC ? 'x' : '-',
            names[v->kind][0] ? "                          " : "",
            names[v->kind]);
        if (n < 0 || (size_t)n >= size - len)
            return size; /* did not fit: the caller retries bigger */
        len += (size_t)n;
    }
    return len;
}
