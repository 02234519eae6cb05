/* SPDX-License-Identifier: MIT */
/* Entry of the host tests' probe kernel (guest side): a stack, then C. */
    .text
    .globl probe_entry
probe_entry:
    lea probe_stack_top(%rip), %rsp
    xor %ebp, %ebp
    call probe_main
1:  hlt
    jmp 1b

    .bss
    .balign 16
    .space 65536
    .globl probe_stack_top
probe_stack_top:
    .section .note.GNU-stack, "", @progbits
