/* SPDX-License-Identifier: MIT */
/*
 * Host-side vCPU set-up: CPUID, XCR0, 64-bit long mode registers and the
 * CPU facts handed to the guest so it needs no CPUID exits at boot.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>

#include "onyx/abi.h"
#include "vm.h"

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE (1ull << 18)
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)

#define MSR_IA32_TSC 0x10u

/* Flat 64-bit code and data descriptors: base 0, limit 4 GiB. */
#define GDT_CODE64 0x00af9b000000ffffull
#define GDT_DATA 0x00cf93000000ffffull

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn,
                                           uint32_t index)
{
    for (uint32_t i = 0; i < c->nent; i++) {
        if (c->entries[i].function == fn && c->entries[i].index == index)
            return &c->entries[i];
    }
    return NULL;
}

static struct kvm_cpuid2 *cpuid_supported(struct mon_vm *vm,
                                          struct mon_err *err)
{
    /* 128 covers today's CPUs; a failed first try costs a whole ioctl. */
    for (uint32_t n = 128; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c =
            calloc(1, sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));

        if (!c) {
            mon_err_set(err, -ENOMEM, "out of memory");
            return NULL;
        }
        c->nent = n;
        if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
            return c;
        free(c);
        if (errno != E2BIG) {
            mon_err_set(err, -errno, "KVM_GET_SUPPORTED_CPUID: %s",
                        strerror(errno));
            return NULL;
        }
    }
    mon_err_set(err, -E2BIG, "KVM_GET_SUPPORTED_CPUID: too many entries");
    return NULL;
}

/* Derives XCR0, the XSAVE area size and ONYX_CPU_* from the CPUID the
 * guest will see. The size is computed for our XCR0, not read from leaf
 * 0xD's EBX, which reflects the host's XCR0. */
static void cpu_facts(struct mon_vm *vm, struct kvm_cpuid2 *c)
{
    struct kvm_cpuid_entry2 *l1 = cpuid_find(c, 1, 0);
    struct kvm_cpuid_entry2 *l7 = cpuid_find(c, 7, 0);
    struct kvm_cpuid_entry2 *d0 = cpuid_find(c, 0xd, 0);
    struct kvm_cpuid_entry2 *d1 = cpuid_find(c, 0xd, 1);
    struct kvm_cpuid_entry2 *d2 = cpuid_find(c, 0xd, 2);
    uint32_t ecx1 = l1 ? l1->ecx : 0;
    uint32_t ebx7 = l7 ? l7->ebx : 0;

    vm->cpu_flags = 0;
    vm->xcr0 = 0;
    vm->xsave_size = 512;
    if (ecx1 & (1u << 30))
        vm->cpu_flags |= ONYX_CPU_RDRAND;
    if (ebx7 & (1u << 0))
        vm->cpu_flags |= ONYX_CPU_FSGSBASE;
    if (!(ecx1 & (1u << 26)) || !d0 || !(d0->eax & XCR0_SSE))
        return;
    vm->cpu_flags |= ONYX_CPU_XSAVE;
    vm->xcr0 = XCR0_X87 | XCR0_SSE;
    vm->xsave_size = 512 + 64;
    if (d1 && (d1->eax & 1u))
        vm->cpu_flags |= ONYX_CPU_XSAVEOPT;
    if ((ecx1 & (1u << 28)) && (d0->eax & XCR0_AVX) && d2 && d2->eax) {
        vm->xcr0 |= XCR0_AVX;
        vm->cpu_flags |= ONYX_CPU_AVX;
        if (ebx7 & (1u << 5))
            vm->cpu_flags |= ONYX_CPU_AVX2;
        if (d2->ebx + d2->eax > vm->xsave_size)
            vm->xsave_size = d2->ebx + d2->eax;
    }
}

static int vcpu_cpuid(struct mon_vm *vm, struct mon_err *err)
{
    struct kvm_cpuid2 *c = cpuid_supported(vm, err);
    int rc = 0;

    if (!c)
        return -EIO;
    cpu_facts(vm, c);
    if (ioctl(vm->vcpu_fd, KVM_SET_CPUID2, c) < 0)
        rc = mon_err_set(err, -errno, "KVM_SET_CPUID2: %s", strerror(errno));
    free(c);
    return rc;
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, bool code)
{
    *s = (struct kvm_segment){
        .base = 0,
        .limit = 0xffffffff,
        .selector = sel,
        .type = code ? 11 : 3,
        .present = 1,
        .dpl = 0,
        .db = code ? 0 : 1,
        .s = 1,
        .l = code ? 1 : 0,
        .g = 1,
    };
}

static int vcpu_sregs(struct mon_vm *vm, struct mon_err *err)
{
    uint64_t *gdt = mon_vm_ptr(vm, MON_GDT_PHYS, 3 * sizeof(uint64_t));
    struct kvm_sregs sr;

    if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sr) < 0)
        return mon_err_set(err, -errno, "KVM_GET_SREGS: %s", strerror(errno));
    gdt[0] = 0;
    gdt[1] = GDT_CODE64;
    gdt[2] = GDT_DATA;
    seg_flat(&sr.cs, MON_SEL_CODE, true);
    seg_flat(&sr.ds, MON_SEL_DATA, false);
    sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
    /* A busy 64-bit TSS is required by VM entry; the guest loads its
     * own TSS before it needs one. */
    sr.tr = (struct kvm_segment){.limit = 0x67, .type = 11, .present = 1};
    sr.ldt = (struct kvm_segment){.type = 2, .present = 0, .unusable = 1};
    sr.gdt.base = ONYX_DIRECT_MAP + MON_GDT_PHYS;
    sr.gdt.limit = 3 * sizeof(uint64_t) - 1;
    sr.idt.base = 0;
    sr.idt.limit = 0;
    sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
    sr.cr3 = vm->pml4;
    sr.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    if (vm->cpu_flags & ONYX_CPU_XSAVE)
        sr.cr4 |= CR4_OSXSAVE;
    sr.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
    if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sr) < 0)
        return mon_err_set(err, -errno, "KVM_SET_SREGS: %s", strerror(errno));
    return 0;
}

static int vcpu_xcrs(struct mon_vm *vm, struct mon_err *err)
{
    struct kvm_xcrs xcrs = {.nr_xcrs = 1};

    if (!(vm->cpu_flags & ONYX_CPU_XSAVE))
        return 0;
    xcrs.xcrs[0].xcr = 0;
    xcrs.xcrs[0].value = vm->xcr0;
    if (ioctl(vm->vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
        return mon_err_set(err, -errno, "KVM_SET_XCRS (XCR0=0x%llx): %s",
                           (unsigned long long)vm->xcr0, strerror(errno));
    return 0;
}

/*
 * kvm_pvm runs the guest's ring 3 on the host CPU under the host's XCR0
 * and CR4: KVM refuses OSXSAVE for the guest, so it never switches XCR0,
 * and the vector state ring-3 code can touch is the host's (AVX, often
 * AVX-512). The boot info must name that state, or the guest's thread
 * switches (sized from it) would lose registers. FSGSBASE likewise works
 * in ring 3 when the host kernel enabled it (HWCAP2_FSGSBASE).
 */
static void cpu_facts_pvm(struct mon_vm *vm)
{
    unsigned a, b, c, d, ecx1, ebx7 = 0;
    uint32_t lo, hi;

    __cpuid_count(1, 0, a, b, ecx1, d);
    if (__get_cpuid_max(0, NULL) >= 7)
        __cpuid_count(7, 0, a, ebx7, c, d);
    vm->cpu_flags &= ONYX_CPU_RDRAND;
    if (ecx1 & (1u << 30))
        vm->cpu_flags |= ONYX_CPU_RDRAND;
    if (getauxval(AT_HWCAP2) & 2u) /* HWCAP2_FSGSBASE */
        vm->cpu_flags |= ONYX_CPU_FSGSBASE;
    vm->xcr0 = 0;
    vm->xsave_size = 512;
    if (!(ecx1 & (1u << 26)) || !(ecx1 & (1u << 27))) /* XSAVE, OSXSAVE */
        return;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    vm->xcr0 = ((uint64_t)hi << 32) | lo;
    /* Leaf 0xD.0 EBX: the XSAVE area size for the XCR0 now in force. */
    __cpuid_count(0xd, 0, a, b, c, d);
    vm->xsave_size = b;
    vm->cpu_flags |= ONYX_CPU_XSAVE;
    __cpuid_count(0xd, 1, a, b, c, d);
    if (a & 1u)
        vm->cpu_flags |= ONYX_CPU_XSAVEOPT;
    if ((ecx1 & (1u << 28)) && (vm->xcr0 & 6) == 6) {
        vm->cpu_flags |= ONYX_CPU_AVX;
        if (ebx7 & (1u << 5))
            vm->cpu_flags |= ONYX_CPU_AVX2;
    }
}

int mon_vcpu_init(struct mon_vm *vm, uint64_t entry, uint64_t rdi,
                  struct mon_err *err)
{
    struct kvm_regs regs = {.rip = entry, .rdi = rdi, .rflags = 0x2};
    int khz;
    int rc;

    /* CPUID first: KVM checks CR4 and XCR0 against the guest's CPUID. */
    rc = vcpu_cpuid(vm, err);
    if (rc == 0)
        rc = vcpu_sregs(vm, err);
    if (rc == 0)
        rc = vcpu_xcrs(vm, err);
    if (rc < 0)
        return rc;
    if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        return mon_err_set(err, -errno, "KVM_SET_REGS: %s", strerror(errno));
    khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
    if (khz <= 0)
        return mon_err_set(err, -ENOTSUP,
                           "KVM_GET_TSC_KHZ: %s (the guest clock needs "
                           "the TSC frequency)",
                           strerror(errno));
    vm->tsc_khz = (uint64_t)khz;
    /* After the vCPU is configured from KVM's view, describe what the
     * guest's ring 3 really runs with. */
    if (vm->pvm_host)
        cpu_facts_pvm(vm);
    return 0;
}

int mon_vcpu_read_tsc(struct mon_vm *vm, uint64_t *tsc)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry entry;
    } msrs = {.hdr.nmsrs = 1, .entry.index = MSR_IA32_TSC};

    if (ioctl(vm->vcpu_fd, KVM_GET_MSRS, &msrs) != 1)
        return -EIO;
    *tsc = msrs.entry.data;
    return 0;
}
