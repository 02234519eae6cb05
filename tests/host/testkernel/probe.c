/* SPDX-License-Identifier: MIT */
/*
 * Probe kernel for the host tests (runs in the guest, ring 0): instead of
 * the library OS it runs one scenario named by argv[1] that checks the
 * boot contract (boot info, page tables, clocks, rings) or misbehaves on
 * purpose so tests can see how the monitor reacts.
 */
#include <stddef.h>
#include <stdint.h>

#include "onyx/abi.h"

#define PTE_P 1ull
#define PTE_W 2ull
#define PTE_PS 0x80ull
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

void probe_main(const struct onyx_boot_info *boot);
void probe_crash_site(void);

static const struct onyx_boot_info *bi;
static struct onyx_hc_console con;
static struct onyx_hc_clock clk;
static struct onyx_hc_poll pol;
static struct onyx_hc_exit ext;
static struct onyx_hc_crash crash;
static char big[ONYX_CONSOLE_MAX + 1];
static uint64_t data_word = 1;

/* Physical address of a kernel-image or direct-map address. */
static uint64_t v2p(const volatile void *p)
{
    uint64_t va = (uint64_t)(uintptr_t)p;

    if (va >= ONYX_DIRECT_MAP)
        return va - ONYX_DIRECT_MAP;
    return va - ONYX_KERNEL_VBASE;
}

static void *p2v(uint64_t pa)
{
    return (void *)(uintptr_t)(pa + ONYX_DIRECT_MAP);
}

static void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static int force_mmio;

/* Port I/O from ring 0; the MMIO form from ring 3 (or when asked). */
static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void hc(unsigned nr, const volatile void *arg)
{
    uint64_t cs;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    if ((cs & 3) == 3 || force_mmio)
        *(volatile uint64_t *)(uintptr_t)(ONYX_HC_MMIO_VIRT + 8 * nr) =
            v2p(arg);
    else
        outl((uint16_t)(ONYX_HC_PORT_BASE + nr), (uint32_t)v2p(arg));
}

static size_t slen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

static int seq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static void out(uint32_t stream, const void *buf, size_t len)
{
    con.buf = v2p(buf);
    con.len = len;
    con.stream = stream;
    con.level = ONYX_LOG_INFO;
    hc(ONYX_HC_CONSOLE_WRITE, &con);
}

static void print(const char *s)
{
    out(ONYX_CONSOLE_STDOUT, s, slen(s));
}

/* Prints "<label>=<value in hex or decimal>\n". */
static void print_num(const char *label, uint64_t v, int hex)
{
    char buf[64];
    char digits[24];
    size_t n = 0, d = 0;

    while (*label && n < 32)
        buf[n++] = *label++;
    buf[n++] = '=';
    if (hex) {
        buf[n++] = '0';
        buf[n++] = 'x';
    }
    do {
        unsigned r = (unsigned)(v % (hex ? 16 : 10));

        digits[d++] = (char)(r < 10 ? '0' + r : 'a' + r - 10);
        v /= hex ? 16 : 10;
    } while (v);
    while (d)
        buf[n++] = digits[--d];
    buf[n++] = '\n';
    out(ONYX_CONSOLE_STDOUT, buf, n);
}

static _Noreturn void probe_exit(int64_t status)
{
    ext.status = status;
    hc(ONYX_HC_EXIT, &ext);
    for (;;)
        __asm__ volatile("hlt");
}

static uint64_t parse_u64(const char *s)
{
    uint64_t v = 0;

    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

static const char *arg(uint32_t i)
{
    const char *p = p2v(bi->argv.phys);

    if (i >= bi->argc)
        return "";
    while (i--)
        p += slen(p) + 1;
    return p;
}

/* The leaf entry mapping `va`, or 0 when unmapped. */
static uint64_t pte_of(uint64_t va)
{
    uint64_t *t = p2v(bi->pml4_phys);

    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64_t e = t[(va >> shift) & 511];

        if (!(e & PTE_P))
            return 0;
        if (shift == 12 || (e & PTE_PS))
            return e;
        t = p2v(e & PTE_ADDR);
    }
    return 0;
}

static int perm_is(uint64_t va, int w, int nx)
{
    uint64_t e = pte_of(va);

    return e && !!(e & PTE_W) == w && !!(e & PTE_NX) == nx;
}

static void check(const char *what, int good)
{
    print(what);
    print(good ? ": ok\n" : ": BAD\n");
}

static void scenario_bootinfo(void)
{
    static const char rodata_probe[] = "rodata";
    const uint8_t *free_page = p2v(bi->phys_free_start);
    const uint8_t *last = p2v(bi->mem_size - 1);
    const char *name = p2v(bi->app_name.phys);
    int random_nonzero = 0;

    for (int i = 0; i < 32; i++)
        random_nonzero |= bi->random[i];
    check("magic", bi->magic == ONYX_BOOT_MAGIC);
    check("abi", bi->abi_version == ONYX_ABI_VERSION);
    print_num("mem", bi->mem_size, 0);
    check("free-aligned", bi->phys_free_start % 4096 == 0 &&
                              bi->phys_free_start < bi->mem_size);
    check("free-is-zero",
          free_page[0] == 0 && free_page[4095] == 0 && *last == 0);
    print_num("argc", bi->argc, 0);
    for (uint32_t i = 0; i < bi->argc; i++) {
        print("arg: ");
        print(arg(i));
        print("\n");
    }
    print_num("envc", bi->envc, 0);
    if (bi->envc) {
        print("env0: ");
        print(p2v(bi->envp.phys));
        print("\n");
    }
    print("name: ");
    print(name);
    print("\n");
    print_num("app_entry", bi->app_entry, 1);
    print_num("app_phdr", bi->app_phdr, 1);
    print_num("app_phnum", bi->app_phnum, 0);
    print_num("xcr0", bi->xcr0, 1);
    print_num("xsave_size", bi->xsave_size, 0);
    print_num("cpu_flags", bi->cpu_flags, 1);
    check("tsc_khz", bi->tsc_khz > 100000);
    check("random", random_nonzero);
    print_num("net_present", bi->net.present, 0);
    print_num("net_tx_ring", bi->net_tx_ring, 1);
    check("rings-page-aligned",
          bi->net_tx_ring % 4096 == 0 && bi->net_rx_ring % 4096 == 0);
    check("wx-kernel-text", perm_is((uint64_t)(uintptr_t)probe_main, 0, 0));
    check("wx-kernel-rodata", perm_is((uint64_t)(uintptr_t)rodata_probe, 0, 1));
    check("wx-kernel-data", perm_is((uint64_t)(uintptr_t)&data_word, 1, 1));
    check("wx-app-entry", perm_is(bi->app_entry, 0, 0));
    check("wx-app-brk-page", perm_is(bi->app_brk_start - 1, 1, 1));
    check("page0-unmapped", pte_of(0) == 0);
    check("hypercall-page",
          (pte_of(ONYX_HC_MMIO_VIRT) & PTE_ADDR) == ONYX_HC_MMIO_PHYS &&
              perm_is(ONYX_HC_MMIO_VIRT, 1, 1));
    check("user-bit", (pte_of(bi->app_entry) & 4) &&
                          (pte_of((uint64_t)(uintptr_t)probe_main) & 4));
    check("brk-unmapped", pte_of(bi->app_brk_start) == 0);
    check("direct-map", perm_is(ONYX_DIRECT_MAP + bi->mem_size - 1, 1, 1));
    check("app-phdr-readable",
          pte_of(bi->app_phdr) != 0 &&
              *(const uint32_t *)(uintptr_t)bi->app_phdr != 0xffffffff);
    probe_exit(0);
}

static void poll_until(uint64_t deadline)
{
    pol.deadline_ns = deadline;
    hc(ONYX_HC_POLL, &pol);
}

static void scenario_clock(void)
{
    uint64_t m0, t0, ms, tsc_ms;

    t0 = rdtsc();
    hc(ONYX_HC_CLOCK, &clk);
    check("tsc-matches-clock-ring0", clk.tsc >= t0 && clk.tsc <= rdtsc());
    m0 = clk.monotonic_ns;
    t0 = clk.tsc;
    check("clock-ret", clk.ret == 0);
    check("realtime-after-2020", clk.realtime_ns > 1577836800ull * 1000000000);
    poll_until(m0 + 30000000);
    check("poll-monotonic", pol.monotonic_ns >= m0 + 30000000);
    hc(ONYX_HC_CLOCK, &clk);
    ms = (clk.monotonic_ns - m0) / 1000000;
    tsc_ms = (clk.tsc - t0) / bi->tsc_khz;
    print_num("slept_ms", ms, 0);
    check("slept-30ms", ms >= 30 && ms < 1000);
    check("tsc-agrees", tsc_ms + 3 >= ms && tsc_ms <= ms + 3);
    probe_exit(0);
}

void probe_crash_site(void)
{
    crash.vector = 14;
    crash.error_code = 2;
    crash.regs.rip = (uint64_t)(uintptr_t)probe_crash_site + 5;
    crash.regs.cr2 = 0xdeadbeef;
    crash.regs.rax = 0x1111;
    crash.backtrace[0] = (uint64_t)(uintptr_t)probe_main + 1;
    crash.backtrace[1] = bi->app_entry;
    crash.backtrace[2] = 0;
    for (size_t i = 0; i < 20; i++)
        crash.message[i] = "probe: page \x01 fault"[i];
    hc(ONYX_HC_CRASH, &crash);
}

/* An ARP packet between our address and `target_ip`. */
static uint32_t arp_frame(uint8_t *f, int op, const uint8_t *dst_mac,
                          const uint8_t *target_ip)
{
    const uint8_t *me = (const uint8_t *)&bi->net.ip;
    const uint8_t *mac = bi->net.mac;

    for (int i = 0; i < 6; i++) {
        f[i] = dst_mac ? dst_mac[i] : 0xff;
        f[6 + i] = mac[i];
        f[22 + i] = mac[i];
        f[32 + i] = dst_mac ? dst_mac[i] : 0;
    }
    f[12] = 0x08, f[13] = 0x06, f[14] = 0, f[15] = 1, f[16] = 8, f[17] = 0;
    f[18] = 6, f[19] = 4, f[20] = 0, f[21] = (uint8_t)op;
    for (int i = 0; i < 4; i++) {
        f[28 + i] = me[i];
        f[38 + i] = target_ip[i];
    }
    for (int i = 42; i < 60; i++)
        f[i] = 0;
    return 60;
}

static struct onyx_net_ring *ring(uint64_t pa)
{
    return p2v(pa);
}

static void tx_send(const uint8_t *frame, uint32_t len)
{
    struct onyx_net_ring *tx = ring(bi->net_tx_ring);
    uint32_t slot = tx->head % ONYX_NET_SLOTS;
    uint8_t *buf = (uint8_t *)tx + ONYX_NET_BUF_OFFSET(slot);

    for (uint32_t i = 0; i < len; i++)
        buf[i] = frame[i];
    tx->slot[slot].len = len;
    tx->head++;
}

/* Next received frame, or NULL after waiting `ms` for one. */
static const uint8_t *rx_next(uint32_t *len, uint64_t ms)
{
    struct onyx_net_ring *rx = ring(bi->net_rx_ring);
    const uint8_t *f;
    uint32_t slot;

    hc(ONYX_HC_CLOCK, &clk);
    while (rx->head == rx->tail) {
        poll_until(clk.monotonic_ns + ms * 1000000);
        if (pol.rx_ready == 0)
            return NULL;
    }
    slot = rx->tail % ONYX_NET_SLOTS;
    f = (const uint8_t *)rx + ONYX_NET_BUF_OFFSET(slot);
    *len = rx->slot[slot].len;
    rx->tail++;
    return f;
}

/* Asks the gateway for its MAC and waits for the answer. */
static void scenario_arp(void)
{
    const uint8_t *gw = (const uint8_t *)&bi->net.gateway;
    uint8_t frame[64];
    const uint8_t *r;
    uint32_t len = 0;

    /* A fresh tap may drop the first frames: ask up to five times. */
    for (int tries = 0; tries < 5; tries++) {
        tx_send(frame, arp_frame(frame, 1, NULL, gw));
        while ((r = rx_next(&len, 1000)) != NULL) {
            if (len >= 42 && r[12] == 8 && r[13] == 6 && r[21] == 2 &&
                r[28] == gw[0] && r[29] == gw[1] && r[30] == gw[2] &&
                r[31] == gw[3]) {
                print_num("arp-reply-from-mac-last", r[11], 1);
                probe_exit(0);
            }
        }
    }
    print("arp: no reply\n");
    probe_exit(1);
}

/* Answers slirp's ARP for us, then reports the first TCP SYN. */
static void scenario_listen(void)
{
    uint8_t frame[64];
    const uint8_t *r;
    uint32_t len = 0;

    while ((r = rx_next(&len, 10000)) != NULL) {
        const uint8_t *me = (const uint8_t *)&bi->net.ip;

        if (len >= 42 && r[12] == 8 && r[13] == 6 && r[21] == 1 &&
            r[38] == me[0] && r[39] == me[1] && r[40] == me[2] &&
            r[41] == me[3]) {
            print("listen: arp who-has us\n");
            tx_send(frame, arp_frame(frame, 2, r + 6, r + 28));
        } else if (len >= 54 && r[12] == 8 && r[13] == 0 && r[23] == 6 &&
                   (r[47] & 0x02)) {
            print_num("listen: tcp syn to port", (uint64_t)r[36] << 8 | r[37],
                      0);
            probe_exit(0);
        }
    }
    print("listen: nothing arrived\n");
    probe_exit(1);
}

static void scenario_hostile(const char *what)
{
    struct onyx_net_ring *tx;

    if (seq(what, "console-buf")) {
        con.buf = bi->mem_size - 4, con.len = 16, con.stream = 1;
        hc(ONYX_HC_CONSOLE_WRITE, &con);
    } else if (seq(what, "console-len")) {
        con.buf = v2p(big), con.len = ONYX_CONSOLE_MAX + 1, con.stream = 1;
        hc(ONYX_HC_CONSOLE_WRITE, &con);
    } else if (seq(what, "console-stream")) {
        con.buf = v2p(big), con.len = 1, con.stream = 9;
        hc(ONYX_HC_CONSOLE_WRITE, &con);
    } else if (seq(what, "arg-gpa")) {
        outl(ONYX_HC_PORT_BASE + ONYX_HC_CLOCK, 0xfffffff0u);
    } else if (seq(what, "hc-zero")) {
        outl(ONYX_HC_PORT_BASE, (uint32_t)v2p(&clk));
    } else if (seq(what, "hc-unknown")) {
        outl(ONYX_HC_PORT_BASE + ONYX_HC_MAX, (uint32_t)v2p(&clk));
    } else if (seq(what, "in-port")) {
        uint32_t v;

        __asm__ volatile("inl %1, %0"
                         : "=a"(v)
                         : "Nd"((uint16_t)(ONYX_HC_PORT_BASE + 1)));
    } else if (seq(what, "byte-port")) {
        __asm__ volatile("outb %0, %1"
                         :
                         : "a"((uint8_t)1),
                           "Nd"((uint16_t)(ONYX_HC_PORT_BASE + 1)));
    } else if (seq(what, "triple-fault")) {
        /* Page 0 is unmapped and there is no IDT yet: #PF, then #DF,
         * then shutdown. */
        __asm__ volatile("movq $1, 8" : : : "memory");
    } else if (seq(what, "hlt")) {
        __asm__ volatile("cli; hlt");
    } else if (seq(what, "mmio")) {
        /* Map the 2 MiB after guest memory into the direct map and
         * touch it: there is no memory behind it. */
        uint64_t *pml4 = p2v(bi->pml4_phys);
        uint64_t *pdpt = p2v(pml4[(ONYX_DIRECT_MAP >> 39) & 511] & PTE_ADDR);
        uint64_t *dir = p2v(pdpt[(bi->mem_size >> 30) & 511] & PTE_ADDR);

        dir[(bi->mem_size >> 21) & 511] =
            bi->mem_size | PTE_P | PTE_W | PTE_PS | PTE_NX;
        __asm__ volatile("invlpg (%0)" : : "r"(p2v(bi->mem_size)) : "memory");
        *(volatile uint64_t *)p2v(bi->mem_size) = 1;
    } else if (seq(what, "mmio-read")) {
        (void)*(volatile uint64_t *)(uintptr_t)(ONYX_HC_MMIO_VIRT + 8);
    } else if (seq(what, "mmio-narrow")) {
        *(volatile uint32_t *)(uintptr_t)(ONYX_HC_MMIO_VIRT + 8) =
            (uint32_t)v2p(&con);
    } else if (seq(what, "mmio-high-arg")) {
        *(volatile uint64_t *)(uintptr_t)(ONYX_HC_MMIO_VIRT + 8) = 1ull << 40;
    } else if (seq(what, "mmio-unknown")) {
        *(volatile uint64_t *)(uintptr_t)(ONYX_HC_MMIO_VIRT + 8 * 100) =
            v2p(&con);
    } else if (seq(what, "ring-tx-head")) {
        tx = ring(bi->net_tx_ring);
        tx->head = ONYX_NET_SLOTS + 5;
        poll_until(0);
    } else if (seq(what, "ring-tx-len")) {
        tx = ring(bi->net_tx_ring);
        tx->slot[0].len = 0x7fffffff;
        tx->head = 1;
        poll_until(0);
    } else if (seq(what, "ring-rx-tail")) {
        ring(bi->net_rx_ring)->tail = 77;
        poll_until(0);
    }
    print("hostile: monitor let it pass\n");
    probe_exit(3);
}

/*
 * Ring 3: `user LOOPS SYSCALLS` drops to ring 3 (every page is a user
 * page, abi.h), runs LOOPS iterations and an SSE instruction, makes
 * SYSCALLS syscalls whose handler returns with a plain jump, then one
 * more after which it reports through hypercalls and exits. On kvm_pvm
 * ring 3 runs natively, syscall lands at LSTAR still in ring 3 and only
 * the MMIO hypercall form reaches the monitor; on hardware KVM syscall
 * enters ring 0 and port I/O is used.
 */
static uint64_t user_gdt[7] __attribute__((aligned(16))) = {
    0,
    0x00af9b000000ffffull,
    0x00cf93000000ffffull,
    0,
    0x00cffb000000ffffull,
    0x00cff3000000ffffull,
    0x00affb000000ffffull,
};
static uint8_t user_stack[16384] __attribute__((aligned(16)));
uint64_t probe_user_loops;
uint64_t probe_user_syscalls;

static void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr"
                     :
                     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void probe_user_fn(void);
void probe_syscall_entry(void);
void probe_back_from_user(void);

__asm__(".text\n"
        "probe_user_fn:\n"
        "  mov probe_user_loops(%rip), %rcx\n"
        "  inc %rcx\n"
        "1: dec %rcx\n"
        "  jnz 1b\n"
        "  xorps %xmm0, %xmm0\n"
        "  mov probe_user_syscalls(%rip), %r12\n"
        "2: test %r12, %r12\n"
        "  jz 3f\n"
        "  dec %r12\n"
        "  mov $1, %eax\n"
        "  syscall\n"
        "  jmp 2b\n"
        "3: xor %eax, %eax\n"
        "  syscall\n"
        "probe_syscall_entry:\n"
        "  test %eax, %eax\n"
        "  jz 4f\n"
        "  push %r11\n"
        "  popfq\n"
        "  jmp *%rcx\n"
        "4: lea probe_stack_top(%rip), %rsp\n"
        "  call probe_back_from_user\n");

/* The XCR0 in force in ring 3 must be the one the boot info names, so
 * the kernel's XSAVE area covers every live register. */
static void xcr0_check(void)
{
    static uint8_t area[16384] __attribute__((aligned(64)));
    uint32_t lo, hi;

    if (!(bi->cpu_flags & ONYX_CPU_XSAVE)) {
        print("xcr0: no xsave\n");
        return;
    }
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    print_num("xcr0_ring3", ((uint64_t)hi << 32) | lo, 1);
    check("xcr0-matches", (((uint64_t)hi << 32) | lo) == bi->xcr0);
    check("xsave-size-fits", bi->xsave_size <= sizeof(area));
    __asm__ volatile("xsave %0" : "=m"(area) : "a"(lo), "d"(hi) : "memory");
    __asm__ volatile("xrstor %0" : : "m"(area), "a"(lo), "d"(hi));
    print("xsave/xrstor in ring 3: ok\n");
}

void probe_back_from_user(void)
{
    uint64_t cs, before, after;

    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    print_num("back from user code, cpl", cs & 3, 0);
    /* The TSC this code reads must be the one the clock hypercall
     * reports, or the guest's clocks drift from the host's. */
    before = rdtsc();
    hc(ONYX_HC_CLOCK, &clk);
    after = rdtsc();
    check("tsc-matches-clock", clk.tsc >= before && clk.tsc <= after);
    print_num("tsc_before", before, 0);
    print_num("tsc_clock", clk.tsc, 0);
    print_num("tsc_after", after, 0);
    xcr0_check();
    probe_exit(0);
}

static void scenario_user(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed))
    gdtr = {sizeof(user_gdt) - 1, (uint64_t)(uintptr_t)user_gdt};
    uint64_t top = (uint64_t)(uintptr_t)(user_stack + sizeof(user_stack));

    probe_user_loops = parse_u64(arg(2));
    probe_user_syscalls = parse_u64(arg(3));
    __asm__ volatile("lgdt %0" : : "m"(gdtr));
    wrmsr(0xc0000081, (0x23ull << 48) | (0x08ull << 32));
    wrmsr(0xc0000082, (uint64_t)(uintptr_t)probe_syscall_entry);
    wrmsr(0xc0000084, 0x200);
    print("entering ring 3\n");
    __asm__ volatile("pushq $0x2b\n\t"
                     "pushq %0\n\t"
                     "pushq $0x2\n\t"
                     "pushq $0x33\n\t"
                     "pushq %1\n\t"
                     "iretq"
                     :
                     : "r"(top), "r"((uint64_t)(uintptr_t)probe_user_fn)
                     : "memory");
}

void probe_main(const struct onyx_boot_info *boot)
{
    const char *what;

    bi = boot;
    what = arg(1);
    if (seq(what, "hello")) {
        print("probe: hello\n");
        probe_exit(0);
    } else if (seq(what, "mmio-hello")) {
        force_mmio = 1;
        print("probe: hello through mmio\n");
        probe_exit(7);
    } else if (seq(what, "exit")) {
        probe_exit((int64_t)parse_u64(arg(2)));
    } else if (seq(what, "bootinfo")) {
        scenario_bootinfo();
    } else if (seq(what, "clock")) {
        scenario_clock();
    } else if (seq(what, "streams")) {
        out(ONYX_CONSOLE_STDOUT, "to stdout\n", 10);
        out(ONYX_CONSOLE_STDERR, "to stderr\n", 10);
        out(ONYX_CONSOLE_KERNEL, "[onyx] kernel line\n", 19);
        probe_exit(0);
    } else if (seq(what, "big")) {
        for (size_t i = 0; i < ONYX_CONSOLE_MAX; i++)
            big[i] = (char)('a' + i % 26);
        out(ONYX_CONSOLE_STDOUT, big, ONYX_CONSOLE_MAX);
        probe_exit(0);
    } else if (seq(what, "sse")) {
        uint32_t csr = 0x1f80;

        __asm__ volatile("fninit; ldmxcsr %0" : : "m"(csr));
        print("sse: ldmxcsr ok\n");
        probe_exit(0);
    } else if (seq(what, "xorps")) {
        __asm__ volatile("xorps %xmm0, %xmm0");
        print("xorps ok\n");
        probe_exit(0);
    } else if (seq(what, "stmxcsr")) {
        uint32_t csr = 0;

        __asm__ volatile("stmxcsr %0" : "=m"(csr));
        print_num("mxcsr", csr, 1);
        __asm__ volatile("ldmxcsr %0" : : "m"(csr));
        print("ldmxcsr ok\n");
        probe_exit(0);
    } else if (seq(what, "fxsave")) {
        static uint8_t area[512] __attribute__((aligned(64)));

        __asm__ volatile("fxsave %0" : "=m"(area));
        print_num("mxcsr", *(uint32_t *)(area + 24), 1);
        print_num("mxcsr_mask", *(uint32_t *)(area + 28), 1);
        __asm__ volatile("fxrstor %0" : : "m"(area));
        print("fxrstor ok\n");
        probe_exit(0);
    } else if (seq(what, "loop")) {
        uint64_t n = parse_u64(arg(2));

        for (uint64_t i = 0; i < n; i++)
            __asm__ volatile("" : : : "memory");
        print("loop done\n");
        probe_exit(0);
    } else if (seq(what, "user")) {
        scenario_user();
    } else if (seq(what, "crash")) {
        probe_crash_site();
    } else if (seq(what, "spin")) {
        print("spinning\n");
        for (;;)
            __asm__ volatile("pause");
    } else if (seq(what, "wait")) {
        print("waiting\n");
        poll_until(UINT64_MAX);
        print("wait: poll returned\n");
        probe_exit(4);
    } else if (seq(what, "arp")) {
        scenario_arp();
    } else if (seq(what, "listen")) {
        print("listening\n");
        scenario_listen();
    } else if (seq(what, "hostile")) {
        scenario_hostile(arg(2));
    }
    print("probe: unknown scenario\n");
    probe_exit(2);
}
