/* SPDX-License-Identifier: MIT */
/*
 * Entries into the guest kernel (guest side): the ring-0 trampolines for
 * exceptions, syscalls and privileged operations, and the ring-3 code
 * they hand over to. Ring 0 is emulated under kvm_pvm, so each
 * trampoline is a handful of instructions that leaves the real work to
 * ring 3; see k/arch.h.
 */
#include "k/arch.h"

    .text

/* ---- exceptions: ring 0 ------------------------------------------- */

/*
 * Every instruction here is emulated under kvm_pvm (~1-3 us each), so a
 * stub only records the vector and where the CPU's frame is, and leaves
 * for ring 3 through an iretq frame prepared at boot (k_trap_iret, see
 * cpu.c). The CPU's frame stays on the IST stack for k_trap_entry3.
 */
.macro TRAP vec
    .globl k_trap_\vec
    .type k_trap_\vec, @function
k_trap_\vec:
    movq $\vec, k_trap_vec(%rip)
    mov %rsp, k_trap_hw(%rip)
    lea k_trap_iret(%rip), %rsp
    iretq
    .size k_trap_\vec, . - k_trap_\vec
.endm

TRAP 0
TRAP 1
TRAP 2
TRAP 3
TRAP 4
TRAP 5
TRAP 7
TRAP 8
TRAP 9
TRAP 10
TRAP 11
TRAP 12
TRAP 13
TRAP 15
TRAP 16
TRAP 17
TRAP 18
TRAP 19
TRAP 20
TRAP 21
TRAP 22
TRAP 23
TRAP 24
TRAP 25
TRAP 26
TRAP 27
TRAP 28
TRAP 29
TRAP 30
TRAP 31

/* #PF also needs CR2, readable only here. */
    .globl k_trap_14
    .type k_trap_14, @function
k_trap_14:
    movq $14, k_trap_vec(%rip)
    mov %rsp, k_trap_hw(%rip)
    mov %rax, k_trap_rax(%rip)
    mov %cr2, %rax
    mov %rax, k_trap_cr2(%rip)
    mov k_trap_rax(%rip), %rax
    lea k_trap_iret(%rip), %rsp
    iretq
    .size k_trap_14, . - k_trap_14

/* ---- exceptions: ring 3 ------------------------------------------- */

/* Vectors whose CPU frame starts with an error code. */
#define ERROR_CODE_VECTORS 0x60227d00

/*
 * Builds struct k_trap_frame (k/arch.h) on the trap stack from the
 * registers and the CPU's frame, calls k_trap_handle, and resumes the
 * interrupted ring-3 code without iretq (which kvm_pvm emulates, ~3 us):
 * flags from the frame, then rsp and rip through two scratch slots (the
 * interrupted stack's red zone must stay untouched).
 */
    .type k_trap_entry3, @function
k_trap_entry3:
    sub $56, %rsp           /* vector, error, rip, cs, rflags, rsp, ss */
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
    cld
    mov k_trap_vec(%rip), %rax
    mov %rax, 120(%rsp)
    mov k_trap_hw(%rip), %rsi
    movq $0, 128(%rsp)
    mov $ERROR_CODE_VECTORS, %edx
    bt %eax, %edx
    jnc 1f
    mov (%rsi), %rax
    mov %rax, 128(%rsp)
    add $8, %rsi
1:
    lea 136(%rsp), %rdi
    mov $5, %ecx
    rep movsq
    mov %rsp, %rdi
    xor %ebp, %ebp
    call k_trap_handle
2:
    mov 136(%rsp), %rax     /* frame rip */
    mov %rax, k_trap_ret_rip(%rip)
    mov 160(%rsp), %rax     /* frame rsp */
    mov %rax, k_trap_ret_rsp(%rip)
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
    pushq 16(%rsp)          /* frame rflags */
    popfq
    mov k_trap_ret_rsp(%rip), %rsp
    jmp *k_trap_ret_rip(%rip)
    .size k_trap_entry3, . - k_trap_entry3

/* k_trap_resume(frame): resumes the ring-3 context in a struct
 * k_trap_frame exactly, every register included (rt_sigreturn of a
 * context a fault interrupted); the caller's stack is abandoned. */
    .globl k_trap_resume
    .type k_trap_resume, @function
k_trap_resume:
    mov %rdi, %rsp
    jmp 2b
    .size k_trap_resume, . - k_trap_resume

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
    .globl k_trap_entry3_ptr
k_trap_entry3_ptr:
    .quad k_trap_entry3
k_syscall_entry3_ptr:
    .quad k_syscall_entry3

/* ---- syscalls ------------------------------------------------------ */

/*
 * Reached through LSTAR, still on the app's stack, whose 128-byte red
 * zone must not be touched: switch to the thread's kernel stack before
 * any push. On hardware KVM this runs in ring 0 and drops to ring 3;
 * kvm_pvm keeps a ring-3 caller in ring 3, so the slow iretq is skipped
 * when CS says so. rcx/r11 (app rip/rflags) pass through untouched.
 * Interrupts are off and the kernel never executes `syscall`, so one
 * scratch slot for the app's rsp is enough.
 */
    .text
    .globl k_syscall_entry0
    .type k_syscall_entry0, @function
k_syscall_entry0:
    mov %rsp, k_syscall_scratch(%rip)
    mov k_syscall_kstack_top(%rip), %rsp
    push %rax
    mov %cs, %eax
    test $3, %al
    pop %rax
    jnz k_syscall_entry3
    pushq $K_USER_DS
    pushq k_syscall_kstack_top(%rip)
    pushq $K_RFLAGS
    pushq $K_USER_CS
    pushq k_syscall_entry3_ptr(%rip)
    iretq
    .size k_syscall_entry0, . - k_syscall_entry0

/* Ring 3 on the kernel stack: builds struct k_syscall_frame. */
    .type k_syscall_entry3, @function
k_syscall_entry3:
    /* kvm_pvm may not apply FMASK: start from known flags (DF, AC and
     * TF clear). The app's are in r11. */
    pushq $K_RFLAGS
    popfq
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
     * Same ring as the app: restore RFLAGS from r11 while still on the
     * kernel stack, then load the app's rsp and jump back. Neither mov
     * nor jmp changes flags.
     */
    push %r11
    popfq
    pop %rsp
    jmp *%rcx
    .size k_syscall_entry3, . - k_syscall_entry3

/* ---- privileged operations: ring 0 -------------------------------- */

/*
 * kvm_pvm turns `int n` from ring 3 into #UD, so the gate to ring 0 is
 * the #UD raised by the ud2 in k_priv_call: vector 6 checks where the
 * fault came from and either performs operation r8 (K_PRIV_* in
 * k/arch.h) and resumes after the ud2, or reports an ordinary #UD.
 */
    .globl k_trap_6
    .type k_trap_6, @function
k_trap_6:
    push %rax
    lea k_priv_ud2(%rip), %rax
    cmp %rax, 8(%rsp)
    pop %rax
    je k_priv_gate0
    movq $6, k_trap_vec(%rip)
    mov %rsp, k_trap_hw(%rip)
    lea k_trap_iret(%rip), %rsp
    iretq
    .size k_trap_6, . - k_trap_6

    .type k_priv_gate0, @function
k_priv_gate0:
    addq $2, (%rsp)         /* resume after the ud2 */
    cmp $K_PRIV_INVLPG, %r8
    jne 2f
1:  invlpg (%rdi)
    add $4096, %rdi
    dec %rsi
    jnz 1b
    iretq
2:  cmp $K_PRIV_FLUSH, %r8
    jne 3f
    mov %cr3, %rax
    mov %rax, %cr3
    iretq
3:  cmp $K_PRIV_CR4_OR, %r8
    jne 4f
    mov %cr4, %rax
    or %rdi, %rax
    mov %rax, %cr4
    iretq
4:  wrmsr
    iretq
    .size k_priv_gate0, . - k_priv_gate0

/* Ring 3: the call site of the gate (see k_trap_6). Operation in r8,
 * arguments as k/arch.h documents; clobbers rax. */
    .text
    .globl k_priv_call
    .type k_priv_call, @function
k_priv_call:
    .globl k_priv_ud2
k_priv_ud2:
    ud2
    ret
    .size k_priv_call, . - k_priv_call

    .bss
    .balign 8
k_syscall_scratch:
    .quad 0
    .globl k_syscall_kstack_top
k_syscall_kstack_top:
    .quad 0
k_trap_hw:
    .quad 0
k_trap_ret_rip:
    .quad 0
k_trap_ret_rsp:
    .quad 0
k_trap_rax:
    .quad 0
    .globl k_trap_cr2
k_trap_cr2:
    .quad 0
k_trap_vec:
    .quad 0
/* rip, cs, rflags, rsp, ss of ring-3 trap handling (cpu.c fills it). */
    .globl k_trap_iret
k_trap_iret:
    .skip 40

    .section .note.GNU-stack, "", @progbits
