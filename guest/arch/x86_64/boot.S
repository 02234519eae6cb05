/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel entry from the monitor (ring 0), thread context switch
 * and the jump into the app (guest side). Ring 0 code here is emulated
 * under kvm_pvm: it loads the descriptor tables and MSRs (a few dozen
 * instructions) and drops to ring 3 for good; the IDT and TSS contents
 * are filled in from ring 3 (cpu.c).
 */
#include "k/arch.h"

#define BOOT_STACK_SIZE 16384
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
/* RFLAGS bits cleared on syscall entry: TF, IF, DF, NT, AC. */
#define SYSCALL_FMASK 0x44700

    .section .text.boot, "ax"

/*
 * The monitor enters here in long mode, ring 0, with rdi = boot info
 * (direct-map address) and rsp = 0 (abi.h boot protocol).
 */
    .globl _start
    .type _start, @function
_start:
    rdtsc
    mov %eax, k_boot_tsc(%rip)
    mov %edx, k_boot_tsc + 4(%rip)
    mov %rdi, k_boot_info(%rip)
    lgdt k_gdt_ptr(%rip)
    /* The IDT is still empty: cpu.c fills it before anything can trap.
     * The TSS descriptor was computed by the linker (kernel.ld). */
    lidt k_idt_ptr(%rip)
    mov $K_SEL_TSS, %eax
    ltr %ax
    /* syscall: CS 0x08/SS 0x10; sysret base 0x18 (never used). */
    xor %eax, %eax
    mov $((K_SEL_UCODE32 << 16) | K_SEL_KCODE), %edx
    mov $MSR_STAR, %ecx
    wrmsr
    lea k_syscall_entry0(%rip), %rax
    mov %rax, %rdx
    shr $32, %rdx
    mov $MSR_LSTAR, %ecx
    wrmsr
    mov $SYSCALL_FMASK, %eax
    xor %edx, %edx
    mov $MSR_FMASK, %ecx
    wrmsr
    /* Drop to ring 3 on the boot stack (every emulated instruction
     * counts: the iretq frame is built by the linker). */
    lea k_boot_iret(%rip), %rsp
    iretq
    .size _start, . - _start

    .text

/* Ring 3 from here on. */
    .type k_start3, @function
k_start3:
    xor %ebp, %ebp
    cld
    call k_main
    ud2
    .size k_start3, . - k_start3

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
    pushq $K_RFLAGS         /* flags as the app expects them: DF clear */
    popfq
    jmp *%r11
    .size k_arch_enter_app, . - k_arch_enter_app

    .section .rodata
    .balign 8
k_boot_iret:
    .quad k_start3, K_USER_CS, K_RFLAGS, k_boot_stack_top, K_USER_DS

    .data
    .balign 16
/* Kernel segments (DPL 0, for the trampolines) and user segments
 * (DPL 3) in the order SYSRET expects, then the TSS. */
    .globl k_gdt
k_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 0x08 kernel code, 64-bit */
    .quad 0x00cf92000000ffff    /* 0x10 kernel data */
    .quad 0x00cffa000000ffff    /* 0x18 user code, 32-bit (unused) */
    .quad 0x00cff2000000ffff    /* 0x20 user data */
    .quad 0x00affa000000ffff    /* 0x28 user code, 64-bit */
    .quad k_tss_desc_lo         /* 0x30 TSS (kernel.ld) */
    .quad k_tss_desc_hi
k_gdt_end:
    .balign 8
    .word 0, 0, 0
k_gdt_ptr:
    .word k_gdt_end - k_gdt - 1
    .quad k_gdt

    .balign 8
    .word 0, 0, 0
    .globl k_idt_ptr
k_idt_ptr:
    .word 256 * 16 - 1
    .quad k_idt

    .balign 8
    .globl k_boot_tsc
k_boot_tsc:
    .quad 0

    .bss
    .balign 16
    .globl k_tss
k_tss:
    .skip 104
    .balign 4096
    .globl k_idt
k_idt:
    .skip 256 * 16
    .balign 16
    .globl k_boot_stack_bottom
k_boot_stack_bottom:
    .skip BOOT_STACK_SIZE
    .globl k_boot_stack_top
k_boot_stack_top:

    .section .note.GNU-stack, "", @progbits
