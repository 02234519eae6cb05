/* SPDX-License-Identifier: MIT */
/*
 * Process start (guest side): the app's main thread, the main stack laid
 * out like Linux's execve leaves it (argc, argv, envp, auxv, strings at
 * the top), and the jump to the app's entry point.
 */
#include <elf.h>
#include <stdint.h>
#include <string.h>

#include "k/arch.h"
#include "k/boot.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/net.h"
#include "k/proc.h"
#include "k/random.h"
#include "k/thread.h"
#include "k/time.h"
#include "k/uaccess.h"
#include "k/vm.h"

#define MAIN_KSTACK (32ul << 10)
/* Like Linux, argument and environment strings may use at most a
 * quarter of the stack. */
#define ARGS_MAX (K_STACK_SIZE / 4)
#define AUXV_MAX 24
#define STACK_PREMAP (16 * K_PAGE_SIZE)

/* x86-64 baseline CPUID.1:EDX features every x86-64 CPU has (FPU, TSC,
 * MSR, PAE, CX8, CMOV, MMX, FXSR, SSE, SSE2): no CPUID exit needed. */
#define HWCAP_BASELINE 0x0780817full

/* The vDSO image (arch/x86_64/vdso.S). */
extern const char k_vdso_image[];

static const char *app_name = "app";

struct strvec {
    const char **s;
    uint32_t n;
};

/* Splits a blob of `n` NUL-terminated strings; panics when it lies. */
static struct strvec split_blob(const struct onyx_blob *b, uint32_t n,
                                const char *what)
{
    struct strvec v = {.n = n};
    const char *p;
    uint64_t left = b->size;

    if (!n)
        return v;
    if (!b->phys || b->phys >= k_boot_info->mem_size ||
        b->size > k_boot_info->mem_size - b->phys)
        k_panic("proc: %s blob outside guest memory", what);
    v.s = k_malloc(n * sizeof(*v.s));
    if (!v.s)
        k_panic("proc: out of memory for %u %s strings", n, what);
    p = k_phys_to_virt(b->phys);
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strnlen(p, left);

        if (len == left)
            k_panic("proc: %s blob holds fewer than %u strings", what, n);
        v.s[i] = p;
        p += len + 1;
        left -= len + 1;
    }
    return v;
}

/* Copies `len` bytes to the app stack below *top. */
static uint64_t push_bytes(uint64_t *top, const void *data, size_t len)
{
    *top -= len;
    if (k_copy_to_user((void *)(uintptr_t)*top, data, len))
        k_panic("proc: cannot write the main stack at 0x%lx", *top);
    return *top;
}

static uint64_t push_strings(uint64_t *top, const struct strvec *v,
                             uint64_t *ptrs)
{
    /* Pushed in reverse so the strings read in order upwards. */
    for (uint32_t i = v->n; i-- > 0;)
        ptrs[i] = push_bytes(top, v->s[i], strlen(v->s[i]) + 1);
    return *top;
}

static size_t strings_size(const struct strvec *v)
{
    size_t total = 0;

    for (uint32_t i = 0; i < v->n; i++)
        total += strlen(v->s[i]) + 1 + sizeof(uint64_t);
    return total;
}

static uint64_t build_stack(void)
{
    const struct onyx_boot_info *b = k_boot_info;
    struct strvec argv = split_blob(&b->argv, b->argc, "argv");
    struct strvec envp = split_blob(&b->envp, b->envc, "env");
    uint64_t top = ONYX_APP_STACK_TOP;
    uint64_t nwords = 1 + argv.n + 1 + envp.n + 1 + 2 * AUXV_MAX;
    uint64_t *vec = k_calloc(nwords, sizeof(uint64_t));
    uint64_t platform, random, execfn, sp;
    uint8_t rnd[16];
    uint64_t *w;

    if (strings_size(&argv) + strings_size(&envp) > ARGS_MAX)
        k_panic("proc: arguments and environment exceed %llu bytes", ARGS_MAX);
    if (!vec)
        k_panic("proc: out of memory for the initial stack");
    /* Map the top of the stack now rather than through page faults
     * (~36 us each under kvm_pvm). */
    k_vm_populate(ONYX_APP_STACK_TOP - STACK_PREMAP, ONYX_APP_STACK_TOP);
    k_random_bytes(rnd, sizeof(rnd));
    execfn = push_bytes(&top, argv.n ? argv.s[0] : app_name,
                        strlen(argv.n ? argv.s[0] : app_name) + 1);
    push_strings(&top, &envp, vec + 1 + argv.n + 1);
    push_strings(&top, &argv, vec + 1);
    platform = push_bytes(&top, "x86_64", sizeof("x86_64"));
    top &= ~15ull;
    random = push_bytes(&top, rnd, sizeof(rnd));
    memset(rnd, 0, sizeof(rnd));

    vec[0] = argv.n;
    /* vec[1 + argc] and vec[2 + argc + envc] stay 0 (NULL ends). */
    w = vec + 1 + argv.n + 1 + envp.n + 1;
#define AUX(type, val) (*w++ = (type), *w++ = (uint64_t)(val))
    AUX(AT_PHDR, b->app_phdr);
    AUX(AT_PHENT, b->app_phentsize);
    AUX(AT_PHNUM, b->app_phnum);
    AUX(AT_PAGESZ, K_PAGE_SIZE);
    AUX(AT_BASE, 0);
    AUX(AT_FLAGS, 0);
    AUX(AT_ENTRY, b->app_entry);
    AUX(AT_UID, 0);
    AUX(AT_EUID, 0);
    AUX(AT_GID, 0);
    AUX(AT_EGID, 0);
    AUX(AT_SECURE, 0);
    AUX(AT_HWCAP, HWCAP_BASELINE);
    AUX(AT_HWCAP2, 0);
    AUX(AT_CLKTCK, 100);
    AUX(AT_PLATFORM, platform);
    AUX(AT_RANDOM, random);
    AUX(AT_EXECFN, execfn);
    AUX(AT_SYSINFO_EHDR, k_vdso_image);
    AUX(AT_NULL, 0);
#undef AUX
    nwords = (uint64_t)(w - vec);
    /* rsp at argc must be 16-byte aligned (x86-64 psABI 3.4.1). */
    sp = (top - nwords * sizeof(uint64_t)) & ~15ull;
    top = sp + nwords * sizeof(uint64_t);
    push_bytes(&top, vec, nwords * sizeof(uint64_t));
    k_free(vec);
    k_free(argv.s);
    k_free(envp.s);
    return sp;
}

static void app_main(void *arg)
{
    uint64_t sp;

    k_net_init();
    sp = build_stack();
    k_debug("boot: entering the app after %lu us (entry 0x%lx)",
            k_time_ticks_to_ns(k_rdtsc() - k_boot_tsc) / 1000,
            k_boot_info->app_entry);
    k_arch_enter_app(k_boot_info->app_entry, sp);
}

const char *k_proc_name(void)
{
    return app_name;
}

void k_proc_start(void)
{
    const struct onyx_blob *name = &k_boot_info->app_name;
    struct k_thread *t;

    if (name->phys && name->size && name->phys < k_boot_info->mem_size &&
        name->size <= k_boot_info->mem_size - name->phys) {
        const char *s = k_phys_to_virt(name->phys);

        if (strnlen(s, name->size) < name->size && s[0])
            app_name = s;
    }
    t = k_thread_create("main", app_main, NULL, MAIN_KSTACK);
    if (!t || k_thread_make_app(t, K_PID, NULL))
        k_panic("proc: out of memory creating the main thread");
}
