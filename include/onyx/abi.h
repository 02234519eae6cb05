/* SPDX-License-Identifier: MIT */
/*
 * The one interface between the Onyx monitor (host) and the library OS
 * (guest): boot protocol, hypercalls, network rings and the image format.
 * Shared by both sides; holds only fixed-width types and constants.
 */
#ifndef ONYX_ABI_H
#define ONYX_ABI_H

#include <stdint.h>

/* Bumped on any incompatible change; checked by both sides at boot. */
#define ONYX_ABI_VERSION 2

/* ------------------------------------------------------------------ */
/* Guest virtual address space (x86-64, 4-level paging).              */
/*                                                                     */
/* Everything lives in the lower half and every page-table entry has   */
/* the user bit: the guest kernel and the app both run in ring 3, and  */
/* ring 0 only holds a few trampolines. kvm_pvm (this project's        */
/* /dev/kvm) runs guest ring 3 natively but emulates ring 0 one        */
/* instruction at a time without SSE, and never lets a guest touch     */
/* the upper half. On hardware KVM the same layout works unchanged.    */
/* ------------------------------------------------------------------ */

/* The kernel is linked at ONYX_KERNEL_VBASE + physical address and
 * loaded at physical ONYX_KERNEL_PHYS; the image stays below 2 GiB
 * (its code model uses sign-extended 32-bit addresses). */
#define ONYX_KERNEL_VBASE 0x7f000000ull
#define ONYX_KERNEL_PHYS 0x100000ull
/* All guest physical memory, read-write and no-execute, 2 MiB pages. */
#define ONYX_DIRECT_MAP 0x00007f8000000000ull
/* Kernel virtual allocations (thread stacks, large buffers). */
#define ONYX_KVMALLOC_BASE 0x00007fc000000000ull
/* App stack top (grows down) and mmap area (grows down below it). */
#define ONYX_APP_STACK_TOP 0x00007ffffffff000ull
#define ONYX_APP_MMAP_TOP 0x00007f0000000000ull

#define ONYX_PAGE_SIZE 4096ull
/* Most bytes of argv and envp (strings and pointers) a guest is given. */
#define ONYX_ARG_MAX (2ull << 20)

/* ------------------------------------------------------------------ */
/* Boot protocol.                                                      */
/*                                                                     */
/* The monitor loads the kernel ELF's PT_LOAD segments at their        */
/* physical addresses and the app's PT_LOAD segments at their virtual  */
/* addresses (backed by pages it allocates), builds the page tables    */
/* (kernel W^X per segment, direct map, app W^X per segment; every    */
/* entry with the user bit, see above), and starts the vCPU in 64-bit  */
/* mode, ring 0, at the kernel's ELF entry with:                       */
/*   rdi = virtual address (direct map) of struct onyx_boot_info       */
/*   rsp = 0 (the kernel sets up its own stack first)                  */
/*   CR0 = PE|MP|ET|NE|WP|PG, CR4 = PAE|OSFXSR|OSXMMEXCPT              */
/*         (|OSXSAVE when the CPU has XSAVE; XCR0 already set)         */
/*   EFER = SCE|LME|LMA|NXE, interrupts disabled, no APIC.             */
/* Every physical page from phys_free_start to mem_size is unused and  */
/* reads as zero; the kernel owns it.                                  */
/* ------------------------------------------------------------------ */

#define ONYX_BOOT_MAGIC 0x4f4e5958u /* "ONYX" */

/* A blob the monitor copied into guest physical memory. */
struct onyx_blob {
    uint64_t phys; /* guest physical address, 0 when absent */
    uint64_t size; /* bytes */
};

struct onyx_net_config {
    uint8_t mac[6];
    uint8_t present;  /* 1 when a network device exists */
    uint8_t prefix;   /* netmask length for ip */
    uint32_t ip;      /* network byte order */
    uint32_t gateway; /* network byte order */
    uint32_t dns;     /* network byte order, 0 when none */
    uint32_t mtu;
};

struct onyx_boot_info {
    uint32_t magic;       /* ONYX_BOOT_MAGIC */
    uint32_t abi_version; /* ONYX_ABI_VERSION */
    uint64_t mem_size;    /* bytes of guest physical memory */
    uint64_t phys_free_start; /* first free physical byte, page aligned */
    uint64_t pml4_phys;   /* root of the page tables the monitor built */

    /* The app as loaded: entry, program headers (virtual address inside
     * the app's loaded image, for AT_PHDR), and the page-aligned end of
     * its highest segment, where brk starts. */
    uint64_t app_entry;
    uint64_t app_phdr;
    uint32_t app_phnum;
    uint32_t app_phentsize;
    uint64_t app_brk_start;

    /* argv and envp: each is a sequence of NUL-terminated strings. */
    struct onyx_blob argv;
    uint32_t argc;
    uint32_t envc;
    struct onyx_blob envp;

    /* Read-only file tree (ONYX_ROOTFS_* format below), may be absent. */
    struct onyx_blob rootfs;
    /* App name (NUL-terminated), for logs and uname. */
    struct onyx_blob app_name;

    /* CPU facts gathered by the monitor so the guest needs no CPUID
     * exits at boot. */
    uint64_t tsc_khz;    /* guest TSC frequency */
    uint64_t xcr0;       /* value the monitor put in XCR0, 0 if none */
    uint32_t xsave_size; /* bytes for an XSAVE area with xcr0; 512 if
                            only FXSAVE is available */
    uint32_t cpu_flags;  /* ONYX_CPU_* */

    uint8_t random[32];  /* host entropy for AT_RANDOM and seeding */

    struct onyx_net_config net;
    uint64_t net_tx_ring; /* guest physical address, 0 without network */
    uint64_t net_rx_ring; /* guest physical address, 0 without network */

    uint64_t reserved[8];
};

#define ONYX_CPU_AVX (1u << 0)
#define ONYX_CPU_XSAVE (1u << 1)
#define ONYX_CPU_FSGSBASE (1u << 2)
#define ONYX_CPU_XSAVEOPT (1u << 3)
#define ONYX_CPU_AVX2 (1u << 4)
#define ONYX_CPU_RDRAND (1u << 5)

_Static_assert(sizeof(struct onyx_net_config) == 24, "net config ABI");
_Static_assert(sizeof(struct onyx_boot_info) == 296, "boot info ABI");

/* ------------------------------------------------------------------ */
/* Hypercalls.                                                         */
/*                                                                     */
/* The guest writes the 32-bit guest physical address of the argument */
/* struct with `outl` to port ONYX_HC_PORT_BASE + number. Argument     */
/* structs must lie below 4 GiB (the kernel keeps them in its .bss).   */
/* Every field named `ret` is written by the monitor: 0 or -errno.     */
/* A hypercall the monitor cannot validate stops the guest with a      */
/* message (ONYX_EXIT_CRASH); it is never partly carried out.          */
/* ------------------------------------------------------------------ */

#define ONYX_HC_PORT_BASE 0x500u

/*
 * The same hypercalls from ring 3, where port I/O faults (and on
 * kvm_pvm any fault in ring 3 is fatal): write the argument struct's
 * guest physical address as one 64-bit store to ONYX_HC_MMIO_VIRT +
 * 8 * number. The monitor maps that page, user-accessible and
 * no-execute, to guest physical ONYX_HC_MMIO_PHYS, where no memory is,
 * so every store exits to the monitor. The 4 GiB limit above applies.
 */
#define ONYX_HC_MMIO_PHYS 0x0000001000000000ull /* 64 GiB, past any RAM */
#define ONYX_HC_MMIO_VIRT 0x00007fbffffff000ull /* below KVMALLOC_BASE */

enum onyx_hypercall {
    ONYX_HC_CONSOLE_WRITE = 1, /* struct onyx_hc_console */
    ONYX_HC_CLOCK = 2,         /* struct onyx_hc_clock */
    ONYX_HC_POLL = 3,          /* struct onyx_hc_poll */
    ONYX_HC_EXIT = 4,          /* struct onyx_hc_exit, does not return */
    ONYX_HC_CRASH = 5,         /* struct onyx_hc_crash, does not return */
    ONYX_HC_MAX = 6,
};

/* Console streams. */
#define ONYX_CONSOLE_STDOUT 1u
#define ONYX_CONSOLE_STDERR 2u
#define ONYX_CONSOLE_KERNEL 3u /* kernel log; level in `level` */

/* Kernel log levels (syslog numbering). */
#define ONYX_LOG_ERR 3u
#define ONYX_LOG_WARN 4u
#define ONYX_LOG_INFO 6u
#define ONYX_LOG_DEBUG 7u

/* Largest single console write; the guest splits longer writes. */
#define ONYX_CONSOLE_MAX 65536u

struct onyx_hc_console {
    uint64_t buf; /* guest physical address */
    uint64_t len; /* at most ONYX_CONSOLE_MAX */
    uint32_t stream;
    uint32_t level;
    int64_t ret;
};

struct onyx_hc_clock {
    uint64_t monotonic_ns; /* host CLOCK_MONOTONIC */
    uint64_t realtime_ns;  /* host CLOCK_REALTIME, since the epoch */
    uint64_t tsc;          /* guest TSC read at the same moment */
    int64_t ret;
};

/*
 * Network I/O and waiting. The monitor first sends every packet the
 * guest queued in the TX ring, then moves received packets into the RX
 * ring. If the RX ring is still empty and `deadline_ns` (host monotonic)
 * is in the future, it waits until a packet arrives, the deadline
 * passes or the monitor is asked to stop. deadline_ns = 0 never waits;
 * UINT64_MAX waits for a packet only.
 */
struct onyx_hc_poll {
    uint64_t deadline_ns;
    uint64_t monotonic_ns; /* out: host monotonic time on return */
    uint32_t rx_ready;     /* out: packets now waiting in the RX ring */
    uint32_t stop;         /* out: SIGINT/SIGTERM (Linux numbers) that
                              `onyx run` received, for the app; each
                              reported once, 0 when none */
    int64_t ret;
};

struct onyx_hc_exit {
    int64_t status; /* the low 8 bits become the monitor's exit status */
};

/* Register state for crash reports, in the order of x86-64 GDB. */
struct onyx_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    uint64_t cs, ss, fs_base, gs_base;
    uint64_t cr2, cr3;
};

#define ONYX_CRASH_MSG_MAX 256u
#define ONYX_CRASH_BT_MAX 32u

struct onyx_hc_crash {
    uint32_t vector;     /* CPU exception number, or 256 for a panic */
    uint32_t reserved;
    uint64_t error_code;
    struct onyx_regs regs;
    uint64_t backtrace[ONYX_CRASH_BT_MAX]; /* return addresses, 0 ends */
    char message[ONYX_CRASH_MSG_MAX];      /* NUL-terminated */
};

#define ONYX_CRASH_PANIC 256u

_Static_assert(sizeof(struct onyx_hc_console) == 32, "console ABI");
_Static_assert(sizeof(struct onyx_hc_clock) == 32, "clock ABI");
_Static_assert(sizeof(struct onyx_hc_poll) == 32, "poll ABI");
_Static_assert(sizeof(struct onyx_regs) == 24 * 8, "regs ABI");
_Static_assert(sizeof(struct onyx_hc_crash) == 16 + 192 + 256 + 256,
               "crash ABI");

/* Monitor exit statuses besides the app's own (documented in README). */
#define ONYX_EXIT_CRASH 139u  /* guest CPU exception, panic, bad hypercall */
#define ONYX_EXIT_ERROR 125u  /* onyx itself failed: bad image, options */
#define ONYX_EXIT_SIGINT 130u /* stopped by SIGINT */
#define ONYX_EXIT_SIGTERM 143u

/* ------------------------------------------------------------------ */
/* Network rings: one TX (guest produces) and one RX (monitor          */
/* produces), each in its own page-aligned region of guest memory:     */
/* the ring header page, then ONYX_NET_SLOTS buffers of                */
/* ONYX_NET_BUF_SIZE bytes. Indices run freely and wrap modulo 2^32;   */
/* slot = index % ONYX_NET_SLOTS. The producer fills slot[head % N]    */
/* then increments head; the consumer reads slot[tail % N] then        */
/* increments tail. head - tail never exceeds ONYX_NET_SLOTS; the      */
/* monitor treats anything else as a hostile guest. Frames are         */
/* Ethernet frames without FCS.                                        */
/* ------------------------------------------------------------------ */

#define ONYX_NET_SLOTS 256u
#define ONYX_NET_BUF_SIZE 2048u
#define ONYX_NET_MTU 1500u

struct onyx_net_slot {
    uint32_t len; /* bytes of frame in this slot's buffer */
    uint32_t flags;
};

struct onyx_net_ring {
    uint32_t head;
    uint32_t pad0[15];
    uint32_t tail;
    uint32_t pad1[15];
    struct onyx_net_slot slot[ONYX_NET_SLOTS];
};

/* Bytes one ring occupies: header page plus buffers. */
#define ONYX_NET_RING_BYTES \
    (ONYX_PAGE_SIZE + (uint64_t)ONYX_NET_SLOTS * ONYX_NET_BUF_SIZE)
/* Buffer i starts at ring + ONYX_NET_BUF_OFFSET(i). */
#define ONYX_NET_BUF_OFFSET(i) \
    (ONYX_PAGE_SIZE + (uint64_t)((i) % ONYX_NET_SLOTS) * ONYX_NET_BUF_SIZE)

_Static_assert(sizeof(struct onyx_net_ring) <= ONYX_PAGE_SIZE,
               "ring header fits its page");

/* ------------------------------------------------------------------ */
/* Image file.                                                         */
/*                                                                     */
/* An image is the library OS kernel ELF (so ELF tools read it) with   */
/* sections appended, and a trailer in its last 64 bytes:              */
/*   [kernel ELF][section data ...][section table][trailer]            */
/* All offsets are from the start of the file; every section lies      */
/* wholly between the kernel ELF's end and the section table.          */
/* ------------------------------------------------------------------ */

#define ONYX_IMAGE_MAGIC "ONYXIMG\0"
#define ONYX_IMAGE_VERSION 1u
#define ONYX_IMAGE_MAX_SECTIONS 16u

enum onyx_section_type {
    ONYX_SECTION_APP = 1,    /* static x86-64 ELF executable */
    ONYX_SECTION_ARGV = 2,   /* default args: NUL-terminated strings */
    ONYX_SECTION_ENV = 3,    /* default env: NUL-terminated K=V strings */
    ONYX_SECTION_ROOTFS = 4, /* read-only tree, format below */
    ONYX_SECTION_NAME = 5,   /* app name, NUL-terminated */
    ONYX_SECTION_CONFIG = 6, /* struct onyx_image_config */
};

struct onyx_image_section {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t size;
    uint64_t reserved;
};

struct onyx_image_trailer {
    char magic[8];           /* ONYX_IMAGE_MAGIC */
    uint32_t version;        /* ONYX_IMAGE_VERSION */
    uint32_t abi_version;    /* ONYX_ABI_VERSION of the kernel inside */
    uint64_t kernel_size;    /* bytes of the kernel ELF at offset 0 */
    uint64_t table_offset;   /* section table */
    uint32_t section_count;  /* at most ONYX_IMAGE_MAX_SECTIONS */
    uint32_t reserved0;
    uint64_t reserved[3];
};

/* Kernel variants `onyx build` chooses between (image config). */
enum onyx_kernel_variant {
    ONYX_KERNEL_UNRECORDED = 0, /* images from before the choice: full */
    ONYX_KERNEL_FULL = 1,       /* with lwIP TCP/IP and sockets */
    ONYX_KERNEL_MINIMAL = 2,    /* without networking */
};

/* Library OS components an image's kernel holds (config components). */
#define ONYX_COMPONENT_CORE (1u << 0)  /* boot, memory, threads, syscalls */
#define ONYX_COMPONENT_VFS (1u << 1)   /* files, rootfs, tmpfs, /proc */
#define ONYX_COMPONENT_TCPIP (1u << 2) /* lwIP, AF_INET sockets, vnet */

struct onyx_image_config {
    uint64_t default_mem;    /* bytes, 0 = monitor default */
    uint32_t kernel_variant; /* enum onyx_kernel_variant */
    uint32_t components;     /* ONYX_COMPONENT_* bits, 0 when unrecorded */
    uint64_t lwip_size;      /* lwIP code+data bytes in the kernel */
    uint64_t reserved[5];
};

_Static_assert(sizeof(struct onyx_image_section) == 32, "section ABI");
_Static_assert(sizeof(struct onyx_image_trailer) == 64, "trailer ABI");
_Static_assert(sizeof(struct onyx_image_config) == 64, "config ABI");

/*
 * Root file system: a header, then `count` entries, then a string table
 * and file data. Paths are absolute ("/index.html"), no "." or ".."
 * components; directories are listed as entries too, parents before
 * children. Offsets are from the start of the rootfs blob.
 */
#define ONYX_ROOTFS_MAGIC 0x53465852u /* "RXFS" */

struct onyx_rootfs_header {
    uint32_t magic;
    uint32_t count;
    uint64_t size; /* bytes of the whole blob */
};

struct onyx_rootfs_entry {
    uint64_t path_offset; /* NUL-terminated path in the blob */
    uint64_t data_offset; /* file bytes, 0 for directories */
    uint64_t size;        /* file bytes, 0 for directories */
    uint32_t mode;        /* st_mode: S_IFREG|0644, S_IFDIR|0755, ... */
    uint32_t reserved;
    uint64_t mtime;       /* seconds since the epoch */
};

_Static_assert(sizeof(struct onyx_rootfs_header) == 16, "rootfs ABI");
_Static_assert(sizeof(struct onyx_rootfs_entry) == 40, "rootfs entry ABI");

#endif /* ONYX_ABI_H */
