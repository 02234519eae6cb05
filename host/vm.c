/* SPDX-License-Identifier: MIT */
/* Host-side KVM VM creation, guest memory and its checked accessor. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "onyx/abi.h"
#include "vm.h"

static int vm_open_kvm(struct mon_vm *vm, struct mon_err *err)
{
    int version;

    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0)
        return mon_err_set(err, -errno,
                           "/dev/kvm: %s (is KVM enabled and are you in "
                           "the kvm group?)",
                           strerror(errno));
    version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION)
        return mon_err_set(err, -ENOTSUP, "/dev/kvm: API version %d, need %d",
                           version, KVM_API_VERSION);
    if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
        return mon_err_set(err, -ENOTSUP,
                           "/dev/kvm lacks KVM_CAP_IMMEDIATE_EXIT "
                           "(Linux 4.11 or later needed)");
    return 0;
}

static int vm_map_memory(struct mon_vm *vm, uint64_t mem_size,
                         struct mon_err *err)
{
    struct kvm_userspace_memory_region region;
    void *mem;

    /* Fresh anonymous pages read as zero: the guest relies on that for
     * .bss and free memory, and we never touch what we do not load. */
    mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        return mon_err_set(
            err, -errno, "cannot reserve %llu MiB of guest memory: %s",
            (unsigned long long)(mem_size / MON_MIB), strerror(errno));
    vm->mem = mem;
    vm->mem_size = mem_size;
    region = (struct kvm_userspace_memory_region){
        .slot = 0,
        .guest_phys_addr = 0,
        .memory_size = mem_size,
        .userspace_addr = (uintptr_t)mem,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return mon_err_set(err, -errno, "KVM_SET_USER_MEMORY_REGION: %s",
                           strerror(errno));
    return 0;
}

int mon_vm_create(struct mon_vm *vm, uint64_t mem_size, struct mon_err *err)
{
    int run_size;
    void *run;
    int rc;

    memset(vm, 0, sizeof(*vm));
    vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
    rc = vm_open_kvm(vm, err);
    if (rc < 0)
        return rc;
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0)
        return mon_err_set(err, -errno, "KVM_CREATE_VM: %s", strerror(errno));
    rc = vm_map_memory(vm, mem_size, err);
    if (rc < 0)
        return rc;
    vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
    if (vm->vcpu_fd < 0)
        return mon_err_set(err, -errno, "KVM_CREATE_VCPU: %s", strerror(errno));
    run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run))
        return mon_err_set(err, -EINVAL, "KVM_GET_VCPU_MMAP_SIZE: %s",
                           strerror(errno));
    run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
               vm->vcpu_fd, 0);
    if (run == MAP_FAILED)
        return mon_err_set(err, -errno, "mmap of the vCPU state: %s",
                           strerror(errno));
    vm->run = run;
    vm->run_size = (uint64_t)run_size;
    vm->pt_next = MON_PT_POOL_PHYS;
    vm->pvm_host = access("/sys/module/kvm_pvm", F_OK) == 0;
    return 0;
}

void mon_vm_destroy(struct mon_vm *vm)
{
    if (vm->run)
        munmap(vm->run, vm->run_size);
    if (vm->mem)
        munmap(vm->mem, vm->mem_size);
    if (vm->vcpu_fd >= 0)
        close(vm->vcpu_fd);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    vm->run = NULL;
    vm->mem = NULL;
    vm->kvm_fd = vm->vm_fd = vm->vcpu_fd = -1;
}

void *mon_vm_ptr(const struct mon_vm *vm, uint64_t gpa, uint64_t len)
{
    if (gpa > vm->mem_size || len > vm->mem_size - gpa)
        return NULL;
    return vm->mem + gpa;
}

uint64_t mon_vm_alloc(struct mon_vm *vm, uint64_t size)
{
    uint64_t pages = (size + ONYX_PAGE_SIZE - 1) / ONYX_PAGE_SIZE;
    uint64_t start = vm->next;

    if (size == 0 || size > vm->mem_size ||
        pages * ONYX_PAGE_SIZE > vm->mem_size - start)
        return 0;
    vm->next = start + pages * ONYX_PAGE_SIZE;
    return start;
}
