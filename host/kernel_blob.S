/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel ELF embedded in the host onyx binary, so `onyx build`
 * needs no other file; KERNEL_PATH comes from the Makefile.
 */
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

    .section .note.GNU-stack, "", @progbits
