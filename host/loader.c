/* SPDX-License-Identifier: MIT */
/* Host-side loading of an image into guest memory and the boot info. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "loader.h"

/* The guest needs room for its heap, stacks and page tables. */
#define MIN_FREE_BYTES (2 * MON_MIB)

struct mapping {
    uint64_t va;
    uint64_t pa;
    uint64_t size;
    uint64_t flags;
};

#define MAX_MAPPINGS (2 * MON_ELF_MAX_LOADS)

struct load {
    struct mon_vm *vm;
    struct mapping map[MAX_MAPPINGS];
    unsigned nmap;
    struct mon_err *err;
};

static uint64_t page_down(uint64_t v)
{
    return v & ~(ONYX_PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t v)
{
    return (v + ONYX_PAGE_SIZE - 1) & ~(ONYX_PAGE_SIZE - 1);
}

/* W^X from p_flags: writable => no execute; execute => not writable,
 * unless the ELF itself asks for both (refused for the kernel). */
static uint64_t seg_flags(uint32_t p_flags)
{
    uint64_t f = 0;

    if (p_flags & PF_W)
        f |= MON_PTE_W;
    if (!(p_flags & PF_X))
        f |= MON_PTE_NX;
    return f;
}

static void add_mapping(struct load *ld, uint64_t va, uint64_t pa,
                        uint64_t size, uint32_t p_flags)
{
    ld->map[ld->nmap++] = (struct mapping){
        .va = va,
        .pa = pa,
        .size = size,
        .flags = seg_flags(p_flags),
    };
}

static int too_small(struct load *ld, const char *what, uint64_t need)
{
    return mon_err_set(ld->err, -ENOMEM,
                       "guest memory (%llu MiB) is too small for the %s: "
                       "it needs at least %llu MiB; use --mem",
                       (unsigned long long)(ld->vm->mem_size / MON_MIB), what,
                       (unsigned long long)((need + MON_MIB - 1) / MON_MIB));
}

static int load_kernel(struct load *ld, const struct mon_elf *k)
{
    uint64_t end = mon_elf_kernel_phys_end(k);

    if (end > ld->vm->mem_size)
        return too_small(ld, "kernel", end + MIN_FREE_BYTES);
    for (unsigned i = 0; i < k->nloads; i++) {
        const struct mon_elf_seg *s = &k->loads[i];
        uint64_t pa = s->vaddr - ONYX_KERNEL_VBASE;

        memcpy(ld->vm->mem + pa, k->data + s->offset, s->filesz);
        add_mapping(ld, page_down(s->vaddr), page_down(pa),
                    page_up(s->vaddr + s->memsz) - page_down(s->vaddr),
                    s->flags);
    }
    ld->vm->next = page_up(end);
    return 0;
}

/*
 * Each app segment gets physically contiguous pages from the bump
 * allocator. When a segment starts in the page where the previous one
 * ends, that page is shared, and the rest of its pages follow it
 * directly because nothing else is allocated in between.
 */
static int load_app(struct load *ld, const struct mon_elf *app, uint64_t *brk)
{
    uint64_t prev_end = 0, prev_last_pa = 0;

    for (unsigned i = 0; i < app->nloads; i++) {
        const struct mon_elf_seg *s = &app->loads[i];
        uint64_t start = page_down(s->vaddr);
        uint64_t end = page_up(s->vaddr + s->memsz);
        uint64_t need = end - start;
        uint64_t base;

        if (i > 0 && start < prev_end) {
            base = prev_last_pa;
            need -= ONYX_PAGE_SIZE;
            if (need && mon_vm_alloc(ld->vm, need) != base + ONYX_PAGE_SIZE)
                return too_small(ld, "app", ld->vm->next + need);
        } else {
            base = mon_vm_alloc(ld->vm, need);
            if (!base)
                return too_small(ld, "app", ld->vm->next + need);
        }
        memcpy(ld->vm->mem + base + (s->vaddr - start), app->data + s->offset,
               s->filesz);
        add_mapping(ld, start, base, end - start, s->flags);
        prev_end = end;
        prev_last_pa = base + (end - start) - ONYX_PAGE_SIZE;
    }
    *brk = prev_end;
    return 0;
}

/* Copies bytes into freshly allocated pages; returns 0 when empty. */
static int load_blob(struct load *ld, const char *what, const void *src,
                     uint64_t size, struct onyx_blob *out)
{
    uint64_t pa;

    *out = (struct onyx_blob){0};
    if (size == 0)
        return 0;
    pa = mon_vm_alloc(ld->vm, size);
    if (!pa)
        return too_small(ld, what, ld->vm->next + size);
    memcpy(ld->vm->mem + pa, src, size);
    *out = (struct onyx_blob){.phys = pa, .size = size};
    return 0;
}

/* argv[0] is the app name, then the args; strings back to back. */
static int load_strings(struct load *ld, const char *what, const char *first,
                        const struct mon_strvec *v, struct onyx_blob *out,
                        uint32_t *count)
{
    uint64_t size = mon_strvec_blob_size(v) + (first ? strlen(first) + 1 : 0);
    uint64_t pa;
    char *p;

    *out = (struct onyx_blob){0};
    *count = (uint32_t)v->count + (first ? 1 : 0);
    if (size == 0)
        return 0;
    pa = mon_vm_alloc(ld->vm, size);
    if (!pa)
        return too_small(ld, what, ld->vm->next + size);
    p = (char *)ld->vm->mem + pa;
    if (first) {
        memcpy(p, first, strlen(first) + 1);
        p += strlen(first) + 1;
    }
    mon_strvec_blob_write(v, p);
    *out = (struct onyx_blob){.phys = pa, .size = size};
    return 0;
}

/*
 * The guest copies argv and envp onto the app's stack as Linux's execve
 * does, so they obey the same kind of bound (E2BIG there): at most
 * 2 MiB of strings and pointers, and no more than an eighth of guest
 * memory, so that a long command line never runs the guest out of
 * memory before main().
 */
static int check_arg_size(struct load *ld, const struct onyx_boot_info *bi)
{
    uint64_t need = bi->argv.size + bi->envp.size +
                    8ull * ((uint64_t)bi->argc + bi->envc + 2);
    uint64_t limit = ld->vm->mem_size / 8;

    if (limit > ONYX_ARG_MAX)
        limit = ONYX_ARG_MAX;
    if (need <= limit)
        return 0;
    return mon_err_set(ld->err, -E2BIG,
                       "arguments and environment take %llu KiB; the limit "
                       "is %llu KiB (2 MiB, or an eighth of --mem)",
                       (unsigned long long)(need / 1024),
                       (unsigned long long)(limit / 1024));
}

static int load_net(struct load *ld, const struct mon_boot_config *cfg,
                    struct mon_boot *boot)
{
    struct onyx_boot_info *bi = boot->info;

    if (!cfg->net)
        return 0;
    boot->tx_ring = mon_vm_alloc(ld->vm, ONYX_NET_RING_BYTES);
    boot->rx_ring = mon_vm_alloc(ld->vm, ONYX_NET_RING_BYTES);
    if (!boot->tx_ring || !boot->rx_ring)
        return too_small(ld, "network rings",
                         ld->vm->next + 2 * ONYX_NET_RING_BYTES);
    bi->net = *cfg->net;
    bi->net_tx_ring = boot->tx_ring;
    bi->net_rx_ring = boot->rx_ring;
    return 0;
}

static int load_app_phdrs(struct load *ld, const struct mon_elf *app)
{
    struct onyx_boot_info *bi =
        mon_vm_ptr(ld->vm, MON_BOOT_INFO_PHYS, sizeof(*bi));
    struct onyx_blob blob;
    int rc;

    bi->app_phnum = app->phnum;
    bi->app_phentsize = app->phentsize;
    if (app->phdr_vaddr) {
        bi->app_phdr = app->phdr_vaddr;
        return 0;
    }
    /* No segment maps the headers: give the app a copy it can read
     * through the direct map (it runs in ring 0). */
    rc = load_blob(ld, "app program headers", app->data + app->phoff,
                   (uint64_t)app->phnum * app->phentsize, &blob);
    bi->app_phdr = ONYX_DIRECT_MAP + blob.phys;
    return rc;
}

static int load_page_tables(struct load *ld)
{
    for (unsigned i = 0; i < ld->nmap; i++) {
        const struct mapping *m = &ld->map[i];
        int rc = mon_paging_map(ld->vm, m->va, m->pa, m->size, m->flags);

        if (rc == -EEXIST)
            return mon_err_set(ld->err, rc, "segments overlap at 0x%llx",
                               (unsigned long long)m->va);
        if (rc < 0)
            return too_small(ld, "page tables", ld->vm->next);
    }
    if (mon_paging_map_direct(ld->vm) < 0 ||
        mon_paging_map(ld->vm, ONYX_HC_MMIO_VIRT, ONYX_HC_MMIO_PHYS,
                       ONYX_PAGE_SIZE, MON_PTE_W | MON_PTE_NX) < 0)
        return too_small(ld, "page tables", ld->vm->next);
    return 0;
}

int mon_load(struct mon_vm *vm, const struct mon_image *img,
             const struct mon_boot_config *cfg, struct mon_boot *boot,
             struct mon_err *err)
{
    struct load ld = {.vm = vm, .err = err};
    struct onyx_boot_info *bi = mon_vm_ptr(vm, MON_BOOT_INFO_PHYS, sizeof(*bi));
    uint64_t brk = 0;
    int rc;

    memset(boot, 0, sizeof(*boot));
    boot->info = bi;
    boot->entry = img->kernel.entry;
    boot->info_virt = ONYX_DIRECT_MAP + MON_BOOT_INFO_PHYS;
    rc = load_kernel(&ld, &img->kernel);
    if (rc == 0)
        rc = load_app(&ld, &img->app, &brk);
    if (rc == 0)
        rc = load_app_phdrs(&ld, &img->app);
    if (rc == 0)
        rc = load_strings(&ld, "arguments", img->name, cfg->args, &bi->argv,
                          &bi->argc);
    if (rc == 0)
        rc = load_strings(&ld, "environment", NULL, cfg->env, &bi->envp,
                          &bi->envc);
    if (rc == 0)
        rc = check_arg_size(&ld, bi);
    if (rc == 0)
        rc = load_blob(&ld, "app name", img->name, strlen(img->name) + 1,
                       &bi->app_name);
    if (rc == 0)
        rc = load_blob(&ld, "rootfs", img->rootfs, img->rootfs_size,
                       &bi->rootfs);
    if (rc == 0)
        rc = load_net(&ld, cfg, boot);
    if (rc == 0)
        rc = load_page_tables(&ld);
    if (rc < 0)
        return rc;
    if (vm->mem_size - vm->next < MIN_FREE_BYTES)
        return too_small(&ld, "image", vm->next + MIN_FREE_BYTES);
    bi->magic = ONYX_BOOT_MAGIC;
    bi->abi_version = ONYX_ABI_VERSION;
    bi->mem_size = vm->mem_size;
    bi->phys_free_start = vm->next;
    bi->pml4_phys = vm->pml4;
    bi->app_entry = img->app.entry;
    bi->app_brk_start = brk;
    return 0;
}

int mon_loader_set_cpu(const struct mon_vm *vm, struct mon_boot *boot,
                       struct mon_err *err)
{
    struct onyx_boot_info *bi = boot->info;
    ssize_t n;

    bi->tsc_khz = vm->tsc_khz;
    bi->xcr0 = vm->xcr0;
    bi->xsave_size = vm->xsave_size;
    bi->cpu_flags = vm->cpu_flags;
    do {
        n = getrandom(bi->random, sizeof(bi->random), 0);
    } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(bi->random))
        return mon_err_set(err, -EIO, "getrandom: no host entropy: %s",
                           n < 0 ? strerror(errno) : "short read");
    return 0;
}
