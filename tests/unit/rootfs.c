/* SPDX-License-Identifier: MIT */
/* Host unit test: packing directory trees and validating rootfs blobs. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs.h"
#include "testlib.h"

static char top[64];
static char dir[96];

static void sh(const char *fmt, const char *arg)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg);
    if (system(cmd) != 0) {
        printf("not ok rootfs/setup: %s\n", cmd);
        exit(1);
    }
}

static const struct onyx_rootfs_entry *find(const uint8_t *blob,
                                            const char *path)
{
    const struct onyx_rootfs_header *h = (const void *)blob;

    for (uint32_t i = 0; i < h->count; i++) {
        const struct onyx_rootfs_entry *e = mon_rootfs_entry(blob, i);

        if (strcmp(mon_rootfs_path(blob, e), path) == 0)
            return e;
    }
    return NULL;
}

static int pack(const char *name, uint8_t **blob, uint64_t *size,
                struct mon_err *err)
{
    char path[160];

    snprintf(path, sizeof(path), "%s/%s", top, name);
    return mon_rootfs_pack(path, blob, size, err);
}

static void test_pack_good(void)
{
    const struct onyx_rootfs_entry *e;
    struct mon_err err = {""};
    uint8_t *blob = NULL;
    uint64_t size = 0;
    int rc;

    sh("mkdir -p %s/www/css %s/www/empty && printf 'hello' > %s/www/index.html"
       " && printf 'body{}' > %s/www/css/site.css",
       dir);
    sh("ln -s index.html %s/www/link.html && ln -s css %s/www/style && "
       ": > %s/www/zero && chmod 755 %s/www/zero",
       dir);
    rc = pack("good/www", &blob, &size, &err);
    test_check(rc == 0, "rootfs/pack", "%s", err.msg);
    if (rc < 0)
        return;
    CHECK("rootfs/check-packed", mon_rootfs_check(blob, size, &err) == 0);
    CHECK("rootfs/count", ((struct onyx_rootfs_header *)blob)->count == 8);
    e = find(blob, "/index.html");
    CHECK("rootfs/file-data",
          e && e->size == 5 && memcmp(blob + e->data_offset, "hello", 5) == 0 &&
              (e->mode & S_IFMT) == S_IFREG);
    e = find(blob, "/css");
    CHECK("rootfs/dir-entry",
          e && (e->mode & S_IFMT) == S_IFDIR && e->size == 0);
    e = find(blob, "/link.html");
    CHECK("rootfs/symlink-inside-followed",
          e && e->size == 5 && memcmp(blob + e->data_offset, "hello", 5) == 0);
    CHECK("rootfs/symlinked-dir-followed", find(blob, "/style/site.css"));
    e = find(blob, "/zero");
    CHECK("rootfs/empty-file-mode",
          e && e->size == 0 && (e->mode & 0777) == 0755);
    CHECK("rootfs/data-aligned",
          find(blob, "/css/site.css") &&
              find(blob, "/css/site.css")->data_offset % 16 == 0);
    CHECK("rootfs/parent-before-child",
          find(blob, "/css") < find(blob, "/css/site.css"));
    free(blob);
}

static void test_pack_refused(void)
{
    struct mon_err err = {""};
    uint8_t *blob = NULL;
    uint64_t size = 0;
    int rc;

    sh("mkdir -p %s/out && ln -s /etc/passwd %s/out/passwd", dir);
    rc = pack("good/out", &blob, &size, &err);
    CHECK("rootfs/symlink-outside-refused",
          rc < 0 && strstr(err.msg, "outside"));
    sh("mkdir -p %s/fifo && mkfifo %s/fifo/pipe", dir);
    rc = pack("good/fifo", &blob, &size, &err);
    CHECK("rootfs/fifo-refused",
          rc < 0 && strstr(err.msg, "not a regular file"));
    sh("mkdir -p %s/loop/a && ln -s .. %s/loop/a/up", dir);
    rc = pack("good/loop", &blob, &size, &err);
    CHECK("rootfs/symlink-loop-refused", rc < 0 && strstr(err.msg, "loop"));
    sh("mkdir -p %s/dangling && ln -s nowhere %s/dangling/x", dir);
    rc = pack("good/dangling", &blob, &size, &err);
    CHECK("rootfs/dangling-refused", rc < 0 && strstr(err.msg, "dangling/x"));
    rc = pack("good/missing", &blob, &size, &err);
    CHECK("rootfs/missing-dir", rc < 0);
    rc = pack("good/www/index.html", &blob, &size, &err);
    CHECK("rootfs/not-a-dir", rc == -ENOTDIR);
}

/* A blob with "/a" (dir) and "/a/f" (file). */
static uint8_t blob[256] __attribute__((aligned(16)));

static struct onyx_rootfs_entry *entry(unsigned i)
{
    return (struct onyx_rootfs_entry *)(blob + 16) + i;
}

static void make_blob(void)
{
    memset(blob, 0, sizeof(blob));
    *(struct onyx_rootfs_header *)blob =
        (struct onyx_rootfs_header){ONYX_ROOTFS_MAGIC, 2, sizeof(blob)};
    *entry(0) =
        (struct onyx_rootfs_entry){.path_offset = 96, .mode = S_IFDIR | 0755};
    *entry(1) = (struct onyx_rootfs_entry){.path_offset = 99,
                                           .data_offset = 128,
                                           .size = 3,
                                           .mode = S_IFREG | 0644};
    memcpy(blob + 96, "/a\0/a/f", 8);
}

static void expect_bad(const char *name, const char *needle)
{
    struct mon_err err = {""};
    int rc = mon_rootfs_check(blob, sizeof(blob), &err);

    test_check(rc < 0 && strstr(err.msg, needle), name, "rc=%d message '%s'",
               rc, err.msg);
    make_blob();
}

static void test_check_blob(void)
{
    struct mon_err err = {""};

    make_blob();
    CHECK("rootfs/check-good", mon_rootfs_check(blob, sizeof(blob), &err) == 0);
    CHECK("rootfs/check-truncated", mon_rootfs_check(blob, 8, &err) < 0);
    ((struct onyx_rootfs_header *)blob)->size = 1000;
    expect_bad("rootfs/check-size-mismatch", "header says");
    ((struct onyx_rootfs_header *)blob)->count = 0x7fffffff;
    expect_bad("rootfs/check-absurd-count", "absurd");
    entry(1)->data_offset = 254;
    expect_bad("rootfs/check-data-outside", "outside");
    entry(1)->size = UINT64_MAX;
    expect_bad("rootfs/check-size-wraps", "outside");
    entry(1)->path_offset = 4096;
    expect_bad("rootfs/check-path-outside", "path offset");
    memcpy(blob + 99, "/a/../f", 8);
    expect_bad("rootfs/check-dotdot", "bad path");
    memcpy(blob + 99, "a/f\0", 4);
    expect_bad("rootfs/check-relative", "bad path");
    memcpy(blob + 99, "/a//f", 6);
    expect_bad("rootfs/check-empty-component", "bad path");
    memcpy(blob + 96, "/b", 2);
    expect_bad("rootfs/check-orphan", "parent");
    entry(0)->mode = S_IFREG | 0644;
    expect_bad("rootfs/check-parent-is-file", "parent");
    entry(1)->path_offset = 96;
    expect_bad("rootfs/check-duplicate", "listed twice");
    entry(1)->mode = S_IFLNK | 0777;
    expect_bad("rootfs/check-symlink-mode", "neither");
    memset(blob + 96, 'x', sizeof(blob) - 96);
    expect_bad("rootfs/check-unterminated", "bad path");
}

int main(void)
{
    strcpy(top, "/tmp/onyx-rootfs-XXXXXX");
    if (!mkdtemp(top))
        return 1;
    snprintf(dir, sizeof(dir), "%s/good", top);
    test_pack_good();
    test_pack_refused();
    test_check_blob();
    sh("rm -rf %s", top);
    return test_done();
}
