/* SPDX-License-Identifier: MIT */
/* Host-side image reader: maps an image and validates every part of it. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "rootfs.h"

const char *mon_image_section_name(uint32_t type)
{
    switch (type) {
    case ONYX_SECTION_APP: return "app";
    case ONYX_SECTION_ARGV: return "argv";
    case ONYX_SECTION_ENV: return "env";
    case ONYX_SECTION_ROOTFS: return "rootfs";
    case ONYX_SECTION_NAME: return "name";
    case ONYX_SECTION_CONFIG: return "config";
    default: return "unknown";
    }
}

static int image_check_trailer(struct mon_image *img, struct mon_err *err)
{
    const struct onyx_image_trailer *t = &img->trailer;
    uint64_t table_end;

    if (img->size < sizeof(*t))
        return mon_err_set(err, -EINVAL,
                           "not an onyx image: %llu bytes is too short "
                           "for the trailer",
                           (unsigned long long)img->size);
    memcpy(&img->trailer, img->data + img->size - sizeof(*t), sizeof(*t));
    if (memcmp(t->magic, ONYX_IMAGE_MAGIC, sizeof(t->magic)) != 0)
        return mon_err_set(err, -EINVAL,
                           "not an onyx image: no ONYXIMG trailer at "
                           "the end of the file");
    if (t->version != ONYX_IMAGE_VERSION)
        return mon_err_set(err, -EINVAL,
                           "image format version %u, this onyx reads %u",
                           t->version, ONYX_IMAGE_VERSION);
    if (t->abi_version != ONYX_ABI_VERSION)
        return mon_err_set(err, -EINVAL,
                           "image kernel has ABI version %u, this monitor "
                           "speaks %u: rebuild the image",
                           t->abi_version, ONYX_ABI_VERSION);
    if (t->section_count == 0 || t->section_count > ONYX_IMAGE_MAX_SECTIONS)
        return mon_err_set(err, -EINVAL,
                           "image section count %u is absurd (1 to %u)",
                           t->section_count, ONYX_IMAGE_MAX_SECTIONS);
    table_end = img->size - sizeof(*t);
    if (t->table_offset > table_end ||
        (uint64_t)t->section_count * sizeof(struct onyx_image_section) >
            table_end - t->table_offset)
        return mon_err_set(err, -EINVAL,
                           "image section table (offset %llu, %u entries) "
                           "lies outside the file",
                           (unsigned long long)t->table_offset,
                           t->section_count);
    if (t->kernel_size == 0 || t->kernel_size > t->table_offset)
        return mon_err_set(err, -EINVAL,
                           "image kernel size %llu does not fit before "
                           "the section table at %llu",
                           (unsigned long long)t->kernel_size,
                           (unsigned long long)t->table_offset);
    return 0;
}

/* A NUL-separated string list; every string ends with a NUL. */
static int check_strings(const char *what, const char *p, uint64_t size,
                         bool env, uint32_t *count, struct mon_err *err)
{
    uint64_t pos = 0;

    *count = 0;
    if (size > 0 && p[size - 1] != '\0')
        return mon_err_set(err, -EINVAL,
                           "image %s section does not end with a NUL", what);
    while (pos < size) {
        const char *s = p + pos;
        size_t n = strlen(s);

        if (env && (n == 0 || s[0] == '=' || !memchr(s, '=', n)))
            return mon_err_set(err, -EINVAL, "image env entry %u is not K=V",
                               *count);
        if (*count == UINT32_MAX / 2)
            return mon_err_set(err, -EINVAL, "image %s: too many strings",
                               what);
        (*count)++;
        pos += n + 1;
    }
    return 0;
}

static int image_take_section(struct mon_image *img,
                              const struct onyx_image_section *s,
                              struct mon_err *err)
{
    const uint8_t *p = img->data + s->offset;
    struct onyx_image_config cfg;

    switch (s->type) {
    case ONYX_SECTION_APP:
        img->app_offset = s->offset;
        img->app_size = s->size;
        return 0;
    case ONYX_SECTION_ARGV:
        img->args = (const char *)p;
        img->args_size = s->size;
        return check_strings("argv", img->args, s->size, false, &img->argc,
                             err);
    case ONYX_SECTION_ENV:
        img->env = (const char *)p;
        img->env_size = s->size;
        return check_strings("env", img->env, s->size, true, &img->envc, err);
    case ONYX_SECTION_ROOTFS:
        img->rootfs = p;
        img->rootfs_size = s->size;
        return mon_rootfs_check(p, s->size, err);
    case ONYX_SECTION_NAME:
        if (s->size < 2 || s->size > 256 || p[s->size - 1] != '\0' ||
            strlen((const char *)p) != s->size - 1)
            return mon_err_set(err, -EINVAL,
                               "image name section is not one short "
                               "NUL-terminated string");
        img->name = (const char *)p;
        return 0;
    case ONYX_SECTION_CONFIG:
        if (s->size != sizeof(cfg))
            return mon_err_set(err, -EINVAL,
                               "image config section has %llu bytes, "
                               "expected %zu",
                               (unsigned long long)s->size, sizeof(cfg));
        memcpy(&cfg, p, sizeof(cfg));
        if (cfg.kernel_variant > ONYX_KERNEL_MINIMAL)
            return mon_err_set(err, -EINVAL,
                               "image config names kernel variant %u",
                               cfg.kernel_variant);
        img->default_mem = cfg.default_mem;
        img->kernel_variant = cfg.kernel_variant;
        img->components = cfg.components;
        img->lwip_size = cfg.lwip_size;
        return 0;
    default:
        return mon_err_set(err, -EINVAL, "image section type %u unknown",
                           s->type);
    }
}

static int image_check_sections(struct mon_image *img, struct mon_err *err)
{
    const struct onyx_image_trailer *t = &img->trailer;
    struct onyx_image_section sec[ONYX_IMAGE_MAX_SECTIONS];
    uint32_t seen = 0;

    memcpy(sec, img->data + t->table_offset, t->section_count * sizeof(sec[0]));
    for (uint32_t i = 0; i < t->section_count; i++) {
        const struct onyx_image_section *s = &sec[i];
        const char *name = mon_image_section_name(s->type);
        int rc;

        if (s->offset < t->kernel_size || s->offset > t->table_offset ||
            s->size > t->table_offset - s->offset)
            return mon_err_set(err, -EINVAL,
                               "image section %u (%s) at offset %llu, "
                               "%llu bytes, lies outside [%llu, %llu)",
                               i, name, (unsigned long long)s->offset,
                               (unsigned long long)s->size,
                               (unsigned long long)t->kernel_size,
                               (unsigned long long)t->table_offset);
        if (s->offset % 8 != 0)
            return mon_err_set(err, -EINVAL,
                               "image section %u (%s) is misaligned", i, name);
        for (uint32_t j = 0; j < i; j++) {
            if (s->size && sec[j].size &&
                s->offset < sec[j].offset + sec[j].size &&
                sec[j].offset < s->offset + s->size)
                return mon_err_set(err, -EINVAL,
                                   "image sections %u and %u overlap", j, i);
        }
        if (s->type < 32 && (seen & (1u << s->type)))
            return mon_err_set(err, -EINVAL, "image has two %s sections", name);
        if (s->type < 32)
            seen |= 1u << s->type;
        rc = image_take_section(img, s, err);
        if (rc < 0)
            return rc;
    }
    if (!(seen & (1u << ONYX_SECTION_APP)))
        return mon_err_set(err, -EINVAL, "image has no app section");
    return 0;
}

static int image_check_elves(struct mon_image *img, struct mon_err *err)
{
    struct mon_err why;
    int rc;

    rc = mon_elf_parse(&img->kernel, img->data, img->trailer.kernel_size, &why);
    if (rc == 0)
        rc = mon_elf_check_kernel(&img->kernel, &why);
    if (rc < 0)
        return mon_err_set(err, rc, "image kernel: %s", why.msg);
    rc = mon_elf_parse(&img->app, img->data + img->app_offset, img->app_size,
                       &why);
    if (rc == 0)
        rc = mon_elf_check_app(&img->app, &why);
    if (rc < 0)
        return mon_err_set(err, rc, "image app: %s", why.msg);
    return 0;
}

int mon_image_parse(struct mon_image *img, const void *data, uint64_t size,
                    struct mon_err *err)
{
    int rc;

    memset(img, 0, sizeof(*img));
    img->data = data;
    img->size = size;
    if (((uintptr_t)data & 7) != 0)
        return mon_err_set(err, -EINVAL, "image buffer misaligned");
    if (size > MON_IMAGE_MAX_BYTES)
        return mon_err_set(err, -EINVAL, "image larger than 64 GiB");
    rc = image_check_trailer(img, err);
    if (rc == 0)
        rc = image_check_sections(img, err);
    if (rc == 0)
        rc = image_check_elves(img, err);
    if (rc < 0)
        return rc;
    if (!img->name)
        img->name = "app";
    if (img->default_mem != 0 &&
        (img->default_mem < MON_MEM_MIN || img->default_mem > MON_MEM_MAX ||
         img->default_mem % MON_MEM_ALIGN != 0))
        return mon_err_set(err, -EINVAL,
                           "image default memory %llu bytes is out of "
                           "range or not a 2 MiB multiple",
                           (unsigned long long)img->default_mem);
    return 0;
}

int mon_image_open(struct mon_image *img, const char *path, struct mon_err *err)
{
    struct mon_err why;
    struct stat st;
    void *map;
    int fd;
    int rc;

    memset(img, 0, sizeof(*img));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mon_err_set(err, -errno, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0) {
        rc = mon_err_set(err, -errno, "%s: %s", path, strerror(errno));
        goto close_fd;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = mon_err_set(err, -EINVAL, "%s: not a regular file", path);
        goto close_fd;
    }
    if (st.st_size == 0) {
        rc = mon_err_set(err, -EINVAL, "%s: empty file, not an onyx image",
                         path);
        goto close_fd;
    }
    if ((uint64_t)st.st_size > MON_IMAGE_MAX_BYTES) {
        rc = mon_err_set(err, -EFBIG, "%s: larger than 64 GiB", path);
        goto close_fd;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        rc = mon_err_set(err, -errno, "%s: mmap: %s", path, strerror(errno));
        goto close_fd;
    }
    close(fd);
    rc = mon_image_parse(img, map, (uint64_t)st.st_size, &why);
    img->mapped = true;
    if (rc < 0) {
        mon_err_set(err, rc, "%s: %s", path, why.msg);
        mon_image_close(img);
    }
    return rc;

close_fd:
    close(fd);
    return rc;
}

void mon_image_close(struct mon_image *img)
{
    if (img->mapped && img->data)
        munmap((void *)img->data, img->size);
    img->data = NULL;
    img->mapped = false;
}
