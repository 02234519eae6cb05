/* SPDX-License-Identifier: MIT */
/*
 * Host-side boot loader of the monitor: places the kernel, the app,
 * argv/env, the app name, the rootfs and the network rings in guest
 * memory, builds the page tables and fills struct onyx_boot_info.
 */
#ifndef MON_LOADER_H
#define MON_LOADER_H

#include <stdint.h>

#include "image.h"
#include "onyx/abi.h"
#include "vm.h"

struct mon_boot_config {
    const struct mon_strvec *args; /* argv[1..] the app gets */
    const struct mon_strvec *env;
    const struct onyx_net_config *net; /* NULL: no network device */
};

struct mon_boot {
    uint64_t entry; /* kernel entry (virtual) */
    uint64_t info_virt; /* boot info, direct-map address (rdi) */
    struct onyx_boot_info *info; /* host view of it */
    uint64_t tx_ring; /* ring regions (physical), 0 without net */
    uint64_t rx_ring;
};

/*
 * Loads `img` into the VM's memory as described in onyx/abi.h. Copies
 * only file bytes (p_filesz); everything else stays untouched zero
 * pages. Fails with -ENOMEM and a message saying how much memory the
 * image needs when guest memory is too small. CPU facts are filled
 * later by mon_loader_set_cpu, after the vCPU exists.
 */
int mon_load(struct mon_vm *vm, const struct mon_image *img,
             const struct mon_boot_config *cfg, struct mon_boot *boot,
             struct mon_err *err);

/* Copies the vCPU facts (vm->xcr0, ...) and host entropy into the boot
 * info. Returns 0 or -errno when no entropy is available. */
int mon_loader_set_cpu(const struct mon_vm *vm, struct mon_boot *boot,
                       struct mon_err *err);

#endif
