/* SPDX-License-Identifier: MIT */
/*
 * Memory syscalls (guest side): mmap (anonymous, and private copies of
 * read-only files), munmap, mprotect, brk, madvise and mremap over the
 * app address space in kernel/vm.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#include "k/file.h"
#include "k/vm.h"
#include "sys.h"

#define PAGE_MASK 4095ul

/* A file mapping is a private copy read in at mmap time: the files we
 * have are read-only, so nobody can observe the difference. */
static long map_file(long addr, long len, long prot, long flags, long fd,
                     long off)
{
    struct k_file *f = k_fd_lookup((int)fd);
    long start, n;

    if (!f)
        return -EBADF;
    if ((f->flags & O_ACCMODE) == O_WRONLY)
        return -EACCES;
    if ((flags & MAP_TYPE) != MAP_PRIVATE && (prot & PROT_WRITE))
        return -EACCES;
    if (!f->ops->pread)
        return -ENODEV;
    if (off < 0 || (off & PAGE_MASK))
        return -EINVAL;
    start = k_vm_mmap((uint64_t)addr, (uint64_t)len, PROT_READ | PROT_WRITE,
                      (int)flags);
    if (start < 0)
        return start;
    n = f->ops->pread(f, (void *)start, (size_t)len, off);
    if (n < 0) {
        k_vm_munmap((uint64_t)start, (uint64_t)len);
        return n;
    }
    if (prot != (PROT_READ | PROT_WRITE))
        k_vm_mprotect((uint64_t)start, (uint64_t)len, (int)prot);
    return start;
}

SYSCALL(mmap)
{
    long type = a3 & MAP_TYPE;

    if (type != MAP_SHARED && type != MAP_PRIVATE &&
        type != MAP_SHARED_VALIDATE)
        return -EINVAL;
    /* Without fork, a shared anonymous mapping behaves as a private
     * one: no other process can see it. */
    if (a3 & MAP_ANONYMOUS)
        return k_vm_mmap((uint64_t)a0, (uint64_t)a1, (int)a2, (int)a3);
    return map_file(a0, a1, a2, a3, a4, a5);
}

SYSCALL(munmap)
{
    return k_vm_munmap((uint64_t)a0, (uint64_t)a1);
}

SYSCALL(mprotect)
{
    return k_vm_mprotect((uint64_t)a0, (uint64_t)a1, (int)a2);
}

SYSCALL(brk)
{
    return k_vm_brk((uint64_t)a0);
}

SYSCALL(madvise)
{
    return k_vm_madvise((uint64_t)a0, (uint64_t)a1, (int)a2);
}

SYSCALL(mremap)
{
    return k_vm_mremap((uint64_t)a0, (uint64_t)a1, (uint64_t)a2, (int)a3,
                       (uint64_t)a4);
}
