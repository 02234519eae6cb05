/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel memcpy/memmove/memset with string instructions only, so
 * the kernel never touches the app's SSE/AVX registers (guest side).
 */

    .text

/* void *memcpy(void *dst, const void *src, size_t n) */
    .globl memcpy
    .type memcpy, @function
memcpy:
    mov %rdi, %rax
    mov %rdx, %rcx
    shr $3, %rcx
    rep movsq
    mov %rdx, %rcx
    and $7, %rcx
    rep movsb
    ret
    .size memcpy, . - memcpy

/* void *memmove(void *dst, const void *src, size_t n) */
    .globl memmove
    .type memmove, @function
memmove:
    mov %rdi, %rax
    mov %rdi, %rcx
    sub %rsi, %rcx
    cmp %rdx, %rcx
    jb 1f                     /* dst - src < n: overlap, copy backwards */
    mov %rdx, %rcx
    rep movsb
    ret
1:
    lea -1(%rdi, %rdx), %rdi
    lea -1(%rsi, %rdx), %rsi
    mov %rdx, %rcx
    std
    rep movsb
    cld
    ret
    .size memmove, . - memmove

/* void *memset(void *dst, int c, size_t n) */
    .globl memset
    .type memset, @function
memset:
    mov %rdi, %r9
    movzbl %sil, %eax
    mov $0x0101010101010101, %r8
    imul %r8, %rax
    mov %rdx, %rcx
    shr $3, %rcx
    rep stosq
    mov %rdx, %rcx
    and $7, %rcx
    rep stosb
    mov %r9, %rax
    ret
    .size memset, . - memset

    .section .note.GNU-stack, "", @progbits
