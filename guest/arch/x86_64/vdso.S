/* SPDX-License-Identifier: MIT */
/*
 * The app's vDSO (guest side): a minimal ELF shared-object image handed
 * to the libc through AT_SYSINFO_EHDR, exporting clock functions that
 * read the TSC in place of a syscall (a syscall costs ~5 us under
 * kvm_pvm, this ~50 ns). The code is kernel code (kernel/vdso.c); the
 * kernel is mapped in the app's address space and ring.
 *
 * Every address in the image is absolute: PT_LOAD maps file offset 0 at
 * the image's own address, so the load bias a reader computes
 * (ehdr + p_offset - p_vaddr) is 0 and symbol values are final.
 */

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define DT_NULL 0
#define DT_HASH 4
#define DT_STRTAB 5
#define DT_SYMTAB 6
#define DT_STRSZ 10
#define DT_SYMENT 11
#define SHN_ABS 0xfff1
#define SYM_FUNC_GLOBAL 0x12
#define NSYMS 4

    .section .rodata
    .balign 4096
    .globl k_vdso_image
k_vdso_image:
    /* Elf64_Ehdr */
    .byte 0x7f, 'E', 'L', 'F', 2, 1, 1, 0
    .byte 0, 0, 0, 0, 0, 0, 0, 0
    .word 3                     /* ET_DYN */
    .word 62                    /* EM_X86_64 */
    .long 1                     /* EV_CURRENT */
    .quad 0                     /* e_entry */
    .quad phdrs - k_vdso_image  /* e_phoff */
    .quad 0                     /* e_shoff */
    .long 0                     /* e_flags */
    .word 64, 56, 2             /* e_ehsize, e_phentsize, e_phnum */
    .word 0, 0, 0               /* no section headers */

phdrs:
    .long PT_LOAD, 5            /* R X */
    .quad 0, k_vdso_image, k_vdso_image
    .quad image_end - k_vdso_image, image_end - k_vdso_image, 4096
    .long PT_DYNAMIC, 4         /* R */
    .quad dynamic - k_vdso_image, dynamic, dynamic
    .quad dynamic_end - dynamic, dynamic_end - dynamic, 8

    .balign 8
dynamic:
    .quad DT_HASH, hash
    .quad DT_STRTAB, strtab
    .quad DT_SYMTAB, symtab
    .quad DT_STRSZ, strtab_end - strtab
    .quad DT_SYMENT, 24
    .quad DT_NULL, 0
dynamic_end:

/* SysV hash table with one bucket: every symbol on one chain. */
hash:
    .long 1, NSYMS              /* nbucket, nchain */
    .long 1                     /* bucket[0] */
    .long 0, 2, 3, 0            /* chain[] */

    .balign 8
symtab:
    .long 0
    .byte 0, 0
    .word 0
    .quad 0, 0
.macro SYM name, fn
    .long \name - strtab
    .byte SYM_FUNC_GLOBAL, 0
    .word SHN_ABS
    .quad \fn, 0
.endm
    SYM name_cgt, k_vdso_clock_gettime
    SYM name_gtod, k_vdso_gettimeofday
    SYM name_time, k_vdso_time

strtab:
    .byte 0
name_cgt:
    .asciz "__vdso_clock_gettime"
name_gtod:
    .asciz "__vdso_gettimeofday"
name_time:
    .asciz "__vdso_time"
strtab_end:
image_end:

    .section .note.GNU-stack, "", @progbits
