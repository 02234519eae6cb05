/* SPDX-License-Identifier: MIT */
/* Host-side image writer for `onyx build`: layout and atomic write. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"

struct layout {
    uint64_t pos;
    uint32_t count;
    struct onyx_image_section sec[ONYX_IMAGE_MAX_SECTIONS];
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static void layout_add(struct layout *l, uint32_t type, uint64_t size,
                       uint64_t align)
{
    l->pos = align_up(l->pos, align);
    l->sec[l->count++] = (struct onyx_image_section){
        .type = type,
        .offset = l->pos,
        .size = size,
    };
    l->pos += size;
}

int mon_image_build(const struct mon_image_spec *spec, uint8_t **out,
                    uint64_t *size)
{
    struct onyx_image_config cfg = {
        .default_mem = spec->default_mem,
        .kernel_variant = spec->kernel_variant,
        .components = spec->components,
        .lwip_size = spec->lwip_size,
    };
    struct onyx_image_trailer trailer = {
        .magic = ONYX_IMAGE_MAGIC,
        .version = ONYX_IMAGE_VERSION,
        .abi_version = ONYX_ABI_VERSION,
        .kernel_size = spec->kernel_size,
    };
    uint64_t args_size = mon_strvec_blob_size(spec->args);
    uint64_t env_size = mon_strvec_blob_size(spec->env);
    uint64_t name_size = strlen(spec->name) + 1;
    struct layout l = {.pos = spec->kernel_size};
    uint64_t table, total;
    uint8_t *buf;

    layout_add(&l, ONYX_SECTION_APP, spec->app_size, MON_IMAGE_APP_ALIGN);
    layout_add(&l, ONYX_SECTION_NAME, name_size, MON_IMAGE_SECTION_ALIGN);
    layout_add(&l, ONYX_SECTION_CONFIG, sizeof(cfg), MON_IMAGE_SECTION_ALIGN);
    if (args_size)
        layout_add(&l, ONYX_SECTION_ARGV, args_size, MON_IMAGE_SECTION_ALIGN);
    if (env_size)
        layout_add(&l, ONYX_SECTION_ENV, env_size, MON_IMAGE_SECTION_ALIGN);
    if (spec->rootfs)
        layout_add(&l, ONYX_SECTION_ROOTFS, spec->rootfs_size,
                   MON_IMAGE_SECTION_ALIGN);
    table = align_up(l.pos, MON_IMAGE_SECTION_ALIGN);
    total = table + l.count * sizeof(l.sec[0]) + sizeof(trailer);
    buf = calloc(1, total);
    if (!buf)
        return -ENOMEM;
    memcpy(buf, spec->kernel, spec->kernel_size);
    memcpy(buf + l.sec[0].offset, spec->app, spec->app_size);
    memcpy(buf + l.sec[1].offset, spec->name, name_size);
    memcpy(buf + l.sec[2].offset, &cfg, sizeof(cfg));
    for (uint32_t i = 3; i < l.count; i++) {
        uint8_t *dst = buf + l.sec[i].offset;

        if (l.sec[i].type == ONYX_SECTION_ARGV)
            mon_strvec_blob_write(spec->args, (char *)dst);
        else if (l.sec[i].type == ONYX_SECTION_ENV)
            mon_strvec_blob_write(spec->env, (char *)dst);
        else
            memcpy(dst, spec->rootfs, spec->rootfs_size);
    }
    memcpy(buf + table, l.sec, l.count * sizeof(l.sec[0]));
    trailer.table_offset = table;
    trailer.section_count = l.count;
    memcpy(buf + total - sizeof(trailer), &trailer, sizeof(trailer));
    *out = buf;
    *size = total;
    return 0;
}

static int write_fd_all(int fd, const uint8_t *p, uint64_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len > (1u << 30) ? (1u << 30) : len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        p += n;
        len -= (uint64_t)n;
    }
    return 0;
}

int mon_image_write(const char *path, const struct mon_image_spec *spec,
                    struct mon_err *err)
{
    char tmp[4096];
    uint8_t *buf;
    uint64_t size;
    mode_t mask;
    int fd, rc;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >=
        sizeof(tmp))
        return mon_err_set(err, -ENAMETOOLONG, "%s: path too long", path);
    rc = mon_image_build(spec, &buf, &size);
    if (rc < 0)
        return mon_err_set(err, rc, "out of memory building the image");
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = mon_err_set(err, -errno, "%s: cannot create: %s", path,
                         strerror(errno));
        goto free_buf;
    }
    mon_tmp_register(tmp);
    rc = write_fd_all(fd, buf, size);
    /* mkstemp makes 0600; give the image the usual umask'd mode. */
    mask = umask(0);
    umask(mask);
    if (rc == 0 && fchmod(fd, 0666 & ~mask) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc < 0) {
        mon_err_set(err, rc, "%s: cannot write: %s", path, strerror(-rc));
        unlink(tmp);
    }
    mon_tmp_forget(tmp);

free_buf:
    free(buf);
    return rc;
}
