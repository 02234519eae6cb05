/* SPDX-License-Identifier: MIT */
/* Host unit test: image write/read round trip and corrupted images. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "rootfs.h"
#include "testlib.h"

static uint8_t kernel[TELF_MAX] __attribute__((aligned(4096)));
static uint8_t app[TELF_MAX] __attribute__((aligned(4096)));
static size_t kernel_size, app_size;
static struct mon_strvec args, env;

/* A rootfs with one directory and one file, built by hand. */
static uint8_t rootfs[256] __attribute__((aligned(16)));

static void make_rootfs(void)
{
    struct onyx_rootfs_header *h = (void *)rootfs;
    struct onyx_rootfs_entry *e = (void *)(rootfs + sizeof(*h));

    *h = (struct onyx_rootfs_header){ONYX_ROOTFS_MAGIC, 2, sizeof(rootfs)};
    e[0] =
        (struct onyx_rootfs_entry){.path_offset = 96, .mode = S_IFDIR | 0755};
    e[1] = (struct onyx_rootfs_entry){.path_offset = 101,
                                      .data_offset = 128,
                                      .size = 5,
                                      .mode = S_IFREG | 0644};
    memcpy(rootfs + 96, "/etc\0/etc/motd", 15);
    memcpy(rootfs + 128, "hello", 5);
}

static struct mon_image_spec spec(void)
{
    return (struct mon_image_spec){
        .kernel = kernel,
        .kernel_size = kernel_size,
        .app = app,
        .app_size = app_size,
        .args = &args,
        .env = &env,
        .rootfs = rootfs,
        .rootfs_size = sizeof(rootfs),
        .name = "demo",
        .default_mem = 128 * MON_MIB,
    };
}

/* The image in an 8-aligned heap buffer, as a mapping would give it. */
static uint8_t *image;
static uint64_t image_size;

static void rebuild(void)
{
    struct mon_image_spec s = spec();

    free(image);
    if (mon_image_build(&s, &image, &image_size) < 0)
        abort();
}

static struct onyx_image_trailer *trailer(void)
{
    return (void *)(image + image_size - sizeof(struct onyx_image_trailer));
}

static struct onyx_image_section *section(uint32_t type)
{
    struct onyx_image_section *s = (void *)(image + trailer()->table_offset);

    for (uint32_t i = 0; i < trailer()->section_count; i++) {
        if (s[i].type == type)
            return &s[i];
    }
    abort();
}

static void expect_fail(const char *name, uint64_t size, const char *needle)
{
    struct mon_image img;
    struct mon_err err = {""};
    int rc = mon_image_parse(&img, image, size, &err);

    test_check(rc < 0 && strstr(err.msg, needle), name,
               "rc=%d message '%s' lacks '%s'", rc, err.msg, needle);
    rebuild();
}

static void test_round_trip(void)
{
    struct mon_image img;
    struct mon_err err = {""};
    int rc;

    rebuild();
    rc = mon_image_parse(&img, image, image_size, &err);
    test_check(rc == 0, "image/round-trip-parses", "%s", err.msg);
    CHECK("image/name", strcmp(img.name, "demo") == 0);
    CHECK("image/args", img.argc == 2 && strcmp(img.args, "--port") == 0 &&
                            strcmp(img.args + 7, "8080") == 0);
    CHECK("image/env", img.envc == 1 && strcmp(img.env, "A=b c") == 0);
    CHECK("image/mem", img.default_mem == 128 * MON_MIB);
    CHECK("image/rootfs", img.rootfs_size == sizeof(rootfs) &&
                              memcmp(img.rootfs, rootfs, 16) == 0);
    CHECK("image/kernel-elf",
          img.kernel.nloads == 3 && img.trailer.kernel_size == kernel_size);
    CHECK("image/app-elf",
          img.app.entry == 0x401000 && img.app_size == app_size);
    CHECK("image/app-page-aligned", img.app_offset % 4096 == 0);
    CHECK("image/kernel-is-elf-prefix",
          memcmp(image, kernel, kernel_size) == 0);
}

static void test_file_round_trip(void)
{
    char path[] = "/tmp/onyx-unit-XXXXXX";
    char out[64];
    struct mon_image img;
    struct mon_err err = {""};
    struct mon_image_spec s = spec();
    int fd = mkstemp(path);
    int rc;

    close(fd);
    snprintf(out, sizeof(out), "%s.onyx", path);
    rc = mon_image_write(out, &s, &err);
    test_check(rc == 0, "image/write-file", "%s", err.msg);
    rc = mon_image_open(&img, out, &err);
    test_check(rc == 0 && img.mapped && strcmp(img.name, "demo") == 0,
               "image/open-file", "%s", err.msg);
    if (rc == 0)
        mon_image_close(&img);
    rc = mon_image_write("/nonexistent-dir/x.onyx", &s, &err);
    CHECK("image/write-bad-dir-fails", rc < 0 && strstr(err.msg, "x.onyx"));
    rc = mon_image_open(&img, path, &err);
    CHECK("image/open-empty-file", rc < 0 && strstr(err.msg, "empty file"));
    unlink(out);
    unlink(path);
}

static void test_trailer(void)
{
    expect_fail("image/empty", 0, "too short");
    expect_fail("image/truncated-by-one", image_size - 1, "ONYXIMG");
    trailer()->magic[0] = 'X';
    expect_fail("image/bad-magic", image_size, "ONYXIMG");
    trailer()->version = 99;
    expect_fail("image/bad-version", image_size, "format version");
    trailer()->abi_version = 99;
    expect_fail("image/bad-abi", image_size, "ABI version");
    trailer()->section_count = 0;
    expect_fail("image/no-sections", image_size, "section count");
    trailer()->section_count = 100000;
    expect_fail("image/absurd-section-count", image_size, "section count");
    trailer()->table_offset = image_size;
    expect_fail("image/table-outside", image_size, "outside the file");
    trailer()->table_offset = UINT64_MAX - 10;
    expect_fail("image/table-offset-wraps", image_size, "outside the file");
    trailer()->kernel_size = 0;
    expect_fail("image/kernel-size-zero", image_size, "kernel size");
    trailer()->kernel_size = image_size;
    expect_fail("image/kernel-size-huge", image_size, "kernel size");
}

static void test_sections(void)
{
    section(ONYX_SECTION_ARGV)->offset = image_size;
    expect_fail("image/section-outside", image_size, "lies outside");
    section(ONYX_SECTION_ARGV)->size = UINT64_MAX;
    expect_fail("image/section-size-wraps", image_size, "lies outside");
    section(ONYX_SECTION_ARGV)->offset = 0;
    expect_fail("image/section-in-kernel", image_size, "lies outside");
    section(ONYX_SECTION_ENV)->offset = section(ONYX_SECTION_ARGV)->offset;
    expect_fail("image/sections-overlap", image_size, "overlap");
    section(ONYX_SECTION_ENV)->type = ONYX_SECTION_ARGV;
    expect_fail("image/duplicate-section", image_size, "two argv");
    section(ONYX_SECTION_ENV)->type = 77;
    expect_fail("image/unknown-section", image_size, "unknown");
    section(ONYX_SECTION_APP)->type = 77;
    expect_fail("image/unknown-app-type", image_size, "unknown");
    section(ONYX_SECTION_ARGV)->offset += 4;
    expect_fail("image/section-misaligned", image_size, "misaligned");
}

static void test_contents(void)
{
    struct onyx_image_section *s;

    s = section(ONYX_SECTION_ARGV);
    image[s->offset + s->size - 1] = 'x';
    expect_fail("image/argv-unterminated", image_size, "NUL");
    s = section(ONYX_SECTION_ENV);
    memset(image + s->offset, 'x', s->size - 1);
    expect_fail("image/env-not-kv", image_size, "K=V");
    s = section(ONYX_SECTION_NAME);
    image[s->offset + s->size - 1] = 'x';
    expect_fail("image/name-unterminated", image_size, "name");
    section(ONYX_SECTION_CONFIG)->size = 8;
    expect_fail("image/config-size", image_size, "config");
    s = section(ONYX_SECTION_CONFIG);
    ((struct onyx_image_config *)(image + s->offset))->default_mem = 12345;
    expect_fail("image/config-bad-mem", image_size, "default memory");
    s = section(ONYX_SECTION_ROOTFS);
    image[s->offset] ^= 0xff;
    expect_fail("image/rootfs-bad-magic", image_size, "rootfs magic");
    s = section(ONYX_SECTION_APP);
    ((Elf64_Ehdr *)(image + s->offset))->e_machine = EM_AARCH64;
    expect_fail("image/app-aarch64", image_size, "image app: ELF machine");
    s = section(ONYX_SECTION_APP);
    memset(image + s->offset, 0, 4);
    expect_fail("image/app-not-elf", image_size, "image app: not an ELF");
    ((Elf64_Ehdr *)image)->e_machine = EM_AARCH64;
    expect_fail("image/kernel-aarch64", image_size, "image kernel");
    s = section(ONYX_SECTION_APP);
    ((Elf64_Phdr *)(image + s->offset + 64))[2].p_vaddr =
        ONYX_KERNEL_VBASE + 0x100000;
    expect_fail("image/app-overlaps-kernel", image_size, "kernel window");
}

/* Random byte flips anywhere must give a clean error or a valid image. */
static void test_fuzz(void)
{
    unsigned rejected = 0;

    srand(2);
    for (int i = 0; i < 5000; i++) {
        struct mon_image img;
        struct mon_err err;

        for (int j = 0; j < 4; j++)
            image[(uint64_t)rand() % image_size] = (uint8_t)rand();
        if (mon_image_parse(&img, image, image_size, &err) < 0)
            rejected++;
        rebuild();
    }
    test_check(rejected > 0, "image/fuzz-5000-images", "nothing rejected");
}

int main(void)
{
    kernel_size = telf_kernel(kernel);
    app_size = telf_app(app);
    make_rootfs();
    mon_strvec_push(&args, "--port");
    mon_strvec_push(&args, "8080");
    mon_strvec_push(&env, "A=b c");
    test_round_trip();
    test_file_round_trip();
    rebuild();
    test_trailer();
    test_sections();
    test_contents();
    test_fuzz();
    free(image);
    return test_done();
}
