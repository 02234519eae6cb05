/* SPDX-License-Identifier: MIT */
/* Host unit test: size options (--mem) and environment list handling. */
#include <errno.h>

#include "testlib.h"
#include "util.h"

static void size_ok(const char *text, uint64_t want)
{
    char name[64];
    uint64_t got = 0;
    int rc = mon_size_parse(text, &got);

    snprintf(name, sizeof(name), "size/parse-%s", text);
    test_check(rc == 0 && got == want, name, "rc=%d got %llu want %llu", rc,
               (unsigned long long)got, (unsigned long long)want);
}

static void size_bad(const char *label, const char *text, int want)
{
    char name[64];
    uint64_t got;
    int rc = mon_size_parse(text, &got);

    snprintf(name, sizeof(name), "size/refuse-%s", label);
    test_check(rc == want, name, "rc=%d want %d", rc, want);
}

static void mem_case(const char *text, int want_rc, uint64_t want,
                     bool want_rounded)
{
    char name[64];
    uint64_t got = 0;
    bool rounded = false;
    int rc = mon_mem_parse(text, &got, &rounded);

    snprintf(name, sizeof(name), "mem/%s", text);
    test_check(rc == want_rc &&
                   (rc < 0 || (got == want && rounded == want_rounded)),
               name, "rc=%d got %llu rounded=%d", rc, (unsigned long long)got,
               rounded);
}

static void test_format(void)
{
    char buf[32];

    mon_size_format(64 * MON_MIB, buf, sizeof(buf));
    CHECK("size/format-64M", strcmp(buf, "64M") == 0);
    mon_size_format(2 * MON_GIB, buf, sizeof(buf));
    CHECK("size/format-2G", strcmp(buf, "2G") == 0);
    mon_size_format(12345, buf, sizeof(buf));
    CHECK("size/format-bytes", strcmp(buf, "12345") == 0);
}

static void test_env(void)
{
    struct mon_strvec v = {0};
    char blob[64];

    mon_strvec_setenv(&v, "A=1");
    mon_strvec_setenv(&v, "AB=2");
    mon_strvec_setenv(&v, "A=3");
    CHECK("env/override-keeps-order", v.count == 2 &&
                                          strcmp(v.items[0], "A=3") == 0 &&
                                          strcmp(v.items[1], "AB=2") == 0);
    CHECK("env/blob-size", mon_strvec_blob_size(&v) == 9);
    mon_strvec_blob_write(&v, blob);
    CHECK("env/blob", memcmp(blob, "A=3\0AB=2\0", 9) == 0);
    mon_strvec_free(&v);
    CHECK("env/from-blob",
          mon_strvec_from_blob(&v, blob, 9) == 0 && v.count == 2);
    mon_strvec_free(&v);
    CHECK("env/from-blob-unterminated",
          mon_strvec_from_blob(&v, "A=1", 3) == -EINVAL);
    mon_strvec_free(&v);
    CHECK("env/valid", mon_env_valid("K=V") && mon_env_valid("K="));
    CHECK("env/invalid", !mon_env_valid("=V") && !mon_env_valid("KV"));
}

int main(void)
{
    size_ok("0", 0);
    size_ok("4096", 4096);
    size_ok("64M", 64 * MON_MIB);
    size_ok("64m", 64 * MON_MIB);
    size_ok("512K", 512 * MON_KIB);
    size_ok("2G", 2 * MON_GIB);
    size_ok("2GiB", 2 * MON_GIB);
    size_ok("100MB", 100 * MON_MIB);
    size_ok("18446744073709551615", UINT64_MAX);
    size_bad("empty", "", -EINVAL);
    size_bad("negative", "-5M", -EINVAL);
    size_bad("suffix-only", "M", -EINVAL);
    size_bad("unknown-suffix", "5T", -EINVAL);
    size_bad("trailing", "5Mx", -EINVAL);
    size_bad("space", "5 M", -EINVAL);
    size_bad("hex", "0x10", -EINVAL);
    size_bad("overflow-digits", "18446744073709551616", -ERANGE);
    size_bad("overflow-suffix", "17179869184G", -ERANGE);
    mem_case("64M", 0, 64 * MON_MIB, false);
    mem_case("4M", 0, 4 * MON_MIB, false);
    mem_case("5M", 0, 6 * MON_MIB, true);
    mem_case("4194305", 0, 6 * MON_MIB, true);
    mem_case("64G", 0, 64 * MON_GIB, false);
    mem_case("3M", -ERANGE, 0, false);
    mem_case("65G", -ERANGE, 0, false);
    mem_case("0", -ERANGE, 0, false);
    mem_case("lots", -EINVAL, 0, false);
    test_format();
    test_env();
    return test_done();
}
