/* SPDX-License-Identifier: MIT */
/*
 * Host unit test: the layout of onyx/abi.h structs. The guest kernel
 * reads these at fixed offsets; a change here is an ABI break.
 */
#include <stddef.h>

#include "testlib.h"

#define OFF(name, type, field, want)                         \
    test_check(offsetof(type, field) == (want), "abi/" name, \
               "offset %zu, expected %u", offsetof(type, field), (want))

int main(void)
{
    OFF("boot.magic", struct onyx_boot_info, magic, 0u);
    OFF("boot.abi_version", struct onyx_boot_info, abi_version, 4u);
    OFF("boot.mem_size", struct onyx_boot_info, mem_size, 8u);
    OFF("boot.phys_free_start", struct onyx_boot_info, phys_free_start, 16u);
    OFF("boot.pml4_phys", struct onyx_boot_info, pml4_phys, 24u);
    OFF("boot.app_entry", struct onyx_boot_info, app_entry, 32u);
    OFF("boot.app_phdr", struct onyx_boot_info, app_phdr, 40u);
    OFF("boot.app_phnum", struct onyx_boot_info, app_phnum, 48u);
    OFF("boot.app_brk_start", struct onyx_boot_info, app_brk_start, 56u);
    OFF("boot.argv", struct onyx_boot_info, argv, 64u);
    OFF("boot.argc", struct onyx_boot_info, argc, 80u);
    OFF("boot.envc", struct onyx_boot_info, envc, 84u);
    OFF("boot.envp", struct onyx_boot_info, envp, 88u);
    OFF("boot.rootfs", struct onyx_boot_info, rootfs, 104u);
    OFF("boot.app_name", struct onyx_boot_info, app_name, 120u);
    OFF("boot.tsc_khz", struct onyx_boot_info, tsc_khz, 136u);
    OFF("boot.xcr0", struct onyx_boot_info, xcr0, 144u);
    OFF("boot.xsave_size", struct onyx_boot_info, xsave_size, 152u);
    OFF("boot.cpu_flags", struct onyx_boot_info, cpu_flags, 156u);
    OFF("boot.random", struct onyx_boot_info, random, 160u);
    OFF("boot.net", struct onyx_boot_info, net, 192u);
    OFF("boot.net_tx_ring", struct onyx_boot_info, net_tx_ring, 216u);
    OFF("boot.net_rx_ring", struct onyx_boot_info, net_rx_ring, 224u);
    OFF("net.prefix", struct onyx_net_config, prefix, 7u);
    OFF("net.ip", struct onyx_net_config, ip, 8u);
    OFF("net.mtu", struct onyx_net_config, mtu, 20u);
    OFF("console.ret", struct onyx_hc_console, ret, 24u);
    OFF("clock.tsc", struct onyx_hc_clock, tsc, 16u);
    OFF("poll.rx_ready", struct onyx_hc_poll, rx_ready, 16u);
    OFF("poll.stop", struct onyx_hc_poll, stop, 20u);
    OFF("crash.regs", struct onyx_hc_crash, regs, 16u);
    OFF("crash.backtrace", struct onyx_hc_crash, backtrace, 208u);
    OFF("crash.message", struct onyx_hc_crash, message, 464u);
    OFF("regs.rip", struct onyx_regs, rip, 128u);
    OFF("regs.cr2", struct onyx_regs, cr2, 176u);
    OFF("ring.tail", struct onyx_net_ring, tail, 64u);
    OFF("ring.slot", struct onyx_net_ring, slot, 128u);
    OFF("section.offset", struct onyx_image_section, offset, 8u);
    OFF("trailer.kernel_size", struct onyx_image_trailer, kernel_size, 16u);
    OFF("trailer.table_offset", struct onyx_image_trailer, table_offset, 24u);
    OFF("trailer.section_count", struct onyx_image_trailer, section_count, 32u);
    OFF("rootfs.count", struct onyx_rootfs_header, count, 4u);
    OFF("rootfs.entry.mode", struct onyx_rootfs_entry, mode, 24u);
    OFF("rootfs.entry.mtime", struct onyx_rootfs_entry, mtime, 32u);
    CHECK("abi/boot-info-size", sizeof(struct onyx_boot_info) == 296);
    CHECK("abi/ring-fits-page",
          sizeof(struct onyx_net_ring) == 128 + 8 * ONYX_NET_SLOTS);
    CHECK("abi/ring-bytes", ONYX_NET_RING_BYTES == 4096 + 256 * 2048);
    CHECK("abi/buf-offset-wraps",
          ONYX_NET_BUF_OFFSET(ONYX_NET_SLOTS + 1) == ONYX_NET_BUF_OFFSET(1));
    CHECK("abi/image-magic", sizeof(ONYX_IMAGE_MAGIC) == 9);
    CHECK("abi/hc-mmio-past-ram", ONYX_HC_MMIO_PHYS >= 64ull << 30);
    CHECK("abi/hc-mmio-page-free",
          ONYX_HC_MMIO_VIRT >= ONYX_DIRECT_MAP + (64ull << 30) &&
              ONYX_HC_MMIO_VIRT + ONYX_PAGE_SIZE <= ONYX_KVMALLOC_BASE &&
              ONYX_HC_MMIO_VIRT % ONYX_PAGE_SIZE == 0);
    CHECK("abi/lower-half-layout",
          ONYX_KERNEL_VBASE + ONYX_KERNEL_PHYS < 0x80000000ull &&
              ONYX_APP_MMAP_TOP <= ONYX_DIRECT_MAP &&
              ONYX_KVMALLOC_BASE < ONYX_APP_STACK_TOP &&
              ONYX_APP_STACK_TOP < 0x0000800000000000ull);
    return test_done();
}
