/* SPDX-License-Identifier: MIT */
/*
 * Exception stubs (every vector on an IST stack) and the syscall entry
 * reached through LSTAR; both run in ring 0 on the guest side.
 */

    .text

/* ---- exceptions ------------------------------------------------------ */

/* Builds struct k_trap_frame (k/arch.h) and calls k_trap_handle. */
.macro TRAP vec, has_error
    .globl k_trap_\vec
    .type k_trap_\vec, @function
k_trap_\vec:
    .if \has_error == 0
    pushq $0
    .endif
    pushq $\vec
    jmp k_trap_common
    .size k_trap_\vec, . - k_trap_\vec
.endm

TRAP 0, 0
TRAP 1, 0
TRAP 2, 0
TRAP 3, 0
TRAP 4, 0
TRAP 5, 0
TRAP 6, 0
TRAP 7, 0
TRAP 8, 1
TRAP 9, 0
TRAP 10, 1
TRAP 11, 1
TRAP 12, 1
TRAP 13, 1
TRAP 14, 1
TRAP 15, 0
TRAP 16, 0
TRAP 17, 1
TRAP 18, 0
TRAP 19, 0
TRAP 20, 0
TRAP 21, 1
TRAP 22, 0
TRAP 23, 0
TRAP 24, 0
TRAP 25, 0
TRAP 26, 0
TRAP 27, 0
TRAP 28, 0
TRAP 29, 1
TRAP 30, 1
TRAP 31, 0

k_trap_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    cld                     /* the app may have left DF set */
    mov %rsp, %rdi
    call k_trap_handle
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp           /* vector and error code */
    iretq

    .section .rodata
    .balign 8
    .globl k_trap_stubs
k_trap_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .quad k_trap_\v
    .endr
    .irp v, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad k_trap_\v
    .endr

/* ---- syscalls -------------------------------------------------------- */

/*
 * The app's `syscall` lands here in ring 0 on the app's own stack (no
 * stack switch from ring 0): nothing may be pushed there, the 128 bytes
 * below rsp are the app's red zone. Switch to the thread's kernel stack
 * first, then build struct k_syscall_frame (k/arch.h). Interrupts are
 * off and the kernel never executes `syscall`, so one scratch slot for
 * the app's rsp is enough.
 */
    .text
    .globl k_syscall_entry
    .type k_syscall_entry, @function
k_syscall_entry:
    mov %rsp, k_syscall_scratch(%rip)
    mov k_syscall_kstack_top(%rip), %rsp
    pushq k_syscall_scratch(%rip)
    push %rcx
    push %r11
    push %rax
    push %rdi
    push %rsi
    push %rdx
    push %r10
    push %r8
    push %r9
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    xor %ebp, %ebp          /* backtraces stop at the syscall boundary */
    mov %rsp, %rdi
    call k_syscall_handle
    .globl k_syscall_return
k_syscall_return:
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    pop %r9
    pop %r8
    pop %r10
    pop %rdx
    pop %rsi
    pop %rdi
    pop %rax
    pop %r11
    pop %rcx
    /*
     * sysret would drop to ring 3: restore RFLAGS from r11 while still
     * on the kernel stack, then load the app's rsp and jump back.
     * Neither mov nor jmp changes flags.
     */
    push %r11
    popfq
    pop %rsp
    jmp *%rcx
    .size k_syscall_entry, . - k_syscall_entry

    .bss
    .balign 8
k_syscall_scratch:
    .quad 0
    .globl k_syscall_kstack_top
k_syscall_kstack_top:
    .quad 0

    .section .note.GNU-stack, "", @progbits
