/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel ELFs embedded in the host onyx binary, so `onyx build`
 * needs no other file: the full kernel (KERNEL_PATH), the one without
 * networking (KERNEL_MINIMAL_PATH) and the bytes of lwIP in the full
 * one (LWIP_BYTES), all from the Makefile.
 */
/* A test monitor built around one probe kernel embeds it twice. */
#ifndef KERNEL_MINIMAL_PATH
#define KERNEL_MINIMAL_PATH KERNEL_PATH
#endif
#ifndef LWIP_BYTES
#define LWIP_BYTES 0
#endif

    .section .rodata.onyx_kernel, "a"
    .balign 4096
    .globl mon_kernel_blob_start
    .hidden mon_kernel_blob_start
    .type mon_kernel_blob_start, @object
mon_kernel_blob_start:
    .incbin KERNEL_PATH
    .globl mon_kernel_blob_end
    .hidden mon_kernel_blob_end
mon_kernel_blob_end:
    .size mon_kernel_blob_start, mon_kernel_blob_end - mon_kernel_blob_start

    .balign 4096
    .globl mon_kernel_min_blob_start
    .hidden mon_kernel_min_blob_start
    .type mon_kernel_min_blob_start, @object
mon_kernel_min_blob_start:
    .incbin KERNEL_MINIMAL_PATH
    .globl mon_kernel_min_blob_end
    .hidden mon_kernel_min_blob_end
mon_kernel_min_blob_end:
    .size mon_kernel_min_blob_start, \
        mon_kernel_min_blob_end - mon_kernel_min_blob_start

    .balign 8
    .globl mon_kernel_lwip_bytes
    .hidden mon_kernel_lwip_bytes
    .type mon_kernel_lwip_bytes, @object
mon_kernel_lwip_bytes:
    .quad LWIP_BYTES
    .size mon_kernel_lwip_bytes, 8

    .section .note.GNU-stack, "", @progbits
