/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel main: brings up the CPU, memory, clocks, files and the
 * app's main thread, then becomes the idle thread (guest side).
 */
#include "k/arch.h"
#include "k/boot.h"
#include "k/fs.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/proc.h"
#include "k/random.h"
#include "k/thread.h"
#include "k/time.h"
#include "k/vm.h"

const struct onyx_boot_info *k_boot_info;

_Noreturn void k_main(void);

_Noreturn void k_main(void)
{
    /* Hypercalls work before anything else is set up, so a bad boot
     * info is still reported. */
    if (k_boot_info->magic != ONYX_BOOT_MAGIC ||
        k_boot_info->abi_version != ONYX_ABI_VERSION)
        k_panic("boot: boot info magic 0x%x ABI %u, expected 0x%x ABI %u",
                k_boot_info->magic, k_boot_info->abi_version, ONYX_BOOT_MAGIC,
                ONYX_ABI_VERSION);
    k_arch_init();
    k_page_init();
    k_time_init();
    k_random_init();
    k_sched_init();
    k_vm_init();
    k_fs_init();
    k_proc_start();
    k_sched_start();
}
