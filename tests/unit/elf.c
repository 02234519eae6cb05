/* SPDX-License-Identifier: MIT */
/* Host unit test: ELF parsing and validation of kernel and app files. */
#include <errno.h>
#include <stdlib.h>

#include "elf64.h"
#include "testlib.h"

static uint8_t buf[TELF_MAX] __attribute__((aligned(4096)));

static Elf64_Ehdr *eh(void)
{
    return (Elf64_Ehdr *)buf;
}

static Elf64_Phdr *ph(unsigned i)
{
    return (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr)) + i;
}

/* Parses buf after `size` bytes and expects failure naming `needle`. */
static void expect_fail(const char *name, size_t size, const char *needle)
{
    struct mon_elf elf;
    struct mon_err err = {""};
    int rc = mon_elf_parse(&elf, buf, size, &err);

    if (rc == 0)
        rc = mon_elf_check_app(&elf, &err);
    test_check(rc < 0 && strstr(err.msg, needle), name,
               "rc=%d message '%s' lacks '%s'", rc, err.msg, needle);
}

static void test_valid(void)
{
    struct mon_elf elf;
    struct mon_err err = {""};
    size_t size = telf_app(buf);
    const char *name = NULL;
    uint64_t off = 0;
    int rc = mon_elf_parse(&elf, buf, size, &err);

    test_check(rc == 0, "elf/app-valid", "%s", err.msg);
    CHECK("elf/app-loads", elf.nloads == 3 && elf.entry == 0x401000);
    CHECK("elf/app-check", mon_elf_check_app(&elf, &err) == 0);
    CHECK("elf/phdr-not-loaded", elf.phdr_vaddr == 0);
    CHECK("elf/symbols-found", elf.syms != NULL && elf.nsyms == 3);
    CHECK("elf/symbolize-first",
          mon_elf_symbolize(&elf, 0x400004, &name, &off) &&
              strcmp(name, "first_fn") == 0 && off == 4);
    CHECK("elf/symbolize-second",
          mon_elf_symbolize(&elf, 0x40002f, &name, &off) &&
              strcmp(name, "second_fn") == 0 && off == 0x1f);
    CHECK("elf/symbolize-outside",
          !mon_elf_symbolize(&elf, 0x400030, &name, &off));
    CHECK("elf/app-is-not-kernel", mon_elf_check_kernel(&elf, &err) < 0);

    size = telf_kernel(buf);
    rc = mon_elf_parse(&elf, buf, size, &err);
    CHECK("elf/kernel-valid", rc == 0 && mon_elf_check_kernel(&elf, &err) == 0);
    CHECK("elf/kernel-phys-end",
          mon_elf_kernel_phys_end(&elf) == ONYX_KERNEL_PHYS + 0x5000);
    CHECK("elf/kernel-is-not-app", mon_elf_check_app(&elf, &err) < 0);
}

static void test_header(void)
{
    size_t size = telf_app(buf);

    expect_fail("elf/empty", 0, "not an ELF");
    expect_fail("elf/truncated-header", 20, "truncated");
    memcpy(buf, "#!/bin", 6);
    expect_fail("elf/not-elf", size, "not an ELF");
    telf_app(buf);
    eh()->e_ident[EI_CLASS] = ELFCLASS32;
    expect_fail("elf/class32", size, "64-bit");
    telf_app(buf);
    eh()->e_ident[EI_DATA] = ELFDATA2MSB;
    expect_fail("elf/big-endian", size, "little-endian");
    telf_app(buf);
    eh()->e_machine = EM_AARCH64;
    expect_fail("elf/aarch64", size, "aarch64");
    telf_app(buf);
    eh()->e_machine = 0x1234;
    expect_fail("elf/unknown-machine", size, "need x86-64");
    telf_app(buf);
    eh()->e_type = ET_DYN;
    expect_fail("elf/static-pie", size, "not supported yet");
    telf_app(buf);
    eh()->e_type = ET_REL;
    expect_fail("elf/relocatable", size, "not an executable");
}

static void test_phdrs(void)
{
    size_t size = telf_app(buf);

    eh()->e_phnum = 0;
    expect_fail("elf/no-phdrs", size, "no program headers");
    telf_app(buf);
    eh()->e_phnum = 0xffff;
    expect_fail("elf/absurd-phnum", size, "program headers");
    telf_app(buf);
    eh()->e_phoff = size - 10;
    expect_fail("elf/phdrs-outside", size, "outside the file");
    telf_app(buf);
    eh()->e_phoff = UINT64_MAX - 8;
    expect_fail("elf/phoff-wraps", size, "outside the file");
    telf_app(buf);
    eh()->e_phentsize = 32;
    expect_fail("elf/phentsize", size, "program header size");
    telf_app(buf);
    ph(1)->p_type = PT_INTERP;
    expect_fail("elf/dynamic-interp", size, "dynamically linked");
    telf_app(buf);
    ph(1)->p_type = PT_DYNAMIC;
    expect_fail("elf/dynamic-section", size, "dynamically linked");
}

static void test_segments(void)
{
    size_t size = telf_app(buf);

    ph(2)->p_filesz = ph(2)->p_memsz + 1;
    expect_fail("elf/filesz-gt-memsz", size, "p_filesz");
    telf_app(buf);
    ph(1)->p_offset = size;
    expect_fail("elf/segment-outside-file", size, "outside the file");
    telf_app(buf);
    ph(1)->p_offset = UINT64_MAX - 0x10;
    expect_fail("elf/segment-offset-wraps", size, "outside the file");
    telf_app(buf);
    ph(2)->p_memsz = 1ull << 40;
    expect_fail("elf/absurd-memsz", size, "absurd");
    telf_app(buf);
    ph(2)->p_vaddr = UINT64_MAX - 0x1000;
    expect_fail("elf/vaddr-wraps", size, "wraps");
    telf_app(buf);
    ph(1)->p_vaddr = 0x400100;
    expect_fail("elf/overlap", size, "overlap");
    telf_app(buf);
    eh()->e_entry = 0x400000;
    expect_fail("elf/entry-not-exec", size, "entry point");
    telf_app(buf);
    ph(0)->p_vaddr = 0;
    eh()->e_entry = 0x401000;
    expect_fail("elf/page-zero", size, "page 0");
    telf_app(buf);
    ph(2)->p_vaddr = ONYX_KERNEL_VBASE + 0x200000;
    expect_fail("elf/app-in-kernel-window", size, "kernel window");
    telf_app(buf);
    ph(2)->p_vaddr = ONYX_KERNEL_VBASE - 0x1000;
    expect_fail("elf/app-reaches-kernel-window", size, "kernel window");
    telf_app(buf);
    ph(2)->p_vaddr = 0xffffffff80100000ull;
    expect_fail("elf/app-in-upper-half", size, "upper half");
    telf_app(buf);
    ph(2)->p_vaddr = ONYX_DIRECT_MAP;
    expect_fail("elf/app-in-direct-map", size, "direct map");
    telf_app(buf);
    ph(2)->p_vaddr = ONYX_APP_MMAP_TOP - 0x1000;
    expect_fail("elf/app-into-mmap-area", size, "mmap area");
}

static void test_kernel_rules(void)
{
    struct mon_elf elf;
    struct mon_err err = {""};
    size_t size = telf_kernel(buf);
    int rc;

    ph(2)->p_flags = PF_R | PF_W | PF_X;
    rc = mon_elf_parse(&elf, buf, size, &err);
    CHECK("elf/kernel-rwx-refused", rc == 0 &&
                                        mon_elf_check_kernel(&elf, &err) < 0 &&
                                        strstr(err.msg, "W^X"));
    telf_kernel(buf);
    ph(0)->p_vaddr = ONYX_KERNEL_VBASE;
    eh()->e_entry = ONYX_KERNEL_VBASE;
    rc = mon_elf_parse(&elf, buf, size, &err);
    CHECK("elf/kernel-below-window", rc == 0 &&
                                         mon_elf_check_kernel(&elf, &err) < 0 &&
                                         strstr(err.msg, "kernel window"));
    telf_kernel(buf);
    ph(2)->p_memsz = MON_KERNEL_VEND;
    rc = mon_elf_parse(&elf, buf, size, &err);
    CHECK("elf/kernel-beyond-window",
          rc == 0 && mon_elf_check_kernel(&elf, &err) < 0 &&
              strstr(err.msg, "kernel window"));
}

/* Flipping any single header byte must never crash the parser. */
static void test_fuzz_headers(void)
{
    size_t size = telf_app(buf);
    unsigned accepted = 0;

    srand(1);
    for (int i = 0; i < 20000; i++) {
        struct mon_elf elf;
        struct mon_err err;
        size_t at = (size_t)rand() % 0x200;

        telf_app(buf);
        buf[at] = (uint8_t)rand();
        buf[(size_t)rand() % 0x200] = (uint8_t)rand();
        if (mon_elf_parse(&elf, buf, size, &err) == 0) {
            accepted++;
            for (unsigned j = 0; j < elf.nloads; j++) {
                if (elf.loads[j].offset + elf.loads[j].filesz > size) {
                    printf("not ok elf/fuzz: segment outside file\n");
                    test_failures++;
                    return;
                }
            }
        }
    }
    test_check(accepted > 0, "elf/fuzz-20000-mutations", "none accepted");
}

int main(void)
{
    test_valid();
    test_header();
    test_phdrs();
    test_segments();
    test_kernel_rules();
    test_fuzz_headers();
    return test_done();
}
