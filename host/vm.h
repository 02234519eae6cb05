/* SPDX-License-Identifier: MIT */
/*
 * Host-side virtual machine core of the monitor: the KVM VM and its one
 * vCPU, guest physical memory with its single checked accessor, the
 * physical page allocator used while loading, and page-table building.
 */
#ifndef MON_VM_H
#define MON_VM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/* Guest physical layout below the kernel (ONYX_KERNEL_PHYS): page 0 is
 * left unused, then the GDT, the boot info, and a pool of page-table
 * pages; page tables spill after the kernel when the pool runs out. */
#define MON_GDT_PHYS 0x1000ull
#define MON_BOOT_INFO_PHYS 0x2000ull
#define MON_PT_POOL_PHYS 0x3000ull

/* GDT selectors the vCPU starts with. */
#define MON_SEL_CODE 0x08
#define MON_SEL_DATA 0x10

struct mon_vm {
    int kvm_fd;
    int vm_fd;
    int vcpu_fd;
    struct kvm_run *run;
    uint64_t run_size;

    uint8_t *mem; /* host mapping of all guest physical memory */
    uint64_t mem_size; /* bytes, a multiple of 2 MiB */

    uint64_t pt_next; /* next free page-table page in the low pool */
    uint64_t next; /* bump pointer after the kernel, page aligned */
    uint64_t pml4; /* physical address of the root table, 0 = none */

    /* The host's /dev/kvm is kvm_pvm, which runs guest ring 3 natively
     * but emulates ring 0 one instruction at a time, with an emulator
     * that lacks most SSE/AVX instructions. Used to explain crashes. */
    bool pvm_host;

    /* CPU facts for the boot info, filled by mon_vcpu_init: what KVM
     * offers, or on kvm_pvm what the guest's ring 3 runs with. */
    uint64_t xcr0;
    uint32_t xsave_size;
    uint32_t cpu_flags;
    uint64_t tsc_khz;
};

/*
 * Opens /dev/kvm, creates the VM with `mem_size` bytes of guest memory
 * (anonymous, never touched here) and one vCPU. Returns 0 or -errno
 * with a message naming the device or capability that is missing.
 */
int mon_vm_create(struct mon_vm *vm, uint64_t mem_size, struct mon_err *err);
void mon_vm_destroy(struct mon_vm *vm);

/*
 * THE accessor for guest memory: returns the host address of guest
 * physical bytes [gpa, gpa + len), or NULL when any of them lies
 * outside guest memory. Overflow-safe for any 64-bit inputs. Every
 * address, length or index that comes from the guest goes through it.
 */
void *mon_vm_ptr(const struct mon_vm *vm, uint64_t gpa, uint64_t len);

/* Reserves `size` bytes (rounded up to pages) at the bump pointer.
 * Returns the physical address, or 0 when guest memory is exhausted. */
uint64_t mon_vm_alloc(struct mon_vm *vm, uint64_t size);

/* Page-table entry bits. */
#define MON_PTE_P (1ull << 0)
#define MON_PTE_W (1ull << 1)
/* Every entry is a user entry: the guest runs in ring 3 (abi.h). */
#define MON_PTE_U (1ull << 2)
#define MON_PTE_PS (1ull << 7)
#define MON_PTE_NX (1ull << 63)
#define MON_PTE_ADDR 0x000ffffffffff000ull

/*
 * Maps [va, va + size) to [pa, pa + size) with 4 KiB pages and leaf
 * bits `flags` (MON_PTE_W, MON_PTE_NX). A page that is already mapped
 * to the same physical page gets the union of both permissions (two
 * segments sharing a page); mapped elsewhere is -EEXIST. Returns 0,
 * -ENOMEM when guest memory runs out of table pages, or -EEXIST.
 */
int mon_paging_map(struct mon_vm *vm, uint64_t va, uint64_t pa, uint64_t size,
                   uint64_t flags);
/* Maps all guest memory at ONYX_DIRECT_MAP, 2 MiB pages, RW, NX. */
int mon_paging_map_direct(struct mon_vm *vm);

/*
 * Sets up the vCPU for 64-bit mode: CPUID (what KVM supports), XCR0,
 * control registers, flat segments, the GDT, and rip/rdi. Fills the CPU
 * facts in `vm`. Page tables must be built (vm->pml4). Returns 0 or
 * -errno with a message.
 */
int mon_vcpu_init(struct mon_vm *vm, uint64_t entry, uint64_t rdi,
                  struct mon_err *err);

/* Reads the guest TSC (MSR 0x10). Returns 0 or -errno. */
int mon_vcpu_read_tsc(struct mon_vm *vm, uint64_t *tsc);

#endif
