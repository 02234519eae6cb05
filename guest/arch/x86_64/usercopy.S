/* SPDX-License-Identifier: MIT */
/*
 * Copies between kernel and app memory that survive bad app pointers:
 * a page fault inside [k_uaccess_start, k_uaccess_end) that demand
 * paging cannot resolve resumes at k_uaccess_fault, which returns
 * -EFAULT (guest side). The routines use no stack, so the fault exit is
 * a plain return.
 */

#define EFAULT 14

    .text
    .globl k_uaccess_start
k_uaccess_start:

/* long k_uaccess_copy(void *dst, const void *src, size_t n): 0 or -EFAULT */
    .globl k_uaccess_copy
    .type k_uaccess_copy, @function
k_uaccess_copy:
    mov %rdx, %rcx
    rep movsb
    xor %eax, %eax
    ret
    .size k_uaccess_copy, . - k_uaccess_copy

/* long k_uaccess_clear(void *dst, size_t n): 0 or -EFAULT */
    .globl k_uaccess_clear
    .type k_uaccess_clear, @function
k_uaccess_clear:
    mov %rsi, %rcx
    xor %eax, %eax
    rep stosb
    ret
    .size k_uaccess_clear, . - k_uaccess_clear

/*
 * long k_uaccess_strncpy(char *dst, const char *src, size_t max):
 * copies up to max bytes stopping after a NUL; returns the string
 * length, max when no NUL was found, or -EFAULT.
 */
    .globl k_uaccess_strncpy
    .type k_uaccess_strncpy, @function
k_uaccess_strncpy:
    xor %eax, %eax
1:
    cmp %rdx, %rax
    jae 2f
    movb (%rsi, %rax), %cl
    movb %cl, (%rdi, %rax)
    test %cl, %cl
    jz 2f
    inc %rax
    jmp 1b
2:
    ret
    .size k_uaccess_strncpy, . - k_uaccess_strncpy

    .globl k_uaccess_end
k_uaccess_end:

    .globl k_uaccess_fault
    .type k_uaccess_fault, @function
k_uaccess_fault:
    mov $-EFAULT, %rax
    ret
    .size k_uaccess_fault, . - k_uaccess_fault


/*
 * int k_probe_fsgsbase(void): 1 when rdfsbase works in ring 3. A #UD at
 * k_probe_fsgs_insn resumes at k_probe_fsgs_fail (traps.c).
 */
    .text
    .globl k_probe_fsgsbase
    .type k_probe_fsgsbase, @function
k_probe_fsgsbase:
    .globl k_probe_fsgs_insn
k_probe_fsgs_insn:
    rdfsbase %rax
    mov $1, %eax
    ret
    .globl k_probe_fsgs_fail
k_probe_fsgs_fail:
    xor %eax, %eax
    ret
    .size k_probe_fsgsbase, . - k_probe_fsgsbase

    .section .note.GNU-stack, "", @progbits
