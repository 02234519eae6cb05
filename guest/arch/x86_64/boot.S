/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel entry from the monitor, thread context switch and the
 * jump into the app (guest side, ring 0, 64-bit mode from the start).
 */

#define BOOT_STACK_SIZE 16384

    .section .text.boot, "ax"

/*
 * The monitor enters here in long mode with rdi = boot info (direct-map
 * address), rsp = 0 and interrupts off (abi.h boot protocol).
 */
    .globl _start
    .type _start, @function
_start:
    rdtsc
    shl $32, %rdx
    or %rdx, %rax
    mov %rax, k_boot_tsc(%rip)
    lea k_boot_stack_top(%rip), %rsp
    xor %ebp, %ebp
    mov %rdi, k_boot_info(%rip)
    cld
    call k_main
1:  cli
    hlt
    jmp 1b
    .size _start, . - _start

    .text

/* void k_arch_switch(uint64_t *save_sp, uint64_t new_sp) */
    .globl k_arch_switch
    .type k_arch_switch, @function
k_arch_switch:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
    .size k_arch_switch, . - k_arch_switch

/* A new thread's first return lands here (see k_thread_create). */
    .globl k_arch_thread_start
    .type k_arch_thread_start, @function
k_arch_thread_start:
    xor %ebp, %ebp
    push %rbp               /* ends frame-pointer walks, aligns to 16 */
    call k_thread_main
    ud2
    .size k_arch_thread_start, . - k_arch_thread_start

/* _Noreturn void k_arch_enter_app(uint64_t entry, uint64_t sp) */
    .globl k_arch_enter_app
    .type k_arch_enter_app, @function
k_arch_enter_app:
    mov %rsi, %rsp
    mov %rdi, %r11
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx          /* rdx = 0: no exit handler for the libc */
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    push $0x2               /* RFLAGS: IF off, DF clear, nothing else */
    popfq
    jmp *%r11
    .size k_arch_enter_app, . - k_arch_enter_app

    .bss
    .balign 16
    .globl k_boot_stack_bottom
k_boot_stack_bottom:
    .skip BOOT_STACK_SIZE
    .globl k_boot_stack_top
k_boot_stack_top:

    .data
    .balign 8
    .globl k_boot_tsc
k_boot_tsc:
    .quad 0

    .section .note.GNU-stack, "", @progbits
